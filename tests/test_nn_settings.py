"""The network chapters' shared parameter rules: the cross-checks and the memory estimate."""
import json
from pathlib import Path

import pytest

from overparam.book.chapters import chapter_parameters
from overparam.book.params import Choice, Ints, ParameterError, check_parameters
from overparam.data import DATASETS
from overparam.networks.models import mlp_parameter_count, resnet20_parameter_count
from overparam.networks.settings import (DIGITS_ONLY, PAPER_RECIPES, TARGETS_BELOW_WIDEST, recipe_scale,
                                         store_recipe, sweep_memory, sweep_recipe)
from overparam.networks.training import TrainConfig

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

PARAMETERS = {"dataset": Choice("data", DATASETS, require=DIGITS_ONLY), "widths": Ints("widths", low=1, min_length=2),
              "base_widths": Ints("targets", low=1, require=TARGETS_BELOW_WIDEST)}


def check(**values):
    return check_parameters(PARAMETERS, {"dataset": "mnist", "widths": [2, 8], "base_widths": [4], **values}, summary=False)


def test_sparsity_targets_must_be_below_the_widest_network():
    assert check(base_widths=[2, 4])["base_widths"] == [2, 4]
    with pytest.raises(ParameterError, match="parameter 'base_widths' must be below the largest"):
        check(base_widths=[4, 8])


def test_the_two_layer_network_takes_digits_only():
    assert check(dataset="bundled-mnist")["dataset"] == "bundled-mnist"
    with pytest.raises(ParameterError, match="parameter 'dataset' must be a digits dataset"):
        check(dataset="cifar10")


def test_memory_grows_with_the_widest_network_and_the_data():
    small, what = sweep_memory("mlp", "bundled-mnist", [2, 8])
    assert "widths up to 8" in what and "bundled-mnist" in what
    # the images (float64 arrays and float32 tensors) and eight float32 copies of the widest network
    assert small == 5_000 * 784 * 12 + 8 * 4 * mlp_parameter_count(8)
    assert sweep_memory("mlp", "mnist", [8])[0] > small
    wide = sweep_memory("mlp", "bundled-mnist", [100_000])[0]
    assert wide - small == pytest.approx(8 * 4 * (mlp_parameter_count(100_000) - mlp_parameter_count(8)))
    # ResNet-20: its weights grow with the square of the width, its activations with the batch
    resnet = sweep_memory("resnet20", "cifar10", [64], batch_size=128)[0]
    assert resnet > 8 * 4 * resnet20_parameter_count(64) + 60_000 * 3072 * 12
    assert sweep_memory("resnet20", "cifar10", [64], batch_size=512)[0] > resnet
    assert 2**30 < resnet < 16 * 2**30  # a width-64 sweep fits a laptop; width 1024 would not
    assert sweep_memory("resnet20", "cifar10", [1024])[0] > 32 * 2**30


def recipe(architecture="resnet20", **changes):
    base = {"architecture": architecture, "widths": [5, 8, 10, 16, 64], "epochs": 60, "batch_size": 128,
            "learning_rate": 1e-3, "weight_decay": 0.0, "base_widths": [5, 8, 10], **PAPER_RECIPES[architecture]}
    return {**base, **changes}


def test_the_scale_of_a_network_run_comes_from_its_recipe():
    assert recipe_scale(recipe()) == ("paper-recipe", [])
    # the items the paper's text lost (epochs, learning rate, widths) do not decide
    assert recipe_scale(recipe(epochs=3, learning_rate=0.05, widths=[5, 8, 10, 12]))[0] == "paper-recipe"
    for change in ({"optimizer": "sgd"}, {"augment": False}, {"dataset": "bundled-mnist"},
                   {"all_training_images": False}, {"base_widths": [5, 8]}):
        scale, differ = recipe_scale(recipe(**change))
        assert scale == "reduced" and len(differ) == 1 and next(iter(change)) in differ[0], change
    assert recipe_scale(recipe("mlp", base_widths=[4, 8], widths=[2, 4, 8, 16]))[0] == "paper-recipe"
    assert recipe_scale(recipe("mlp", dataset="bundled-mnist"))[0] == "reduced"


@pytest.mark.parametrize("chapter, architecture", [("08-two-layer-networks", "mlp"), ("09-resnet20", "resnet20")])
def test_the_chapters_defaults_are_reduced(chapter, architecture):
    """Each chapter's parameter cell gives a recipe that is not the paper's: its claims are "reduced"."""
    values = chapter_parameters(NOTEBOOKS / f"{chapter}.md")
    config = TrainConfig(epochs=values["epochs"], batch_size=values["batch_size"], augment=values.get("augment", False),
                         optimizer=values["optimizer"], learning_rate=values["learning_rate"],
                         weight_decay=values["weight_decay"])
    recipe = sweep_recipe(architecture, values["dataset"], config, values["widths"], values["base_widths"],
                          values.get("n_train", 0))
    assert recipe_scale(recipe)[0] == "reduced"
    assert recipe_scale({**recipe, "dataset": "cifar10" if architecture == "resnet20" else "mnist",
                         "all_training_images": True, "augment": architecture == "resnet20",
                         "base_widths": [5, 8, 10] if architecture == "resnet20" else recipe["base_widths"]})[0] \
        == "paper-recipe"


def test_the_recipe_is_stored_with_its_scale(tmp_path):
    scale, line = store_recipe(recipe(optimizer="sgd"), tmp_path)
    stored = json.loads((tmp_path / "recipe.json").read_text())
    assert scale == stored["scale"] == "reduced" and stored["optimizer"] == "sgd"
    assert line.startswith("scale: reduced (differs from the paper in optimizer 'sgd'")
    assert store_recipe(recipe(), tmp_path)[1] == "scale: paper-recipe (the paper's stated recipe)"
