"""Chapter 13's report (classification of sign labels): the tidy table of error curves, the printed
tables and summaries, and the numbers its prose quotes (:func:`quoted_numbers`).

The simulations are in :mod:`overparam.experiments.classification` (a ``PanelRun`` per panel);
the claims are in :mod:`overparam.reports.classification_claims`, the figures in
:mod:`overparam.reports.classification_figures`. The tidy table has one row per plotted point, with
the columns of ``CURVE_COLUMNS``: ``panel``, ``curve`` ("<fit>/<rule>", a name of
:mod:`overparam.book.curves`), ``source`` ("theory" or "simulation"), ``k``, ``error`` and its 95%
interval (empty for theory).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.stats import mean_ci
from overparam.book.curve_names import SAME_SAMPLE, CurveName
from overparam.book.claim_table import tolerance as declared_tolerance
from overparam.book.tidy import curve_rows
from overparam.book.verdicts import point_counts, t_interval
from overparam.experiments.classification import REFIT, PanelRun, half_separable_size, on_logistic_draws
from overparam.reports.classification_claims import (advantage_states, cross_entropy_hessian_gap, dense_for_every_rule,
                                                     fixed_peak, held_out_difference, loss_interaction,
                                                     ls_agreement_points, paired_gap, peak_drop)

CURVE_COLUMNS = ["panel", "curve", "source", "k", "error", "ci_low", "ci_high"]


def error_rows(panel: str, curve: str, source: str, k, error, ci_low=None, ci_high=None) -> pd.DataFrame:
    """One curve as tidy rows (columns CURVE_COLUMNS): :func:`overparam.book.tidy.curve_rows` with the
    test error in place of the risk; the interval stays empty for theory."""
    return curve_rows(panel, curve, source, k, error, ci_low, ci_high).rename(columns={"risk": "error"})


def tidy_panel(panel: str, run: PanelRun, theory: dict, theory_ks) -> pd.DataFrame:
    """Theory (the DC prediction for least squares, curves "ls/<name>") and every simulated curve of
    one panel: mean and 95% Student-t interval over the draws; sizes without draws are left out."""
    parts = [error_rows(panel, f"ls/{name}", "theory", theory_ks, values.mean(axis=0))
             for name, values in theory.items()]
    for curve, errors in run.errors.items():
        grid = np.asarray(run.logistic_ks if on_logistic_draws(curve) else run.ks)
        have = ~np.isnan(errors).any(axis=0)
        if have.any():
            parts.append(error_rows(panel, curve, "simulation", grid[have], *mean_ci(errors[:, have], student=True)))
    return pd.concat(parts, ignore_index=True)


def separation_threshold(run: PanelRun) -> int | None:
    """The smallest k at which at least half of the logistic draws' training samples are linearly
    separable (by the linear program of :func:`overparam.theory.classifiers.separation_size`, on any k,
    not only the logistic sizes); None if even all features leave more than half inseparable."""
    k = half_separable_size(run.separation_sizes)
    return k if k <= max(run.logistic_ks) else None


def svm_gap_summary(runs: dict) -> pd.DataFrame:
    """Per panel and logistic size with a separable draw: how many draws are separable, the mean dense
    errors of the stopped gradient-descent iterate and of the hard-margin SVM on those draws, the mean
    and the largest absolute per-draw difference (logistic - SVM), and the mean cosine of the two."""
    rows = []
    for panel, run in runs.items():
        for j, k in enumerate(run.logistic_ks):
            svm = run.errors["svm/dense"][:, j]
            have = ~np.isnan(svm)
            if not have.any():
                continue
            gap = run.errors["logistic/dense"][have, j] - svm[have]
            rows.append({"panel": panel, "k": k, "separable draws": int(have.sum()),
                         "logistic": run.errors["logistic/dense"][have, j].mean(), "svm": svm[have].mean(),
                         "mean gap": gap.mean(), "largest |gap|": np.abs(gap).max(),
                         "cosine": np.nanmean(run.svm_cosine[have, j])})
    return pd.DataFrame(rows)


def descent_summary(runs: dict) -> pd.DataFrame:
    """Per panel and logistic size: the share of draws whose training sample is linearly separable
    (a linear program), the share whose stopped dense iterate classifies every training point, the
    median iterations of the dense fit (two significant digits), and how many dense fits and refits
    missed the tolerance (hit the iteration cap)."""
    rows = []
    for panel, run in runs.items():
        for j, k in enumerate(run.logistic_ks):
            rows.append({"panel": panel, "k": k, "separable": run.separable[:, j].mean(),
                         "iterate separates": run.classifies_all[:, j].mean(),
                         # two digits: the count stays the same on another CPU
                         "median iterations": int(float(f"{np.median(run.iterations[:, j]):.2g}")),
                         "dense not converged": int((~run.converged[:, j]).sum()),
                         "refits not converged": int((~run.refit_converged[:, j]).sum())})
    return pd.DataFrame(rows)


def max_margin_share(runs: dict) -> pd.DataFrame:
    """Per panel and size k > n: the share of draws whose min-norm interpolator is the max-margin
    classifier (every y_i a_i > 0)."""
    rows = []
    for panel, (run, n) in runs.items():
        for j, k in enumerate(run.ks):
            if k > n:
                rows.append({"panel": panel, "n": n, "k": k, "share": run.interpolator_is_max_margin[:, j].mean()})
    return pd.DataFrame(rows)


def peak_sizes(runs: dict, s_of: dict, n_of: dict, fits=("ls", "logistic"),
               rules=("dense", "magnitude", "hessian")) -> pd.DataFrame:
    """Per panel, fit and rule: the peak's size fixed in advance (:func:`fixed_peak`: near n for least
    squares, the separability threshold for logistic regression), the mean error there, at k = s and
    at k = p, and the paired differences err(peak) - err(k = s) and err(peak) - err(k = p) with their
    95% intervals."""
    rows = []
    for panel, run in runs.items():
        for fit in fits:
            peak = fixed_peak(run, fit, s_of[panel], n_of[panel])
            grid = run.logistic_ks if fit == "logistic" else run.ks
            s, p = s_of[panel], max(grid)
            for rule in rules:
                curve = f"{fit}/{rule}"
                if curve not in run.errors or peak is None or s not in grid:
                    continue
                row = {"panel": panel, "curve": curve, "peak k": peak, "error there": run.draws(curve, peak).mean(),
                       "error at k = s": run.draws(curve, s).mean(), "error at k = p": run.draws(curve, p).mean()}
                for label, k in [("s", s), ("p", p)]:
                    mean, low, high = paired_gap(run, curve, curve, peak, k)
                    row |= {f"peak - {label}": mean, f"peak - {label} low": low, f"peak - {label} high": high}
                rows.append(row)
    return pd.DataFrame(rows)

def fit_comparison(table: pd.DataFrame, rules=("dense", "hessian")) -> pd.DataFrame:
    """At every size where logistic regression was simulated: the least-squares DC prediction, the
    simulated least-squares, logistic (and SVM) errors for each rule in ``rules``, one row per panel, rule and k."""
    sim = table[table.source == "simulation"]
    logistic_sizes = sim[sim.curve == "logistic/dense"][["panel", "k"]]
    names = [CurveName.parse(curve) for curve in table.curve]
    wide = table.assign(fit=[name.fit for name in names], rule=[name.pipeline for name in names])
    wide = wide[wide.rule.isin(rules)]
    wide["column"] = np.where(wide.source == "theory", "ls prediction", wide.fit)
    out = wide.pivot_table(index=["panel", "rule", "k"], columns="column", values="error").reset_index()
    out = out.merge(logistic_sizes, on=["panel", "k"])
    out["logistic - prediction"] = out["logistic"] - out["ls prediction"]
    return out


def agreement_summary(points: pd.DataFrame) -> pd.DataFrame:
    """Per panel and curve of :func:`overparam.reports.classification_claims.ls_agreement_points`: the
    number of points, the worst relative gap and the share of 95% intervals that contain the prediction."""
    inside = (points.ci_low <= points.error_theory) & (points.error_theory <= points.ci_high)
    return (points.assign(inside=inside).groupby(["panel", "curve"])
            .agg(points=("k", "size"), worst_gap=("gap", "max"), within_ci=("inside", "mean")).reset_index())


def best_sizes(runs: dict, fits=("ls", "logistic"), rules=("magnitude", "hessian")) -> pd.DataFrame:
    """Per panel, fit and pruning rule: the simulated size with the lowest mean error other than the
    largest, its error, the error of the largest model, and the paired difference (other - largest)
    with its 95% interval: positive when the largest model is the better one to prune."""
    rows = []
    for panel, run in runs.items():
        for fit in fits:
            grid = run.logistic_ks if fit == "logistic" else run.ks
            p = max(grid)
            for rule in rules:
                curve = f"{fit}/{rule}"
                means = {k: run.draws(curve, k).mean() for k in grid if k != p}
                best = min(means, key=means.get)
                mean, low, high = paired_gap(run, curve, curve, best, p)
                rows.append({"panel": panel, "curve": curve, "best other k": best, "error there": means[best],
                             "error at k = p": run.draws(curve, p).mean(), "difference": mean,
                             "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def refit_summary(run: PanelRun, k: int, rules=("magnitude", "hessian")) -> pd.DataFrame:
    """Mean test error at size k of each pruned fit, its refit on the training sample and (least squares)
    on a fresh sample, one row per fit and rule."""
    rows = []
    for fit in ["ls", "logistic"]:
        for rule in rules:
            row = {"fit": fit, "rule": rule, "pruned": run.draws(f"{fit}/{rule}", k).mean(),
                   "refit, same sample": run.draws(f"{fit}/{rule}{REFIT}{SAME_SAMPLE}", k).mean()}
            if fit == "ls":
                row["refit, fresh sample"] = run.draws(f"ls/{rule}{REFIT}", k).mean()
            rows.append(row)
    return pd.DataFrame(rows)


def stability_summary(stability: pd.DataFrame) -> pd.DataFrame:
    """Per size: the mean errors of the chapter's descent and of the longest one, the largest change of
    any draw's error (dense or Hessian-pruned), and the mean cosines with the SVM."""
    rows = []
    for k, group in stability.groupby("k"):
        first, last = group.iloc[0], group.iloc[-1]
        change = max(np.abs(last[c] - first[c]).max() for c in ("dense", "hessian"))
        rows.append({"k": k, "draws": int(first["draws"]), "dense": first["dense"].mean(), "dense, longer": last["dense"].mean(),
                     "hessian": first["hessian"].mean(), "hessian, longer": last["hessian"].mean(),
                     "largest change": change, "cosine with svm": np.nanmean(first["cosine with svm"]),
                     "cosine, longer": np.nanmean(last["cosine with svm"])})
    return pd.DataFrame(rows)


