"""Networks, exact-count pruning, masks that survive retraining, and the resumable sweep (CPU only)."""
import json
import pickle

import numpy as np
import pytest
import torch

from overparam.networks import images, models, training
from overparam.data import as_network_input, load_images


@pytest.mark.parametrize("width", [1, 2, 7, 16])
def test_mlp_parameter_count(width):
    assert models.parameter_count(models.TwoLayerNet(width)) == models.mlp_parameter_count(width) == 795 * width + 10


@pytest.mark.parametrize("width", [1, 2, 3, 5])
def test_resnet20_parameter_count_and_odd_widths(width):
    model = models.ResNet20(width)
    assert models.parameter_count(model) == models.resnet20_parameter_count(width) == 1044 * width**2 + 153 * width + 10
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_global_magnitude_masks_keep_exactly_the_largest_weights():
    torch.manual_seed(0)
    model = models.TwoLayerNet(6)
    keep = models.weights_to_keep(model, models.mlp_parameter_count(2))
    masks = models.magnitude_masks(model, keep)
    assert sum(int(m.sum()) for m in masks) == keep == 795 * 2 + 10 - (6 + 10)
    weights = torch.cat([m.weight.detach().abs().flatten() for m in (model.hidden, model.out)])
    kept = torch.cat([mask.flatten() for mask in masks])
    assert weights[kept].min() >= weights[~kept].max()


def test_random_masks_have_the_same_counts():
    model = models.TwoLayerNet(5)
    keep = models.weights_to_keep(model, models.mlp_parameter_count(2))
    magnitude = models.magnitude_masks(model, keep)
    generator = torch.Generator().manual_seed(1)
    assert sum(int(m.sum()) for m in models.random_masks(model, keep, generator)) == keep
    layerwise = models.random_masks(model, keep, generator, like=magnitude)
    assert [int(m.sum()) for m in layerwise] == [int(m.sum()) for m in magnitude]


def test_unreachable_target_is_an_error():
    with pytest.raises(ValueError, match="not reachable"):
        models.weights_to_keep(models.TwoLayerNet(3), models.mlp_parameter_count(4))


def test_pruned_weights_stay_zero_through_retraining():
    torch.manual_seed(0)
    model = models.TwoLayerNet(8)
    target = models.mlp_parameter_count(3)
    models.apply_masks(model, models.magnitude_masks(model, models.weights_to_keep(model, target)))
    data = {"x_train": torch.randn(64, 784), "y_train": torch.randint(0, 10, (64,))}
    training.train(model, data, training.TrainConfig(epochs=3, batch_size=16, learning_rate=1e-2), seed=0)
    for module, _ in models.prunable(model):
        assert torch.all(module.weight[module.weight_mask == 0] == 0)
    assert models.nonzero_parameters(model) == target


def test_devices_and_bad_arguments():
    assert training.resolve_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA GPU"):
            training.resolve_device("cuda")
    with pytest.raises(ValueError, match="width"):
        models.build_model("mlp", 0)
    with pytest.raises(ValueError, match="unknown architecture"):
        models.build_model("vgg", 4)


def tiny_data():
    g = torch.Generator().manual_seed(0)
    return {"x_train": torch.rand(48, 784, generator=g), "y_train": torch.randint(0, 10, (48,), generator=g),
            "x_test": torch.rand(24, 784, generator=g), "y_test": torch.randint(0, 10, (24,), generator=g)}


def test_sweep_resumes_without_recomputing(tmp_path, monkeypatch):
    config = training.TrainConfig(epochs=1, batch_size=16)
    rows = training.sweep("mlp", [2, 4], [2], tiny_data(), config, [0], torch.device("cpu"), tmp_path, "test")
    assert {(r["width"], r["variant"]) for r in rows} >= {(2, "dense"), (4, "magnitude+retrain"), (4, "random+retrain")}
    sparse = [r for r in rows if r["base_width"] == 2]
    assert all(r["parameters"] <= models.mlp_parameter_count(2) for r in sparse)
    files = sorted(tmp_path.rglob("width*.json"))
    assert len(files) == 2 and json.loads(files[0].read_text())

    def no_training(*args, **kwargs):
        raise AssertionError("a finished point was recomputed")

    monkeypatch.setattr(training, "train", no_training)
    again = training.sweep("mlp", [2, 4], [2], tiny_data(), config, [0], torch.device("cpu"), tmp_path, "test")
    assert again == rows


