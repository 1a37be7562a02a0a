"""Summaries, per-layer densities, quoted numbers and claim checks of a network width sweep (Fig. 1,
5, 6), shared by the network chapters; its figure is in :mod:`overparam.reports.network_figures`."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from overparam.book.stats import mean_ci
from overparam.book.claims import claim
from overparam.book.tidy import write_csv
from overparam.book.claim_table import tolerance
from overparam.book.verdicts import Verdict, comparison, double_descent, inconclusive, non_inferiority
from overparam.networks.models import prunable_layers

SPLITS = ["test_error", "train_error", "validation_error"]
SPARSE_VARIANTS = ["magnitude+retrain", "magnitude", "random+retrain", "random-layerwise+retrain",
                   "magnitude-reinit+retrain"]


@dataclass(frozen=True)
class SweepTables:
    """A sweep's tidy tables: one row per run, the errors' means and intervals over seeds, and the
    kept weights per layer of every pruned net."""

    runs: pd.DataFrame
    summary: pd.DataFrame
    density: pd.DataFrame


def sweep_tables(rows: list[dict], architecture: str) -> SweepTables:
    """The tidy tables of a sweep's result rows (overparam.networks.training.sweep)."""
    runs = pd.DataFrame(rows).drop(columns="seconds")
    return SweepTables(runs, summarize_runs(runs), layer_density(runs, architecture))


def write_sweep_tables(tables: SweepTables, results_dir, architecture: str) -> str:
    """Write ``<architecture>_runs.csv``, ``<architecture>_errors.csv`` and ``layer_density.csv``;
    return a line that says what each holds."""
    write_csv(tables.runs.drop(columns="kept_per_layer"), results_dir, f"{architecture}_runs.csv")
    write_csv(tables.summary, results_dir, f"{architecture}_errors.csv")
    write_csv(tables.density, results_dir, "layer_density.csv")
    return (f"{len(tables.runs)} runs; files: {architecture}_runs.csv (one row per run), {architecture}_errors.csv "
            "(means and 95% t-intervals over seeds), layer_density.csv (kept weights per layer of every pruned net)")


def summarize_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% Student-t interval over seeds of each error, per (variant, base, width)."""
    rows = []
    keys = [runs.variant, runs.base_width.fillna(0).astype(int), runs.width]
    for (variant, base, width), group in runs.groupby(keys, sort=False):
        entry = {"variant": variant, "base_width": base or None, "width": width, "runs": len(group)}
        for split in [split for split in SPLITS if split in runs]:
            mean, low, high = mean_ci(group[split].to_numpy(), student=True)
            entry.update({split: mean, f"{split}_ci_low": low, f"{split}_ci_high": high})
        rows.append(entry)
    return pd.DataFrame(rows)


def _errors(runs: pd.DataFrame, variant: str, width: int, base=None, split: str = "test_error") -> pd.Series:
    """One variant's error at one width (and sparsity target), indexed by seed."""
    chosen = runs[(runs.variant == variant) & (runs.width == width)]
    if base is not None:
        chosen = chosen[chosen.base_width == base]
    return chosen.set_index("seed")[split].sort_index()


def _steps(runs, variant, widths, base, split="test_error") -> list[Verdict]:
    """Paired comparisons between consecutive widths: a positive difference is a fall of the error."""
    return [comparison(_errors(runs, variant, a, base, split), _errors(runs, variant, b, base, split),
                       what="the error falls")
            for a, b in zip(widths, widths[1:])]


