"""The command line: ``overparam predict`` prints the predicted test risk of every compressor at
every model size for a problem given by its parameters, and the best size for each.

    overparam predict --p 1000 --n 300 --s 100 --spike 10 --sigma 0.5 [--panel a]
        [--theta-law random-sign] [--alignment inverted] [--simulate 20] [--csv out.csv]
        [--compressors dense,ridge,uniform-4] [--bits 4]

With only --p --n --s --spike --sigma the problem is chapter 1's panel (b): the s salient features
have variance ``spike``, the others 1, and theta*_i = 1/sqrt(p). Every compressor of the calculator
is predicted unless --compressors names some: pruning, ridge with mu tuned (oracle tuning, chapter
10) and the quantizers of chapter 11 at --bits bits per weight.

    overparam sweep notebooks/01-linear-gaussian.md --set sigma=0.25,0.5,1 --seeds 3 --out sweeps/lg
        [--workers 2 | --scheduler tcp://HOST:8786]
    overparam sweep-report sweeps/lg [--x sigma --y theta_law] [--claim ID]

run a chapter by papermill at every point of a grid, on Dask (overparam.sweep), and summarise the
verdicts of its claims over the grid.

Every command's arguments are declared here; the sweep commands run in overparam.sweep.commands,
imported by name when one of them is called, so that `overparam predict` (a 10 ms computation) does
not pay seconds of importing Dask, papermill and jupytext (benchmarks/bench_predict.py times it).
"""
from __future__ import annotations

import argparse
import importlib
import sys

from overparam.reports.predict import (BITS_RANGE, DEFAULT_BITS, all_compressors, best_sizes, check_compressors,
                                       model_sizes, predict)
from overparam.theory.problems import ALIGNMENTS, THETA_LAWS, fig3_problem

# The sweep commands' module (Dask, papermill, jupytext: seconds to import), imported by name when
# one of them runs, so that `overparam predict` starts without it.
SWEEP_COMMANDS = "overparam.sweep.commands"


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="overparam", description=__doc__.split("\n\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    command = commands.add_parser("predict", help="predicted risk of every compressor at every model size")
    command.add_argument("--p", type=int, required=True, help="number of features")
    command.add_argument("--n", type=int, required=True, help="number of training samples")
    command.add_argument("--s", type=int, required=True, help="budget: weights kept by pruning")
    command.add_argument("--spike", type=float, default=10.0, help="saliency of the s salient features (others: 1)")
    command.add_argument("--sigma", type=float, default=0.5, help="noise standard deviation")
    command.add_argument("--panel", choices=["a", "b"], default="b",
                         help="a: identity covariance, the spike in theta*; b: the spike in the variances")
    command.add_argument("--theta-law", choices=THETA_LAWS, default="constant", help="law of theta*")
    command.add_argument("--alignment", choices=ALIGNMENTS, default="aligned",
                         help="inverted: the salient features get the low variance (panel b)")
    command.add_argument("--fraction", type=float, default=0.1, help="non-zero share of theta* (sparse law)")
    command.add_argument("--seed", type=int, default=0, help="seed of theta*'s draw and of the simulation")
    command.add_argument("--sizes", type=int, default=60, help="how many model sizes, log-spaced over 1..p")
    command.add_argument("--simulate", type=int, default=0, metavar="R",
                         help="also simulate R data sets and print the means with 95%% intervals")
    command.add_argument("--csv", help="write the whole table to this CSV file")
    command.add_argument("--compressors", help="comma-separated names of the compressors to predict "
                         "(default: all; a wrong name lists the valid ones)")
    command.add_argument("--bits", type=int, default=DEFAULT_BITS,
                         help=f"bits per weight of the uniform quantizers, {BITS_RANGE[0]} to {BITS_RANGE[1]} "
                              f"(default {DEFAULT_BITS}, chapter 11's width after pruning)")
    add_sweep_commands(commands)
    return main


def add_sweep_commands(commands) -> None:
    """The ``sweep`` and ``sweep-report`` subcommands."""
    sweep = commands.add_parser("sweep", help="run a chapter by papermill at every point of a grid, on Dask")
    sweep.add_argument("chapter", help="the chapter's source, e.g. notebooks/01-linear-gaussian.md")
    sweep.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=V1,V2",
                       help="a parameter and its values (repeat for more parameters; the grid is every combination)")
    sweep.add_argument("--seeds", type=int, help="also vary the parameter seed over 0 .. SEEDS-1")
    sweep.add_argument("--out", required=True, help="the sweep's folder (a second run resumes it)")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=2,
                       help="worker processes of the local Dask cluster started for the sweep (default 2)")
    where.add_argument("--scheduler", help="address of an existing Dask scheduler, e.g. tcp://127.0.0.1:8786")
    sweep.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for --scheduler (default 10)")
    sweep.add_argument("--retries", type=int, default=2,
                       help="runs again of a point whose worker died, before it is recorded as died (default 2)")
    sweep.add_argument("--smoke", action="store_true",
                       help="the parameters not set take the chapter's small test values, not its defaults")
    sweep.add_argument("--rerun-failed", action="store_true",
                       help="run again the points that raised (by default a point that raised is finished)")
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")
    report = commands.add_parser("sweep-report", help="how often each claim held over a sweep, and a verdict map")
    report.add_argument("folder", help="the sweep's folder (its --out)")
    report.add_argument("--x", help="the map's horizontal parameter (default: the grid's first)")
    report.add_argument("--y", help="the map's vertical parameter (default: the grid's second)")
    report.add_argument("--claim", help="map this claim id only (default: every claim)")
    report.add_argument("--png", help="where to write the map (default: FOLDER/verdict-map-X-Y.png)")