def loss_gaps(runs: dict, k: int, panels="ab", rules=("dense", "hessian")) -> pd.DataFrame:
    """Logistic minus least-squares error at size k, paired over the shared draws
    (:func:`overparam.reports.classification_claims.paired_gap`): one row per panel and rule, with the
    mean and its 95% interval."""
    return pd.DataFrame([dict(zip(["panel", "rule", "mean", "low", "high"],
                                  (panel, rule, *paired_gap(runs[panel], f"logistic/{rule}", f"ls/{rule}", k))))
                         for panel in panels for rule in rules])


def hessian_advantage(run: PanelRun, k: int, fits=("ls", "logistic")) -> pd.DataFrame:
    """Magnitude minus Hessian-pruned error at size k, paired over the draws: one row per fit, with the
    mean and its 95% interval."""
    return pd.DataFrame([dict(zip(["fit", "mean", "low", "high"],
                                  (fit, *paired_gap(run, f"{fit}/magnitude", f"{fit}/hessian", k)))) for fit in fits])


def max_margin_sizes(share: pd.DataFrame, panel: str, sizes, full_share: float) -> tuple[pd.Series, pd.Index]:
    """Of :func:`max_margin_share`: the share on one panel at ``sizes`` (by k), and the sizes where it
    reaches ``full_share``."""
    shares = share[(share.panel == panel) & share.k.isin(sizes)].set_index("k").share
    return shares, shares[shares >= full_share].index


