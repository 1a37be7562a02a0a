"""What the linear chapters' parameter rules share: the linear Gaussian problem's parameters, declared
once with the bounds and smoke values most chapters use (see ``check_parameters`` in
overparam.book.params; the network chapters share theirs in overparam.networks.settings)."""
from __future__ import annotations

from overparam.book.params import Choice, Int, Real, Rule, changed
from overparam.theory.problems import ALIGNMENTS, THETA_LAWS

# The linear problem of Fig. 3 and its families (overparam.theory.problems.fig3_problem), in the
# order a chapter's summary lists them.
LINEAR_PROBLEM = {
    "p": Int("number of features available", low=20, smoke=200),
    "n": Int("training samples", low=10, smoke=60),
    "s": Int("weights kept after pruning; also the number of salient features", low=1,
             high=lambda v: v["n"] // 2, smoke=20),
    "spike": Real("saliency of the first s features relative to the others", positive=True),
    "sigma": Real("standard deviation of the label noise", low=0),
    "theta_law": Choice("law of theta*, drawn once from the seed: constant (the paper's), random signs, Gaussian, "
                        "or sparse (10% non-zero), each keeping every saliency's mean", THETA_LAWS),
    "alignment": Choice("'inverted' gives the salient features the low variance 1/spike", ALIGNMENTS),
}


def linear_problem(*names: str, **changes: dict) -> dict[str, Rule]:
    """The rules of the linear problem's parameters ``names``, in that order (all of LINEAR_PROBLEM,
    in its order, when none is named). ``changes[name]`` adapts one of them to the chapter: the
    keywords of :func:`overparam.book.params.changed`, e.g. ``n=dict(require=...)`` or
    ``alignment=dict(scope="panel (b) only")``."""
    names = names or tuple(LINEAR_PROBLEM)
    unknown = [name for name in (*names, *changes) if name not in LINEAR_PROBLEM]
    if unknown:
        raise ValueError(f"{unknown} are not parameters of the linear problem {list(LINEAR_PROBLEM)}")
    unused = [name for name in changes if name not in names]
    if unused:
        raise ValueError(f"changes to {unused}, which are not among the parameters asked for {list(names)}")
    return {name: changed(LINEAR_PROBLEM[name], **changes.get(name, {})) for name in names}
