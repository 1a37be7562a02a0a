"""Where the book's conclusions hold, the report: the phases of each margin, one sentence per conclusion
generated from the grid, the tidy tables, the confirmation of each diagram by simulation and the
numbers the chapter quotes (the grids and margins are :mod:`overparam.experiments.phase_diagrams`,
the phase diagrams themselves :mod:`overparam.reports.phase_figures`).

Every phase of a margin m with tolerance t: ``holds`` (m >= t), ``undecided`` (|m| < t: within the
theory's own error of the boundary, no verdict), ``fails`` (m <= -t) and ``not evaluated`` (m is NaN:
the theory gives no number there; never counted as a verdict)."""
from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from overparam import seeds
from overparam.book.claims import claim, share
from overparam.book.stats import t_interval
from overparam.book.verdicts import Verdict, comparison, over_range
from overparam.experiments.phase_diagrams import CONCLUSIONS, Config, Paired, simulate_point
from overparam.reports.linear_gaussian import FAMILY_WORDS
from overparam.theory.problems import fig3_problem

# the share of the coordinates on which the sparse law of theta* is non-zero (every grid problem uses
# fig3_problem's default)
SPARSE_FRACTION = float(inspect.signature(fig3_problem).parameters["fraction"].default)

STATEMENTS = {
    "best-size-is-p": ("chapters 1 and 3", "the best model size for Hessian pruning is k = p"),
    "pruned-beats-small": ("chapters 1 and 3", "the Hessian-pruned model with all p features beats the best small "
                           "model handed the most salient features"),
    "hessian-beats-magnitude": ("chapter 3", "at k = p Hessian pruning beats magnitude pruning"),
    "retraining-hurts-at-p": ("chapter 1", "at k = p retraining the Hessian-pruned model on a fresh sample does "
                              "not help"),
    "ridge-large-still-gains": ("chapter 10", "with ridge tuned for each, the Hessian-pruned k = p model still "
                                "beats the k = s model"),
    "retraining-pays-correlated": ("chapter 12", "with correlated features, retraining the magnitude-pruned "
                                   "k = p model on a fresh sample beats pruning alone"),
    "quantized-beats-small": ("chapter 11", "the 3-bit quantized model on all p features beats the 32-bit small "
                              "model with the same number of bits"),
    "classifier-best-size-is-p": ("chapter 13", "the best model size for the Hessian-pruned least-squares classifier "
                                  "of sign labels is k = p"),
}
AXIS_LABELS = {"n_over_p": "samples per feature n/p", "s_over_p": "kept fraction s/p", "spike": "saliency spike",
               "sigma": "noise σ", "rho": "feature correlation ρ"}
PHASES = ("holds", "undecided", "fails", "not evaluated")
SHORT = {"best-size-is-p": "best size is k = p", "pruned-beats-small": "pruned large beats best small",
         "hessian-beats-magnitude": "Hessian beats magnitude", "retraining-hurts-at-p": "retraining does not help",
         "ridge-large-still-gains": "tuned ridge: large still gains", "quantized-beats-small": "3-bit large beats small",
         "retraining-pays-correlated": "correlated: retraining pays",
         "classifier-best-size-is-p": "classifier: best size is k = p"}
DIAGRAM_AXES = {"n-s": ("n_over_p", "s_over_p"), "spike-sigma": ("spike", "sigma"), "rho-n": ("rho", "n_over_p")}
CLAIM_KEY = "phase-diagram-confirmed"
OUTCOMES = {"reproduced": "confirmed", "not reproduced": "contradicted", "inconclusive": "inconclusive"}
NOT_EVALUATED = "not evaluated"  # a simulated point with no finite prediction or no finite draw: no verdict
OUTCOME_ORDER = (*OUTCOMES.values(), NOT_EVALUATED)


def statement(conclusion: str) -> str:
    """The conclusion in words, with its owning chapter."""
    chapter, text = STATEMENTS[conclusion]
    return f"{text} ({chapter})"


