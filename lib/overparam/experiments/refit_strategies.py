"""Chapter 12: between uncorrelated features (chapter 1) and perfectly correlated ones (Lemma 1),
which refit of a pruned support pays: none, retraining on a fresh or on the same sample, sample
splitting, or distillation from the dense fit.

The features follow Fig. 3(b)'s problem at k = p with correlation rho (every pair, or inside blocks
of consecutive features; :func:`overparam.theory.problems.correlated_problem`). Theory comes from
sampled DC draws (:mod:`overparam.theory.refit`); simulation refits real min-norm fits. A result is
a dict ``{(curve, split, m): per-draw risks}``, with ``split`` and ``m`` None where they do not apply
(NaN in the tidy tables).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from overparam.book.stats import mean_ci
from overparam.book.claims import claim
from overparam.book.claim_table import tolerance
from overparam.book.verdicts import Verdict, agreement, comparison, deterministic, over_range
from overparam.theory.pruning import restrict, select_support
from overparam.theory.problems import LinearGaussianProblem, correlated_problem
from overparam.theory.rank_one import lemma1_excess_risks
from overparam.theory.refit import (RULES, dc_draws, distilled_risks, pruned_risks, retrained_risks, risks,
                                    split_risks, supports_of)
from overparam.theory.solvers import fit_on_support, min_norm_least_squares

COLUMNS = ["panel", "curve", "source", "rho", "split", "m", "risk", "ci_low", "ci_high"]
NA = None  # split or m where it does not apply (a key; NaN in tables)
INF = np.inf  # m of the population (infinite-m) distillation


@dataclass(frozen=True)
class CorrelatedFeatures:
    """Fig. 3(b)'s features with correlation rho: inside blocks of ``group`` consecutive features
    (None: one block, every pair correlated). Holds the LGP and a sampler that uses the block
    structure, x = D^{1/2} (sqrt(1 - rho) z + sqrt(rho) g_block), in O(n p)."""

    p: int
    s: int
    spike: float
    sigma: float
    rho: float
    group: int | None = None

    @cached_property
    def problem(self) -> LinearGaussianProblem:
        return correlated_problem(self.p, self.s, self.spike, self.sigma, self.rho, self.group)

    def sample(self, n: int, rng: np.random.Generator, labels: bool = True):
        """n inputs (n x p) and, with ``labels``, their labels y = x^T theta* + sigma z."""
        blocks = np.zeros(self.p, dtype=int) if self.group is None else np.arange(self.p) // self.group
        shared = rng.standard_normal((n, blocks.max() + 1))[:, blocks]
        root = np.sqrt(self.problem.cov_diagonal)
        X = root * (np.sqrt(1 - self.rho) * rng.standard_normal((n, self.p)) + np.sqrt(self.rho) * shared)
        if not labels:
            return X
        return X, X @ self.problem.theta_star + self.sigma * rng.standard_normal(n)


def theory_point(problem: LinearGaussianProblem, n: int, s: int, split_fractions, unlabeled, draws: int,
                 seed_key) -> dict:
    """Sampled-DC risks of every refit, per draw: dense, pruned, retrained on a fresh sample,
    split at each fraction, distilled with each m (np.inf: the population projection). The same
    seed at every rho (common random numbers) keeps the curves over rho smooth."""
    rng = np.random.default_rng(seed_key)
    thetas = dc_draws(problem, n, draws, rng)
    out = {("dense", NA, NA): risks(problem, thetas)}
    for rule in RULES:
        supports = supports_of(thetas, s, rule, problem.cov_diagonal)
        out[(rule, NA, NA)] = pruned_risks(problem, thetas, supports)
        out[(f"{rule}+retrain", NA, NA)] = retrained_risks(problem, supports, n)
        for m, values in distilled_risks(problem, thetas, supports, unlabeled).items():
            out[(f"{rule}+distill", NA, m)] = values
        for f in split_fractions:
            out[(f"{rule}+split", float(f), NA)] = split_risks(problem, n, f, s, rule, draws, rng)
    return out


def _distilled(theta: np.ndarray, support: np.ndarray, inputs: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """The student on ``support`` fit to the teacher's predictions on ``inputs`` (None: the
    population projection Sigma_DD^{-1} (Sigma theta)_D)."""
    if inputs is not None:
        return fit_on_support(inputs, inputs @ theta, support)
    student = np.zeros_like(theta)
    student[support] = np.linalg.solve(cov[np.ix_(support, support)], (cov @ theta)[support])
    return student


def simulate_point(features: CorrelatedFeatures, n: int, s: int, split_fractions, unlabeled, trials: int,
                   seed_key) -> dict:
    """Risks of real fits, per draw (``trials`` of them): a training sample of n, a fresh one of n
    for fresh-sample retraining, and max(unlabeled) unlabelled inputs for distillation."""
    problem, finite = features.problem, [int(m) for m in unlabeled if np.isfinite(m)]
    out: dict = {}
    for t, child in enumerate(np.random.SeedSequence(seed_key).spawn(trials)):
        rng = np.random.default_rng(child)
        X, y = features.sample(n, rng)
        fresh = features.sample(n, rng)
        inputs = features.sample(max(finite, default=0), rng, labels=False)
        theta = min_norm_least_squares(X, y)
        fits = {("dense", NA, NA): theta}
        for rule in RULES:
            support = select_support(rule, theta, X, s)
            fits[(rule, NA, NA)] = restrict(theta, support)
            fits[(f"{rule}+retrain", NA, NA)] = fit_on_support(*fresh, support)
            fits[(f"{rule}+retrain-same-sample", NA, NA)] = fit_on_support(X, y, support)
            for m in unlabeled:
                fits[(f"{rule}+distill", NA, float(m))] = _distilled(
                    theta, support, inputs[:int(m)] if np.isfinite(m) else None, problem.cov_matrix)
            for f in split_fractions:
                first = int(round(f * n))
                theta_first = min_norm_least_squares(X[:first], y[:first])
                kept = select_support(rule, theta_first, X[:first], s)
                fits[(f"{rule}+split", float(f), NA)] = fit_on_support(X[first:], y[first:], kept)
        keys = list(fits)
        values = risks(problem, np.stack([fits[key] for key in keys]))
        for key, value in zip(keys, values):
            out.setdefault(key, np.empty(trials))[t] = value
    return out


def sweep(kind: str, families: dict, rhos, point, progress: bool = True) -> dict:
    """``point(features)`` at every (family, rho): {(family, rho): result}, with a progress bar.
    Single-threaded BLAS: the fits and solves are small, and threads only contend for the cores."""
    grid = [(family, float(rho)) for family in families for rho in rhos]
    with threadpool_limits(1):
        return {(family, rho): point(families[family](rho))
                for family, rho in tqdm(grid, desc=kind, disable=not progress, mininterval=1.0)}


def tidy(results: dict, source: str) -> pd.DataFrame:
    """Tidy rows (COLUMNS) of a sweep: the mean per point; simulated points carry 95% intervals."""
    rows = []
    for (family, rho), result in results.items():
        for (curve, split, m), values in result.items():
            mean, low, high = mean_ci(values)
            if source == "theory":
                low = high = np.nan
            rows.append((family, curve, source, rho, np.nan if split is NA else split, np.nan if m is NA else m,
                         float(mean), float(low), float(high)))
    return pd.DataFrame(rows, columns=COLUMNS)


def select(table: pd.DataFrame, family: str, curve: str, source: str, split=NA, m=NA) -> pd.DataFrame:
    """The rows of one curve of one family over rho (``split`` / ``m`` pick the variant)."""
    rows = table[(table.panel == family) & (table.curve == curve) & (table.source == source)]
    for column, value in (("split", split), ("m", m)):
        rows = rows[rows[column].isna()] if pd.isna(value) else rows[np.isclose(rows[column], value)]
    return rows.sort_values("rho")


def theory_at(table: pd.DataFrame, family: str, curve: str, rho: float, split=NA, m=NA) -> float:
    """The theory risk of one curve variant at one rho."""
    return float(select(table, family, curve, "theory", split, m).set_index("rho").risk[rho])


def crossing(table: pd.DataFrame, family: str, refit: str, rule: str, **variant) -> float:
    """The first rho at which the theory of ``refit`` falls below pruning alone (``rule``),
    interpolated linearly in log rho between grid points; NaN when it never does. When it is below
    already at the first grid point, that point is returned (an upper bound: 0 when the grid starts
    at 0, the smallest positive grid rho when the change happens between it and 0)."""
    a = select(table, family, refit, "theory", **variant).set_index("rho").risk
    b = select(table, family, rule, "theory").set_index("rho").risk.reindex(a.index)
    gap = (a - b).to_numpy()
    rhos = a.index.to_numpy()
    below = np.flatnonzero(gap < -1e-9 * b.to_numpy())  # not a round-off tie (distillation at rho = 0)
    if below.size == 0:
        return float("nan")
    j = below[0]
    if j == 0 or rhos[j - 1] <= 0:
        return float(rhos[j])
    t = gap[j - 1] / (gap[j - 1] - gap[j])
    return float(np.exp(np.log(rhos[j - 1]) + t * (np.log(rhos[j]) - np.log(rhos[j - 1]))))


def paired(simulated: dict, family: str, rho: float, a: tuple, b: tuple, what: str):
    """Verdict of "a has lower risk than b" on shared draws (positive difference b - a)."""
    point = simulated[(family, rho)]
    return comparison(point[b], point[a], what=what)


def key(curve: str, split=NA, m=NA) -> tuple:
    """The key of a curve variant in a sweep's result dict."""
    return (curve, split, m)


