"""Training, evaluation and the resumable train-prune-retrain width sweep (paper Fig. 1, 5, 6)."""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from overparam.book.files import write_atomic
from overparam.networks.models import (apply_masks, build_model, kept_per_layer, magnitude_masks, mlp_parameter_count,
                                       nonzero_parameters, random_masks, recalibrate_batch_norm,
                                       resnet20_parameter_count, weights_to_keep)

# ---------------------------------------------------------------- training

@dataclass(frozen=True)
class TrainConfig:
    """The recipe, used for dense training and for retraining alike."""

    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    augment: bool = False  # random crops and flips (CIFAR-10)
    optimizer: str = "adam"  # "adam", or "sgd" (with momentum and weight decay)
    momentum: float = 0.9  # sgd only
    weight_decay: float = 0.0


OPTIMIZERS = ("adam", "sgd")


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """Adam, or SGD with momentum, with the config's learning rate and weight decay. Both update all
    tensors in one call (``foreach``, torch's default on a GPU only): the same arithmetic tensor by
    tensor, so the same weights bit for bit, with less Python work a step on the CPU."""
    if config.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay,
                                foreach=True)
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.learning_rate, momentum=config.momentum,
                               weight_decay=config.weight_decay, foreach=True)
    raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {config.optimizer!r}")


def resolve_device(device: str) -> torch.device:
    """``"cpu"``, ``"cuda"`` (an error if no GPU is visible) or ``"auto"``."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device='cuda' was asked for, but torch sees no CUDA GPU on this machine; use device='cpu'")
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu', 'cuda' or 'auto', got {device!r}")
    return torch.device(device)


def _augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random 4-pixel-padded crops and horizontal flips, each image its own crop and flip, batched on
    the tensor's device."""
    n, channels, height, width = x.shape
    padded = F.pad(x, (4, 4, 4, 4))
    dy, dx = (torch.randint(0, 9, (2, n), generator=generator)).to(x.device)
    rows = (dy[:, None] + torch.arange(height, device=x.device))[:, None, :, None]
    cols = (dx[:, None] + torch.arange(width, device=x.device))[:, None, None, :]
    x = padded[torch.arange(n, device=x.device)[:, None, None, None], torch.arange(channels, device=x.device)[None, :, None, None],
               rows, cols]
    flip = torch.rand(n, generator=generator) < 0.5
    return torch.where(flip.to(x.device)[:, None, None, None], x.flip(3), x)


def _epoch(model: nn.Module, optimizer: torch.optim.Optimizer, data: dict, config: TrainConfig,
           generator: torch.Generator) -> None:
    """One pass over the training images in a fresh random order, in mini-batches."""
    x, y = data["x_train"], data["y_train"]
    use_amp = x.device.type == "cuda"
    model.train()
    order = torch.randperm(x.shape[0], generator=generator).to(x.device)
    for start in range(0, x.shape[0], config.batch_size):
        batch = order[start:start + config.batch_size]
        inputs = _augment(x[batch], generator) if config.augment else x[batch]
        with torch.autocast(device_type=x.device.type, dtype=torch.bfloat16, enabled=use_amp):
            loss = F.cross_entropy(model(inputs), y[batch])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()


def train(model: nn.Module, data: dict, config: TrainConfig, seed: int, progress=None,
          checkpoint: str | Path | None = None) -> nn.Module:
    """The config's optimizer on the cross-entropy; the data stay as tensors on the model's device.

    With ``checkpoint``, the model, the optimizer and the random state are saved there after every
    epoch (written to a temporary file, then renamed), and a run that finds a checkpoint resumes
    after its last finished epoch; the checkpoint is removed when training ends. An interrupted and
    resumed training gives the same weights as an uninterrupted one.
    """
    generator = torch.Generator().manual_seed(seed)
    optimizer = make_optimizer(model, config)
    first_epoch = 0
    if checkpoint is not None and Path(checkpoint).exists():
        saved = torch.load(checkpoint, map_location=next(model.parameters()).device, weights_only=False)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        generator.set_state(saved["generator"])
        first_epoch = saved["epoch"] + 1
        if progress is not None:
            progress.update(first_epoch)
    for epoch in range(first_epoch, config.epochs):
        _epoch(model, optimizer, data, config, generator)
        if checkpoint is not None:
            _save_atomic({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                          "generator": generator.get_state(), "epoch": epoch}, Path(checkpoint))
        if progress is not None:
            progress.update(1)
    if checkpoint is not None and Path(checkpoint).exists():
        Path(checkpoint).unlink()
    return model