def best_pruned_width(summary: pd.DataFrame, base: int, widths) -> tuple[int, list[int]] | None:
    """The width whose magnitude-pruned and retrained network has the lowest mean *validation* error
    at sparsity target ``base`` (the test error it is judged by plays no part in the choice), and
    all the widths pruned to that target; None when ``base`` was not trained or nothing was pruned to it.
    Raises ValueError when the summary has no validation error (choosing on the test error would
    judge the choice by the numbers that made it)."""
    if "validation_error" not in summary:
        raise ValueError("best_pruned_width chooses on the validation error, and this summary has none "
                         "(run the sweep with a validation split, n_validation > 0)")
    candidates = summary[(summary.variant == "magnitude+retrain") & (summary.base_width == base)]
    if candidates.empty or base not in widths:
        return None
    return int(candidates.loc[candidates["validation_error"].idxmin()].width), sorted(int(w) for w in candidates.width)


def plateau_epochs(runs: pd.DataFrame, base: int) -> pd.Series:
    """The epoch of the best validation error of the width-``base`` network trained to a plateau
    (variant ``dense-plateau``), indexed by seed."""
    return _errors(runs, "dense-plateau", base, split="epochs").astype(int)


def sweep_headline(tables: SweepTables, widths, base_widths) -> dict:
    """The numbers the chapters quote (for ``glue``), at the first sparsity target with a comparison:
    the target, the best pruned width and its mean test error, the small network's mean test error
    trained once, twice as long, and to a plateau of its validation error (with the mean, smallest
    and largest epoch of its best validation error), and the smallest and largest kept fraction of
    the first prunable layer of the widest pruned network over all targets (mean over seeds).
    Plain Python numbers."""
    for base in base_widths:
        chosen = best_pruned_width(tables.summary, base, widths)
        if chosen is not None:
            break
    else:
        raise ValueError(f"no sparsity target among {base_widths} has a pruned network and a small network to compare")
    best, _ = chosen
    first = density_table(tables.density).iloc[0, 2:]
    epochs = plateau_epochs(tables.runs, base)
    return {"target": int(base), "best-width": best,
            "pruned-error": float(_errors(tables.runs, "magnitude+retrain", best, base).mean()),
            "small-error": float(_errors(tables.runs, "dense", base).mean()),
            "small-2x-error": float(_errors(tables.runs, "dense-2x", base).mean()),
            "small-plateau-error": float(_errors(tables.runs, "dense-plateau", base).mean()),
            "plateau-epochs-mean": float(epochs.mean()), "plateau-epochs-min": int(epochs.min()),
            "plateau-epochs-max": int(epochs.max()),
            "first-layer-kept-min": float(first.min()), "first-layer-kept-max": float(first.max())}


OPTIMIZER_NAMES = {"adam": "Adam", "sgd": "SGD with momentum"}  # as the prose names them


def enumeration(values) -> str:
    """Values as prose: ``"2"``, ``"2 and 3"``, ``"2, 3, 4 and 6"``."""
    words = [str(value) for value in values]
    if not words:
        raise ValueError("nothing to enumerate")
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def run_settings(data: dict, widths, base_widths, config, plateau, seeds) -> dict:
    """A sweep's settings and data sizes as its page quotes them (plain values for ``glue``): the
    training images (``train-images``), those held out for validation, both together (``images``), the
    test images,
    the widths and the sparsity targets as prose with their count, the narrowest and widest width,
    the epochs (and twice them), batch size, learning rate, optimizer, the plateau's patience and
    cap, the number of seeds, of classes and the error of chance (guessing); for images, also
    their side in pixels and their channels. ``data`` as overparam.networks.images.sweep_data
    gives it, ``config`` a TrainConfig, ``plateau`` a Plateau."""
    train, validation = int(data["x_train"].shape[0]), int(data["x_validation"].shape[0])
    classes = int(max(data[key].max() for key in ("y_train", "y_validation", "y_test"))) + 1
    settings = {"train-images": train, "validation-images": validation, "images": train + validation,
                "test-images": int(data["x_test"].shape[0]),
                "widths": enumeration(widths), "width-count": len(widths), "narrowest": int(min(widths)),
                "widest": int(max(widths)), "targets": enumeration(base_widths), "target-count": len(base_widths),
                "epochs": int(config.epochs), "epochs-2x": 2 * int(config.epochs), "batch-size": int(config.batch_size),
                "learning-rate": float(config.learning_rate), "optimizer": OPTIMIZER_NAMES[config.optimizer],
                "patience": int(plateau.patience), "max-epochs": int(plateau.max_epochs), "seeds": len(seeds),
                "classes": classes, "chance-error": 1 - 1 / classes}
    if data["x_train"].ndim == 4:  # images: (count, channels, height, width)
        settings.update({"image-side": int(data["x_train"].shape[-1]), "channels": int(data["x_train"].shape[1])})
    return settings