def svm_cosines(run: PanelRun) -> pd.Series:
    """The mean cosine between the dense logistic fit and the hard-margin SVM, per logistic size where
    the SVM was fit."""
    return pd.DataFrame(run.svm_cosine, columns=run.logistic_ks).mean().dropna()


def _plain(value):
    """A numpy scalar as the plain Python number the glue stores."""
    return value.item() if isinstance(value, np.generic) else value


def quoted_numbers(params: dict, runs: dict, table: pd.DataFrame, stability: pd.DataFrame, n_of: dict, s_of: dict,
                   logistic_ks, check_ks, full_share: float, wide_bayes: float) -> dict:
    """The run's numbers that the chapter's prose quotes, by glue key (plain Python numbers).

    ``params`` are the chapter's parameters; ``runs`` the panels'
    :class:`overparam.experiments.classification.PanelRun`, ``table`` their tidy table, ``stability``
    the :func:`stability_summary` of the longer descents at ``check_ks``; ``logistic_ks`` the logistic
    sizes asked for (s and p not added), ``full_share`` the share of draws at which the interpolator
    counts as the max-margin classifier, ``wide_bayes`` the Bayes error of panel (c)."""
    p, s = params["p"], params["s"]
    numbers = {**_descent_numbers(params, runs), **_agreement_numbers(table, n_of, s_of),
               **_gap_numbers(runs, logistic_ks, s, p), **_peak_numbers(runs, s_of, n_of),
               **_stability_numbers(params, stability, check_ks), **_refit_numbers(runs["b"], p),
               **_max_margin_numbers(params, runs, table, n_of, full_share, wide_bayes),
               **_best_numbers(runs, s, p, params["logistic_trials"]),
               **_intervals(hessian_advantage(runs["b"], p), lambda row: f"cls-hvm-{row.fit}"),
               "cls-dc-band": declared_tolerance("cls-dc-largest-best"),
               **_finding_numbers(params, runs, logistic_ks)}
    return {key: _plain(value) for key, value in numbers.items()}


