"""How the book's chapters are executed: on one thread each.

numpy's BLAS and torch split a large product or convolution across threads, and how they split it
depends on the number of threads, so the last digits of a result, and now and then a printed count,
change with the number of cores. Every execution whose printed output is committed or compared
(`make run`, and the test suite's nbval runs) therefore gives each kernel one thread, and runs
chapters side by side instead: the outputs are the same on a laptop with 2 cores or 16.
"""
from __future__ import annotations

from collections.abc import MutableMapping

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def one_thread_each(environment: MutableMapping[str, str]) -> None:
    """Set ``environment`` (``os.environ``: kernels started afterwards inherit it) to one BLAS and
    torch thread per process."""
    environment.update(ONE_THREAD)
