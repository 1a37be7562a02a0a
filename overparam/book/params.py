"""Validation of notebook parameters: stop early with a message that names the parameter."""
from __future__ import annotations

import numbers
import os
from pathlib import Path

# Set by the test suite (conftest.py): chapters then write their results into this folder instead
# of the book's tracked results/, so that running the tests never changes a tracked file.
RESULTS_REDIRECT = "BOOK_RESULTS_REDIRECT"
BOOK_RESULTS = Path(__file__).resolve().parents[2] / "results"


class ParameterError(ValueError):
    """A notebook parameter is outside its allowed range."""


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """Require an integer in [low, high]; raise ParameterError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"parameter {name!r} must be an integer, got {value!r}")
    _check_range(name, value, low, high)
    return int(value)


def check_real(name: str, value, low: float | None = None, high: float | None = None,
               positive: bool = False) -> float:
    """Require a real number in [low, high] (and > 0 when ``positive``); raise ParameterError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        raise ParameterError(f"parameter {name!r} must be a real number, got {value!r}")
    if positive and value <= 0:
        raise ParameterError(f"parameter {name!r} must be > 0, got {value!r}")
    _check_range(name, value, low, high)
    return float(value)


def check_choice(name: str, value, choices) -> object:
    """Require one of ``choices``; raise ParameterError naming ``name`` otherwise."""
    if value not in choices:
        raise ParameterError(f"parameter {name!r} must be one of {list(choices)}, got {value!r}")
    return value


def _check_range(name, value, low, high):
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ParameterError(f"parameter {name!r} must lie in [{lo}, {hi}], got {value!r}")


def check_path(name: str, value) -> str:
    """Require a non-empty path string (a results folder)."""
    if not isinstance(value, str) or not value:
        raise ParameterError(f"parameter {name!r} must be a non-empty path, got {value!r}")
    return value


def check_results_dir(name: str, value) -> str:
    """Require a results folder that can be written (see check_path): the folder itself or its
    nearest existing parent must be a writable folder, so that a bad path stops the run here and
    not after the experiment. When the environment variable named by RESULTS_REDIRECT is set (the
    test suite sets it), a folder inside the book's results/ is redirected to the same sub-folder of
    that folder; any other folder is left as given."""
    value = check_path(name, value)
    redirect = os.environ.get(RESULTS_REDIRECT)
    path = Path(value).resolve()
    if redirect and (path == BOOK_RESULTS or BOOK_RESULTS in path.parents):
        value = str(Path(redirect) / path.relative_to(BOOK_RESULTS))
    existing = Path(value).resolve()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ParameterError(f"parameter {name!r}: cannot write into {value!r} ({existing} is not a writable folder)")
    return value


def check_memory(estimate_bytes: float, what: str, fraction: float = 0.8) -> None:
    """Stop before an experiment whose estimated memory exceeds ``fraction`` of the memory this
    machine has available now, with the estimate in the message (``what`` names the parameters that
    drive it)."""
    import psutil

    available = psutil.virtual_memory().available
    if estimate_bytes > fraction * available:
        raise ParameterError(f"parameters {what} need about {estimate_bytes / 2**30:.1f} GiB of memory, more than "
                             f"{fraction:.0%} of the {available / 2**30:.1f} GiB available on this machine")


def check_list(name: str, value, check_item, min_length: int = 1, **bounds) -> list:
    """Require a list of at least ``min_length`` items, each passed through
    ``check_item(name, item, **bounds)``; returned sorted and without repeats."""
    if not isinstance(value, (list, tuple)) or len(value) < min_length:
        raise ParameterError(f"parameter {name!r} must be a list of at least {min_length} values, got {value!r}")
    return sorted(set(check_item(name, item, **bounds) for item in value))