@dataclass(frozen=True)
class Plateau:
    """Train until the validation error has not improved for ``patience`` epochs, at most
    ``max_epochs``; keep the weights of the epoch with the lowest validation error (the first such
    epoch on ties)."""

    patience: int = 5
    max_epochs: int = 100

    def __post_init__(self):
        if self.patience < 1 or self.max_epochs < 1:
            raise ValueError(f"patience and max_epochs must be at least 1, got {self.patience} and {self.max_epochs}")


def train_to_plateau(model: nn.Module, data: dict, config: TrainConfig, plateau: Plateau, seed: int, progress=None,
                     checkpoint: str | Path | None = None) -> tuple[nn.Module, dict]:
    """Train with the config's recipe (its ``epochs`` ignored) until the validation error
    (``data["x_validation"]``) has not improved for ``plateau.patience`` epochs, or for
    ``plateau.max_epochs`` epochs; load the weights of the best validation epoch into ``model``.

    Returns the model and ``{"epochs": best epoch (1-based), "epochs_run": epochs trained,
    "plateaued": whether it stopped before the cap}``. With ``checkpoint`` it resumes like
    :func:`train` (the best weights so far are saved with it). The progress bar is advanced by
    ``plateau.max_epochs`` in all, the epochs not needed included.
    """
    if "x_validation" not in data:
        raise ValueError("training to a plateau needs a validation split (data['x_validation'])")
    generator = torch.Generator().manual_seed(seed)
    optimizer = make_optimizer(model, config)
    epoch, best_error, best_epoch, best_state = 0, float("inf"), 0, None
    if checkpoint is not None and Path(checkpoint).exists():
        saved = torch.load(checkpoint, map_location=next(model.parameters()).device, weights_only=False)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        generator.set_state(saved["generator"])
        epoch, best_error, best_epoch, best_state = (saved["epoch"], saved["best_error"], saved["best_epoch"],
                                                      saved["best_state"])
        if progress is not None:
            progress.update(epoch)
    while epoch < plateau.max_epochs and (best_state is None or epoch - best_epoch < plateau.patience):
        _epoch(model, optimizer, data, config, generator)
        epoch += 1
        error, _ = evaluate(model, data["x_validation"], data["y_validation"])
        if error < best_error:
            best_error, best_epoch = error, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if checkpoint is not None:
            _save_atomic({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                          "generator": generator.get_state(), "epoch": epoch, "best_error": best_error,
                          "best_epoch": best_epoch, "best_state": best_state}, Path(checkpoint))
        if progress is not None:
            progress.update(1)
    if progress is not None:
        progress.update(plateau.max_epochs - epoch)
    model.load_state_dict(best_state)
    if checkpoint is not None and Path(checkpoint).exists():
        Path(checkpoint).unlink()
    return model, {"epochs": best_epoch, "epochs_run": epoch, "plateaued": epoch - best_epoch >= plateau.patience}


def _save_atomic(state: dict, path: Path) -> None:
    write_atomic(path, lambda temporary: torch.save(state, temporary))


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> tuple[float, float]:
    """Classification error and mean cross-entropy of the model on (x, y)."""
    model.eval()
    wrong, loss = 0, 0.0
    for i in range(0, x.shape[0], batch_size):
        logits = model(x[i:i + batch_size])
        wrong += int((logits.argmax(1) != y[i:i + batch_size]).sum())
        loss += float(F.cross_entropy(logits.float(), y[i:i + batch_size], reduction="sum"))
    return wrong / x.shape[0], loss / x.shape[0]


# ---------------------------------------------------------------- the resumable sweep

VARIANTS = ["dense", "dense-2x", "dense-plateau", "magnitude", "magnitude+retrain", "random+retrain",
            "random-layerwise+retrain", "magnitude-reinit+retrain"]
# dense-2x: a network of a sparsity target's width trained for twice the epochs, the budget of a pruned
# net (dense training plus retraining); dense-plateau: a network of a sparsity target's width trained
# until its validation error stops improving (Plateau), with the weights of its best epoch;
# magnitude-reinit+retrain: the magnitude mask on freshly initialised weights, trained like a
# retraining (a lottery-ticket style control)
REINIT_SEED = 10_000  # offset of the seed of the fresh initialisation of magnitude-reinit+retrain
CONTROL_VARIANTS = ("random", "random-layerwise", "magnitude-reinit")  # the retrained controls of magnitude pruning


def controls_at(width: int, widths, controls_everywhere: bool = True) -> bool:
    """Does the sweep retrain the controls (random pruning, global and per-layer, and the magnitude
    mask re-initialised) at this width? At every width, or with ``controls_everywhere=False`` at the
    widest only (where the claims compare them; magnitude pruning, with and without retraining, is
    run at every width either way)."""
    return controls_everywhere or width == max(widths)


