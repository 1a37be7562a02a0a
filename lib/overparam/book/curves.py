"""How a curve looks in every figure, composed from the parts of its name
(:class:`overparam.book.curve_names.CurveName`): the rule gives the colour, the fit the marker, the
refit the line style, a same-sample refit hollow markers and a bit width a colour on a ramp; the label
is composed from the parts' labels. A chapter that combines known parts in a new way adds nothing
here. Pure data (no pyplot): the figure helpers of :mod:`overparam.book.style` draw the styles."""
from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib

from overparam.book.curve_names import CurveName

OKABE_ITO = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]
BLACK, ORANGE, SKY_BLUE, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = OKABE_ITO


@dataclass(frozen=True)
class Part:
    """How one part of a curve's name shows: its words in the label, and the colour, marker or line
    style it sets (None: the part leaves that to the others); a fit also names the marker of its
    refits, and a refit whether the rule before it is named briefly ("magnitude + retrain", not
    "magnitude pruning + retrain")."""

    label: str
    color: str | None = None
    marker: str | None = None
    linestyle: str | None = None
    refit_marker: str | None = None
    brief_rule: bool = False


# a rule's marker and line style show where no fit and no refit set them
RULES: dict[str, Part] = {
    "dense": Part("dense (no pruning)", BLACK, "o"),
    "magnitude": Part("magnitude pruning", BLUE, "s"),
    "hessian": Part("Hessian pruning", VERMILLION, "^"),
    "oracle": Part("oracle pruning", GREEN, "D"),
    "random": Part("random pruning", SKY_BLUE, "x"),
    "small-model": Part("small model on the most salient features", BLACK, "o", "--"),
    "screened-small-model": Part("screened small model (k features of largest |X_j^T y|)", SKY_BLUE, "h"),
    "dc-law": Part("independent draws from the DC law", ORANGE, "s"),
    "kept-support": Part("refit of the kept support, Gaussian-design theory", YELLOW, "d", ":"),
    "support": Part("the Lasso's own support", PURPLE, "h"),
    "magnitude-pooled": Part("magnitude pruning of the dense fit on all 2n labelled points", PURPLE, "s"),
    "dense-s": Part("dense fit on the s salient features", BLACK, "p", ":"),
    # the network chapters' controls
    "dense-2x": Part("dense, trained twice as long", BLACK, "h", "--"),
    "random-layerwise": Part("random pruning (layer-wise counts)", YELLOW, "d"),
    "magnitude-reinit": Part("magnitude mask, re-initialised", GREEN, "<"),
    # coordinate-wise quantizers (a bit width recolours them on the ramp of bit_color), the best scalar
    # shrinkage, and each quantizer's bound (the best map of the value alone with its output levels)
    "binary": Part("binary (sign x scale)", VERMILLION, "<"),
    "ternary": Part("ternary", ORANGE, ">"),
    "uniform": Part("uniform quantization", BLUE, "o"),
    "lloyd": Part("Lloyd-Max quantization", BLUE, "p"),
    "shrinkage": Part("best scalar shrinkage of the dense fit", PURPLE, "*"),
    "bound-binary": Part("bound for the binary levels", VERMILLION, "<", "--"),
    "bound-ternary": Part("bound for the ternary levels", ORANGE, ">", "--"),
    "bound-uniform": Part("bound for the uniform levels", BLUE, "o", "--"),
    "bound-lloyd": Part("bound for the Lloyd-Max levels", BLUE, "p", "--"),
    "prune": Part("magnitude pruning", PURPLE, "s"),  # "prune+uniform-4": pruning, then a quantizer
}
# the estimator a pipeline starts from (chapter 13): its marker, and another once a refit follows
FITS: dict[str, Part] = {
    "ls": Part("least squares"),  # the book's own fit: the rule's (or refit's) marker, so that the rules differ by
    # marker as well as colour in a figure of least squares alone (chapter 13's risk curves)
    "logistic": Part("logistic", marker="D", refit_marker="d"),
    "svm": Part("hard-margin SVM", marker="*", refit_marker="P"),
}
# what follows the rule: a label that continues the rule's, a line style, and a marker where no fit sets one
REFITS: dict[str, Part] = {
    "retrain": Part(" + retrain", marker="v", linestyle="-.", brief_rule=True),
    "retrain-pooled": Part(" + retrain (dense fit and retraining on all 2n labelled points)", marker="D",
                           linestyle="-.", brief_rule=True),
    "retrain-same-design": Part(" + retrain on the training inputs with fresh noise", marker="<", linestyle="-.",
                                 brief_rule=True),
    "split": Part(", split sample (prune on f n, refit on the rest)", marker="P", linestyle=":",
                  brief_rule=True),
    "distill": Part(", distilled from the dense fit", marker="*", linestyle="--", brief_rule=True),
    "distill-training-inputs": Part(", distilled from the dense fit on the training inputs", marker="p",
                                    linestyle="--", brief_rule=True),
    "uniform": Part(", then uniform quantization", marker="s", linestyle=":"),
}
SAME_SAMPLE_LABEL = " (same sample)"
RAMP = "viridis"
RAMP_BITS = (1, 16)  # the bit widths at the ends of the ramp (wider ones take the top colour)
RAMP_RANGE = (0.1, 0.9)  # the stretch of viridis used: away from its near-black and pale-yellow ends


