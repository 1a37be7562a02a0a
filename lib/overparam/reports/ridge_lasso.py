"""Ridge or the Lasso (chapter 10, beyond the paper): every pipeline to s weights at k = p with each fit
at its tuned penalty, the better regularizer for the pruned model as a paired comparison, its claims (at
the chapter's problem and on a second law of theta*) and the numbers the prose quotes. ``theory`` and
``simulated`` are those of :mod:`overparam.experiments.ridge_pruning`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from overparam.book.claims import claim
from overparam.book.stats import t_interval
from overparam.book.verdicts import comparison
from overparam.experiments.ridge_pruning import LASSO


def pipelines_at_p(theory: pd.DataFrame, simulated: dict, p: int) -> pd.DataFrame:
    """Every pipeline to s weights at k = p with plain ridge and with the Lasso, each at the mu tuned for it (the
    Lasso's own support: at the mu with s non-zeros predicted): mu, theory risk, simulated mean and 95% interval."""
    rows = []
    chosen = theory[(theory.k == p) & theory.penalty.isin(["identity", LASSO]) & (theory.curve != "dense")
                    & theory.tuning.isin(["prune-optimal", "support-size"])]
    for row in chosen.itertuples():
        draws = simulated[(row.curve, p, float(row.mu), row.penalty)]
        count = simulated.get(("non-zeros", p, float(row.mu), row.penalty)) if row.curve.startswith("support") else None
        _, low, high = t_interval(draws)
        rows.append({"fit": "Lasso" if row.penalty == LASSO else "ridge", "pipeline": row.curve, "mu": row.mu,
                     "risk (theory)": row.risk, "risk (simulation)": draws.mean(), "ci_low": low, "ci_high": high,
                     "weights kept": np.mean(count) if count is not None else np.nan})
    return pd.DataFrame(rows).set_index(["fit", "pipeline"])


def best_regularizer(theory: pd.DataFrame, simulated: dict, p: int) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """The best pipeline to s weights at k = p with plain ridge and with the Lasso, each the one of lowest
    theory risk in :func:`pipelines_at_p` (its mu tuned for it), and per trial the paired relative
    difference (Lasso's risk - ridge's risk) / ridge's mean risk (same training sample): positive when
    ridge makes the better pruned model."""
    table = pipelines_at_p(theory, simulated, p)
    ridge, lasso = (table.loc[fit]["risk (theory)"].idxmin() for fit in ("ridge", "Lasso"))
    draws = {fit: simulated[(curve, p, float(table.loc[(fit, curve), "mu"]), penalty)]
             for fit, curve, penalty in (("ridge", ridge, "identity"), ("Lasso", lasso, LASSO))}
    return (table.loc[("ridge", ridge)].rename(ridge), table.loc[("Lasso", lasso)].rename(lasso),
            (draws["Lasso"] - draws["ridge"]) / draws["ridge"].mean())


def best_regularizer_verdict(theory: pd.DataFrame, simulated: dict, p: int):
    """"Tuned ridge makes a better pruned model at k = p than the tuned Lasso": :func:`best_regularizer`'s paired comparison."""
    ridge, lasso, differences = best_regularizer(theory, simulated, p)
    return comparison(differences, what=f"(Lasso, {lasso.name} - ridge, {ridge.name}) / ridge risk")


def regularizer_numbers(theory: pd.DataFrame, simulated: dict, p: int, prefix: str = "ridge-lasso") -> dict:
    """The numbers the prose quotes about :func:`best_regularizer`, by glue key under ``prefix``: each
    fit's best pipeline and its theory and simulated risks, the paired relative difference with its 95%
    interval, the status of :func:`best_regularizer_verdict` and, in words, the fit it finds better."""
    ridge, lasso, differences = best_regularizer(theory, simulated, p)
    mean, low, high = t_interval(differences)
    status = best_regularizer_verdict(theory, simulated, p).status
    winner = {"reproduced": "ridge", "not reproduced": "the Lasso"}.get(status, "neither (the interval contains 0)")
    numbers = {f"{prefix}-difference": mean, f"{prefix}-low": low, f"{prefix}-high": high,
               f"{prefix}-status": status, f"{prefix}-winner": winner,
               f"{prefix}-theory-gap": float(lasso["risk (theory)"] / ridge["risk (theory)"] - 1)}
    for fit, row in (("ridge", ridge), ("lasso", lasso)):
        numbers.update({f"{prefix}-{fit}-pipeline": row.name, f"{prefix}-{fit}-theory": float(row["risk (theory)"]),
                        f"{prefix}-{fit}-simulation": float(row["risk (simulation)"])})
    return numbers


def lasso_claims(theory: pd.DataFrame, simulated: dict, p: int, check_theory: pd.DataFrame,
                 check_simulated: dict, check_law: str) -> list:
    """"Tuned ridge makes a better pruned model at k = p than the tuned Lasso" (:func:`best_regularizer_verdict`),
    as a claim of the book at the chapter's problem and, as its variant, on the problem with theta* of law
    ``check_law`` (where the Lasso might win)."""
    text = ("with each penalty tuned, the best ridge pipeline to s weights at k = p has a lower risk than the best "
            "Lasso pipeline (simulation, paired: same training samples)")
    return [claim("ridge-lasso-best-pruned", "Sec. 5 (open question)", text,
                  best_regularizer_verdict(theory, simulated, p), origin="beyond"),
            claim("ridge-lasso-best-pruned", "Sec. 5 (open question)", f"{text}; theta* {check_law}",
                  best_regularizer_verdict(check_theory, check_simulated, p), origin="beyond", variant=check_law)]
