"""The registry of curves: a curve has the same name in the tidy files of every chapter, and the
same label, colour and marker in every figure. Pure data (no pyplot): the simulations name their
curves here, and the figure helpers of :mod:`overparam.book.style` draw them."""
from __future__ import annotations

import re
from dataclasses import dataclass

import matplotlib

from overparam.book import curve_names

OKABE_ITO = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]


@dataclass(frozen=True)
class Curve:
    """How one curve looks in every figure and is named in every table of the book."""

    label: str
    color: str
    marker: str
    linestyle: str = "-"

    def style(self) -> dict:
        return dict(color=self.color, marker=self.marker, label=self.label, linestyle=self.linestyle)


# A '-same-sample' suffix (retraining on the training
# sample instead of a fresh one) keeps the colour and draws hollow markers (see `style_of`).
CURVES: dict[str, Curve] = {
    "dense": Curve("dense (no pruning)", OKABE_ITO[0], "o"),
    "magnitude": Curve("magnitude pruning", OKABE_ITO[5], "s"),
    "hessian": Curve("Hessian pruning", OKABE_ITO[6], "^"),
    "oracle": Curve("oracle pruning", OKABE_ITO[3], "D"),
    "random": Curve("random pruning", OKABE_ITO[2], "x"),
    "magnitude+retrain": Curve("magnitude + retrain", OKABE_ITO[7], "v"),
    "hessian+retrain": Curve("Hessian + retrain", OKABE_ITO[1], "P"),
    "random+retrain": Curve("random + retrain", OKABE_ITO[2], "X", "--"),
    "kept-support": Curve("refit of the kept support, Gaussian-design theory", OKABE_ITO[4], "d", ":"),
    "small-model": Curve("small model on the most salient features", OKABE_ITO[0], "o", "--"),
    "screened-small-model": Curve("screened small model (k features of largest |X_j^T y|)", OKABE_ITO[2], "h"),
    "dc-law": Curve("independent draws from the DC law", OKABE_ITO[1], "s"),
    # the network chapters' controls
    "dense-2x": Curve("dense, trained twice as long", OKABE_ITO[0], "h", "--"),
    "random-layerwise+retrain": Curve("random (layer-wise counts) + retrain", OKABE_ITO[4], "d"),
    "magnitude-reinit+retrain": Curve("magnitude mask, re-initialised, trained", OKABE_ITO[3], "<"),
    # coordinate-wise quantizers; "uniform-<b>" and "prune+uniform-<b>" name a bit width b (see style_of)
    "binary": Curve("binary (sign x scale)", OKABE_ITO[6], "<"),
    "ternary": Curve("ternary", OKABE_ITO[1], ">"),
    "uniform": Curve("uniform quantization", OKABE_ITO[5], "o"),
    "prune+uniform": Curve("magnitude pruning, then uniform quantization", OKABE_ITO[7], "s"),
    # the best map of the value alone with a quantizer's output levels (a bound, needs theta*)
    "bound-binary": Curve("bound for the binary levels", OKABE_ITO[6], "<", "--"),
    "bound-ternary": Curve("bound for the ternary levels", OKABE_ITO[1], ">", "--"),
    "bound-uniform": Curve("bound for the uniform levels", OKABE_ITO[5], "o", "--"),
    # refits of a pruned support other than a fresh labelled sample (chapter 12)
    "magnitude+split": Curve("magnitude, split sample (prune on f n, refit on the rest)", OKABE_ITO[2], "D", "-."),
    "hessian+split": Curve("Hessian, split sample (prune on f n, refit on the rest)", OKABE_ITO[2], "d", "-."),
    "magnitude+distill": Curve("magnitude, distilled from the dense fit", OKABE_ITO[3], "*", "--"),
    "hessian+distill": Curve("Hessian, distilled from the dense fit", "#332288", "*", "--"),  # indigo: not magnitude's green
    # chapter 13: classification ("<fit>/<compressor>": least squares on +-1 labels, logistic regression by
    # gradient descent, hard-margin SVM; one colour per pruning rule, one marker family per fit)
    "ls/dense": Curve("least squares, dense", OKABE_ITO[0], "o"),
    "ls/magnitude": Curve("least squares, magnitude pruning", OKABE_ITO[5], "s"),
    "ls/hessian": Curve("least squares, Hessian pruning", OKABE_ITO[6], "^"),
    "ls/random": Curve("least squares, random pruning", OKABE_ITO[2], "x"),
    "ls/magnitude+retrain": Curve("least squares, magnitude + refit", OKABE_ITO[5], "s", "--"),
    "ls/hessian+retrain": Curve("least squares, Hessian + refit", OKABE_ITO[6], "^", "--"),
    "ls/random+retrain": Curve("least squares, random + refit", OKABE_ITO[2], "x", "--"),
    "logistic/dense": Curve("logistic, dense", OKABE_ITO[0], "D"),
    "logistic/magnitude": Curve("logistic, magnitude pruning", OKABE_ITO[5], "D"),
    "logistic/hessian": Curve("logistic, Hessian pruning", OKABE_ITO[6], "D"),
    "logistic/random": Curve("logistic, random pruning", OKABE_ITO[2], "D"),
    "logistic/magnitude+retrain": Curve("logistic, magnitude + refit", OKABE_ITO[5], "P", "--"),
    "logistic/hessian+retrain": Curve("logistic, Hessian + refit", OKABE_ITO[6], "P", "--"),
    "logistic/random+retrain": Curve("logistic, random + refit", OKABE_ITO[2], "P", "--"),
    "svm/dense": Curve("hard-margin SVM, dense", OKABE_ITO[0], "*"),
    "svm/magnitude": Curve("hard-margin SVM, magnitude pruning", OKABE_ITO[5], "*"),
    "svm/hessian": Curve("hard-margin SVM, Hessian pruning", OKABE_ITO[6], "*"),
}
SAME_SAMPLE = curve_names.SAME_SAMPLE  # the grammar's (overparam.book.curve_names), named here for the chapters
BITS = re.compile(r"^(?P<base>.+)-(?P<bits>\d+)$")



def style_of(curve: str) -> dict:
    """Colour, marker, line style and label of a registered curve; a '-same-sample' suffix gets
    hollow markers; a '-<b>' suffix names a bit width (colour from a ramp over b). An unregistered
    name is an error that lists the registered ones."""
    name = curve_names.CurveName.parse(curve)
    unquantized = str(name.renamed(bits=None))
    if name.bits is not None and not name.same_sample and unquantized in CURVES:
        style = CURVES[unquantized].style()
        style["color"] = matplotlib.colors.to_hex(matplotlib.colormaps["viridis"](min(name.bits, 8) / 9))
        style["label"] += f", {name.bits} bits"
        return style
    base = str(name.renamed(same_sample=False))
    if base not in CURVES:
        raise KeyError(f"curve {curve!r} is not registered in overparam.book.curves.CURVES; registered: {sorted(CURVES)}")
    style = CURVES[base].style()
    if name.same_sample:
        style["label"] += " (same sample)"
        style["hollow"] = True
    return style