def _intervals(gaps: pd.DataFrame, name) -> dict:
    """Each row's mean and 95% interval under the keys name(row), name(row)-low and name(row)-high."""
    return {f"{name(row)}{key}": getattr(row, column) for row in gaps.itertuples()
            for key, column in [("", "mean"), ("-low", "low"), ("-high", "high")]}


def _descent_numbers(params: dict, runs: dict) -> dict:
    """Gradient descent's settings, its misses and the separability thresholds of panels (a) and (b)."""
    descent = descent_summary(runs)
    numbers = {"cls-tolerance": params["tolerance"], "cls-cap": params["max_iterations"],
               "cls-logistic-trials": params["logistic_trials"],
               "cls-not-converged": int(descent["dense not converged"].sum()),
               "cls-refits-not-converged": int(descent["refits not converged"].sum()),
               "cls-fits": int(len(descent) * params["logistic_trials"])}
    for q in "ab":
        numbers |= {f"cls-threshold-{q}": separation_threshold(runs[q]),
                    f"cls-threshold-{q}-min": int(runs[q].separation_sizes.min()),
                    f"cls-threshold-{q}-max": int(runs[q].separation_sizes.max())}
    return numbers | {"cls-n": params["n"], "cls-half-n": params["n"] // 2}


def _agreement_numbers(table: pd.DataFrame, n_of: dict, s_of: dict) -> dict:
    """The share of least-squares points that agree with the prediction and that disagree, per panel,
    and the same for the deliberately wrong dense prediction."""
    margin = declared_tolerance("cls-dc-agreement")
    points = ls_agreement_points(table, n_of, s_of)
    wrong = dense_for_every_rule(points, table)
    numbers = {}
    for q in n_of:
        counts = {name: point_counts(advantage_states(these[these.panel == q], margin))
                  for name, these in [("", points), ("-wrong", wrong)]}
        numbers |= {f"cls-agree-{q}": counts[""]["agree"] / counts[""]["points"],
                    f"cls-agree-wrong-{q}": counts["-wrong"]["agree"] / counts["-wrong"]["points"]}
        numbers |= {f"cls-disagree{name}-{q}": count["disagree"] / count["points"] for name, count in counts.items()}
    return numbers | {"cls-disagree-total": point_counts(advantage_states(points, margin))["disagree"],
                      "cls-agree-points": len(points), "cls-agree-margin": margin}


def _gap_numbers(runs: dict, logistic_ks, s: int, p: int) -> dict:
    """Logistic minus least squares at k = p, and the widest dense gap past k = s."""
    numbers = _intervals(loss_gaps(runs, p), lambda row: f"cls-gap-{row.panel}-{row.rule}-p")
    gaps = {(q, k): paired_gap(runs[q], "logistic/dense", "ls/dense", k) for q in "ab" for k in logistic_ks if k > s}
    (_, k_near), widest = min(gaps.items(), key=lambda item: item[1][0])
    return numbers | {"cls-gap-peak": -widest[0], "cls-gap-peak-k": k_near}


def _peak_numbers(runs: dict, s_of: dict, n_of: dict) -> dict:
    """The errors at k = s, at the peak fixed in advance and at k = p of every fit and rule on panels (a)
    and (b), the peaks' sizes, how much lower the cross-entropy peak is, and the stopped iterate against
    the SVM."""
    rows, numbers = peak_sizes({q: runs[q] for q in "ab"}, s_of, n_of).set_index(["panel", "curve"]), {}
    for (q, curve), row in rows.iterrows():
        fit, rule = CurveName.parse(curve).fit, CurveName.parse(curve).pipeline
        numbers[f"cls-peak-{q}-{fit}-k"] = int(row["peak k"])
        for col, key in [("error at k = s", "s"), ("error there", "peak"), ("error at k = p", "p")]:
            numbers[f"cls-peak-{q}-{fit}-{rule}-{key}"] = row[col]
    for q in "ab":
        numbers |= dict(zip([f"cls-peak-drop-{q}", f"cls-peak-drop-{q}-low", f"cls-peak-drop-{q}-high"],
                            t_interval(peak_drop(runs[q], n_of[q]))))
    gaps = svm_gap_summary(runs)
    for name, panels in [("", "ab"), ("-c", "c")]:
        here = gaps[gaps.panel.isin(list(panels))]
        worst = here.loc[here["largest |gap|"].idxmax()]
        largest = here[here.k == here.groupby("panel").k.transform("max")]  # k = p of each panel
        numbers |= {f"cls-svm-gap{name}-max": worst["largest |gap|"], f"cls-svm-gap{name}-max-k": int(worst.k),
                    f"cls-svm-gap{name}-p": float(largest["largest |gap|"].max()),
                    f"cls-svm-gap{name}-mean-max": float(here["mean gap"].abs().max()),
                    f"cls-svm-cosine{name}-min": float(here.cosine.min())}
    return numbers


def _stability_numbers(params: dict, stability: pd.DataFrame, check_ks) -> dict:
    """The check that runs gradient descent longer: its settings and how little the errors move."""
    return {"cls-check-draws": params["check_draws"],
            "cls-check-change": float(f"{stability['largest change'].max():.1g}"),
            "cls-check-k": check_ks[0],
            "cls-check-cosine": float(f"{stability['cosine with svm'].iloc[-1]:.3f}"),
            "cls-check-cosine-long": float(f"{stability['cosine, longer'].iloc[-1]:.3f}"),
            "cls-check-steps-factor": params["check_iterations"] // params["max_iterations"],
            "cls-check-tol-factor": round(params["tolerance"] / params["check_tolerance"])}


def _refit_numbers(run: PanelRun, p: int) -> dict:
    """What refitting the Hessian-pruned largest model costs, and the two least-squares refits."""
    refit = refit_summary(run, p).set_index(["fit", "rule"])
    ls, logistic = refit.loc[("ls", "hessian")], refit.loc[("logistic", "hessian")]
    return {"cls-refit-ls-cost": float(ls["refit, same sample"] - ls["pruned"]),
            "cls-refit-logistic-cost": float(logistic["refit, same sample"] - logistic["pruned"]),
            "cls-refit-same": float(ls["refit, same sample"]), "cls-refit-fresh": float(ls["refit, fresh sample"])}


def _max_margin_numbers(params: dict, runs: dict, table: pd.DataFrame, n_of: dict, full_share: float,
                        wide_bayes: float) -> dict:
    """Where the interpolator is the max-margin classifier, and how close logistic regression, the
    prediction and chance are there (panel c)."""
    n, wide_n = params["n"], params["wide_n"]
    share = max_margin_share({q: (runs[q], n_of[q]) for q in runs})
    wide_share, full = max_margin_sizes(share, "c", runs["c"].logistic_ks, full_share)
    wide = fit_comparison(table[table.panel == "c"], rules=("dense", "magnitude", "hessian"))
    covered, cosines, nan = wide[wide.k.isin(full)], svm_cosines(runs["c"]), float("nan")
    gap = covered["logistic - prediction"].abs()
    return {"cls-full-share": full_share, "cls-full-from": int(full.min()) if len(full) else -1,
            "cls-full-from-share": float(wide_share[full.min()]) if len(full) else nan,
            "cls-full-per-sample": round(full.min() / wide_n) if len(full) else -1,
            "cls-ab-max-share": float(share[share.panel != "c"].share.max()),
            "cls-wide-n": wide_n, "cls-wide-p": params["wide_p"], "cls-wide-s": params["wide_s"],
            "cls-wide-ratio": params["wide_ratio"], "cls-nlogn": int(round(n * np.log(n), -2)),
            "cls-p": params["p"],
            "cls-wide-gap": float(gap.max()) if len(covered) else nan,
            "cls-wide-gap-advantage": float((gap / (0.5 - covered["ls prediction"])).max()) if len(covered) else nan,
            "cls-wide-cosine-min": float(f"{cosines[cosines.index.isin(full)].min():.3f}") if len(full) else nan,
            "cls-wide-bayes": wide_bayes,
            "cls-wide-chance-gap": float(0.5 - covered["ls prediction"].max()) if len(full) else nan}


def _best_numbers(runs: dict, s: int, p: int, logistic_trials: int) -> dict:
    """The best other size against the largest model (Hessian), the held-out version for logistic
    regression on panel (b), and the loss's interaction there."""
    rows, numbers = best_sizes(runs).set_index(["panel", "curve"]), {}
    for fit in ["ls", "logistic"]:
        numbers[f"cls-best-a-{fit}"] = -rows.loc[("a", f"{fit}/hessian"), "difference"]
        for col, key in [("difference", ""), ("best other k", "-k"), ("ci_low", "-low"), ("ci_high", "-high")]:
            value = rows.loc[("b", f"{fit}/hessian"), col]
            numbers[f"cls-best-b-{fit}{key}"] = int(value) if key == "-k" else value
    held_k, first, held = held_out_difference(runs["b"], "logistic/hessian")
    bounds = ["", "-low", "-high"]
    interaction = t_interval(loss_interaction(runs["b"], s, p))
    numbers |= {f"cls-interaction{key}": value for key, value in zip(bounds, interaction)}
    numbers |= {f"cls-held-b-logistic{key}": value for key, value in zip(bounds, t_interval(held))}
    return numbers | {"cls-held-b-logistic-k": held_k, "cls-held-draws": logistic_trials - first}


def _finding_numbers(params: dict, runs: dict, logistic_ks) -> dict:
    """The numbers of the chapter's summary: the least-squares peak of panel (b) and the gap of the
    losses at k <= s."""
    n, s, p = params["n"], params["s"], params["p"]
    ls_peak = min(runs["b"].ks, key=lambda k: abs(k - 1.05 * n))
    numbers = {"cls-dc-check-draws": params["dc_check_draws"], "cls-trials": params["trials"], "cls-ls-peak-k": ls_peak}
    numbers |= {f"cls-ls-hessian-b-{label}": runs["b"].draws("ls/hessian", k).mean()
                for label, k in [("s", s), ("peak", ls_peak), ("p", p)]}
    small = [(q, k) for q in "ab" for k in logistic_ks if k <= s]
    small_gap = max(abs(paired_gap(runs[q], "logistic/dense", "ls/dense", k)[0]) for q, k in small)
    ce = runs["b"].cross_entropy_hessian[:, runs["b"].logistic_ks.index(p)].mean()
    numbers |= dict(zip(["cls-ce-hessian-gap", "cls-ce-hessian-gap-low", "cls-ce-hessian-gap-high"],
                        t_interval(cross_entropy_hessian_gap(runs["b"], p))))
    return numbers | {"cls-small-gap": small_gap, "cls-ce-hessian-b-p": ce,
                      "cls-hessian-b-logistic-p": runs["b"].draws("logistic/hessian", p).mean()}