def test_an_interrupted_point_resumes_at_the_first_missing_variant(tmp_path, monkeypatch):
    """Stop the sweep after the dense model and one retraining; the rerun trains only what is missing."""
    config = training.TrainConfig(epochs=1, batch_size=16)
    device = torch.device("cpu")
    complete = training.sweep("mlp", [4], [2], tiny_data(), config, [0], device, tmp_path / "a", "test")
    calls, real_train = [], training.train

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_train(*args, **kwargs)

    monkeypatch.setattr(training, "train", interrupted)
    with pytest.raises(KeyboardInterrupt):
        training.sweep("mlp", [4], [2], tiny_data(), config, [0], device, tmp_path / "b", "test")
    calls.clear()
    monkeypatch.setattr(training, "train", lambda *a, **k: (calls.append(1), real_train(*a, **k))[1])
    resumed = training.sweep("mlp", [4], [2], tiny_data(), config, [0], device, tmp_path / "b", "test")
    assert len(calls) == 3  # random, layer-wise random, re-initialised; the dense model and magnitude + retrain were kept
    strip = lambda rows: sorted((r["variant"], r["base_width"] or 0, r["test_error"], r["parameters"]) for r in rows)
    assert strip(resumed) == strip(complete)


def test_bundled_data_and_network_shapes():
    data = load_images("bundled-mnist", rng=np.random.default_rng(0))
    assert data["x_train"].shape == (4000, 1, 28, 28) and data["x_test"].shape == (1000, 1, 28, 28)
    assert as_network_input(data["x_test"][:3], "mlp").shape == (3, 784)
    assert as_network_input(data["x_test"][:3], "resnet20").shape == (3, 3, 32, 32)


