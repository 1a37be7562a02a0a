"""Validation of notebook parameters: stop early with a message that names the parameter."""
from __future__ import annotations

import ast
import numbers
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psutil

from overparam.book.paths import RESULTS

# Set by the test suite (conftest.py): chapters then write their results into this folder instead
# of the book's tracked results/, so that running the tests never changes a tracked file.
RESULTS_REDIRECT = "BOOK_RESULTS_REDIRECT"
BOOK_RESULTS = RESULTS
# Set by tools/execute_notebooks.py (`make run`): only then does a chapter left at its default
# results_dir write into the book's results/.
BOOK_RUN = "OVERPARAM_BOOK_RUN"
# Where a chapter opened in Jupyter writes instead (`make lab` sets it): <folder>/<chapter>/
USER_RESULTS = "OVERPARAM_RESULTS"
DEFAULT_USER_RESULTS = Path("~/overparam-results")


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


def results_destination(value: str, explicit: bool, environ=os.environ) -> tuple[str, bool]:
    """Where a chapter whose ``results_dir`` is ``value`` writes, and whether to say so.

    Only a folder inside the book's results/ is moved; any other folder is used as given. Such a
    folder goes, in this order: (1) under the test suite's redirect folder when RESULTS_REDIRECT is
    set (silently: nbval compares the printed outputs with those of `make run`); (2) where it says
    when papermill passed it (``explicit``) or when BOOK_RUN is set (`make run`); (3) otherwise (a
    chapter run in Jupyter, say) to the same sub-folder of USER_RESULTS (default
    ~/overparam-results), so that a reader never writes over the book's committed results. The
    second item is True when the run is neither the book's nor the tests' (the chapter then prints
    where it writes)."""
    redirect, book_run = environ.get(RESULTS_REDIRECT), bool(environ.get(BOOK_RUN))
    silent = bool(redirect) or book_run
    path = Path(value).resolve()
    if path == BOOK_RESULTS or BOOK_RESULTS in path.parents:
        inside = path.relative_to(BOOK_RESULTS)
        if redirect:
            value = str(Path(redirect) / inside)
        elif not explicit and not book_run:
            user = Path(environ.get(USER_RESULTS) or DEFAULT_USER_RESULTS).expanduser()
            value = str(user / inside)
    return value, not silent


def check_results_dir(name: str, value, explicit: bool = True, announce: bool = False) -> str:
    """Require a results folder that can be written (see check_path): the folder itself or its
    nearest existing parent must be a folder in which a folder can be created
    (:func:`can_create_in`), so that a bad path stops the run here and not after the experiment.
    The folder is first moved as :func:`results_destination` says (``explicit``: papermill passed
    it); with ``announce`` the folder is printed when the run is neither `make run` nor a test."""
    value = check_path(name, value)
    value, loud = results_destination(value, explicit)
    existing = Path(value).resolve()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK) or not can_create_in(existing):
        raise ParameterError(f"parameter {name!r}: cannot write into {value!r} ({existing} is not a writable folder)")
    if announce and loud:
        print(f"This run writes its tables to {Path(value).resolve()} "
              f"(the book's own results/ are written only by `make run`).")
    return value


def can_create_in(folder: Path) -> bool:
    """Whether a folder can be created in ``folder``, tried (and removed at once): permissions
    alone do not tell, e.g. for root under /proc or on a read-only mount."""
    try:
        tempfile.TemporaryDirectory(dir=folder, prefix=".write-check-").cleanup()
    except OSError:
        return False
    return True


def check_memory(estimate_bytes: float, what: str, fraction: float = 0.8) -> None:
    """Stop before an experiment whose estimated memory exceeds ``fraction`` of the memory this
    machine has available now, with the estimate in the message (``what`` names the parameters that
    drive it)."""
    available = psutil.virtual_memory().available
    if estimate_bytes > fraction * available:
        raise ParameterError(f"parameters {what} need about {estimate_bytes / 2**30:.1f} GiB of memory, more than "
                             f"{fraction:.0%} of the {available / 2**30:.1f} GiB available on this machine")


def check_list(name: str, value, check_item, min_length: int = 1, max_length: int | None = None, **bounds) -> list:
    """Require a list of ``min_length`` to ``max_length`` items, each passed through
    ``check_item(name, item, **bounds)``; returned sorted and without repeats."""
    if not isinstance(value, (list, tuple)) or len(value) < min_length:
        raise ParameterError(f"parameter {name!r} must be a list of at least {min_length} values, got {value!r}")
    if max_length is not None and len(value) > max_length:
        raise ParameterError(f"parameter {name!r} takes at most {max_length} values, got {len(value)}")
    return sorted(set(check_item(name, item, **bounds) for item in value))