def paired_sides(runs: pd.DataFrame, summary: pd.DataFrame, widths, base: int) -> dict | None:
    """The two sides (indexed by seed) of each paired comparison :func:`sweep_claims` makes at
    sparsity target ``base``, ordered so that a positive difference is the claim, keyed by the
    claim's name without its figure prefix; None when nothing was pruned to ``base``. The small
    network is trained to a plateau (``pruned-beats-small-plateau``) or for as many epochs as the
    pruned one got in all (``pruned-beats-small-equal-epochs``); the controls at the widest width.
    With two or more widths pruned to ``base``, also the trends from the narrowest to the widest of
    them; ``no-retrain-wider-no-better`` is judged against its declared margin (a non-inferiority:
    the claim is a difference above minus the margin), the others against zero."""
    chosen = best_pruned_width(summary, base, widths)
    if chosen is None:
        return None
    best, wide = chosen
    narrowest, widest = wide[0], wide[-1]
    at = {variant: _errors(runs, variant, widest, base) for variant in SPARSE_VARIANTS}
    pruned = _errors(runs, "magnitude+retrain", best, base)
    sides = {"pruned-beats-small-plateau": (_errors(runs, "dense-plateau", base), pruned),
             "pruned-beats-small-equal-epochs": (_errors(runs, "dense-2x", base), pruned),
             "magnitude-beats-random": (np.minimum(at["random+retrain"], at["random-layerwise+retrain"]),
                                        at["magnitude+retrain"]),
             "retraining-helps": (at["magnitude"], at["magnitude+retrain"]),
             "pruned-weights-matter": (at["magnitude-reinit+retrain"], at["magnitude+retrain"])}
    if len(wide) > 1:
        no_retrain_rise = (at["magnitude"], _errors(runs, "magnitude", narrowest, base))
        sides.update({
            "pruned-error-falls": (_errors(runs, "magnitude+retrain", narrowest, base), at["magnitude+retrain"]),
            "pruned-train-error-falls": (_errors(runs, "magnitude+retrain", narrowest, base, "train_error"),
                                         _errors(runs, "magnitude+retrain", widest, base, "train_error")),
            "no-retrain-wider-no-better": no_retrain_rise,
            "no-retrain-error-grows": no_retrain_rise})
    return sides


# What each figure of the paper says, per architecture: the claim ids' prefixes and references, and
# whether the paper sees a double descent of the pruned network's test error along the width
# (ResNet-20, Sec. 3.3: "except for the shaded double descent range"; the two-layer network, Sec. A.2:
# "double descent is not really visible").
PAPER_FIGURES = {
    "mlp": {"main": ("fig6", "Fig. 6(a)"), "random": ("fig6", "Fig. 6(b)"), "retrain": ("fig6", "Fig. 6(c)"),
            "double_descent": False},
    "resnet20": {"main": ("fig1", "Fig. 1"), "random": ("fig5a", "Fig. 5(a)"), "retrain": ("fig5b", "Fig. 5(b)"),
                 "double_descent": True},
}


# the paper's figure of each claim of :func:`sweep_claims` other than its main figure's
FIGURE_OF_CLAIM = {"magnitude-beats-random": "random", "retraining-helps": "retrain",
                   "no-retrain-wider-no-better": "retrain", "no-retrain-error-grows": "retrain"}


