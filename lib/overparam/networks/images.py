"""The images of a network sweep (chapters 8 and 9): a dataset of :mod:`overparam.data` cut, split
and shaped for an architecture, as tensors on the sweep's device."""
from __future__ import annotations

import numpy as np
import torch

from overparam.data import as_network_input, hold_out_validation, load_images


def sweep_data(dataset: str, architecture: str, device: torch.device, n_validation: int, data_dir: str = "",
               download: bool = False, n_train: int = 0, image_side: int = 0) -> dict[str, torch.Tensor]:
    """The images of a sweep as tensors on ``device``: ``dataset`` in a fixed random order, its
    training images cut to the first ``n_train`` (0: all), the last ``n_validation`` of those held out
    for validation, shaped for ``architecture`` (float inputs, integer labels) and, with
    ``image_side``, shrunk to that side by :func:`average_pool` (0: the side ``architecture`` takes)."""
    images = load_images(dataset, data_dir or None, download, rng=np.random.default_rng(0))
    if n_train:
        images["x_train"], images["y_train"] = images["x_train"][:n_train], images["y_train"][:n_train]
    images = hold_out_validation(images, n_validation)
    shaped = {key: average_pool(as_network_input(value, architecture), image_side) if key.startswith("x") else value
              for key, value in images.items()}
    return {key: torch.as_tensor(value, dtype=torch.float32 if key.startswith("x") else torch.long).to(device)
            for key, value in shaped.items()}


def average_pool(images: np.ndarray, side: int = 0) -> np.ndarray:
    """Images (count, channels, height, width) shrunk to ``side`` x ``side`` pixels, each new pixel the
    mean of an f x f block of the old ones, f = height / side (a whole number); ``side`` 0 or the
    images' own side returns them unchanged. A smaller input makes every convolution cheaper, about
    in proportion to the pixels."""
    height, width = images.shape[-2:]
    if side in (0, height):
        return images
    if images.ndim != 4 or height != width or height % side:
        raise ValueError(f"image_side must divide the side of square images ({height} x {width}), got {side}")
    factor = height // side
    return images.reshape(*images.shape[:2], side, factor, side, factor).mean(axis=(3, 5))


def describe_data(data: dict[str, torch.Tensor], with_shape: bool = False) -> str:
    """One line: how many training, validation and test images (and their shape) on which device."""
    shape = f" of shape {tuple(data['x_train'].shape[1:])}" if with_shape else ""
    return (f"{data['x_train'].shape[0]} training, {data['x_validation'].shape[0]} validation and "
            f"{data['x_test'].shape[0]} test images{shape} on {data['x_train'].device}")