def test_other_datasets_need_files_or_an_explicit_download(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_images("cifar10", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="data_dir"):
        load_images("mnist")
    with pytest.raises(ValueError, match="unknown dataset"):
        load_images("imagenet", data_dir=str(tmp_path))


def test_cifar10_reader_on_files_in_the_standard_format(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        raw = {b"data": np.full((2, 3072), 255, dtype=np.uint8), b"labels": [1, 2]}
        (folder / name).write_bytes(pickle.dumps(raw))
    data = load_images("cifar10", data_dir=str(tmp_path))
    assert data["x_train"].shape == (10, 3, 32, 32) and data["x_train"].max() == 1.0
    assert list(data["y_test"]) == [1, 2]


def test_sweep_trains_every_variant_with_the_epochs_it_announces(tmp_path, monkeypatch):
    """Variants per (width, seed); a base width also trained twice as long; sweep_epochs counts them."""
    config = training.TrainConfig(epochs=2, batch_size=16)
    epochs, real_train = [], training.train
    monkeypatch.setattr(training, "train", lambda model, data, cfg, *a, **k: (epochs.append(cfg.epochs), real_train(model, data, cfg, *a, **k))[1])
    rows = training.sweep("mlp", [2, 4], [2], tiny_data(), config, [0, 1], torch.device("cpu"), tmp_path, "test")
    assert sum(epochs) == training.sweep_epochs([2, 4], [2], 2, [0, 1])
    assert {r["variant"] for r in rows} == set(training.VARIANTS) - {"dense-plateau"}  # no plateau rule given
    assert {r["width"] for r in rows if r["variant"] == "dense-2x"} == {2}
    pruned = [r for r in rows if r["kept_per_layer"] is not None]
    assert all(sum(r["kept_per_layer"]) + (4 + 10) == models.mlp_parameter_count(2) for r in pruned)


def test_recalibrated_batch_norm_matches_the_statistics_of_the_data():
    torch.manual_seed(0)
    model = models.ResNet20(1)
    x = torch.randn(64, 3, 32, 32) * 3 + 1
    models.recalibrate_batch_norm(model, x, batch_size=16)
    with torch.no_grad():
        first = model.bn(model.conv(x))
    # the running statistics are those of the whole data (cumulative average over equal batches)
    assert torch.allclose(model.bn.running_mean, model.conv(x).mean(dim=(0, 2, 3)), atol=1e-5)
    assert model.bn.momentum == 0.1 and first.shape == (64, 1, 32, 32)
    assert models.recalibrate_batch_norm(models.TwoLayerNet(3), torch.zeros(2, 784)) is not None  # no batch norm: no-op


def test_validation_is_held_out_of_the_training_images():
    from overparam.data import hold_out_validation
    arrays = {"x_train": np.arange(10), "y_train": np.arange(10) % 3, "x_test": np.arange(4), "y_test": np.zeros(4)}
    split = hold_out_validation(arrays, 3)
    assert list(split["x_train"]) == list(range(7)) and list(split["x_validation"]) == [7, 8, 9]
    assert list(split["y_validation"]) == [7 % 3, 8 % 3, 9 % 3]
    with pytest.raises(ValueError, match="n_validation"):
        hold_out_validation(arrays, 10)


def test_sweep_data_cuts_holds_out_and_shapes_the_images():
    data = images.sweep_data("bundled-mnist", "resnet20", torch.device("cpu"), n_validation=10, n_train=50)
    assert data["x_train"].shape == (40, 3, 32, 32) and data["x_validation"].shape == (10, 3, 32, 32)
    assert data["x_test"].shape == (1000, 3, 32, 32)
    assert data["x_train"].dtype == torch.float32 and data["y_train"].dtype == torch.long
    whole = images.sweep_data("bundled-mnist", "mlp", torch.device("cpu"), n_validation=500)
    assert whole["x_train"].shape == (3500, 784)
    # the same fixed order: the first 40 of the cut are the first 40 of the whole
    assert torch.equal(whole["y_train"][:40], data["y_train"])
    assert images.describe_data(data) == "40 training, 10 validation and 1000 test images on cpu"
    assert images.describe_data(data, with_shape=True).endswith("test images of shape (3, 32, 32) on cpu")


def test_run_sweep_writes_under_runs_and_resumes(tmp_path, monkeypatch):
    config = training.TrainConfig(epochs=1, batch_size=16)
    rows = training.run_sweep("mlp", [2, 4], [2], tiny_data(), config, [0], torch.device("cpu"), tmp_path, "test",
                              progress=False)
    assert len(list((tmp_path / "runs").glob("*/width4-seed0.json"))) == 1
    monkeypatch.setattr(training, "train", lambda *a, **k: pytest.fail("a finished sweep was trained again"))
    again = training.run_sweep("mlp", [2, 4], [2], tiny_data(), config, [0], torch.device("cpu"), tmp_path, "test",
                               progress=False)
    assert [r["test_error"] for r in again] == [r["test_error"] for r in rows]


def test_controls_at_the_widest_width_only(tmp_path, monkeypatch):
    """With controls_everywhere=False the controls are retrained at the widest width only, magnitude
    pruning (with and without retraining) at every width; sweep_epochs counts what is trained."""
    config = training.TrainConfig(epochs=1, batch_size=16)
    epochs, real_train = [], training.train
    monkeypatch.setattr(training, "train", lambda model, data, cfg, *a, **k: (epochs.append(cfg.epochs), real_train(model, data, cfg, *a, **k))[1])
    rows = training.sweep("mlp", [2, 3, 4], [2], tiny_data(), config, [0], torch.device("cpu"), tmp_path, "test",
                          controls_everywhere=False)
    assert sum(epochs) == training.sweep_epochs([2, 3, 4], [2], 1, [0], controls_everywhere=False)
    assert sum(epochs) < training.sweep_epochs([2, 3, 4], [2], 1, [0])
    variants = {width: {r["variant"] for r in rows if r["width"] == width} for width in (3, 4)}
    assert variants[3] == {"dense", "magnitude", "magnitude+retrain"}
    assert variants[4] == {"dense", "magnitude", "magnitude+retrain", "random+retrain", "random-layerwise+retrain",
                           "magnitude-reinit+retrain"}
    # a folder that already holds the controls at every width returns only those asked for
    everywhere = training.sweep("mlp", [2, 3, 4], [2], tiny_data(), config, [0], torch.device("cpu"), tmp_path / "b",
                                "test")
    assert {r["variant"] for r in everywhere if r["width"] == 3} == variants[4]
    again = training.sweep("mlp", [2, 3, 4], [2], tiny_data(), config, [0], torch.device("cpu"), tmp_path / "b", "test",
                           controls_everywhere=False)
    assert {r["variant"] for r in again if r["width"] == 3} == variants[3]


def test_average_pool_means_blocks_and_leaves_the_default_alone():
    batch = np.arange(2 * 3 * 4 * 4, dtype=float).reshape(2, 3, 4, 4)
    assert images.average_pool(batch) is batch and images.average_pool(batch, 4) is batch
    pooled = images.average_pool(batch, 2)
    assert pooled.shape == (2, 3, 2, 2)
    np.testing.assert_array_equal(pooled[1, 2, 0, 1], batch[1, 2, :2, 2:].mean())
    with pytest.raises(ValueError, match="image_side must divide"):
        images.average_pool(batch, 3)


@pytest.mark.parametrize("optimizer, weight_decay", [("adam", 0.0), ("sgd", 5e-4)])
def test_the_optimizers_update_all_tensors_at_once_with_the_same_weights(optimizer, weight_decay):
    """make_optimizer's foreach step (faster on the CPU) gives the weights of torch's per-tensor loop bit for bit,
    so the committed network runs did not move when it was switched on."""
    config = training.TrainConfig(optimizer=optimizer, weight_decay=weight_decay, learning_rate=0.01)
    weights = []
    for foreach in (True, False):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
        step = training.make_optimizer(model, config)
        assert step.defaults["foreach"] is True
        step.param_groups[0]["foreach"] = foreach
        inputs = torch.randn(40, 6, generator=torch.Generator().manual_seed(1))
        for _ in range(50):
            step.zero_grad()
            model(inputs).square().mean().backward()
            step.step()
        weights.append([parameter.detach().clone() for parameter in model.parameters()])
    for with_foreach, per_tensor in zip(*weights):
        assert torch.equal(with_foreach, per_tensor)