FLIP = {"reproduced": "not reproduced", "not reproduced": "reproduced", "inconclusive": "inconclusive"}


def theory_ordered(simulated: Verdict, theory_a: float, theory_b: float, band: float) -> Verdict:
    """Does simulation find the order of a and b that the theory predicts? ``simulated`` is the paired
    Verdict of "a below b"; where the theory puts b below a its status is flipped. Where the theory's own
    gap |a - b| is within ``band`` of the smaller risk (its finite-size error) the theory predicts no order
    and the point is ``inconclusive``; the statuses at half and twice the band are recorded."""
    gap = (theory_b - theory_a) / min(theory_a, theory_b)

    def status(band):
        if abs(gap) <= band:
            return "inconclusive"
        return simulated.status if gap > 0 else FLIP[simulated.status]
    order = "a below b" if gap > 0 else "b below a"
    measured = f"{simulated.measured}; theory: {order} by {abs(gap):.1%}"
    return Verdict(status(band), measured, rule=simulated.rule, tolerance=float(band),
                   at_half=status(band / 2), at_double=status(2 * band))


def sign_agreement(simulated: dict, theory: pd.DataFrame, family: str, rhos, a, b, band: float) -> Verdict:
    """Over the simulated rhos: does simulation find the order of a and b that theory predicts
    (:func:`theory_ordered` at each rho: the paired interval on the theory's side of 0, inconclusive
    across 0 or where the theory's gap is within ``band``)? ``a`` and ``b`` are keys, or functions of rho
    that return one."""
    points = []
    for rho in rhos:
        a_rho, b_rho = (k(rho) if callable(k) else k for k in (a, b))
        ta = theory_at(theory, family, a_rho[0], rho, a_rho[1], a_rho[2])
        tb = theory_at(theory, family, b_rho[0], rho, b_rho[1], b_rho[2])
        points.append(theory_ordered(paired(simulated, family, rho, a_rho, b_rho, "b - a"), ta, tb, band))
    return over_range(points, [f"{rho:g}" for rho in rhos], unit="rho = ")


