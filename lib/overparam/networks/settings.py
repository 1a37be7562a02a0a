"""What the network chapters' parameter rules share: the cross-checks of a width sweep's settings and
a rough estimate of the memory it needs (see ``check_parameters`` in overparam.book.params)."""
from __future__ import annotations

import json
from pathlib import Path

from overparam.book.params import Choice, Real
from overparam.networks.models import mlp_parameter_count, resnet20_parameter_count
from overparam.networks.training import OPTIMIZERS

# require= rules (predicate of the values checked so far, message after "parameter 'name'")
TARGETS_BELOW_WIDEST = (lambda v: max(v["base_widths"]) < max(v["widths"]),
                        "must be below the largest of the widths (a sparsity target at or above the dense size "
                        "prunes nothing)")
DIGITS_ONLY = (lambda v: v["dataset"] != "cifar10",
               "must be a digits dataset, 'bundled-mnist' or 'mnist': the two-layer network takes 28 x 28 digits")



def optimizer_rules() -> dict:
    """Rules of the optimizer parameters a network chapter shares (``optimizer``, ``learning_rate``,
    ``weight_decay``): Adam or SGD with momentum 0.9 (overparam.networks.training.make_optimizer)."""
    return {"optimizer": Choice('"adam", or "sgd" with momentum 0.9', OPTIMIZERS),
            "learning_rate": Real("learning rate of the optimizer", positive=True),
            "weight_decay": Real("L2 weight decay of the optimizer", low=0)}


IMAGES = {"bundled-mnist": 5_000, "mnist": 70_000, "cifar10": 60_000}  # training and test images together
PIXELS = {"mlp": 784, "resnet20": 3 * 32 * 32}  # inputs per image, as the network sees it
COPIES = 8  # float32 copies of the widest network: weights, gradients, two Adam moments, masks, dense state, ...
# floats per image and unit of width that ResNet-20 keeps for the backward pass: three maps (convolution,
# batch norm, ReLU) per convolution, 7 of w x 32 x 32, 6 of 2w x 16 x 16 and 6 of 4w x 8 x 8
RESNET_ACTIVATIONS = 3 * (7 * 1024 + 6 * 2 * 256 + 6 * 4 * 64)
EVALUATION_BATCH = 1_000  # images per evaluation batch (overparam.networks.training.evaluate)
EVALUATION_MAPS = 3 * 1024  # floats per image and unit of width alive at once without gradients: three w x 32 x 32 maps


def sweep_memory(architecture: str, dataset: str, widths, batch_size: int = 128) -> tuple[float, str]:
    """Rough peak memory of a width sweep, in bytes, and what drives it, for ``check_parameters``'s
    ``memory=``: the images as float64 arrays and float32 tensors, ``COPIES`` float32 copies of the
    widest network, and for ResNet-20 its activations, for one training mini-batch (kept for the
    backward pass) or one evaluation batch, whichever is larger. On a GPU most of it is GPU memory;
    the estimate is checked against this machine's memory all the same."""
    widest = max(widths)
    count = mlp_parameter_count if architecture == "mlp" else resnet20_parameter_count
    images = IMAGES[dataset] * PIXELS[architecture] * (8 + 4)
    weights = COPIES * 4 * count(widest)
    activations = 0
    if architecture == "resnet20":
        activations = 4 * widest * max(2 * batch_size * RESNET_ACTIVATIONS, EVALUATION_BATCH * EVALUATION_MAPS)
    return images + weights + activations, f"widths up to {widest} on {dataset} ({architecture}, the widest network)"


# ---------------------------------------------------------------- the paper's recipe

SCALES = ("reduced", "paper-recipe")  # the two a network run can get (overparam.book.verdicts.SCALES)
# What the paper states of each network experiment's recipe (the text we worked from lost its numbers:
# learning rate, epochs and, for ResNet-20, the range of widths; for the two-layer network, the two
# sparsity targets). Sec. 3.3: ResNet-20 on CIFAR-10, "trained with Adam ... with data augmentation",
# sparse models of about 28k, 70k and 109k parameters, the sizes of widths 5, 8 and 10. Sec. A.2: the
# two-layer network on MNIST, "trained with Adam optimization, learning rate and epochs": no
# augmentation is named there (the Sec. 3.3 sentence "all the neural experiments ..." sits in the
# ResNet section; we read the A.2 recipe as the MNIST one, an assumption stated on the how-to page).
PAPER_RECIPES = {
    "resnet20": {"dataset": "cifar10", "all_training_images": True, "optimizer": "adam", "augment": True,
                 "base_widths": [5, 8, 10]},
    "mlp": {"dataset": "mnist", "all_training_images": True, "optimizer": "adam", "augment": False},
}


def sweep_recipe(architecture: str, dataset: str, config, widths, base_widths, n_train: int = 0) -> dict:
    """The recipe of a width sweep as plain values (what :func:`recipe_scale` checks and a chapter
    stores beside its results): data, optimizer, augmentation, widths, targets, epochs, batch size,
    learning rate, weight decay."""
    return {"architecture": architecture, "dataset": dataset, "all_training_images": not n_train,
            "optimizer": config.optimizer, "augment": bool(config.augment), "widths": sorted(int(w) for w in widths),
            "base_widths": sorted(int(b) for b in base_widths), "epochs": int(config.epochs),
            "batch_size": int(config.batch_size), "learning_rate": float(config.learning_rate),
            "weight_decay": float(config.weight_decay)}


def recipe_scale(recipe: dict) -> tuple[str, list[str]]:
    """The scale a network run is reported at, decided from its stored recipe alone (the one place
    that decides it): ``"paper-recipe"`` when every item the paper states (:data:`PAPER_RECIPES`:
    dataset, all its training images, Adam, augmentation, and the sparsity targets where the paper
    gives them) matches, ``"reduced"`` otherwise (the chapters' defaults included). Also returns the
    items that differ from the paper's recipe, as text (empty for ``"paper-recipe"``). Items the
    paper's text lost (learning rate, epochs, the width range, the two-layer network's targets) are
    not checked: they can neither make a run paper-recipe nor stop it from being one."""
    paper = PAPER_RECIPES[recipe["architecture"]]
    differ = [f"{key} {recipe.get(key)!r} (paper: {value!r})" for key, value in paper.items()
              if recipe.get(key) != value]
    return ("paper-recipe" if not differ else "reduced"), differ


def store_recipe(recipe: dict, results_dir) -> tuple[str, str]:
    """Decide the run's scale from its recipe (:func:`recipe_scale`), store both as
    ``results_dir/recipe.json`` beside the claims they label, and return the scale and a line that
    says why."""
    scale, differences = recipe_scale(recipe)
    path = Path(results_dir) / "recipe.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**recipe, "scale": scale, "differs_from_paper": differences}, indent=1) + "\n")
    why = "the paper's stated recipe" if not differences else "differs from the paper in " + "; ".join(differences)
    return scale, f"scale: {scale} ({why})"
