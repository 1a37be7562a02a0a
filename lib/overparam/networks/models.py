"""Networks of adjustable width and exact-count pruning (paper Fig. 1, 5, 6).

Masks are applied in the forward pass (torch.nn.utils.prune), so a pruned weight stays exactly zero
while the optimizer keeps updating the underlying dense tensor during retraining.
"""
from __future__ import annotations

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
