"""The ``overparam sweep`` and ``overparam sweep-report`` commands (their arguments are declared in
:mod:`overparam.cli`, which imports this module by name only when one of them runs)."""
from __future__ import annotations

import argparse
import sys

from overparam.sweep.cluster import dashboard_link, open_client
from overparam.sweep.grid import GridError
from overparam.sweep.plan import plan_sweep
from overparam.sweep.report import sweep_report
from overparam.sweep.runner import run_sweep


def sweep_main(arguments: argparse.Namespace) -> int:
    """``overparam sweep``: the grid checked, then run; 1 when a point of the sweep is not done
    (it raised, its worker died, or it did not run), 2 when refused, 130 when interrupted."""
    try:
        sweep = plan_sweep(arguments.chapter, arguments.settings, arguments.seeds, arguments.out, arguments.smoke)
        print(f"{len(sweep.ids)} points of {sweep.chapter.source.name} into {sweep.out}", flush=True)
        with open_client(arguments.workers, arguments.scheduler, arguments.timeout) as client:
            link = dashboard_link(client)
            if link:
                print(f"Dask dashboard: {link}", flush=True)
            outcome = run_sweep(sweep, client, retries=arguments.retries, progress=not arguments.no_progress,
                                rerun_failed=arguments.rerun_failed)
    except (GridError, OSError, ValueError) as error:
        print(f"overparam sweep: refused: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("overparam sweep: interrupted; the finished points are kept: the same command runs the rest",
              file=sys.stderr)
        return 130
    print(outcome)
    print(f"tables: {sweep.out / 'points.csv'}, {sweep.out / 'claims.csv'}, {sweep.out / 'curves'}/")
    return 1 if outcome.not_done else 0


def sweep_report_main(arguments: argparse.Namespace) -> int:
    """``overparam sweep-report``: the status counts per claim id, and the verdict map's path."""
    try:
        text, png = sweep_report(arguments.folder, arguments.x, arguments.y, arguments.claim, arguments.png)
    except (FileNotFoundError, ValueError) as error:
        print(f"overparam sweep-report: {error}", file=sys.stderr)
        return 2
    print(text)
    if png is not None:
        print(f"\nverdict map (share of claims reproduced at each pair of values): {png}")
    return 0


def run(arguments: argparse.Namespace) -> int:
    """The exit status of the sweep command ``arguments.command`` names."""
    return {"sweep": sweep_main, "sweep-report": sweep_report_main}[arguments.command](arguments)
