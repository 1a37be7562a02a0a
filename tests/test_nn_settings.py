"""The network chapters' shared parameter rules: the cross-checks and the memory estimate."""
import pytest

from overparam.book.params import Choice, Ints, ParameterError, check_parameters
from overparam.networks.models import mlp_parameter_count, resnet20_parameter_count
from overparam.networks.settings import DATASETS, DIGITS_ONLY, TARGETS_BELOW_WIDEST, sweep_memory

RULES = {"dataset": Choice("data", DATASETS, require=DIGITS_ONLY), "widths": Ints("widths", low=1, min_length=2),
         "base_widths": Ints("targets", low=1, require=TARGETS_BELOW_WIDEST)}


def check(**values):
    return check_parameters(RULES, {"dataset": "mnist", "widths": [2, 8], "base_widths": [4], **values}, summary=False)


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