# ---------------------------------------------------------------------------------------------
# Declared parameter rules. A chapter keeps its `parameters` cell of literals (papermill needs it)
# and declares, once, in the next cell, each parameter's type, bounds, meaning and the small value
# the smoke tests use. The same declaration drives the validation, the printed summary of the run,
# and the tests, which find every chapter's rules on their own (see `chapter_rules`).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How one parameter is checked and described.

    ``kind`` is int, real, flag, choice, ints, reals, results_dir, path or device. ``low`` and
    ``high`` may be numbers or functions of the parameters checked before this one (rules are applied
    in the order they are declared). ``require`` is an optional (predicate of all values checked so
    far, message) pair for a condition that ties parameters together. ``smoke`` is the small value
    the test suite runs the chapter with (None: keep the default). ``show``: part of the summary.
    """

    kind: str
    help: str
    low: Any = None
    high: Any = None
    positive: bool = False
    choices: tuple = ()
    min_length: int = 1
    max_length: int | None = None
    require: tuple | None = None
    smoke: Any = None
    show: bool = True


def Int(help, low=None, high=None, require=None, smoke=None):
    """An integer in [low, high]."""
    return Rule("int", help, low, high, require=require, smoke=smoke)


def Real(help, low=None, high=None, positive=False, require=None, smoke=None):
    """A real number in [low, high] (> 0 when ``positive``)."""
    return Rule("real", help, low, high, positive=positive, require=require, smoke=smoke)


def Ints(help, low=None, high=None, min_length=1, require=None, smoke=None, max_length=None):
    """A list of integers in [low, high]; returned sorted, without repeats."""
    return Rule("ints", help, low, high, min_length=min_length, max_length=max_length, require=require, smoke=smoke)


def Reals(help, low=None, high=None, min_length=1, require=None, smoke=None, max_length=None):
    """A list of real numbers in [low, high]; returned sorted, without repeats."""
    return Rule("reals", help, low, high, min_length=min_length, max_length=max_length, require=require, smoke=smoke)


def Choice(help, choices, require=None, smoke=None):
    """One of ``choices`` (a sequence, or a function of the parameters checked before)."""
    return Rule("choice", help, choices=choices, require=require, smoke=smoke)


def Flag(help, smoke=None, show=True):
    """True or False."""
    return Rule("flag", help, smoke=smoke, show=show)


def Folder(help, show=True):
    """A folder path (may be empty: not used)."""
    return Rule("path", help, show=show)


def Progress():
    """The progress-bar switch every long chapter has (bars go to stderr, hidden in the book)."""
    return Rule("flag", "progress bars (written to stderr, hidden in the book)", smoke=False, show=False)


def Seed():
    """The seed of every random draw of the chapter."""
    return Rule("int", "seed of every random draw", low=0, high=2**32 - 1, smoke=5)  # one 32-bit word: overparam.seeds


def ResultsDir():
    """The folder of the chapter's tidy files (checked writable; redirected under the tests)."""
    return Rule("results_dir", "folder of the tidy CSV files", show=False)


def Device():
    """cpu, cuda or auto; cuda must be available."""
    return Rule("device", '"cpu", "cuda" or "auto" (the first GPU when there is one)')


def Trials(help="data draws per simulated point", low=2, smoke=3):
    """The number of independent data draws behind each simulated point (a Monte Carlo average)."""
    return Rule("int", help, low, smoke=smoke)


def run_controls() -> dict[str, Rule]:
    """The rules that close a simulation chapter's parameters: ``seed``, ``progress``, ``results_dir``."""
    return {"seed": Seed(), "progress": Progress(), "results_dir": ResultsDir()}


def changed(rule: Rule, scope: str | None = None, **fields) -> Rule:
    """``rule`` with some of its fields replaced (``help``, ``low``, ``high``, ``require``, ``smoke``, ...):
    how a chapter adapts a shared rule. A ``scope`` (the panel or family the parameter applies to)
    prefixes the help, "scope: help"."""
    rule = replace(rule, **fields)
    return replace(rule, help=f"{scope}: {rule.help}") if scope else rule


def _resolve(bound, values):
    return bound(values) if callable(bound) else bound