def check(arguments: argparse.Namespace) -> str | None:
    """The first bad argument, as a message, or None (checked before anything is computed)."""
    if arguments.p < 1 or arguments.n < 2:
        return "--p must be at least 1 and --n at least 2"
    if not 1 <= arguments.s <= arguments.p:
        return f"--s must lie in [1, p = {arguments.p}], got {arguments.s}"
    if arguments.spike <= 0 or arguments.sigma < 0:
        return "--spike must be positive and --sigma non-negative"
    if arguments.sizes < 2 or arguments.simulate < 0:
        return "--sizes must be at least 2 and --simulate non-negative"
    if arguments.p * max(arguments.n, arguments.p) > 50_000_000:
        return f"p = {arguments.p} and n = {arguments.n} need more memory than a laptop has for the simulation"
    try:
        check_compressors(chosen_compressors(arguments), arguments.bits)
    except ValueError as error:  # the bit width or a compressor's name
        return f"--compressors / --bits: {error}"
    return None


def chosen_compressors(arguments: argparse.Namespace) -> tuple[str, ...]:
    """The compressors --compressors names, or all of them at --bits bits per weight."""
    if not arguments.compressors:
        return all_compressors(min(max(arguments.bits, BITS_RANGE[0]), BITS_RANGE[1]))  # a bad --bits: refused later
    return tuple(name.strip() for name in arguments.compressors.split(",") if name.strip())


def main(argv: list[str] | None = None) -> int:
    parse = parser()
    arguments = parse.parse_args(argv)
    if arguments.command in ("sweep", "sweep-report"):
        return importlib.import_module(SWEEP_COMMANDS).run(arguments)
    problem_message = check(arguments)
    if problem_message:
        parse.error(problem_message)
    try:
        problem = fig3_problem(arguments.panel, arguments.p, arguments.s, arguments.spike, arguments.sigma,
                               arguments.theta_law, arguments.alignment, arguments.seed, arguments.fraction)
    except ValueError as error:
        parse.error(str(error))
    sizes = model_sizes(arguments.p, arguments.n, arguments.sizes)
    table = predict(problem, arguments.n, arguments.s, sizes, chosen_compressors(arguments), simulate=arguments.simulate,
                    seed=arguments.seed, progress=arguments.simulate > 0, bits=arguments.bits)
    if arguments.csv:
        table.to_csv(arguments.csv, index=False, float_format="%.6g")
    print(table.pivot(index="k", columns="compressor", values="risk")[list(table.compressor.unique())]
          .round(4).to_string())
    tuned = table[table.mu.notna()]
    if len(tuned):
        print("\nridge: mu tuned for each pipeline (oracle tuning, theta* and Sigma known; inf: the limit):")
        print(tuned.pivot(index="k", columns="compressor", values="mu")[list(tuned.compressor.unique())]
              .to_string(float_format="%.4g"))
    if arguments.simulate:
        print("\nsimulated (mean and 95% interval over", arguments.simulate, "data sets):")
        print(table.round(4).to_string(index=False))
    print("\nbest model size for each compressor:")
    print(best_sizes(table).round(4).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
