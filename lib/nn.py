"""Neural networks of adjustable width, exact-count pruning, and a resumable train-prune-retrain sweep
(paper Fig. 1, 5, 6; theory.md Sec. 11).

Masks are applied in the forward pass (torch.nn.utils.prune), so a pruned weight stays exactly zero
while the optimizer keeps updating the underlying dense tensor during retraining.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import prune


# ---------------------------------------------------------------- models and their sizes

class TwoLayerNet(nn.Module):
    """Fully connected 784 -> h -> 10 with ReLU (the network of Fig. 6)."""

    def __init__(self, width: int, inputs: int = 784, classes: int = 10):
        super().__init__()
        self.hidden = nn.Linear(inputs, width)
        self.out = nn.Linear(width, classes)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x.flatten(1))))


def mlp_parameter_count(width: int, inputs: int = 784, classes: int = 10) -> int:
    """784 h + h + 10 h + 10 = 795 h + 10 on 28 x 28 inputs."""
    return inputs * width + width + classes * width + classes


class _Block(nn.Module):
    """Basic residual block with an option-A (zero-padding, parameter-free) shortcut."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.stride, self.extra = stride, cout - cin

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        shortcut = x[:, :, ::self.stride, ::self.stride] if self.stride > 1 else x
        if self.extra:
            # pad d // 2 channels before and d - d // 2 after: works for odd widths too
            shortcut = F.pad(shortcut, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
        return F.relu(out + shortcut)


class ResNet20(nn.Module):
    """ResNet-20 for 32 x 32 RGB images (He et al.'s CIFAR variant) with stages of k, 2k, 4k channels."""

    def __init__(self, width: int, classes: int = 10):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(width)
        layers, cin = [], width
        for stage, cout in enumerate([width, 2 * width, 4 * width]):
            for block in range(3):
                layers.append(_Block(cin, cout, 2 if stage > 0 and block == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*layers)
        self.fc = nn.Linear(4 * width, classes)

    def forward(self, x):
        out = self.blocks(F.relu(self.bn(self.conv(x))))
        return self.fc(F.adaptive_avg_pool2d(out, 1).flatten(1))


def resnet20_parameter_count(width: int, classes: int = 10) -> int:
    """1044 k^2 + 153 k + 10 with zero-padding shortcuts (10 classes)."""
    return 1044 * width**2 + (113 + 4 * classes) * width + classes


def parameter_count(model: nn.Module) -> int:
    """All trainable parameters (weights, biases, batch-norm scales and shifts)."""
    return sum(p.numel() for p in model.parameters())


def build_model(architecture: str, width: int) -> nn.Module:
    """``"mlp"`` (TwoLayerNet) or ``"resnet20"``; width >= 1."""
    if width < 1:
        raise ValueError(f"width must be >= 1, got {width}")
    if architecture == "mlp":
        return TwoLayerNet(width)
    if architecture == "resnet20":
        return ResNet20(width)
    raise ValueError(f"unknown architecture {architecture!r}; use 'mlp' or 'resnet20'")


# ---------------------------------------------------------------- pruning with exact counts

def prunable(model: nn.Module) -> list[tuple[nn.Module, str]]:
    """The weights that pruning acts on: every conv and linear weight (not biases or batch norm)."""
    return [(m, "weight") for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def unprunable_count(model: nn.Module) -> int:
    """Parameters that are never pruned (biases, batch norm)."""
    return parameter_count(model) - sum(getattr(m, name).numel() for m, name in prunable(model))


def weights_to_keep(model: nn.Module, target_parameters: int) -> int:
    """How many prunable weights to keep so that the pruned model has ``target_parameters`` nonzero
    parameters in all (the unprunable ones are always kept)."""
    total = sum(getattr(m, name).numel() for m, name in prunable(model))
    keep = target_parameters - unprunable_count(model)
    if not 0 < keep <= total:
        raise ValueError(f"a sparsity target of {target_parameters} parameters is not reachable: the model "
                         f"has {parameter_count(model)} parameters, {unprunable_count(model)} of them unprunable")
    return keep


def magnitude_masks(model: nn.Module, keep: int) -> list[torch.Tensor]:
    """Global magnitude pruning: keep exactly the ``keep`` largest |w| over all prunable weights."""
    weights = [getattr(m, name).detach().abs().flatten() for m, name in prunable(model)]
    scores = torch.cat(weights)
    kept = torch.zeros_like(scores, dtype=torch.bool)
    kept[torch.topk(scores, keep, sorted=False).indices] = True
    return _split(kept, model)


def random_masks(model: nn.Module, keep: int, generator: torch.Generator,
                 like: list[torch.Tensor] | None = None) -> list[torch.Tensor]:
    """Random pruning with the same count: global (uniform over all weights) or, given the masks
    ``like``, per-layer shuffled (each layer keeps as many weights as in ``like``)."""
    if like is None:
        total = sum(getattr(m, name).numel() for m, name in prunable(model))
        kept = torch.zeros(total, dtype=torch.bool)
        kept[torch.randperm(total, generator=generator)[:keep]] = True
        return _split(kept, model)
    return [mask.flatten()[torch.randperm(mask.numel(), generator=generator)].reshape(mask.shape) for mask in like]


def _split(flat: torch.Tensor, model: nn.Module) -> list[torch.Tensor]:
    out, start = [], 0
    for module, name in prunable(model):
        weight = getattr(module, name)
        out.append(flat[start:start + weight.numel()].reshape(weight.shape).clone())
        start += weight.numel()
    return out


def apply_masks(model: nn.Module, masks: list[torch.Tensor]) -> nn.Module:
    """Attach the masks (torch.nn.utils.prune): the forward pass uses weight_orig * mask."""
    for (module, name), mask in zip(prunable(model), masks):
        if prune.is_pruned(module):
            prune.remove(module, name)
        prune.custom_from_mask(module, name, mask.to(getattr(module, name).device))
    return model


def nonzero_parameters(model: nn.Module) -> int:
    """Nonzero parameters as the forward pass sees them (masked weights count as zero)."""
    total = 0
    for module in model.modules():
        for name, param in module.named_parameters(recurse=False):
            effective = getattr(module, name[:-5]) if name.endswith("_orig") else param
            total += int(torch.count_nonzero(effective))
    return total


def prunable_names(model: nn.Module) -> list[str]:
    """Names of the prunable layers, in the order of ``prunable`` and of the masks."""
    kinds = (nn.Conv2d, nn.Linear)
    return [name for name, module in model.named_modules() if isinstance(module, kinds)]


def prunable_layers(architecture: str, width: int) -> tuple[list[str], list[int]]:
    """Names and weight counts of the prunable layers of the width-``width`` network."""
    model = build_model(architecture, width)
    return prunable_names(model), [getattr(m, name).numel() for m, name in prunable(model)]


def kept_per_layer(masks: list[torch.Tensor]) -> list[int]:
    """How many weights each mask keeps, layer by layer."""
    return [int(mask.sum()) for mask in masks]


@torch.no_grad()
def recalibrate_batch_norm(model: nn.Module, x: torch.Tensor, batch_size: int = 500) -> nn.Module:
    """Re-estimate every batch-norm layer's running mean and variance on ``x`` (the training
    images) with the model's current weights: pruning changes the activations, so the statistics
    collected during dense training no longer fit a pruned net scored without retraining."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return model
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average over the batches below
    model.train()
    for i in range(0, x.shape[0], batch_size):
        model(x[i:i + batch_size])
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    return model


# ---------------------------------------------------------------- training

@dataclass(frozen=True)
class TrainConfig:
    """The recipe, used for dense training and for retraining alike."""

    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    augment: bool = False  # random crops and flips (CIFAR-10)


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
    """Random 4-pixel-padded crops and horizontal flips, batched on the tensor's device."""
    n = x.shape[0]
    padded = F.pad(x, (4, 4, 4, 4))
    dx, dy = torch.randint(0, 9, (2,), generator=generator).tolist()
    x = padded[:, :, dy:dy + x.shape[2], dx:dx + x.shape[3]]
    flip = torch.rand(n, generator=generator) < 0.5
    return torch.where(flip.to(x.device)[:, None, None, None], x.flip(3), x)


def train(model: nn.Module, data: dict, config: TrainConfig, seed: int, progress=None) -> nn.Module:
    """Adam on the cross-entropy; the data stay as tensors on the model's device."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    x, y = data["x_train"], data["y_train"]
    use_amp = x.device.type == "cuda"
    model.train()
    for _ in range(config.epochs):
        order = torch.randperm(x.shape[0], generator=generator).to(x.device)
        for start in range(0, x.shape[0], config.batch_size):
            batch = order[start:start + config.batch_size]
            inputs = _augment(x[batch], generator) if config.augment else x[batch]
            with torch.autocast(device_type=x.device.type, dtype=torch.bfloat16, enabled=use_amp):
                loss = F.cross_entropy(model(inputs), y[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        if progress is not None:
            progress.update(1)
    return model


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

VARIANTS = ["dense", "dense-2x", "magnitude", "magnitude+retrain", "random+retrain", "random-layerwise+retrain",
            "magnitude-reinit+retrain"]
# dense-2x: a network of a sparsity target's width trained for twice the epochs, the budget of a pruned
# net (dense training plus retraining); magnitude-reinit+retrain: the magnitude mask on freshly
# initialised weights, trained like a retraining (a lottery-ticket style control)
REINIT_SEED = 10_000  # offset of the seed of the fresh initialisation of magnitude-reinit+retrain


def sweep_epochs(widths, base_widths, epochs: int, seeds) -> int:
    """Training epochs of a whole sweep (for a progress bar): per width and seed, the dense run, four
    retrainings per smaller base width, and a double-length run when the width is a base width."""
    per_seed = sum(1 + 4 * sum(b < w for b in base_widths) + 2 * (w in base_widths) for w in widths)
    return per_seed * epochs * len(seeds)


def run_folder(root: str | Path, settings: dict) -> Path:
    """A folder named by a hash of the settings: the same settings always land in the same place."""
    key = hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    folder = Path(root) / key
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(json.dumps(settings, sort_keys=True, indent=1))
    return folder


def sweep(architecture: str, widths, base_widths, data: dict, config: TrainConfig, seeds, device: torch.device,
          results_root: str | Path, dataset: str, progress=None) -> list[dict]:
    """Train every width densely (and each base width also for twice the epochs); prune it to the
    parameter count of each smaller base width (global magnitude, with and without retraining;
    random pruning with retraining, global and per-layer; the magnitude mask on re-initialised
    weights); record train, validation (when ``data`` has ``x_validation``) and test error, and the
    weights each pruned net keeps per layer.

    Every result row is written as soon as it is known (one JSON file per width and seed, plus the
    trained dense weights), so an interrupted sweep resumes at the first missing (width, seed,
    variant) and never recomputes or loses a finished one.
    """
    settings = {"architecture": architecture, "dataset": dataset, "config": asdict(config),
                "n_train": int(data["x_train"].shape[0]), "n_test": int(data["x_test"].shape[0])}
    folder = run_folder(results_root, settings)
    count = mlp_parameter_count if architecture == "mlp" else resnet20_parameter_count
    rows = []
    for seed in seeds:
        for width in widths:
            rows += _sweep_point(architecture, width, [b for b in base_widths if b < width], seed, data, config,
                                 device, folder, count, progress, width in base_widths)
    return rows


def _sweep_point(architecture, width, targets, seed, data, config, device, folder, count, progress,
                 is_base=False) -> list[dict]:
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
        train(dense, data, config, seed, progress)
        torch.save(dense.state_dict(), dense_path)
        save(_record(dense, data, width, seed, None, "dense", count(width)))
    if is_base:
        if (None, "dense-2x") in have:
            skip(2 * config.epochs)
        else:
            long = fresh(seed)
            train(long, data, replace(config, epochs=2 * config.epochs), seed, progress)
            save(_record(long, data, width, seed, None, "dense-2x", count(width)))
    state = {k: v.clone() for k, v in dense.state_dict().items()}
    for base in targets:
        keep = weights_to_keep(dense, count(base))
        magnitude = magnitude_masks(dense, keep)
        generator = torch.Generator().manual_seed(seed * 1000 + base)
        masks = {"magnitude": magnitude, "random": random_masks(dense, keep, generator),
                 "random-layerwise": random_masks(dense, keep, generator, like=magnitude),
                 "magnitude-reinit": magnitude}
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
            train(model, data, config, seed + 1, progress)
            save(_record(model, data, width, seed, base, f"{kind}+retrain", count(base), mask))
    wanted = {None, *targets}
    return [row for row in done if row["base_width"] in wanted and (is_base or row["variant"] != "dense-2x")]


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