def check_value(name: str, rule: Rule, value, values: dict, explicit: bool = True):
    """Check one value against its rule, given the values checked before it; return it normalised.
    ``explicit``: the value was passed by papermill (a results folder is then used as given)."""
    low, high = _resolve(rule.low, values), _resolve(rule.high, values)
    kind = rule.kind
    if kind == "int":
        value = check_int(name, value, low, high)
    elif kind == "real":
        value = check_real(name, value, low, high, positive=rule.positive)
    elif kind in ("ints", "reals"):
        item = check_int if kind == "ints" else check_real
        value = check_list(name, value, item, min_length=rule.min_length, max_length=rule.max_length, low=low, high=high)
    elif kind == "choice":
        value = check_choice(name, value, _resolve(rule.choices, values))
    elif kind == "flag":
        value = check_choice(name, value, [True, False])
    elif kind == "path":
        if not isinstance(value, str):
            raise ParameterError(f"parameter {name!r} must be a path string, got {value!r}")
    elif kind == "results_dir":
        value = check_results_dir(name, value, explicit=explicit, announce=True)
    elif kind == "device":
        value = check_choice(name, value, ["cpu", "cuda", "auto"])
        if value == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise ParameterError(f"parameter {name!r} is 'cuda', but torch sees no CUDA GPU here; use 'cpu' or 'auto'")
    else:
        raise ValueError(f"unknown rule kind {kind!r} for parameter {name!r}")
    if rule.require is not None:
        predicate, message = rule.require
        if not predicate({**values, name: value}):
            raise ParameterError(f"parameter {name!r} {message}, got {value!r}")
    return value


def check_parameters(rules: dict[str, Rule], namespace: dict, memory=None, summary: bool = True) -> dict:
    """Validate every declared parameter found in ``namespace`` (a chapter's globals) in the order of
    ``rules``, and return the normalised values (``globals().update(...)`` puts them back).

    A parameter that papermill injected (:func:`injected_names`) but ``rules`` does not declare, such
    as the typo ``-p sigmma 0.3``, is refused: the chapter would otherwise run at its defaults.
    ``memory``, a function of the values returning
    (bytes, what), stops a run whose estimated memory exceeds what this machine has
    (:func:`check_memory`). With ``summary`` the run's parameters are printed as a table with their
    meaning.
    """
    injected = injected_names(namespace)
    undeclared = [name for name in injected if name not in rules]
    if undeclared:
        raise ParameterError(f"parameter {undeclared[0]!r} is not a parameter of this chapter (a typo?); "
                             f"its parameters are {list(rules)}")
    missing = [name for name in rules if name not in namespace]
    if missing:
        raise ParameterError(f"parameters {missing} are declared but have no value in the parameters cell")
    values = {}
    for name, rule in rules.items():
        values[name] = check_value(name, rule, namespace[name], values, explicit=name in injected)
    if memory is not None:
        check_memory(*memory(values))
    if summary:
        print(parameter_summary(rules, values))
    return values


INJECTED_COMMENT = "# Parameters"  # the first line of the cell papermill injects (tagged injected-parameters)


def injected_names(namespace: dict) -> list[str]:
    """The names papermill assigned in the cell it injected after the parameters cell, in order:
    read with ``ast`` from IPython's input history ``In`` of a kernel's ``namespace`` (the latest
    cell that starts with papermill's ``# Parameters`` comment); empty outside a kernel or without
    injected parameters."""
    history = namespace.get("In")
    if not isinstance(history, (list, tuple)):
        return []
    cell = next((code for code in reversed(history) if isinstance(code, str)
                 and code.lstrip().startswith(INJECTED_COMMENT)), None)
    if cell is None:
        return []
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return []
    return [target.id for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)]


def parameter_summary(rules: dict[str, Rule], values: dict) -> str:
    """The run's parameters, one per line: name, value and meaning (paths and switches left out)."""
    shown = [(name, repr(values[name]), rules[name].help) for name in rules if rules[name].show]
    width = [max(len(row[i]) for row in shown) for i in range(2)]
    return "\n".join(f"{name:<{width[0]}}  {value:<{width[1]}}  {help_}" for name, value, help_ in shown)


def smoke_parameters(rules: dict[str, Rule]) -> dict:
    """The small parameters the test suite runs a chapter with: every declared ``smoke`` value."""
    return {name: rule.smoke for name, rule in rules.items() if rule.smoke is not None}


def bad_parameter(rules: dict[str, Rule]) -> tuple[str, object]:
    """A (name, value) the rules must reject: the first numeric parameter with a fixed lower bound,
    set just below it; else the first choice, set to a value outside its choices."""
    for name, rule in rules.items():
        if rule.kind in ("int", "real") and rule.low is not None and not callable(rule.low):
            return name, rule.low - 1
    for name, rule in rules.items():
        if rule.kind == "choice":
            return name, "not-a-choice"
    raise ValueError("no parameter with a fixed bound or a choice to violate")