def figure_prefix(architecture: str, key: str) -> str:
    """The figure prefix of a claim id of :func:`sweep_claims` (``fig1``, ``fig5a``, ...)."""
    return PAPER_FIGURES[architecture][FIGURE_OF_CLAIM.get(key, "main")][0]


def sweep_claims(runs: pd.DataFrame, summary: pd.DataFrame, widths, base_widths, architecture: str,
                 scale: str) -> tuple[list[str], list[dict]]:
    """The paper's claims for each sparsity target (and ours beside them), judged on differences
    paired over seeds by the rules of overparam.book.verdicts: printed lines and claim rows
    (ids declared in overparam.book.claim_table; ``scale`` from
    overparam.networks.settings.recipe_scale).

    The best width is the one with the lowest mean *validation* error of magnitude + retrain (the
    test error it is judged by plays no part in the choice). "Pruned beats small" is judged against
    the small network trained to a plateau of its validation error (``dense-plateau``), and beside
    it against the small network trained for as many epochs as the pruned one got in all (dense
    training plus retraining, ``dense-2x``), which cannot tell a faster start from a lower error.
    Without retraining, the paper's "does not help" is scored by non-inferiority (the widest pruned
    network is not better than the narrowest one by more than the declared margin) and our stronger
    "the error grows with the width" beside it as ``paper-extended``.
    """
    figures = PAPER_FIGURES[architecture]
    lines, claims = [], []
    for base in base_widths:
        chosen = best_pruned_width(summary, base, widths)
        if chosen is None:
            continue
        best, wide = chosen
        widest = wide[-1]
        sides = paired_sides(runs, summary, widths, base)
        small = _errors(runs, "dense", base)
        (grown, pruned), (long, _) = sides["pruned-beats-small-plateau"], sides["pruned-beats-small-equal-epochs"]
        epochs = plateau_epochs(runs, base)
        chosen_text = f" (pruned from width {best}, chosen on validation)"
        gain = comparison(grown, pruned, what="error gain")
        gain = replace(gain, measured=gain.measured + chosen_text)
        gain_long = comparison(long, pruned, what="error gain")
        gain_long = replace(gain_long, measured=gain_long.measured + chosen_text)
        lines.append(f"width {base} target: small network {small.mean():.3f}, "
                     f"{long.mean():.3f} trained twice as long, {grown.mean():.3f} trained to a plateau (best validation "
                     f"epoch {', '.join(str(e) for e in epochs)} per seed); magnitude + retrain from width {best} "
                     f"(lowest validation error) {pruned.mean():.3f}")
        lines.append(f"  against the plateau: {gain.measured}; against twice the epochs: {gain_long.measured}")
        lines.append(f"  at width {widest}: " + ", ".join(f"{v} {_errors(runs, v, widest, base).mean():.3f}"
                                                         for v in SPARSE_VARIANTS))
        test_steps = _steps(runs, "magnitude+retrain", wide, base)
        lines.append(f"  magnitude + retrain along the widths {wide}: "
                     + ", ".join(f"{v.measured}" for v in test_steps))
        one_width = len(wide) < 2

        def trend(rule, name="comparison", margin=None):
            if one_width:
                return replace(inconclusive(f"only one width ({widest}) above the target", rule=name), tolerance=margin)
            return rule()

        narrowest = wide[0]
        main, random_fig, retrain_fig = figures["main"], figures["random"], figures["retrain"]
        dd_present = figures["double_descent"]
        margin = tolerance(f"{retrain_fig[0]}-no-retrain-wider-no-better")
        rows = [
            (main, "pruned-beats-small-plateau", "claim", "paper",
             "a wide network pruned to width {b}'s size and retrained beats the width-{b} network trained to a "
             "plateau of its validation error", gain),
            (main, "pruned-beats-small-equal-epochs", "claim", "paper",
             "a wide network pruned to width {b}'s size and retrained beats the width-{b} network trained for as many "
             "epochs in all", gain_long),
            (random_fig, "magnitude-beats-random", "claim", "paper",
             "magnitude beats random pruning, both retrained (target width {b}, width {w})",
             comparison(*sides["magnitude-beats-random"], what="error of the better random minus magnitude")),
            (retrain_fig, "retraining-helps", "claim", "paper",
             "retraining helps after magnitude pruning (target width {b}, width {w})",
             comparison(*sides["retraining-helps"], what="error without minus with retraining")),
            (main, "pruned-weights-matter", "claim", "beyond",
             "the pruned weights matter: retraining them beats the same mask re-initialised (target width {b}, width {w})",
             comparison(*sides["pruned-weights-matter"], what="error re-initialised minus retrained")),
            (main, "pruned-error-falls", "claim", "paper",
             "the pruned and retrained network's test error falls from the narrowest to the widest network (target width {b})",
             trend(lambda: comparison(*sides["pruned-error-falls"], what="the test error falls"))),
            (main, "double-descent" if dd_present else "no-clear-double-descent", "claim", "paper",
             ("the pruned and retrained network's test error shows a double descent in width (target width {b})"
              if dd_present else
              "the pruned and retrained network's test error shows no clear double descent in width (target width {b})"),
             trend(lambda: double_descent(test_steps, wide, present=dd_present), "double descent")),
            (main, "pruned-train-error-falls", "claim", "paper",
             "the pruned and retrained network's training error falls from the narrowest to the widest network (target width {b})",
             trend(lambda: comparison(*sides["pruned-train-error-falls"], what="the training error falls"))),
            (retrain_fig, "no-retrain-wider-no-better", "claim", "paper",
             "without retraining, pruning a wider network does not help: the widest network pruned without retraining "
             "is not better than the narrowest one (target width {b})",
             trend(lambda: non_inferiority(np.subtract(*sides["no-retrain-wider-no-better"]).to_numpy(), margin,
                                           what=f"error at width {widest} minus width {narrowest}"),
                   "non-inferiority", margin)),
            (retrain_fig, "no-retrain-error-grows", "claim", "paper-extended",
             "without retraining, the pruned network's test error grows with the width it was cut from (target width {b})",
             trend(lambda: comparison(*sides["no-retrain-error-grows"], what="the test error rises"))),
        ]
        for (prefix, paper), key, kind, origin, text, verdict in rows:
            claims.append(claim(f"{prefix}-{key}", paper, text.format(b=base, w=widest), verdict, origin=origin,
                                kind=kind, scale=scale, variant=f"target-{base}"))
    return lines, claims