def theory_sweep(families: dict, rhos, n: int, s: int, split_fractions, unlabeled, draws: int, seed: int,
                 progress: bool = True) -> pd.DataFrame:
    """Tidy theory rows of every family at every rho (common random numbers across rho)."""
    point = lambda features: theory_point(features.problem, n, s, split_fractions, unlabeled, draws, [seed, 12])
    return tidy(sweep("theory", families, rhos, point, progress), "theory")


def simulation_sweep(families: dict, rhos, n: int, s: int, split_fractions, unlabeled, trials: int, seed: int,
                     progress: bool = True) -> dict:
    """Per-draw simulated risks {(family, rho): {key: array(trials)}}; each point its own stream."""
    point = lambda features: simulate_point(features, n, s, split_fractions, unlabeled, trials,
                                            [seed, 13, int(round(features.rho * 1e6)), features.group or 0])
    return sweep("simulation", families, rhos, point, progress)


def theory_keys(simulated: dict) -> list:
    """The simulated curve variants that have a theory (all but same-sample retraining)."""
    first = next(iter(simulated.values()))
    return [k for k in first if not k[0].endswith("-same-sample")]


def agreement_points(theory: pd.DataFrame, simulated: dict) -> pd.DataFrame:
    """Theory against simulation at every simulated (family, rho, curve variant) with a theory."""
    rows = []
    for (family, rho), result in simulated.items():
        for curve, split, m in theory_keys(simulated):
            mean, low, high = mean_ci(result[(curve, split, m)], student=True)
            rows.append((family, rho, curve, split, m, theory_at(theory, family, curve, rho, split, m),
                         float(mean), float(low), float(high)))
    points = pd.DataFrame(rows, columns=["panel", "rho", "curve", "split", "m", "theory", "simulation",
                                         "ci_low", "ci_high"])
    return points.assign(gap=(points.simulation - points.theory) / points.theory)


