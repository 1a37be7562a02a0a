"""Binder and Colab launch buttons, once the book knows the public repository it lives in.

`_config.yml` holds the launch-button configuration (which services, which interface). The
buttons also need the repository's public URL, which this project does not hard-code: a fork or a
mirror would otherwise launch the wrong repository. The URL is taken, in this order, from

1. the environment variable ``BOOK_REPOSITORY_URL`` (for example in the CI job that publishes the
   site), or
2. ``git remote get-url origin`` of the checkout being built,

and is used only when it names a GitHub or GitLab repository (the services launch nothing else).
The branch comes from ``BOOK_REPOSITORY_BRANCH``, else the checked-out branch, else ``main``.
Without a usable URL the site builds as before, with download buttons and no launch buttons
(sphinx-book-theme cannot build launch links without a repository).
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

_HOSTED = re.compile(r"(?:https://|ssh://git@|git@)(github\.com|gitlab\.com)[/:]([\w.-]+)/([\w.-]+?)(?:\.git)?/?")


def public_repository_url(remote: str | None) -> str | None:
    """``https://host/org/repo`` for a GitHub or GitLab remote (https or ssh form), else None."""
    match = _HOSTED.fullmatch((remote or "").strip())
    return "https://{}/{}/{}".format(*match.groups()) if match else None


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def repository_of(root: Path, environ=os.environ) -> tuple[str | None, str]:
    """(public URL or None, branch) of the book's repository, from the environment or git."""
    url = public_repository_url(environ.get("BOOK_REPOSITORY_URL") or _git(root, "remote", "get-url", "origin"))
    branch = environ.get("BOOK_REPOSITORY_BRANCH") or _git(root, "rev-parse", "--abbrev-ref", "HEAD")
    return url, branch if branch and branch != "HEAD" else "main"


def configure_launch_buttons(theme_options: dict, url: str | None, branch: str) -> None:
    """Point the theme's launch buttons at ``url``, or drop them when it is None (in place).

    The URL and branch always replace the theme's: Jupyter Book's defaults name its own
    repository (executablebooks/jupyter-book, branch master), which would launch the wrong notebooks.
    """
    if url is None:
        theme_options.pop("launch_buttons", None)
        return
    theme_options["repository_url"] = url
    theme_options["repository_branch"] = branch


def _on_config_inited(app, config):
    configure_launch_buttons(config.html_theme_options, *repository_of(Path(app.srcdir)))


def setup(app):
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
