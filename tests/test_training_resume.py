"""Long trainings checkpoint every epoch and resume after the last finished one, with the same
result as an uninterrupted run; crops differ per image; the optimizer is a parameter."""
import pytest
import torch

from overparam.networks.models import build_model
from overparam.networks.training import TrainConfig, _augment, make_optimizer, train


def tiny_data(seed=0):
    generator = torch.Generator().manual_seed(seed)
    return {"x_train": torch.rand(64, 784, generator=generator), "y_train": torch.randint(0, 10, (64,), generator=generator)}


class Stop(Exception):
    pass


class StopAfter:
    """A progress bar that interrupts the training after ``epochs`` epochs (a killed run)."""

    def __init__(self, epochs):
        self.left = epochs

    def update(self, count):
        self.left -= count
        if self.left <= 0:
            raise Stop


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_an_interrupted_training_resumes_to_the_same_weights(tmp_path, optimizer):
    config = TrainConfig(epochs=4, batch_size=16, optimizer=optimizer, learning_rate=0.01, weight_decay=1e-4)
    data = tiny_data()
    torch.manual_seed(3)
    whole = train(build_model("mlp", 8), data, config, seed=1)
    checkpoint = tmp_path / "run.ckpt"
    torch.manual_seed(3)
    model = build_model("mlp", 8)
    with pytest.raises(Stop):
        train(model, data, config, seed=1, progress=StopAfter(2), checkpoint=checkpoint)
    assert torch.load(checkpoint, weights_only=False)["epoch"] == 1
    torch.manual_seed(3)
    resumed = train(build_model("mlp", 8), data, config, seed=1, checkpoint=checkpoint)
    for a, b in zip(whole.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)
    assert not checkpoint.exists(), "a finished training leaves no checkpoint"


def test_every_image_gets_its_own_crop():
    x = torch.arange(16 * 3 * 8 * 8, dtype=torch.float32).reshape(16, 3, 8, 8)
    out = _augment(x, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    # un-flip, then find each image's offset: the crops are not all the same
    offsets = set()
    for image, original in zip(out, x):
        for candidate in (image, image.flip(2)):
            padded = torch.nn.functional.pad(original, (4, 4, 4, 4))
            for dy in range(9):
                for dx in range(9):
                    if torch.equal(padded[:, dy:dy + 8, dx:dx + 8], candidate):
                        offsets.add((dy, dx))
    assert len(offsets) > 3


def test_the_optimizer_is_a_parameter():
    model = build_model("mlp", 4)
    assert isinstance(make_optimizer(model, TrainConfig(optimizer="sgd", learning_rate=0.1)), torch.optim.SGD)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        make_optimizer(model, TrainConfig(optimizer="lbfgs"))


def plateau_data(seed=0):
    data = tiny_data(seed)
    generator = torch.Generator().manual_seed(seed + 1)
    return {**data, "x_validation": torch.rand(32, 784, generator=generator),
            "y_validation": torch.randint(0, 10, (32,), generator=generator),
            "x_test": torch.rand(16, 784, generator=generator), "y_test": torch.randint(0, 10, (16,), generator=generator)}


def test_training_to_a_plateau_keeps_the_best_validation_epoch_and_resumes(tmp_path):
    from overparam.networks.training import Plateau, evaluate, train_to_plateau
    config = TrainConfig(batch_size=16, learning_rate=0.01)
    plateau = Plateau(patience=2, max_epochs=12)
    data = plateau_data()
    torch.manual_seed(3)
    whole, info = train_to_plateau(build_model("mlp", 8), data, config, plateau, seed=1)
    assert 1 <= info["epochs"] <= info["epochs_run"] <= plateau.max_epochs
    assert info["plateaued"] == (info["epochs_run"] - info["epochs"] >= plateau.patience)
    # the best epoch's weights: the validation error of every epoch, recomputed, has its minimum there
    torch.manual_seed(3)
    errors = []
    for epochs in range(1, info["epochs_run"] + 1):
        torch.manual_seed(3)
        errors.append(evaluate(train(build_model("mlp", 8), data, TrainConfig(epochs=epochs, batch_size=16,
                                                                             learning_rate=0.01), seed=1),
                               data["x_validation"], data["y_validation"])[0])
    assert int(torch.tensor(errors).argmin()) + 1 == info["epochs"]
    assert evaluate(whole, data["x_validation"], data["y_validation"])[0] == min(errors)
    # interrupted after two epochs and resumed: the same weights and epochs
    checkpoint = tmp_path / "plateau.ckpt"
    torch.manual_seed(3)
    with pytest.raises(Stop):
        train_to_plateau(build_model("mlp", 8), data, config, plateau, seed=1, progress=StopAfter(2),
                         checkpoint=checkpoint)
    torch.manual_seed(3)
    resumed, again = train_to_plateau(build_model("mlp", 8), data, config, plateau, seed=1, checkpoint=checkpoint)
    assert again == info and not checkpoint.exists()
    for a, b in zip(whole.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)


def test_the_cap_stops_a_training_that_keeps_improving_and_validation_is_required():
    from overparam.networks.training import Plateau, train_to_plateau
    model, info = train_to_plateau(build_model("mlp", 4), plateau_data(), TrainConfig(batch_size=16),
                                   Plateau(patience=50, max_epochs=3), seed=0)
    assert info["epochs_run"] == 3 and not info["plateaued"]
    with pytest.raises(ValueError, match="validation"):
        train_to_plateau(build_model("mlp", 4), tiny_data(), TrainConfig(), Plateau(), seed=0)
    with pytest.raises(ValueError, match="at least 1"):
        Plateau(patience=0)


def test_the_sweep_adds_a_plateau_variant_at_each_target_and_resumes_it(tmp_path, monkeypatch):
    from overparam.networks import training
    config = TrainConfig(epochs=1, batch_size=16)
    plateau = training.Plateau(patience=1, max_epochs=4)
    data = plateau_data()
    rows = training.sweep("mlp", [2, 4], [2], data, config, [0], torch.device("cpu"), tmp_path, "test",
                          plateau=plateau)
    grown = [r for r in rows if r["variant"] == "dense-plateau"]
    assert [r["width"] for r in grown] == [2] and 1 <= grown[0]["epochs"] <= grown[0]["epochs_run"] <= 4
    assert grown[0]["patience"] == 1 and grown[0]["max_epochs"] == 4 and "validation_error" in grown[0]
    assert set(training.VARIANTS) == {r["variant"] for r in rows}
    monkeypatch.setattr(training, "train_to_plateau", lambda *a, **k: pytest.fail("a finished plateau run was redone"))
    monkeypatch.setattr(training, "train", lambda *a, **k: pytest.fail("a finished point was recomputed"))
    assert training.sweep("mlp", [2, 4], [2], data, config, [0], torch.device("cpu"), tmp_path, "test",
                          plateau=plateau) == rows
    assert training.sweep_epochs([2, 4], [2], 1, [0], plateau) == training.sweep_epochs([2, 4], [2], 1, [0]) + 4
