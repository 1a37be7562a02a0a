"""The Dask cluster a sweep runs on: with no address, a LocalCluster of single-threaded worker
processes on this machine (nothing to install or start by hand); with an address, an existing
cluster's scheduler (``dask scheduler`` and ``dask worker`` started by hand, dask-jobqueue on
SLURM, Kubernetes, ...), reached within a short timeout."""
from __future__ import annotations

import contextlib
import importlib.util
import logging

from overparam.book.execution import ONE_THREAD
from overparam.sweep.grid import GridError


def dashboard_address() -> str:
    """A free port for the Dask dashboard (a fixed one would clash between two sweeps)."""
    return ":0"


def local_cluster(workers: int):
    """A LocalCluster of ``workers`` worker processes with one thread each (and one BLAS thread,
    as overparam.book.execution gives every chapter); a worker that dies is not retried by the
    scheduler itself (allowed-failures 0): the sweep counts and retries it."""
    import dask
    from distributed import LocalCluster

    if workers < 1:
        raise GridError(f"--workers must be at least 1, got {workers}")
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=dashboard_address(), silence_logs=logging.ERROR,
                            env=dict(ONE_THREAD))


@contextlib.contextmanager
def open_client(workers: int = 2, scheduler: str | None = None, timeout: float = 10.0):
    """A Dask client on a new local cluster of ``workers`` processes, or on the scheduler at
    ``scheduler`` (refused with the reason when it cannot be reached within ``timeout`` seconds).
    The local cluster is shut down on leaving; an existing cluster is left running."""
    from distributed import Client

    if scheduler is None:
        cluster = local_cluster(workers)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(scheduler, timeout=f"{timeout}s")
    except (OSError, TimeoutError, ValueError) as error:
        raise GridError(f"--scheduler {scheduler!r}: cannot reach a Dask scheduler there within "
                        f"{timeout:g} s ({type(error).__name__}: {error})") from None
    try:
        yield client
    finally:
        client.close()


def dashboard_link(client) -> str | None:
    """The address of the cluster's dashboard (with a hint when bokeh, which draws its plots, is
    missing), or None when it has none."""
    try:
        link = client.dashboard_link if client.scheduler_info().get("services", {}).get("dashboard") else None
    except (AttributeError, KeyError, OSError):
        return None
    if link and importlib.util.find_spec("bokeh") is None:
        link += " (its plots need the package bokeh, not installed here)"
    return link


def dask_mapper(client):
    """The ``mapper`` of :func:`overparam.experiments.phase_diagrams.evaluate_grid` on a Dask
    client: submit every task, gather the results in the order of the tasks."""
    return lambda function, tasks: client.gather(client.map(function, list(tasks)))


@contextlib.contextmanager
def grid_mapper(workers: int = 0, scheduler: str = ""):
    """The mapper a chapter hands to :func:`overparam.experiments.phase_diagrams.evaluate_grid`:
    the builtin ``map`` (in process) when ``workers`` is 0 and ``scheduler`` is empty; otherwise
    :func:`dask_mapper` on the same Dask client as ``overparam sweep`` (:func:`open_client`): a
    LocalCluster of ``workers`` single-threaded processes, or the existing cluster at the address
    ``scheduler``."""
    if workers == 0 and not scheduler:
        yield map
        return
    with open_client(max(workers, 1), scheduler or None) as client:
        yield dask_mapper(client)