def layer_density(runs: pd.DataFrame, architecture: str) -> pd.DataFrame:
    """Tidy per-layer density of every pruned net: one row per (variant, base width, width, seed,
    layer) with the kept and total weights of that prunable layer."""
    layers = {width: prunable_layers(architecture, width) for width in runs.width.unique()}
    rows = []
    for run in runs[runs.kept_per_layer.notna()].itertuples():
        names, sizes = layers[run.width]
        for layer, kept, total in zip(names, run.kept_per_layer, sizes):
            rows.append({"variant": run.variant, "base_width": int(run.base_width), "width": run.width, "seed": run.seed,
                         "layer": layer, "kept": kept, "weights": total, "density": kept / total})
    return pd.DataFrame(rows)


def density_table(density: pd.DataFrame, variant: str = "magnitude+retrain") -> pd.DataFrame:
    """Kept fraction of each layer of the widest pruned network, per sparsity target (mean over seeds)."""
    chosen = density[density.variant == variant]
    widest = chosen.groupby("base_width").width.transform("max")
    chosen = chosen[chosen.width == widest]
    table = chosen.pivot_table(index=["layer", "weights"], columns=["base_width", "width"], values="density",
                               aggfunc="mean", sort=False)
    table.columns = [f"target {b}, from width {w}" for b, w in table.columns]
    return table.reset_index()