def run_sweep(architecture: str, widths, base_widths, data: dict, config: TrainConfig, seeds, device: torch.device,
              results_dir: str | Path, dataset: str, progress: bool = True,
              plateau: Plateau | None = None, controls_everywhere: bool = True) -> list[dict]:
    """:func:`sweep` into ``results_dir/runs`` with a progress bar over its training epochs (on stderr)."""
    from tqdm import tqdm

    with tqdm(total=sweep_epochs(widths, base_widths, config.epochs, seeds, plateau, controls_everywhere),
              disable=not progress, desc="epochs", mininterval=1.0) as bar:
        return sweep(architecture, widths, base_widths, data, config, seeds, device, Path(results_dir) / "runs",
                     dataset, progress=bar, plateau=plateau, controls_everywhere=controls_everywhere)


def sweep_epochs(widths, base_widths, epochs: int, seeds, plateau: Plateau | None = None,
                 controls_everywhere: bool = True) -> int:
    """Training epochs of a whole sweep (for a progress bar): per width and seed, the dense run, per
    smaller base width one retraining after magnitude pruning and one per control where
    :func:`controls_at` runs them, and a double-length run when the width is a base width (and with
    ``plateau``, its cap for the base width trained to a plateau)."""
    def retrainings(w):
        return 1 + len(CONTROL_VARIANTS) * controls_at(w, widths, controls_everywhere)
    per_seed = sum(1 + retrainings(w) * sum(b < w for b in base_widths) + 2 * (w in base_widths)
                   for w in widths) * epochs
    if plateau is not None:
        per_seed += plateau.max_epochs * sum(w in base_widths for w in widths)
    return per_seed * len(seeds)


def run_folder(root: str | Path, settings: dict) -> Path:
    """A folder named by a hash of the settings: the same settings always land in the same place."""
    key = hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    folder = Path(root) / key
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(json.dumps(settings, sort_keys=True, indent=1))
    return folder


def sweep(architecture: str, widths, base_widths, data: dict, config: TrainConfig, seeds, device: torch.device,
          results_root: str | Path, dataset: str, progress=None, plateau: Plateau | None = None,
          controls_everywhere: bool = True) -> list[dict]:
    """Train every width densely (and each base width also for twice the epochs); prune it to the
    parameter count of each smaller base width (global magnitude, with and without retraining;
    random pruning with retraining, global and per-layer; the magnitude mask on re-initialised
    weights); record train, validation (when ``data`` has ``x_validation``) and test error, and the
    weights each pruned net keeps per layer. With ``plateau``, each base width is also trained to a
    plateau of its validation error (:func:`train_to_plateau`, variant ``dense-plateau``; its rows
    record the best epoch and the epochs run, and live in a sub-folder named by the plateau rule, so
    that the other rows are shared by runs with another rule). With ``controls_everywhere=False`` the
    retrained controls are run at the widest width only (:func:`controls_at`).

    Every result row is written as soon as it is known (one JSON file per width and seed, plus the
    trained dense weights), so an interrupted sweep resumes at the first missing (width, seed,
    variant) and never recomputes or loses a finished one.
    """
    settings = {"architecture": architecture, "dataset": dataset, "config": asdict(config),
                "n_train": int(data["x_train"].shape[0]), "n_test": int(data["x_test"].shape[0]),
                "input_shape": [int(size) for size in data["x_train"].shape[1:]]}
    folder = run_folder(results_root, settings)
    count = mlp_parameter_count if architecture == "mlp" else resnet20_parameter_count
    rows = []
    for seed in seeds:
        for width in widths:
            rows += _sweep_point(architecture, width, [b for b in base_widths if b < width], seed, data, config,
                                 device, folder, count, progress, width in base_widths,
                                 controls_at(width, widths, controls_everywhere))
            if plateau is not None and width in base_widths:
                rows.append(_plateau_point(architecture, width, seed, data, config, plateau, device, folder, count,
                                           progress))
    return rows