def band_of(tolerance, conclusion: str) -> float:
    """The undecided band of ``conclusion``: ``tolerance`` itself, or its entry where it is a mapping
    conclusion -> band (the per-conclusion bands of :func:`overparam.reports.phase_bands.derived_bands`)."""
    return float(tolerance[conclusion]) if isinstance(tolerance, Mapping) else float(tolerance)


def band_text(band: float) -> str:
    """A band as a percentage to two significant digits: '3%', '1.4%', '12%'."""
    return f"{100 * band:.2g}%"


def phase_of(margins, tolerance: float) -> np.ndarray:
    """The phase of each margin (:data:`PHASES`): ``holds`` at margin >= tolerance, ``fails`` at
    margin <= -tolerance, ``undecided`` in between, ``not evaluated`` where the margin is NaN."""
    margins = np.asarray(margins, dtype=float)
    return np.select([np.isnan(margins), margins >= tolerance, margins <= -tolerance],
                     ["not evaluated", "holds", "fails"], "undecided")


def phase_shares(margins, tolerance: float) -> dict:
    """The share of the margins in each phase (:data:`PHASES`, in that order; they sum to 1)."""
    phases = phase_of(margins, tolerance)
    return {phase: float(np.mean(phases == phase)) for phase in PHASES}


def shares_text(margins, tolerance: float) -> str:
    """The shares as text, 'holds 57% / undecided 3% / fails 40%', with the not-evaluated share only
    where there is one."""
    shares = phase_shares(margins, tolerance)
    return " / ".join(f"{phase} {share(value)}" for phase, value in shares.items()
                      if phase != "not evaluated" or value > 0)


def tidy_grid(grid: pd.DataFrame, conclusions, tolerance: float) -> pd.DataFrame:
    """The grid in long format: the configuration's columns, then one row per conclusion with its
    margin, the band it was judged with and its phase there (:func:`phase_of` with :func:`band_of`)."""
    conclusions = list(conclusions)
    keys = [column for column in grid.columns if column not in CONCLUSIONS]
    long = grid.melt(id_vars=keys, value_vars=conclusions, var_name="conclusion", value_name="margin")
    bands = long.conclusion.map(lambda conclusion: band_of(tolerance, conclusion)).to_numpy(float)
    return long.assign(band=bands, phase=phase_of(long.margin, bands))


def boundary_crossings(grid: pd.DataFrame, conclusion: str, x: str, y: str, at_y: float) -> list[float]:
    """Where the margin changes sign along ``x`` at y = ``at_y`` (linear interpolation between grid
    points, in log x; the log-midpoint next to an infinite margin), in increasing x. A pair of points
    with a NaN margin (not evaluated) gives no crossing."""
    line = grid[np.isclose(grid[y], at_y)].sort_values(x)
    return [float(np.exp(value)) for value in sign_crossings(np.log(line[x].to_numpy()), line[conclusion].to_numpy())]


def sign_crossings(xs, margins) -> list[float]:
    """Where ``margins`` change sign along increasing ``xs``: at an exact 0 between opposite signs, its
    x (the middle of a run of zeros; Hessian = magnitude pruning at t = 1/2 of the rotation); else by
    linear interpolation (the midpoint next to an infinite margin). A NaN gives no crossing, nor do
    zeros between margins of one sign."""
    xs, margins = np.asarray(xs, float), np.asarray(margins, float)
    signed = np.flatnonzero(margins != 0)
    crossings = []
    for i, j in zip(signed, signed[1:]):
        m0, m1 = margins[i], margins[j]
        if np.isnan(m0) or np.isnan(m1) or np.sign(m0) == np.sign(m1):
            continue
        fraction = m0 / (m0 - m1) if np.isfinite(m0) and np.isfinite(m1) else 0.5
        zeros = (xs[i + 1] + xs[j - 1]) / 2  # exact zeros in between: the sign changes there
        crossings.append(float(zeros if j > i + 1 else xs[i] + (xs[j] - xs[i]) * fraction))
    return crossings


