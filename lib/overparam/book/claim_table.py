"""Every claim the book judges, declared once: its stable id, the rule that decides it, the rule's
tolerance (or window) and the reason for that value.

A tolerance is fixed here from what the claim says or from what the run can resolve (the paper's
words, a Monte-Carlo standard error at the defaults, the theory's own finite-size error measured on
another size), never from the outcome it decides; the report prints each claim's status at half and
at twice its tolerance and flags the claims whose status changes in that range.
:func:`overparam.book.claims.claim` refuses a verdict whose rule or tolerance differs from its
declaration, so the table below is the only place a tolerance can be changed.

The ids are stable: they do not change when a claim's wording or numbers do. A claim made in a loop
(per panel, rule, sparsity target) has the id ``key-variant``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Declared:
    """A claim's rule (the name a rule of overparam.book.verdicts records), its tolerance
    (None for a rule without one), and why that tolerance."""

    rule: str
    tolerance: float | None
    reason: str


SIGN = "no tolerance: the sign of the paired 95% interval decides"
EXACT = "no tolerance: an exact statement about a closed form on a grid (an argmin, an ordering)"
# chapters 6, 7, 10, 11: reasons shared by several of their declarations
RF_MATCH = ("the paper's 'good match' / 'correctly captures' (l. 48, 63, 64) read as a relative gap under 3% of the "
            "risk, the tolerance the book gives every comparison of curves on the paper's risk plots (chapter 1: a gap "
            "a reader of such a figure cannot see); one band for every theory-against-simulation question of chapter 6, "
            "not set from any gap of this run (the earlier 1% margins, set just above the observed gaps, are gone)")
DC_BAND = ("the theory's finite-size error on the linear Gaussian problem at p = 1000, n = 300, bounded by 3% of the "
           "risk (chapter 1's tolerance; chapter 3 measures 1-2% on other sizes): a difference of theory values "
           "inside it is not resolved")
DIGITS_MARGIN = ("about two binomial standard errors of a test error rate measured on the default 2,000 test images, "
                 "at its largest (rate 1/2): 2 sqrt(0.25 / 2000) = 0.022, rounded down to 0.02")

DECLARED: dict[str, Declared] = {
    # chapter 1 (linear Gaussian problem, paper Fig. 3 and 7)
    "fig3-a-magnitude-equals-hessian": Declared(
        "over range of equality", 0.03,
        "the paper's 'coincide' (l. 57) read as a relative difference under 3%, the tolerance the book gives "
        "every comparison of curves on the paper's risk plots (a gap a reader of such a figure cannot see)"),
    "fig3-dense-double-descent": Declared(
        "double descent", None, "no tolerance: a significant rise, then a significant fall, of paired steps between "
        "consecutive simulated sizes"),
    "fig3-b-hessian-beats-magnitude": Declared("comparison", None, SIGN),
    "fig3-b-hessian-beats-magnitude-every-k": Declared("over range of comparison", None, SIGN + ", at every size"),
    "fig3-hessian-better-in-b": Declared("comparison", None, SIGN + " (unpaired: the panels use separate draws)"),
    "fig3-b-theory-best-at-p": Declared(
        "theory", 0.0, EXACT + ": the claim is about the closed form itself, whose argmin on the grid is exact"),
    "fig3-b-below-line": Declared("comparison", None, SIGN + " (against the theory's line)"),
    "fig3-b-magnitude-above-line": Declared("comparison", None, SIGN + " (against the theory's line)"),
    "fig7-retraining-helps-only-at-peak": Declared(
        "over range of comparison", None,
        SIGN + " at every k > s; 'at the peak of double descent' (l. 221) read as 0.75 n <= k <= 1.33 n, within a "
        "factor 4/3 of n on the paper's log axis"),
    "lg-theory-matches-simulation": Declared(
        "agreement", 0.03,
        "the paper's 'the analytic curves correctly predict the test risk' (l. 57) read as a relative gap under 3%, "
        "a gap a reader of the paper's risk plots cannot see; the theory is a large-p limit and its finite-size "
        "error at p = 1000 is of the order of 1-2% (chapter 3 measures it on other sizes)"),
    "lg-retraining-theory-predicts-same-sample": Declared(
        "agreement", 0.03, "the same reading as lg-theory-matches-simulation, for the paper's 'remarkably well' "
        "(l. 128)"),
    "lg-scope-pruned-beats-small": Declared(
        "over range of comparison", None,
        SIGN + " in each problem family (paired: the pruned large model and the oracle-ordered small model are fit "
        "on the same draw)"),
    "lg-pruned-beats-screened-small": Declared(
        "comparison", None,
        SIGN + " (paired: the screened small model and the pruned large model are fit on the same training sample; "
        "the screened model at its best simulated size k <= s, chosen on that simulation, which favours it)"),
    "lg-oracle-beats-screened-small": Declared(
        "comparison", None,
        SIGN + " (paired, on the same training sample: where the best Hessian-pruned size is k <= s nothing is "
        "pruned, and the oracle small model is compared with the screened one at its best simulated size k <= s)"),
    "lg-scope-hessian-beats-magnitude": Declared(
        "over range of comparison", None, SIGN + " in each problem family (paired: both prune the same fit)"),
    # chapter 2 (distributional characterization)
    "dc-law-matches-quantiles": Declared(
        "agreement", 0.08,
        "two standard errors of the 1st and 99th percentiles of the chapter's pooled sample (5 draws of p = 1000 "
        "coordinates) if it were drawn from a Gaussian law itself: 2 sqrt(0.01 * 0.99 / 5000) / phi(2.326) / 1.349 "
        "= 0.078 of the interquartile range, rounded up; a gap that sampling alone could produce is not a mismatch "
        "(replaces a band of 0.10 that had been set after a worst gap of 0.096 was seen)"),
    "dc-risk-matches-gamma": Declared(
        "agreement", 0.05,
        "ten times the order 1/n = 0.5% of the expected risk's finite-size bias at n = 200 away from the peak, "
        "leaving room for its growth near the interpolation point"),
    "dc-gamma-equals-hastie": Declared("theory", 0.0, EXACT + ": an algebraic identity, up to round-off 1e-9"),
    # chapter 3 (pruning risk)
    "pr-theory-matches-simulation": Declared(
        "agreement", 0.03,
        "the paper's 'precisely characterize' read as a relative gap under 3%, the book's band for a large-p theory "
        "at p of order 1000 (a gap a reader of the paper's risk plots cannot see)"),
    "pr-lemma7-beats-swap": Declared("comparison", None, SIGN),
    "pr-lemma7-beats-random": Declared("comparison", None, SIGN),
    "pr-hessian-wins-aligned": Declared("comparison", None, SIGN),
    "pr-hessian-loses-opposed": Declared("comparison", None, SIGN),
    "pr-lowest-risk-below-n-is-pruned": Declared("theory", 0.02,
        "the theory's finite-size error at p = 800, n = 400: the largest relative gap between the closed-form "
        "pruning risks and their simulated means (three rules, two spectra, 24 budgets) on a separate "
        "calibration run (seed 101, 20 draws) was 2.0%; the small model's theory is exact in expectation"),
    "pr-every-budget": Declared("over range of theory", 0.02,
        "the theory's finite-size error at p = 800, n = 400: the largest relative gap between the closed-form "
        "pruning risks and their simulated means (three rules, two spectra, 24 budgets) on a separate "
        "calibration run (seed 101, 20 draws) was 2.0%; the small model's theory is exact in expectation"),
    # chapter 4 (Lemma 1)
    "lemma1-retrained-risk": Declared(
        "agreement", 0.03,
        "Lemma 1 is exact at every finite n, so the band only has to absorb what a reader cannot see on a risk "
        "plot: the book's common 3% band for risk curves (chapter 1), not a value read off this chapter's gaps"),
    "lemma1-pruned-risk": Declared(
        "agreement", 0.03, "the same reading as lemma1-retrained-risk"),
    "lemma1-retrain-identity": Declared("theory", 0.0, EXACT + ": a per-draw identity, up to round-off 1e-9"),
    "lemma1-prune-identity": Declared("theory", 0.0, EXACT + ": a per-draw identity, up to round-off 1e-9"),
    "lemma1-same-support": Declared("theory", 0.0, EXACT + ": a count of draws, which must be 0"),
    # chapter 5 (denoising)
    "dn-exact-recovery": Declared("theory", 0.0, EXACT + ": algebra (an invertible noise-free system), up to "
                                  "round-off 1e-12"),
    "dn-large-beats-small-noise-free": Declared("comparison", None, SIGN),
    "dn-theory-best-beats-small": Declared(
        "over range of theory", 0.02,
        "the theory's finite-size error at n = 300, d = 900 where the best sizes lie (k >= 1.45 n): the largest "
        "relative gap between the closed form and the simulated mean on a separate calibration run (seed 101, 400 "
        "draws per point, four noise levels) was 1.7%, rounded up to 2%"),
    "dn-simulated-best-beats-small": Declared("over range of comparison", None, SIGN + ", at every noise level"),
    "dn-all-features-beat-small": Declared("over range of comparison", None, SIGN + ", at every panel and noise level"),
    # chapter 6 (random features, paper Fig. 2 and 4)
    "fig2-risk-falls-with-p": Declared("over range of comparison", None, SIGN),
    "fig2-pruned-beats-small": Declared("at some point of comparison", None,
                                        SIGN + " at each sparsity (paired task by task); the paper's 'can perform "
                                        "better' (l. 6, l. 66) holds when at least one sparsity's interval is above 0"),
    "fig2-pruned-beats-small-every-s": Declared("over range of comparison", None,
                                                SIGN + " at every sparsity (paired task by task)"),
    "fig2-dc-same-sample-retraining": Declared("agreement", 0.03, RF_MATCH),
    "fig2-dc-same-sample-retraining-all": Declared("agreement", 0.03, RF_MATCH),
    "fig2-dc-fresh-sample-retraining": Declared("agreement", 0.03, RF_MATCH),
    "fig4-dc-fresh-sample-retraining": Declared("agreement", 0.03, RF_MATCH),
    "dc-pruning-no-retraining": Declared("agreement", 0.03, RF_MATCH),
    "twin-dc-dense": Declared("agreement", 0.03, RF_MATCH),
    "twin-dc-retrained": Declared("agreement", 0.03, RF_MATCH),
    "support-choice-as-dc": Declared("over range of equality", 0.03, RF_MATCH),
    "refit-worse-than-formula": Declared("over range of comparison", None, SIGN),
    "random-support-refit-worse": Declared("over range of comparison", None, SIGN),
    "small-model-refit-matches": Declared("over range of equality", 0.03, RF_MATCH),
    "relu-refit-gap-shrinks-with-d": Declared("comparison", None, SIGN),
    "fig4-retraining-lowers-risk": Declared("over range of comparison", None, SIGN),
    "fig4-same-sample-mismatch": Declared("over range of comparison", None, SIGN),
    "fig4-same-sample-slight": Declared("over range of non-inferiority", 0.03,
                                        "the paper's 'slight' mismatch (l. 64) read with the chapter's 3% band of a "
                                        "match: same-sample retraining at most 3% worse than fresh-sample retraining"),
    # chapter 7 (random features on digits)
    "digits-magnitude-beats-small": Declared("comparison", None, SIGN),
    "digits-random-equals-small": Declared("equality", 0.02, DIGITS_MARGIN),
    "digits-size-effect": Declared("comparison", None, SIGN),
    # chapters 8 and 9 (networks)
    **{f"{prefix}-{key}": Declared("comparison", None, SIGN + " (paired over seeds)")
       for prefix in ("fig6", "fig1") for key in ("pruned-beats-small-plateau", "pruned-beats-small-equal-epochs",
                                                  "pruned-weights-matter", "pruned-error-falls",
                                                  "pruned-train-error-falls")},
    "fig6-magnitude-beats-random": Declared("comparison", None, SIGN + " (paired over seeds)"),
    "fig5a-magnitude-beats-random": Declared("comparison", None, SIGN + " (paired over seeds)"),
    "fig6-retraining-helps": Declared("comparison", None, SIGN + " (paired over seeds)"),
    "fig5b-retraining-helps": Declared("comparison", None, SIGN + " (paired over seeds)"),
    "fig6-no-retrain-error-grows": Declared("comparison", None, SIGN + " (paired over seeds)"),
    "fig5b-no-retrain-error-grows": Declared("comparison", None, SIGN + " (paired over seeds)"),
    "fig6-no-clear-double-descent": Declared(
        "double descent", None, "no tolerance: the signs of the paired 95% intervals of consecutive widths decide "
        "(a significant rise followed by a significant fall is a double descent)"),
    "fig1-double-descent": Declared(
        "double descent", None, "no tolerance: the signs of the paired 95% intervals of consecutive widths decide "
        "(a significant rise followed by a significant fall is a double descent)"),
    **{f"{prefix}-no-retrain-wider-no-better": Declared(
        "non-inferiority", 0.02,
        "the paper's 'overparameterization does not help' without retraining (l. 217) read as: the widest network "
        "pruned without retraining has a test error not below the narrowest one's by more than 0.02, about one "
        "binomial standard error of an error rate at its largest (1/2) on the default 1,000 test images, "
        "sqrt(0.25 / 1000) = 0.016, rounded up") for prefix in ("fig6", "fig5b")},
    # chapter 10 (ridge)
    "ridge-dc-agreement": Declared(
        "agreement", 0.03,
        "the tolerance the book gives the characterization against simulation on this problem at p = 1000, n = 300 "
        "(chapter 1's 'lg-theory-matches-simulation'); not set from this chapter's gaps (the earlier 3% was: its "
        "worst gap was 3.3%, and the rule then also passed points inside their bars)"),
    "ridge-no-peak": Declared("non-inferiority", 0.03,
                              "a risk at k = 1.05n no more than 3% above the risk at k = 1.3n is not called a peak: the "
                              "3% band of the book's agreement claims; the min-norm peak it replaces is a factor, not percent"),
    "ridge-tuned-gain-small": Declared(
        "equality", 0.03,
        "'gains little' read as a paired difference of risks within 3% of the k = s model's risk: the book's band for "
        "a difference of curves a reader of its risk plots cannot see (chapter 1), fixed before this comparison"),
    "ridge-untuned-overstates-gain": Declared("comparison", None, SIGN + " (gain at mu = 0 minus gain with mu tuned)"),
    "ridge-lasso-best-pruned": Declared(
        "comparison", None, SIGN + " (paired: the best Lasso pipeline minus the best ridge pipeline at k = p, each "
        "chosen by the theory, over the ridge risk)"),
    "ridge-cv-near-oracle": Declared(
        "non-inferiority", 0.03,
        "a cross-validated mu 'as good as' the oracle-tuned one read as a risk at most 3% above it: the book's band "
        "for a difference of curves a reader of its risk plots cannot see (chapter 1), fixed before this comparison"),
    # chapter 14 (where the conclusions hold)
    "phase-diagram-confirmed": Declared(
        "over range of comparison", None,
        SIGN + " at each simulated point, the per-draw difference oriented so that a positive one is the side the "
        "diagram predicts (paired: both sides are fit on the same draws)"),
    # chapter 11 (quantization)
    "quant-peak-height": Declared(
        "over range of comparison", None,
        SIGN + " (paired), in the direction the theory predicts, for each quantizer whose predicted change of the "
        "peak exceeds the theory's 3% band (DC_BAND, the tolerance of quant-largest-model-best)"),
    "quant-largest-model-best": Declared("theory", 0.03, DC_BAND),
    "quant-3bit-follows-theory": Declared(
        "over range of comparison", None,
        SIGN + " (paired: one design and noise draw per trial shared by every theta* law), in the direction the "
        "theory predicts, on each law"),
    "quant-3bit-beats-small-dense": Declared(
        "over range of comparison", None, SIGN + " (paired: one design and noise draw per trial shared by every "
        "theta* law), on each law"),
    "quant-near-bound": Declared(
        "over range of non-inferiority", 0.03,
        "'close to its bound' read as a risk less than 3% above the bound's, the tolerance the book gives every "
        "comparison of curves on its risk plots (chapter 1: a gap a reader of such a figure cannot see); fixed from "
        "that reading, not from the excesses of this run (they range from under 1% to several hundred percent)"),
    "quant-budget-beats-small-models": Declared(
        "over range of comparison", None, SIGN + " (paired: within each law of theta*, every model is fit on the "
        "same draws)"),
    "quant-rounding-vs-shrinkage": Declared(
        "over range of comparison", None,
        SIGN + " (paired: the best scalar shrinkage and 3-bit rounding of the same fit), in the direction the "
        "theory predicts, on each law of theta*"),
    # chapter 12 (correlated refits)
    "refit-dc-agreement": Declared(
        "agreement", 0.03,
        "3% of the predicted risk: the tolerance the book uses for the characterization against simulation "
        "at p = 1000 and n = 300 (chapters 1, 3 and 10), fixed before this chapter's points were simulated"),
    "refit-retrain-beats-pruning": Declared(
        "over range of comparison", 0.06,
        "each simulated rho is judged by the sign of the paired 95% interval; where the theory's own gap between "
        "the two refits is within 6% of the smaller risk it predicts no order and the point is inconclusive: 6% is "
        "the largest theory-simulation gap of the sampled characterization measured over this chapter's points at "
        "the defaults (median 0.6%) with the two aligned families, fixed before the random-sign family was added"),
    "refit-split-vs-fresh": Declared(
        "over range of comparison", 0.06,
        "as refit-retrain-beats-pruning: the paired interval's sign, inconclusive where the theory's gap is within "
        "its measured finite-size error (6%)"),
    "refit-same-beats-pruning": Declared("over range of comparison", None, SIGN),
    "refit-same-beats-fresh": Declared("over range of comparison", None, SIGN),
    "refit-distill-beats-fresh": Declared("over range of comparison", None, SIGN),
    "refit-distill-beats-same": Declared("over range of comparison", None, SIGN),
    "refit-pooled-beats-fresh": Declared("over range of comparison", None, SIGN),
    "refit-design-beats-fresh": Declared("over range of comparison", None, SIGN),
    "refit-same-beats-design": Declared("over range of comparison", None, SIGN),
    "refit-distill-train-equals-same": Declared("theory", 0.0, EXACT + ": a per-draw identity, up to round-off 1e-9"),
    "refit-lemma1-dense-gap": Declared(
        "theory", 0.06,
        "a theory-only inequality, stated as a ratio to its threshold: inside 6% of the threshold (the sampled "
        "characterization's largest measured gap from simulation in this chapter) it is inconclusive"),
    "refit-lemma1-bias-vanishes": Declared(
        "theory", 0.06,
        "a theory-only inequality, stated as a ratio to its threshold: inside 6% of the threshold (the sampled "
        "characterization's largest measured gap from simulation in this chapter) it is inconclusive"),
    # chapter 13 (classification)
    "cls-peak": Declared("over range of comparison", None, SIGN + " (peak against k = s and against k = p)"),
    "cls-peak-smaller": Declared("comparison", None, SIGN),
    "cls-largest-best": Declared("comparison", None, SIGN),
    "cls-hessian-beats-magnitude": Declared("over range of comparison", None, SIGN),
    "cls-interaction": Declared("comparison", None, SIGN),
    "cls-dc-largest-best": Declared(
        "theory", 0.1,
        "a theory-only inequality, stated relative to the predicted distance from chance at k = p: inside 10% of "
        "it (the accuracy to which the prediction is held against simulation, cls-dc-agreement) it is inconclusive"),
    "cls-dc-agreement": Declared(
        "agreement", 0.1,
        "a tenth of the predicted distance from chance, 1/2 - error (what the classifier has learned), fixed "
        "before the run: the labels' equivalent problem is linear Gaussian only approximately, so a coarse "
        "accuracy is what the prediction is held to"),
    "cls-loss-small-k": Declared(
        "over range of equality", 0.01,
        "one point of test error, fixed before the run as the smallest difference between two classifiers "
        "worth reporting on this problem"),
    "cls-loss-large-k": Declared(
        "over range of equality", 0.01,
        "one point of test error, fixed before the run (as cls-loss-small-k)"),
    "cls-loss-max-margin": Declared(
        "over range of equality", 0.1,
        "a tenth of the predicted distance from chance, 1/2 - error, of the least-squares fit (what the "
        "classifier has learned; as cls-dc-agreement), fixed before the run"),
}


@dataclass(frozen=True)
class Untested:
    """A claim of the paper that the book does not test, and why."""

    paper: str
    claim: str
    reason: str


UNTESTED: list[Untested] = [
    Untested("Sec. 3.3, Fig. 1", "with an appropriate sparsity target, the pruned ResNet-20 performs comparably to "
             "the dense model", "not at CIFAR-10 scale: the book's ResNet runs are reduced (grayscale digits, a few "
             "epochs, CPU); the paper-scale recipe needs a GPU and a dataset download and has not been run"),
    Untested("Sec. A.1, Fig. 1", "sparse networks reach zero training error around the same width as the dense "
             "network", "not at CIFAR-10 scale (as above); the reduced runs are trained for a few epochs and do "
             "not reach zero training error at any width"),
    Untested("Fig. 1, Fig. 5 (CIFAR-10)", "every network claim at the paper's scale (ResNet-20 on CIFAR-10, Adam, "
             "augmentation)", "needs a CUDA GPU and the CIFAR-10 download; the book runs a reduced configuration "
             "by default and reports its claims as 'reduced'"),
    Untested("Fig. 7, l. 221", "the degradation by retraining is more emphasized in the overparameterized regime",
             "chapter 1 draws the retrained and pruned curves and scores where retraining helps or hurts, but fixes "
             "no reading of 'more emphasized' (a larger absolute or relative gap, at which sizes) to score it by"),
    Untested("Fig. 7, l. 221", "at the peak of double descent the pruning-only risk diverges while retraining attains a "
             "finite risk", "the expected risk at k = n - 1, n, n + 1 is infinite, so chapter 1 leaves those sizes out: "
             "a simulated mean there estimates nothing"),
    Untested("Sec. 5, l. 120 (Def. 4)", "the distributional characterization for a non-diagonal covariance, by an "
             "eigen-rotation", "chapters 2 and 3 test diagonal spectra only; the rotation is an identity of the code "
             "(chapter 12 uses correlated features but scores refits, not the law)"),
    Untested("Sec. 3.4, l. 68", "the denoising argument 'handles the general covariance model and all regimes'",
             "chapter 5 tests the identity covariance only (the argument's own set-up), in both regimes"),
    Untested("Fig. 2, l. 63", "the risk of the pruned random-features models is minimized in the overparameterized "
             "regime (p > n)", "chapter 6 scores the smallest against the largest p at each sparsity (the risk falls), "
             "not where along p the minimum lies; at the chapter's draws of R the curves are too flat past p = n to "
             "locate it"),
    Untested("Fig. 2, l. 131", "a double descent of the pruned random-features risk in p", "chapter 6 draws the "
             "pruned and retrained curves through p = n but fixes no rise-then-fall test along p for them"),
    Untested("Fig. 2, l. 63", "Fig. 2 at the paper's 50 draws of R", "chapter 6 uses fewer draws of R than the "
             "paper (a 2-core machine); the paper-scale command is given under What to try but its claims are not recorded"),
]


def declared(key: str) -> Declared:
    """The declaration of claim ``key``; a KeyError that says where to declare it otherwise."""
    try:
        return DECLARED[key]
    except KeyError:
        raise KeyError(f"claim {key!r} is not declared: add it to overparam.book.claim_table.DECLARED "
                       "with its rule, tolerance and reason") from None


def tolerance(key: str) -> float:
    """The declared tolerance of claim ``key`` (what a chapter passes to the rule)."""
    value = declared(key).tolerance
    if value is None:
        raise ValueError(f"claim {key!r} is declared without a tolerance")
    return value