def agreement_states(points: pd.DataFrame, tolerance: float) -> pd.Series:
    """Each point of :func:`agreement_points` judged alone by :func:`overparam.book.verdicts.agreement`
    (its 95% interval of the relative gap inside, outside or across ``tolerance``): one status per point."""
    return pd.Series([agreement([row.theory], [row.simulation], [row.ci_low], [row.ci_high], tolerance).status
                      for row in points.itertuples()], index=points.index)


FAMILY_TITLES = {"equicorrelated": "every pair correlated", "block": "correlated in blocks"}
RHO_CURVES = ("dense", "{rule}", "{rule}+retrain", "{rule}+retrain-same-sample", "{rule}+distill")


def _rho_axis(ax, smallest: float) -> None:
    ax.set_xscale("symlog", linthresh=smallest, linscale=0.5)
    ax.set_xlabel("feature correlation rho")


def plot_over_rho(table: pd.DataFrame, rules=RULES, families=tuple(FAMILY_TITLES)):
    """Risk against rho, one panel per (pruning rule, family): pruning alone and each refit, theory
    lines and simulated means with 95% bars; distillation at m = infinity."""
    import matplotlib.pyplot as plt
    from overparam.book.style import plot_theory_and_simulation, theory_simulation_legend
    smallest = table.rho[table.rho > 0].min()
    fig, axes = plt.subplots(len(rules), len(families), figsize=(10, 4 * len(rules)), squeeze=False, sharex=True)
    for (rule, family), ax in zip([(r, f) for r in rules for f in families], axes.flat):
        rows = table[table.panel == family]
        rows = rows[rows.m.isna() | np.isinf(rows.m)]
        for curve in RHO_CURVES:
            name = curve.format(rule=rule)
            plot_theory_and_simulation(ax, rows[rows.split.isna()], name, x="rho",
                                       show_theory=not name.endswith("-same-sample"))
        ax.set_yscale("log")
        _rho_axis(ax, smallest)
        ax.set_ylabel("test risk")
        ax.set_title(f"{rule} pruning, {FAMILY_TITLES[family]}")
    theory_simulation_legend(fig, list(axes[:, 0]), ncol=3)
    return fig


def _ratio_rows(table, family, curve, source, column, rho):
    """Rows of one curve variant at one rho, risk and interval divided by fresh-sample retraining's theory."""
    rule = curve.split("+")[0]
    base = theory_at(table, family, f"{rule}+retrain", rho)
    rows = table[(table.panel == family) & (table.curve == curve) & (table.source == source)
                 & np.isclose(table.rho, rho) & table[column].notna()].sort_values(column)
    return rows.assign(risk=rows.risk / base, ci_low=rows.ci_low / base, ci_high=rows.ci_high / base)