def family_shares(grid: pd.DataFrame, conclusion: str, tolerance: float) -> dict:
    """Per family (law of theta*, alignment), in the grid's order: :func:`phase_shares` of its margins."""
    tolerance = band_of(tolerance, conclusion)
    return {(law, alignment): phase_shares(rows[conclusion], tolerance)
            for (law, alignment), rows in grid.groupby(["theta_law", "alignment"], sort=False)}


def holds_sentence(grid: pd.DataFrame, conclusion: str, default: Config, tolerance: float, x: str = "n_over_p",
                   y: str = "s_over_p") -> str:
    """One sentence, from the grid, saying where ``conclusion`` holds: its shares of the grid (holds /
    undecided / fails, :func:`shares_text`), those of each family (law of theta*, alignment), the margin
    at the default problem, and where the boundary crosses the default's row of the diagram."""
    tolerance = band_of(tolerance, conclusion)
    families = "; ".join(f"{law}/{alignment} {shares_text(rows[conclusion], tolerance)}"
                         for (law, alignment), rows in grid.groupby(["theta_law", "alignment"], sort=False))
    home = grid[(grid.theta_law == default.theta_law) & (grid.alignment == default.alignment)]
    at_default = home[np.isclose(home[x], getattr(default, x)) & np.isclose(home[y], getattr(default, y))]
    margin = (f"; at the default problem ({AXIS_LABELS[x]} {getattr(default, x):g}, {AXIS_LABELS[y]} "
              f"{getattr(default, y):g}) the margin is {at_default[conclusion].iloc[0]:+.1%}") if len(at_default) else ""
    crossings = boundary_crossings(home, conclusion, x, y, getattr(default, y))
    where = (f"along {y.replace('_over_', '/')} = {getattr(default, y):g} the boundary lies at "
             + ", ".join(f"{x.replace('_over_', '/')} ≈ {value:.2g}" for value in crossings)) if crossings else \
        f"it does not change sign along {x.replace('_over_', '/')} at {y.replace('_over_', '/')} = {getattr(default, y):g}"
    return (f"The conclusion that {statement(conclusion)}, on the {len(grid)} grid problems (|margin| < "
            f"{band_text(tolerance)}: undecided): {shares_text(grid[conclusion], tolerance)} (by family: {families})"
            f"{margin}; {where}.")


def ratio_interval(differences, references) -> tuple[float, float, float]:
    """The simulated margin mean(differences) / mean(references) (the theory's margin, on the
    simulation's draws) and its 95% interval by the delta method: the t interval of the per-draw
    residuals d - R r (paired draws), divided by mean(references). NaN where the mean reference is 0
    (the classifier's largest model at chance: the margin has no scale there)."""
    differences, references = np.asarray(differences, float), np.asarray(references, float)
    if float(references.mean()) == 0:
        return float("nan"), float("nan"), float("nan")
    ratio = float(differences.mean() / references.mean())
    _, low, high = t_interval(differences - ratio * references)
    half = (high - low) / 2 / abs(float(references.mean()))
    return ratio, ratio - half, ratio + half


ABS_UNITS = {"classifier-best-size-is-p": "test error"}  # the others compare risks


def _not_evaluated(margin: float, simulated) -> str:
    """Why a point gets no verdict ('' where it gets one): no finite predicted margin, or a simulated
    draw (difference or reference) that is NaN or infinite."""
    if not np.isfinite(margin):
        return "the theory gives no finite margin here"
    broken = int(np.sum(~np.isfinite(simulated.differences) | ~np.isfinite(simulated.references)))
    return f"{broken} of {simulated.differences.size} simulated draws are NaN or infinite" if broken else ""


