"""Numbers quoted in a chapter's prose come from its run: MyST-NB's glue, for plain numbers.

MyST-NB formats a glued value from its text representation; numpy scalars print as
``np.float64(...)`` under numpy 2, which the ``{glue:text}`key:.2f``` role cannot format. This
wrapper glues the plain Python number instead, and never displays it (the prose shows it).

Floats are stored to 6 significant digits: the prose shows 2-4, and the stored text is what nbval
compares when the chapter is re-executed, so round-off in the last digits (which differs between
CPUs and BLAS builds) does not make an unchanged chapter fail.
"""
from __future__ import annotations

import numbers

import numpy as np


def glue(name: str, value, display: bool = False) -> None:
    """Glue ``value`` under ``name`` for ``{glue:text}`` in the prose (numpy scalars made plain,
    floats rounded to 6 significant digits)."""
    from myst_nb import glue as myst_glue

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, int)):
        value = float(f"{float(value):.6g}")
    myst_glue(name, value, display=display)
