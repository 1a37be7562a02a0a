"""The paper-scale data path without a network: a synthetic archive in the CIFAR-10 format, served
from a local file, goes through download, checksum, atomic rename, extraction and loading."""
import hashlib
import io
import pickle
import tarfile

import numpy as np
import pytest

from overparam import data

ARCHIVE = "cifar-10-python.tar.gz"


def synthetic_cifar10(folder, per_batch=6):
    """A tar.gz with the layout and pickle format of CIFAR-10's python version."""
    rng = np.random.default_rng(0)
    archive = folder / ARCHIVE
    with tarfile.open(archive, "w:gz") as tar:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            payload = pickle.dumps({b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                                    b"labels": list(rng.integers(0, 10, per_batch))})
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return archive, hashlib.md5(archive.read_bytes()).hexdigest()


@pytest.fixture
def served(tmp_path, monkeypatch):
    source = tmp_path / "server"
    source.mkdir()
    archive, md5 = synthetic_cifar10(source)
    monkeypatch.setitem(data.SOURCES, ARCHIVE, (archive.as_uri(), md5))
    return tmp_path / "data", md5


def test_download_verify_extract_load(served):
    root, md5 = served
    images = data.load_images("cifar10", str(root), download=True)
    assert images["x_train"].shape == (30, 3, 32, 32) and images["x_test"].shape == (6, 3, 32, 32)
    assert 0 <= images["x_train"].min() and images["x_train"].max() <= 1
    assert data.md5_of(root / ARCHIVE) == md5
    assert not list(root.glob("*.part")), "a temporary file was left behind"


def test_a_corrupt_archive_is_detected_and_fetched_again(served, capsys):
    root, md5 = served
    root.mkdir()
    (root / ARCHIVE).write_bytes(b"half an archive")
    with pytest.raises(RuntimeError, match="corrupt or incomplete"):
        data.load_images("cifar10", str(root), download=False)
    images = data.load_images("cifar10", str(root), download=True)
    assert "fetching it again" in capsys.readouterr().out
    assert data.md5_of(root / ARCHIVE) == md5 and len(images["y_test"]) == 6


def test_a_download_with_the_wrong_checksum_keeps_nothing(served, monkeypatch):
    root, _ = served
    url, _ = data.SOURCES[ARCHIVE]
    monkeypatch.setitem(data.SOURCES, ARCHIVE, (url, "0" * 32))
    with pytest.raises(RuntimeError, match="nothing was kept"):
        data.load_images("cifar10", str(root), download=True)
    assert not (root / ARCHIVE).exists() and not list(root.glob("*.part"))


def test_a_missing_file_without_download_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        data.load_images("cifar10", str(tmp_path), download=False)


def test_a_tiny_paper_scale_configuration_runs_end_to_end(tmp_path):
    """Chapter 9 as the paper-scale command runs it (CIFAR-10 format, crops, SGD), at a tiny size."""
    import papermill as pm

    from overparam.book.paths import NOTEBOOKS

    archive, _ = synthetic_cifar10(tmp_path, per_batch=8)
    root = tmp_path / "cifar"
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    results = tmp_path / "results"
    pm.execute_notebook(str(NOTEBOOKS / "09-resnet20.ipynb"), str(tmp_path / "out.ipynb"), cwd=str(NOTEBOOKS),
                        progress_bar=False, kernel_name="python3",
                        parameters=dict(dataset="cifar10", data_dir=str(root), n_train=0, n_validation=8, widths=[1, 2],
                                        base_widths=[1], epochs=1, batch_size=8, augment=True, optimizer="sgd",
                                        learning_rate=0.05, weight_decay=5e-4, seeds=[0], progress=False,
                                        results_dir=str(results)))
    import pandas as pd

    runs = pd.read_csv(results / "resnet20_runs.csv")
    assert set(runs.variant) >= {"dense", "magnitude", "magnitude+retrain"} and len(runs.width.unique()) == 2
    assert not list(results.rglob("*.ckpt")), "finished trainings leave no checkpoint"