def plot_refit_budget(table: pd.DataFrame, column: str, rhos, rule: str = "magnitude",
                      families=tuple(FAMILY_TITLES)):
    """Risk of splitting (``column`` "split", against the fraction f) or distillation ("m", against
    the unlabelled inputs m; infinity drawn at the right end) relative to fresh-sample retraining,
    one line per rho."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(families), figsize=(10, 3.8), sharey=True)
    curve = f"{rule}+{'split' if column == 'split' else 'distill'}"
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(rhos)))
    for family, ax in zip(families, axes):
        for rho, color in zip(rhos, colors):
            for source in ("theory", "simulation"):
                rows = _ratio_rows(table, family, curve, source, column, rho)
                x = rows[column].replace(np.inf, 4 * rows[column][np.isfinite(rows[column])].max())
                if source == "theory":
                    ax.plot(x, rows.risk, color=color, lw=1.5, label=f"rho = {rho:g}")
                else:
                    ax.errorbar(x, rows.risk, yerr=[rows.risk - rows.ci_low, rows.ci_high - rows.risk], fmt="o",
                                color=color, ms=5, capsize=2, lw=1)
        ax.axhline(1, color="grey", ls=":", lw=1)
        ax.set_title(FAMILY_TITLES[family])
        if column == "split":
            ax.set_xlabel("fraction f of the sample used to fit and prune")
        else:
            ms = sorted(set(table.m[np.isfinite(table.m)]))
            ax.set_xscale("log")
            ax.set_xticks(ms + [4 * max(ms)], [f"{m:g}" for m in ms] + ["∞"])
            ax.minorticks_off()
            ax.set_xlabel("unlabelled inputs m")
    axes[0].set_ylabel("risk / risk of fresh-sample retraining")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def best_split(table: pd.DataFrame, family: str, rule: str, rho: float, fractions=None) -> float:
    """The split fraction with the lowest theory risk at rho (among ``fractions``, default all)."""
    rows = table[(table.panel == family) & (table.curve == f"{rule}+split") & (table.source == "theory")
                 & np.isclose(table.rho, rho)]
    if fractions is not None:
        rows = rows[np.isclose(rows.split.to_numpy()[:, None], np.asarray(fractions)[None, :]).any(axis=1)]
    return float(rows.split.to_numpy()[np.argmin(rows.risk.to_numpy())])


def split_against_fresh(theory: pd.DataFrame, family: str, rhos, split_fractions, rule: str = "magnitude") -> pd.Series:
    """The theory risk of the split at its best fraction among ``split_fractions``, divided by that of
    fresh-sample retraining, at every rho."""
    return pd.Series([theory_at(theory, family, f"{rule}+split", rho, best_split(theory, family, rule, rho, split_fractions))
                      / theory_at(theory, family, f"{rule}+retrain", rho) for rho in rhos], index=pd.Index(rhos, name="rho"))


def high_variance_share(problem: LinearGaussianProblem, n: int, s: int, draws: int, seed: int) -> float:
    """Mean share of the first s (high-variance) features in the magnitude support of a fit of n
    samples, from sampled DC draws."""
    thetas = dc_draws(problem, n, draws, np.random.default_rng([seed, 15]))
    return float(np.mean(supports_of(thetas, s, "magnitude", problem.cov_diagonal) < s))


LEMMA = "1 (Lemma 1)"


def lemma1_limit(p: int, s: int, spike: float, sigma: float, n: int, rhos, draws: int, seed: int) -> pd.DataFrame:
    """Excess risks (over sigma^2) of the dense fit, magnitude pruning and fresh-sample retraining as
    rho -> 1 in the equicorrelated family (sampled DC), beside Lemma 1's values at rho = 1
    (Sigma = zeta zeta^T with zeta = D^{1/2} 1); ``retrained bias`` is E[sigma_D^2] - sigma^2 and
    ``high-variance kept`` the share of the first s features in the magnitude support."""
    rows = []
    for rho in rhos:
        problem = correlated_problem(p, s, spike, sigma, rho)
        thetas = dc_draws(problem, n, draws, np.random.default_rng([seed, 14]))
        supports = supports_of(thetas, s, "magnitude", problem.cov_diagonal)
        retrained = retrained_risks(problem, supports, n)
        rows.append((f"{rho:g}", risks(problem, thetas).mean() - sigma**2,
                     pruned_risks(problem, thetas, supports).mean() - sigma**2, retrained.mean() - sigma**2,
                     retrained.mean() * (n - s - 1) / (n - 1) - sigma**2, float(np.mean(supports < s))))
    zeta = np.sqrt(correlated_problem(p, s, spike, sigma, 0.0).cov_diagonal)
    lemma = lemma1_excess_risks(zeta, np.full(p, 1 / np.sqrt(p)), sigma, n, s)
    rows.append((LEMMA, lemma["dense"], lemma["pruned"], lemma["retrained"], 0.0, float(np.mean(np.argsort(-zeta)[:s] < s))))
    return pd.DataFrame(rows, columns=["rho", "dense", "magnitude", "magnitude+retrain", "retrained bias",
                                       "high-variance kept"])


SOURCE = "beyond: correlated features"
ORDER_CLAIMS = {  # id: (text, better, worse), with m the distillation size nearest n
    "refit-same-beats-pruning": ("same-sample retraining beats pruning alone", "magnitude+retrain-same-sample",
                                 "magnitude"),
    "refit-same-beats-fresh": ("same-sample retraining beats fresh-sample retraining", "magnitude+retrain-same-sample",
                               "magnitude+retrain"),
    "refit-distill-beats-fresh": ("distillation with m = {m:g} unlabelled inputs beats fresh-sample retraining",
                                  "magnitude+distill", "magnitude+retrain"),
    "refit-distill-beats-same": ("distillation with m = {m:g} unlabelled inputs beats same-sample retraining",
                                 "magnitude+distill", "magnitude+retrain-same-sample"),
}


def refit_claims(theory: pd.DataFrame, simulated: dict, limit: pd.DataFrame, rhos, split_fractions,
                 n: int) -> list[dict]:
    """The chapter's claims (origin ``beyond``), each judged by a rule of overparam.book.verdicts
    with the tolerance declared in overparam.book.claim_table. ``limit`` is :func:`lemma1_limit`'s
    table (two correlations near 1 at least, then Lemma 1's row)."""
    points = agreement_points(theory, simulated)
    rows = [claim("refit-dc-agreement", SOURCE, "the sampled DC predicts every refit (dense, pruned, fresh-sample "
                  "retraining, split sample, distillation) at every simulated correlation, within "
                  f"{tolerance('refit-dc-agreement'):.0%} of its risk",
                  agreement(points.theory, points.simulation, points.ci_low, points.ci_high,
                            tolerance("refit-dc-agreement")), origin="beyond")]
    band = tolerance("refit-retrain-beats-pruning")
    for family in FAMILY_TITLES:
        for rule in RULES:
            star = crossing(theory, family, f"{rule}+retrain", rule)
            where_theory = f"above rho* = {star:.3g}" if np.isfinite(star) else f"nowhere up to rho = {max(rhos):g}"
            verdict = sign_agreement(simulated, theory, family, rhos, key(f"{rule}+retrain"), key(rule), band)
            rows.append(claim("refit-retrain-beats-pruning", SOURCE, f"{family}, {rule}: fresh-sample retraining beats "
                              f"pruning alone where the DC says ({where_theory} in theory), at every simulated rho",
                              verdict, origin="beyond", variant=f"{family}-{rule}"))
    rows += _simulated_order_claims(theory, simulated, rhos, split_fractions, n)
    return rows + _lemma1_claims(limit)


def _simulated_order_claims(theory, simulated, rhos, split_fractions, n) -> list[dict]:
    """Per family: the best split against fresh-sample retraining (the order the DC predicts), and the
    purely simulated paired comparisons of ORDER_CLAIMS at every simulated rho."""
    rows, where = [], [f"{rho:g}" for rho in rhos]
    finite = sorted(k[2] for k in theory_keys(simulated) if k[0] == "magnitude+distill" and np.isfinite(k[2]))
    m_near_n = min(finite, key=lambda m: abs(m - n))
    as_key = lambda curve: key(curve, m=m_near_n) if curve.endswith("distill") else key(curve)
    for family in FAMILY_TITLES:
        split_vs_fresh = sign_agreement(simulated, theory, family, rhos, key("magnitude+retrain"), lambda rho: key(
            "magnitude+split", best_split(theory, family, "magnitude", rho, split_fractions)),
            tolerance("refit-split-vs-fresh"))
        rows.append(claim("refit-split-vs-fresh", SOURCE, f"{family}, magnitude: the split at the theory's best "
                          "fraction is better or worse than fresh-sample retraining as the DC says, at every "
                          "simulated rho", split_vs_fresh, origin="beyond", variant=family))
        for name, (text, better, worse) in ORDER_CLAIMS.items():
            verdicts = [paired(simulated, family, rho, as_key(better), as_key(worse), "worse - better")
                        for rho in rhos]
            rows.append(claim(name, SOURCE, f"{family}, magnitude: {text.format(m=m_near_n)}",
                              over_range(verdicts, where, unit="rho = "), origin="beyond", variant=family))
    return rows


def _lemma1_claims(limit: pd.DataFrame) -> list[dict]:
    """The two theory-only claims about rho -> 1, each a ratio to its threshold judged with the
    characterization's finite-size error as the band."""
    near = limit[limit.rho != LEMMA]
    lemma = limit[limit.rho == LEMMA].iloc[0]
    last, before = near.iloc[-1], near.iloc[-2]
    threshold = max(10 * lemma.dense, 1e-4)
    dense = deterministic(last.dense / threshold, 1.0, tolerance("refit-lemma1-dense-gap"), "above",
                          f"{last.dense:.3g} at rho = {last.rho}, {last.dense / threshold:.3g} times the threshold "
                          f"{threshold:.3g} (Lemma 1: {lemma.dense:.3g})")
    shrink = (1 - float(last.rho)) / (1 - float(before.rho))
    ratio = last["retrained bias"] / before["retrained bias"] if before["retrained bias"] > 0 else 0.0
    bias = deterministic(ratio / (2 * shrink), 1.0, tolerance("refit-lemma1-bias-vanishes"), "below",
                         f"bias {before['retrained bias']:.2g} at rho = {before.rho}, {last['retrained bias']:.2g} "
                         f"at rho = {last.rho}: ratio {ratio:.2g}, {ratio / (2 * shrink):.2g} times the bound")
    return [claim("refit-lemma1-dense-gap", "Lemma 1", "the dense fit's excess risk does not tend to Lemma 1's "
                  f"sigma^2/(n-2) as rho -> 1 (more than 10 times it, and above 1e-4, at rho = {last.rho})", dense,
                  origin="beyond"),
            claim("refit-lemma1-bias-vanishes", "Lemma 1", "retraining removes the pruning bias as rho -> 1, as in "
                  "Lemma 1: the bias shrinks at least in proportion to 1 - rho (ratio at most "
                  f"{2 * shrink:.2g} from rho = {before.rho} to {last.rho})", bias, origin="beyond")]


def summary(theory: pd.DataFrame, simulated: dict, features, family: str, rhos, split_fractions, m: float,
            rule: str = "magnitude") -> pd.DataFrame:
    """Simulated mean risk of each refit of one family over rho (the split at the theory's best
    simulated fraction, distillation with m and with infinitely many inputs), beside the risk
    L(0) of the zero model; ``features(rho)`` builds the family's CorrelatedFeatures."""
    rows = []
    for rho in rhos:
        point, problem = simulated[(family, rho)], features(rho).problem
        f = best_split(theory, family, rule, rho, split_fractions)
        rows.append({"rho": rho, "L(0)": float(problem.risk(np.zeros(problem.p))), "pruned": point[key(rule)].mean(), "fresh": point[key(f"{rule}+retrain")].mean(),
                     "same sample": point[key(f"{rule}+retrain-same-sample")].mean(), "split f": f,
                     "split": point[key(f"{rule}+split", f)].mean(),
                     f"distill m={m:g}": point[key(f"{rule}+distill", m=float(m))].mean(),
                     "distill m=inf": point[key(f"{rule}+distill", m=INF)].mean()})
    return pd.DataFrame(rows).set_index("rho")


def simulated_bracket(simulated: dict, family: str, rhos, better: tuple, worse: tuple) -> tuple[float, float]:
    """Where simulation places a crossing: the largest simulated rho at which ``worse`` is still
    significantly better than ``better`` below the first rho at which ``better`` is significantly
    better (NaN where there is none)."""
    states = [paired(simulated, family, rho, better, worse, "d").status for rho in rhos]
    first = next((i for i, state in enumerate(states) if state == "reproduced"), None)
    if first is None:
        return float("nan"), float("nan")
    before = [rho for rho, state in zip(rhos[:first], states[:first]) if state == "not reproduced"]
    return (before[-1] if before else float("nan")), float(rhos[first])


def distillation_break_even(theory: pd.DataFrame, family: str, rho: float, s: int, m: float,
                            rule: str = "magnitude") -> float:
    """The number of unlabelled inputs above which distillation beats fresh-sample retraining in
    theory: the expected risk is L_inf + E[v] s/(m - s - 1), so m* = s + 1 + s E[v]/(R - L_inf),
    with E[v] read off the theory at ``m`` (infinite when L_inf >= R)."""
    limit = theory_at(theory, family, f"{rule}+distill", rho, m=INF)
    finite = theory_at(theory, family, f"{rule}+distill", rho, m=float(m))
    retrained = theory_at(theory, family, f"{rule}+retrain", rho)
    if limit >= retrained:
        return float("inf")
    return s + 1 + (finite - limit) * (m - s - 1) / (retrained - limit)