def bit_color(bits: int) -> str:
    """The colour of a bit width b on the ramp: viridis at the point log2(b) of the way from
    log2(RAMP_BITS[0]) to log2(RAMP_BITS[1]) along RAMP_RANGE, so that every doubling of the bits
    moves one equal step."""
    (fewest, most), (low, high) = RAMP_BITS, RAMP_RANGE
    share = (math.log2(min(max(bits, fewest), most)) - math.log2(fewest)) / (math.log2(most) - math.log2(fewest))
    return matplotlib.colors.to_hex(matplotlib.colormaps[RAMP](low + share * (high - low)))


def _part(table: dict[str, Part], key: str, kind: str, curve: str) -> Part:
    """``table[key]``, or an error naming the curve, the unknown part and the known ones."""
    if key not in table:
        raise KeyError(f"curve {curve!r}: unknown {kind} {key!r}; known {kind}s: {sorted(table)} "
                       f"(overparam.book.curves.{kind.upper()}S)")
    return table[key]


def style_of(curve: str) -> dict:
    """Colour, marker, line style, label and hollow markers of a curve, composed from its parsed
    name: colour from the rule (from :func:`bit_color` where the name has bits); marker from the fit
    (its refit marker where a refit follows), else the refit, else the rule; line style from the
    refit, else the rule ("-" if neither); hollow markers for a same-sample refit; the label: the
    fit's, the rule's (without " pruning" before a refit that asks for it), the refit's, the bits,
    then "(same sample)". A name with an unknown part is refused with the known parts."""
    name = CurveName.parse(curve)
    rule = _part(RULES, name.rule, "rule", curve)
    fit = _part(FITS, name.fit, "fit", curve) if name.fit is not None else None
    refit = _part(REFITS, name.refit, "refit", curve) if name.refit is not None else None
    rule_label = rule.label.removesuffix(" pruning") if refit and refit.brief_rule else rule.label
    label = rule_label + (refit.label if refit else "") + (f", {name.bits} bits" if name.bits is not None else "")
    fit_marker = (fit.refit_marker if refit else fit.marker) if fit else None
    markers = [marker for marker in (fit_marker, refit and refit.marker, rule.marker) if marker]
    linestyles = [part.linestyle for part in (refit, rule) if part is not None and part.linestyle is not None]
    return {"color": bit_color(name.bits) if name.bits is not None else rule.color,
            "marker": markers[0], "linestyle": (linestyles or ["-"])[0],
            "label": (f"{fit.label}, " if fit else "") + label + (SAME_SAMPLE_LABEL if name.same_sample else ""),
            "hollow": name.same_sample}
