"""Where a set of outputs came from: the commit of the inputs, the date, the versions that matter
and the machine. Printed by the reproduction report and written next to the running times; kept out
of nbval's comparison (it changes with every run by design)."""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = ["numpy", "scipy", "pandas", "torch", "matplotlib", "papermill"]
ROOT = Path(__file__).resolve().parents[2]


def commit(root: Path = ROOT) -> str:
    """The checked-out commit, with ``+ uncommitted changes`` when the tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + (" + uncommitted changes" if dirty else "")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_stamp() -> str:
    """One paragraph: commit, date, Python and package versions, cores, CPU model and GPU if any."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    gpu = ""
    try:
        import torch

        if torch.cuda.is_available():
            gpu = f", GPU {torch.cuda.get_device_name(0)}"
    except ImportError:
        pass
    return (f"inputs at commit {commit()}; run on {datetime.date.today().isoformat()}; "
            f"Python {platform.python_version()}, {', '.join(versions)}; "
            f"{os.cpu_count()} cores, {cpu_model()}{gpu}")
