"""One registry of compressors: what each does to a trained model, and its DC prediction.

A compressor takes a :class:`TrainedFit` (the min-norm fit on the first k features of one data draw,
with that draw and a fresh one) and returns the compressed model; its ``theory`` takes the DC law of
the fit (:class:`overparam.theory.risk.FitLaw`, computed once per model size and shared by every
compressor) and the budget s, and returns the predicted risk, or is None where the DC says nothing.
Simulation and theory loops iterate over the registry, so a new compressor (a quantizer, a
ridge-then-prune pipeline, distillation) is one :func:`register` call plus its theory function.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from overparam.book.curve_names import SAME_SAMPLE, CurveName
from overparam.book.curves import style_of
from overparam.theory.problems import LinearGaussianProblem
from overparam.theory.pruning import DATA_RULES, FIT_RULES, restrict, select_support
from overparam.theory.risk import FitLaw
from overparam.theory.solvers import fit_on_support


@dataclass
class TrainedFit:
    """A min-norm fit on the first k of p features, and what a compressor may look at.

    ``theta`` holds the k weights (a compressor returns a k-vector too, scored by
    ``problem.prefix_risk``); ``X, y`` is the training draw and ``fresh`` an independent draw of the
    same size (both with all p columns, of which the fit uses the first k); ``s`` the budget of kept
    weights. Supports are computed once per rule and shared (a pruned model and its retrained twin
    keep the same weights).
    """

    problem: LinearGaussianProblem | None  # None: no oracle pruning (it needs theta* and the variances)
    theta: np.ndarray
    k: int
    X: np.ndarray
    y: np.ndarray
    fresh: tuple[np.ndarray, np.ndarray]
    s: int
    rng: np.random.Generator | None = None
    _supports: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if np.shape(self.theta)[-1] != self.k:
            raise ValueError(f"a fit on k = {self.k} features holds k weights, got {np.shape(self.theta)[-1]}")

    def support(self, rule: str) -> np.ndarray:
        """The kept indices (inside the first k) of a registered pruning rule (theory.pruning.PRUNING)."""
        if rule not in self._supports:
            k, problem = self.k, self.problem
            oracle = (None, None) if problem is None else (problem.theta_star[:k], problem.cov_diagonal[:k])
            self._supports[rule] = select_support(rule, self.theta, self.X[:, :k], self.s, *oracle, self.rng)
        return self._supports[rule]


@dataclass(frozen=True)
class Compressor:
    """A registered compressor: ``compress(fit) -> model`` and ``theory(law, s) -> risk`` (or None)."""

    name: str
    compress: Callable[[TrainedFit], np.ndarray]
    theory: Callable[[FitLaw, int], float] | None
    doc: str


COMPRESSORS: dict[str, Compressor] = {}


def register(name: str, compress, theory, doc: str) -> Compressor:
    """Add a compressor to the registry (every part of its name must have a style in overparam.book.curves)."""
    style_of(name)  # fails with the known parts when a part of the name has no style
    COMPRESSORS[name] = Compressor(name, compress, theory, doc)
    return COMPRESSORS[name]


def _pruned(rule):
    return lambda fit: restrict(fit.theta, fit.support(rule))


def _retrained(rule, same_sample=False):
    # with k <= s the support is all k features: "retraining" is then a dense refit
    def refit(fit):
        X, y = (fit.X, fit.y) if same_sample else fit.fresh
        return fit_on_support(X[:, :fit.k], y, fit.support(rule))
    return refit


register("dense", lambda fit: fit.theta, lambda law, s: law.dense(), "the min-norm fit itself (Thm. 1)")
for _rule in FIT_RULES:
    register(_rule, _pruned(_rule), lambda law, s, rule=_rule: law.pruned(s, rule),
             f"{_rule} pruning to s weights (Cor. 1)")
register("oracle", _pruned("oracle"), lambda law, s: law.oracle(s), "keep the s most salient features (eq. 65)")
register("random", _pruned("random"), lambda law, s: law.random(s), "keep s weights chosen at random")
for _rule in DATA_RULES:
    register(f"{_rule}+retrain", _retrained(_rule), lambda law, s, rule=_rule: law.retrained(s, rule),
             f"{_rule} pruning, then a least-squares refit of the kept weights on a fresh sample (Def. 5)")
    register(f"{_rule}+retrain{SAME_SAMPLE}", _retrained(_rule, same_sample=True), None,
             f"{_rule} pruning, then a refit on the training sample (no DC prediction)")


def theory_of(name: str) -> str:
    """The registered compressor whose theory a curve is compared with: a same-sample refit is set
    against the fresh-sample prediction it is often assumed to follow."""
    return str(CurveName.parse(name).renamed(same_sample=False))
