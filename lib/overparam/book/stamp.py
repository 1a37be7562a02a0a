"""Where a set of outputs came from: the commit of the inputs, the date, the versions that matter
and the machine. Printed by the reproduction report and written next to the running times; kept out
of nbval's comparison (it changes with every run by design).

The stamp calls a commit dirty only when one of the chapters' inputs (their sources, the pinned
environment, the package's source: :mod:`overparam.book.inputs`) differs from it
(:func:`inputs_commit`): the outputs a run writes (results/, notebooks/*.ipynb) never do.
"""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from overparam.book.paths import CHAPTERS, ROOT, SHARED_INPUTS

PACKAGES = ["numpy", "scipy", "pandas", "torch", "matplotlib", "papermill"]
NOT_A_CHECKOUT = "unknown (not a git checkout)"


def input_pathspecs() -> list[str]:
    """Git pathspecs of every chapter's inputs (sources and shared inputs, not the claims files,
    which are outputs); as patterns, they also cover deleted and untracked files."""
    return [f":(glob){pattern}" for pattern in (CHAPTERS, *SHARED_INPUTS)]


def git(root: Path, *arguments: str) -> str:
    """The standard output of a git command run in ``root``; raises when git fails or is missing."""
    return subprocess.run(["git", *arguments], cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def inputs_commit(files: Iterable[Path | str] | None = None, root: Path = ROOT) -> str:
    """The checked-out commit (12 hex digits), with ``+ uncommitted changes to its inputs`` when one
    of ``files`` (paths or git pathspecs; default: every chapter's inputs) differs from it: modified,
    deleted or untracked. Outputs are not inputs, so writing them leaves the commit clean."""
    pathspecs = input_pathspecs() if files is None else [str(path) for path in files]
    try:
        head = git(root, "rev-parse", "--short=12", "HEAD")
        changed = git(root, "status", "--porcelain", "--untracked-files=all", "--", *pathspecs) if pathspecs else ""
    except (OSError, subprocess.CalledProcessError):
        return NOT_A_CHECKOUT
    return head + (" + uncommitted changes to its inputs" if changed else "")


def commit(root: Path = ROOT) -> str:
    """:func:`inputs_commit` of every chapter's inputs in ``root`` (the name of earlier versions)."""
    return inputs_commit(root=root)


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_stamp() -> str:
    """One paragraph: commit of the inputs, date, Python and package versions, cores, CPU model and
    GPU if any."""
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
    return (f"inputs at commit {inputs_commit()}; run on {datetime.date.today().isoformat()}; "
            f"Python {platform.python_version()}, {', '.join(versions)}; "
            f"{os.cpu_count()} cores, {cpu_model()}{gpu}")
