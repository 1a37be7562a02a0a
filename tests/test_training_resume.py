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
