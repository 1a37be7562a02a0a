"""The grammar of a curve's name: ``[fit/]rule[+refit][-bits][-same-sample]``.

- ``fit`` -- the estimator the pipeline starts from, when a chapter compares several ("ls",
  "logistic", "svm"); absent where there is one;
- ``rule`` -- what the fit becomes: a pruning rule ("magnitude", "hessian", "random"), "dense",
  a quantizer ("uniform", "lloyd"), or another model ("small-model", "dc-law");
- ``refit`` -- what is done after it ("retrain", "distill", a quantizer after pruning);
- ``bits`` -- a bit width ("uniform-3", "prune+uniform-4");
- ``same_sample`` -- the refit uses the training sample instead of a fresh one.

:meth:`CurveName.parse` and ``str`` are inverse to each other on every name the book writes, so a
part of a name is read from its parsed form instead of by splitting the string.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

FIT_SEPARATOR = "/"
REFIT_SEPARATOR = "+"
SAME_SAMPLE = "-same-sample"
_BITS = re.compile(r"^(?P<head>.+)-(?P<bits>\d+)$")


@dataclass(frozen=True)
class CurveName:
    """A curve's name in parts (module docstring): rule, and fit, refit, bits where the name has
    them (None otherwise), and whether a refit uses the training sample."""

    rule: str
    fit: str | None = None
    refit: str | None = None
    same_sample: bool = False
    bits: int | None = None

    @classmethod
    def parse(cls, name: str) -> "CurveName":
        """The parts of ``name``: the fit before the first '/', a '-same-sample' ending, then a
        '-<digits>' ending as the bits, then the rule and the refit either side of the first '+'."""
        fit, separator, rest = str(name).partition(FIT_SEPARATOR)
        if not separator:
            fit, rest = None, fit
        same_sample = rest.endswith(SAME_SAMPLE) and len(rest) > len(SAME_SAMPLE)
        rest = rest.removesuffix(SAME_SAMPLE) if same_sample else rest
        bits = _BITS.match(rest)
        if bits:
            rest = bits["head"]
        rule, separator, refit = rest.partition(REFIT_SEPARATOR)
        if not rule or (separator and not refit) or fit == "":
            raise ValueError(f"{name!r} is not a curve name ([fit/]rule[+refit][-bits][-same-sample])")
        return cls(rule, fit, refit if separator else None, same_sample, int(bits["bits"]) if bits else None)

    def __str__(self) -> str:
        return "".join([f"{self.fit}{FIT_SEPARATOR}" if self.fit is not None else "", self.rule,
                        f"{REFIT_SEPARATOR}{self.refit}" if self.refit is not None else "",
                        f"-{self.bits}" if self.bits is not None else "", SAME_SAMPLE if self.same_sample else ""])

    def renamed(self, **parts) -> "CurveName":
        """This name with some parts replaced (``fit="ls"``, ``same_sample=False``, ...)."""
        return replace(self, **parts)

    @property
    def pipeline(self) -> str:
        """The name without its fit: what was done to the fit ("hessian+retrain-same-sample")."""
        return str(self.renamed(fit=None))


def curves_with(names, **parts) -> np.ndarray:
    """The boolean mask over ``names`` (a column or list of curve names) of those whose parsed parts
    (:class:`CurveName`) equal every given one: ``curves_with(table.curve, same_sample=True)``,
    ``curves_with(pipelines, refit="retrain", same_sample=False)``; each distinct name is parsed once."""
    names = list(names)
    found = {name: all(getattr(CurveName.parse(name), part) == value for part, value in parts.items())
             for name in set(names)}
    return np.array([found[name] for name in names], dtype=bool)