def _plateau_point(architecture, width, seed, data, config, plateau, device, folder, count, progress) -> dict:
    """The base width trained to a plateau of its validation error (one row, resumed from disk)."""
    sub = folder / f"plateau-patience{plateau.patience}-max{plateau.max_epochs}"
    sub.mkdir(exist_ok=True)
    path = sub / f"width{width}-seed{seed}.json"
    if path.exists():
        if progress is not None:
            progress.update(plateau.max_epochs)
        return json.loads(path.read_text())
    start = time.perf_counter()
    torch.manual_seed(seed)
    model = build_model(architecture, width).to(device)
    model, epochs = train_to_plateau(model, data, config, plateau, seed, progress,
                                     checkpoint=sub / f"width{width}-seed{seed}.ckpt")
    row = {**_record(model, data, width, seed, None, "dense-plateau", count(width)), **epochs,
           "patience": plateau.patience, "max_epochs": plateau.max_epochs,
           "seconds": round(time.perf_counter() - start, 2)}
    path.write_text(json.dumps(row, indent=1))
    return row


def _sweep_point(architecture, width, targets, seed, data, config, device, folder, count, progress,
                 is_base=False, controls=True) -> list[dict]:
    """All variants of one (width, seed), resuming from the rows and dense weights already on disk."""
    path = folder / f"width{width}-seed{seed}.json"
    done = json.loads(path.read_text()) if path.exists() else []
    have = {(row["base_width"], row["variant"]) for row in done}
    start = time.perf_counter()

    def save(row):
        row["seconds"] = round(time.perf_counter() - start, 2)
        done.append(row)
        path.write_text(json.dumps(done, indent=1))

    def skip(epochs):
        if progress is not None:
            progress.update(epochs)

    def fresh(init_seed):
        torch.manual_seed(init_seed)
        return build_model(architecture, width).to(device)

    dense_path = folder / f"width{width}-seed{seed}-dense.pt"
    dense = fresh(seed)
    if (None, "dense") in have and dense_path.exists():
        dense.load_state_dict(torch.load(dense_path, map_location=device))
        skip(config.epochs)
    else:
        train(dense, data, config, seed, progress, checkpoint=folder / f"width{width}-seed{seed}-dense.ckpt")
        torch.save(dense.state_dict(), dense_path)
        save(_record(dense, data, width, seed, None, "dense", count(width)))
    if is_base:
        if (None, "dense-2x") in have:
            skip(2 * config.epochs)
        else:
            long = fresh(seed)
            train(long, data, replace(config, epochs=2 * config.epochs), seed, progress,
                  checkpoint=folder / f"width{width}-seed{seed}-dense-2x.ckpt")
            save(_record(long, data, width, seed, None, "dense-2x", count(width)))
    state = {k: v.clone() for k, v in dense.state_dict().items()}
    for base in targets:
        keep = weights_to_keep(dense, count(base))
        magnitude = magnitude_masks(dense, keep)
        generator = torch.Generator().manual_seed(seed * 1000 + base)
        masks = {"magnitude": magnitude, "random": random_masks(dense, keep, generator),
                 "random-layerwise": random_masks(dense, keep, generator, like=magnitude),
                 "magnitude-reinit": magnitude}
        if not controls:
            masks = {"magnitude": magnitude}
        for kind, mask in masks.items():
            if (base, f"{kind}+retrain") in have:
                skip(config.epochs)
                continue
            def pruned(init_seed=seed, trained=True):
                model = fresh(init_seed)
                if trained:
                    model.load_state_dict(state)
                return apply_masks(model, mask)

            if kind == "magnitude" and (base, "magnitude") not in have:
                scored = recalibrate_batch_norm(pruned(), data["x_train"])
                save(_record(scored, data, width, seed, base, "magnitude", count(base), mask))
            model = pruned(seed + REINIT_SEED, trained=False) if kind == "magnitude-reinit" else pruned()
            train(model, data, config, seed + 1, progress,
                  checkpoint=folder / f"width{width}-seed{seed}-base{base}-{kind}.ckpt")
            save(_record(model, data, width, seed, base, f"{kind}+retrain", count(base), mask))
    wanted = {None, *targets}
    unwanted = set() if controls else {f"{kind}+retrain" for kind in CONTROL_VARIANTS}
    return [row for row in done if row["base_width"] in wanted and (is_base or row["variant"] != "dense-2x")
            and row["variant"] not in unwanted]


def _record(model, data, width, seed, base, variant, target, masks=None) -> dict:
    """One result row: errors on every split in ``data``, the test loss, and the kept weights per layer."""
    row = {"width": width, "seed": seed, "base_width": base, "variant": variant,
           "parameters": nonzero_parameters(model), "target_parameters": target}
    for split in ("train", "validation", "test"):
        if f"x_{split}" in data:
            error, loss = evaluate(model, data[f"x_{split}"], data[f"y_{split}"])
            row[f"{split}_error"] = error
    row["test_loss"] = loss
    row["kept_per_layer"] = kept_per_layer(masks) if masks is not None else None
    return row