def confirm_points(points: pd.DataFrame, trials: int, seed: int) -> tuple[pd.DataFrame, list]:
    """Simulate every chosen grid row (``points``: grid rows with a ``conclusion`` column) on ``trials``
    draws and judge it: the per-draw differences are oriented toward the side the theory predicts and
    judged by the paired comparison rule; its ``reproduced`` is *confirmed*, ``not reproduced``
    *contradicted*. A point with no finite margin is not simulated, and one with a non-finite draw is
    not judged: both are *not evaluated* (the reason in ``note``, the Verdict None). Columns: the
    margins on one scale, a fraction of the reference risk (``predicted_margin``, ``simulated_margin``
    and its 95% interval, :func:`ratio_interval`), and the simulated difference in its own unit
    (``abs_difference`` and interval, in ``abs_unit``). Returns the table and the Verdicts, in the
    order of ``points``."""
    rows, verdicts = [], []
    for j, (_, row) in enumerate(points.iterrows()):
        conclusion, margin = row["conclusion"], float(row[row["conclusion"]])
        point_seed = seeds.key(seed, "where-conclusions-hold/point", j)
        simulated = simulate_point(row, conclusion, trials, point_seed) if np.isfinite(margin) else \
            Paired(np.full(trials, np.nan), np.full(trials, np.nan))
        note = _not_evaluated(margin, simulated)
        side = 1.0 if margin > 0 else -1.0
        verdict = None if note else comparison(side * simulated.differences, what="difference toward the predicted side")
        verdicts.append(verdict)
        ratio = ratio_interval(simulated.differences, simulated.references) if not note else (np.nan,) * 3
        difference = t_interval(simulated.differences) if not note else (np.nan,) * 3
        rows.append({"diagram": row.get("diagram", ""), "conclusion": conclusion, "theta_law": row["theta_law"],
                     "alignment": row["alignment"], "n_over_p": row["n_over_p"], "s_over_p": row["s_over_p"],
                     "spike": row["spike"], "sigma": row["sigma"], "rho": float(row.get("rho", 0.0)), "p": int(row["p"]),
                     "predicted_margin": margin, "predicted": "holds" if margin > 0 else "fails",
                     "simulated_margin": ratio[0], "simulated_margin_low": ratio[1], "simulated_margin_high": ratio[2],
                     "abs_difference": difference[0], "abs_ci_low": difference[1], "abs_ci_high": difference[2],
                     "abs_unit": ABS_UNITS.get(conclusion, "risk"), "draws": trials,
                     "verdict": verdict.measured if verdict else "", "note": note,
                     "outcome": OUTCOMES[verdict.status] if verdict else NOT_EVALUATED})
    return pd.DataFrame(rows), verdicts


def _point_label(row) -> str:
    """A simulated point as text: its family and its coordinates on its own diagram."""
    x, y = DIAGRAM_AXES.get(row["diagram"], DIAGRAM_AXES["n-s"])
    names = {name: name.replace("_over_", "/") for name in (x, y)}
    return (f"{row['theta_law']}/{row['alignment']} {names[x]}={row[x]:.2g} {names[y]}={row[y]:.2g} "
            f"({row['predicted']})")


def confirmation_claims(table: pd.DataFrame, verdicts: list) -> list[dict]:
    """One claim per conclusion: its diagram's side is confirmed by simulation at each checked point
    (over range of the paired comparisons). A point not evaluated (its Verdict None) gives no verdict:
    it is left out of the range and named, with its reason, in the measured text; a conclusion with no
    evaluated point is inconclusive."""
    claims = []
    for conclusion in dict.fromkeys(table.conclusion):
        chosen = [j for j in np.flatnonzero(table.conclusion.to_numpy() == conclusion) if verdicts[j] is not None]
        skipped = [j for j in np.flatnonzero(table.conclusion.to_numpy() == conclusion) if verdicts[j] is None]
        verdict = over_range([verdicts[j] for j in chosen], [_point_label(table.iloc[j]) for j in chosen]) if chosen \
            else Verdict("inconclusive", "no simulated point could be evaluated", rule="over range of comparison")
        if skipped:
            verdict = replace(verdict, measured=verdict.measured + "; not evaluated (no verdict) at " + ", ".join(
                f"{_point_label(table.iloc[j])}: {table.iloc[j]['note']}" for j in skipped))
        claims.append(claim(CLAIM_KEY, STATEMENTS[conclusion][0], f"the phase diagram of '{statement(conclusion)}' "
                            "has the simulated sign at the points checked on both sides of its boundary", verdict,
                            origin="beyond", variant=conclusion))
    return claims


def point_marks(table: pd.DataFrame, x: str = "n_over_p", y: str = "s_over_p") -> pd.DataFrame:
    """The confirmation rows of one diagram (``table.diagram``) as the marks it draws (columns
    conclusion, theta_law, alignment, x, y, outcome)."""
    return table.assign(x=table[x], y=table[y])[["conclusion", "theta_law", "alignment", "x", "y", "outcome"]]


def outcome_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How many simulated points each conclusion has confirmed, contradicted, left inconclusive and not
    evaluated (no verdict: :func:`confirm_points`)."""
    counts = pd.crosstab(table.conclusion, table.outcome).reindex(columns=list(OUTCOME_ORDER), fill_value=0)
    return counts.reindex(list(dict.fromkeys(table.conclusion)))


def scope_of(grid: pd.DataFrame, conclusion: str, default: Config, tolerance: float) -> str:
    """What the grid does to the chapter's conclusion, by the phases of :func:`phase_of`: ``reversed``
    (it fails at the default problem itself), ``undecided at the default`` (its margin there is within
    ``tolerance`` of 0), ``not evaluated at the default`` (no theory value there), else ``confirmed``
    (it fails nowhere on the grid) or ``narrowed`` (it fails somewhere: a property of part of the
    problems)."""
    tolerance = band_of(tolerance, conclusion)
    home = grid[(grid.theta_law == default.theta_law) & (grid.alignment == default.alignment)
                & np.isclose(grid.n_over_p, default.n_over_p) & np.isclose(grid.s_over_p, default.s_over_p)
                & np.isclose(grid.spike, default.spike) & np.isclose(grid.sigma, default.sigma)]
    at_home = set(phase_of(home[conclusion], tolerance))
    for phase, scope in (("fails", "reversed"), ("undecided", "undecided at the default"),
                         ("not evaluated", "not evaluated at the default")):
        if phase in at_home:
            return scope
    return "narrowed" if (phase_of(grid[conclusion], tolerance) == "fails").any() else "confirmed"


def rho_star_by_row(grid: pd.DataFrame, conclusion: str, x: str = "rho", y: str = "n_over_p") -> pd.DataFrame:
    """For every value of ``y`` on the grid: rho*, the last boundary crossing along ``x`` when the
    conclusion holds at the row's largest ``x`` (beyond rho* it holds on the rest of the row; NaN where
    the row ends failing or never changes sign), and how many times the margin changes sign on the row
    (more than once: the conclusion also holds somewhere below rho*)."""
    rows = []
    for value in sorted(grid[y].unique()):
        crossings = boundary_crossings(grid, conclusion, x, y, value)
        last = grid[np.isclose(grid[y], value)].sort_values(x)[conclusion].iloc[-1]
        rows.append({y: value, f"{x}_star": crossings[-1] if crossings and last > 0 else np.nan,
                     "sign_changes": len(crossings)})
    return pd.DataFrame(rows)


def family_key(law: str, alignment: str) -> str:
    """The glue-key part of a family: 'sparse-aligned'."""
    return f"{law}-{alignment}"


def band_check(table: pd.DataFrame) -> dict:
    """How the simulated points sit against the predicted margins (an independent check of the
    undecided band; it does not set it), by glue key: ``where-points-evaluated`` (points with a finite
    simulated interval), ``where-points-prediction-outside`` (of those, the predicted margin outside the
    simulated margin's 95% interval), ``where-points-outside-expected`` (5% of the evaluated: the count
    chance alone gives if the prediction were the simulation's mean), ``where-classifier-median-gap``
    (median |simulated - predicted| margin over the classifier's points; NaN without one) and
    ``where-points-inconclusive-margin-excludes-zero`` (inconclusive points whose margin interval, the
    ratio's delta-method interval, excludes 0 while the verdict's t interval of the difference does not)."""
    low, high = table.simulated_margin_low.to_numpy(float), table.simulated_margin_high.to_numpy(float)
    predicted = table.predicted_margin.to_numpy(float)
    evaluated = np.isfinite(low) & np.isfinite(high) & np.isfinite(predicted)
    outside = evaluated & ((predicted < low) | (predicted > high))
    classifier = evaluated & (table.conclusion.to_numpy() == "classifier-best-size-is-p")
    gaps = np.abs(table.simulated_margin.to_numpy(float) - predicted)[classifier]
    excludes = (table.outcome.to_numpy() == "inconclusive") & evaluated & ((low > 0) | (high < 0))
    return {"where-points-evaluated": int(evaluated.sum()), "where-points-prediction-outside": int(outside.sum()),
            "where-points-outside-expected": 0.05 * int(evaluated.sum()),
            "where-classifier-median-gap": float(np.median(gaps)) if gaps.size else float("nan"),
            "where-points-inconclusive-margin-excludes-zero": int(excludes.sum())}


def quoted_numbers(grid: pd.DataFrame, noise_grid: pd.DataFrame, rho_grid: pd.DataFrame, table: pd.DataFrame,
                   default: Config, tolerance: float, by_family=()) -> dict:
    """The numbers the prose quotes, by glue key: per conclusion, its shares of each grid by phase
    (``where-C-share`` holds, ``-undecided-share``, ``-fails-share``, ``-unevaluated-share``; for the
    conclusions ``by_family``, per family ``where-C-FAMILY-share`` and ``-fails-share``), its margin at the default problem, what the grids do
    to it (:func:`scope_of`), rho* over n/p for chapter 12's conclusion (:func:`rho_star_by_row`), the
    simulated points' outcomes and how they sit against the predictions (:func:`band_check`), and the
    sparse law's non-zero share (``where-sparse-fraction``, ``where-sparse-zero-share``). ``tolerance``:
    one band, quoted as ``where-undecided-margin``, or a band per conclusion (:func:`band_of`)."""
    numbers = {"where-points": len(table), "where-grid-size": len(grid), "where-noise-grid-size": len(noise_grid),
               **({} if isinstance(tolerance, Mapping) else {"where-undecided-margin": tolerance}),
               "where-rho-rows-checked": int(table[table.diagram == "rho-n"]
                                                                                .n_over_p.nunique()),
               "where-sparse-fraction": SPARSE_FRACTION, "where-sparse-zero-share": 1 - SPARSE_FRACTION}
    numbers |= band_check(table)
    by_row = rho_star_by_row(rho_grid, "retraining-pays-correlated")
    stars = by_row.rho_star
    # rho* to 2 digits, as quoted: the sampled DC of a correlated problem draws in an eigenbasis that
    # round-off can turn inside its degenerate eigenspaces, which moves the 3rd digit between runs
    numbers |= {"where-rho-star-low": float(f"{stars.min():.2g}"), "where-rho-star-high": float(f"{stars.max():.2g}"),
                "where-rho-star-missing": int(stars.isna().sum()),
                "where-rho-star-rows-changing-twice": int((by_row.sign_changes > 1).sum()),
                "where-retraining-pays-correlated-share": phase_shares(rho_grid["retraining-pays-correlated"], band_of(
                    tolerance, "retraining-pays-correlated"))["holds"]}
    for outcome in OUTCOME_ORDER:
        numbers[f"where-points-{outcome.replace(' ', '-')}"] = int((table.outcome == outcome).sum())
    both = pd.concat([grid, noise_grid], ignore_index=True)
    for conclusion in dict.fromkeys(c for c in grid.columns if c in CONCLUSIONS):
        shares = phase_shares(grid[conclusion], band_of(tolerance, conclusion))
        numbers[f"where-{conclusion}-share"] = shares["holds"]
        numbers[f"where-{conclusion}-undecided-share"] = shares["undecided"]
        numbers[f"where-{conclusion}-fails-share"] = shares["fails"]
        numbers[f"where-{conclusion}-unevaluated-share"] = shares["not evaluated"]
        for (law, alignment), family in (family_shares(grid, conclusion, tolerance) if conclusion in by_family
                                         else {}).items():
            numbers[f"where-{conclusion}-{family_key(law, alignment)}-share"] = family["holds"]
            numbers[f"where-{conclusion}-{family_key(law, alignment)}-fails-share"] = family["fails"]
        numbers[f"where-{conclusion}-noise-share"] = phase_shares(noise_grid[conclusion],
                                                                  band_of(tolerance, conclusion))["holds"]
        numbers[f"where-{conclusion}-default"] = float(CONCLUSIONS[conclusion](default))
        numbers[f"where-{conclusion}-scope"] = scope_of(both, conclusion, default, tolerance)
    return numbers


# chapter 1's per-family scope check (its scope.csv): column -> the conclusion whose sign it simulates
SCOPE_COLUMNS = {"pruned_beats_small": "pruned-beats-small", "hessian_beats_magnitude": "hessian-beats-magnitude"}
SIMULATED_SIDE = {"reproduced": "holds", "not reproduced": "fails", "inconclusive": "inconclusive"}


def sweep_scope_check(scope: pd.DataFrame, spike: float = 10.0, sigma: float = 0.5,
                      min_margin: float = 0.05) -> pd.DataFrame:
    """The diagrams against ``overparam sweep`` of chapter 1: ``scope`` is the sweep's concatenated
    ``curves/scope.csv`` (one row per point and family: the paired verdict of chapter 1's simulation at
    k = p for "pruned large beats best small" and "Hessian beats magnitude"), with the grid's columns n,
    p, s, seed (``spike`` and ``sigma``: the chapter's values where the sweep does not vary them). Per
    row and conclusion: the diagram's margin at the same problem, its predicted side, the side the
    simulation found, and the outcome (*confirmed*, *contradicted*, *inconclusive*; *near boundary*
    where |margin| < ``min_margin``, which a few draws cannot resolve)."""
    laws = {words: law for law, words in FAMILY_WORDS.items()}
    rows = []
    for _, row in scope.iterrows():
        config = Config(row["n"] / row["p"], row["s"] / row["p"], float(row.get("spike", spike)),
                        float(row.get("sigma", sigma)), laws[row["theta_law"]], row["alignment"], int(row["p"]),
                        int(row["seed"]))
        for column, conclusion in SCOPE_COLUMNS.items():
            margin = float(CONCLUSIONS[conclusion](config))
            predicted = "holds" if margin > 0 else "fails"
            simulated = SIMULATED_SIDE[row[column].split(":")[0]]
            outcome = ("near boundary" if abs(margin) < min_margin else "inconclusive" if simulated == "inconclusive"
                       else "confirmed" if simulated == predicted else "contradicted")
            rows.append({"point": row["point"], "conclusion": conclusion, "theta_law": config.theta_law,
                         "alignment": config.alignment, "n_over_p": config.n_over_p, "s_over_p": config.s_over_p,
                         "predicted_margin": margin, "predicted": predicted, "simulated": simulated,
                         "verdict": row[column], "outcome": outcome})
    return pd.DataFrame(rows)
