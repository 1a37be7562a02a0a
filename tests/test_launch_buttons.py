"""Launch buttons (Binder, Colab): configured in _config.yml, pointed at the repository's public
URL by book/_ext/launch_buttons.py, and absent when no such URL is known."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from launch_buttons import configure_launch_buttons, public_repository_url, repository_of  # noqa: E402

LAUNCH_LINK = re.compile(r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)[^"]*)"')


@pytest.mark.parametrize("remote, expected", [
    ("https://github.com/org/book", "https://github.com/org/book"),
    ("https://github.com/org/book.git", "https://github.com/org/book"),
    ("git@github.com:org/my.book.git", "https://github.com/org/my.book"),
    ("ssh://git@gitlab.com/org/book.git/", "https://gitlab.com/org/book"),
    ("/work/main", None),
    ("https://example.com/org/book", None),
    ("", None),
    (None, None),
])
def test_only_hosted_repositories_give_a_public_url(remote, expected):
    assert public_repository_url(remote) == expected


def test_repository_comes_from_the_environment_or_git(tmp_path):
    subprocess.run(["git", "init", "-q", "-b", "trunk", str(tmp_path)], check=True)
    assert repository_of(tmp_path, environ={}) == (None, "main")  # no commit yet: HEAD is unborn
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:org/book.git"], check=True)
    assert repository_of(tmp_path, environ={})[0] == "https://github.com/org/book"
    env = {"BOOK_REPOSITORY_URL": "https://gitlab.com/other/copy", "BOOK_REPOSITORY_BRANCH": "site"}
    assert repository_of(tmp_path, environ=env) == ("https://gitlab.com/other/copy", "site")


def test_buttons_are_dropped_without_a_url_and_never_point_at_jupyter_book():
    defaults = {"launch_buttons": {"binderhub_url": "https://mybinder.org"},
                "repository_url": "https://github.com/executablebooks/jupyter-book", "repository_branch": "master"}
    options = dict(defaults)
    configure_launch_buttons(options, None, "main")
    assert "launch_buttons" not in options
    options = dict(defaults)
    configure_launch_buttons(options, "https://github.com/org/book", "main")
    assert (options["repository_url"], options["repository_branch"]) == ("https://github.com/org/book", "main")


def _build(out, env_url=None):
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOK_REPOSITORY")}
    if env_url:
        env["BOOK_REPOSITORY_URL"] = env_url
    subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--path-output", str(out),
                    "--warningiserror", "--quiet"], check=True, capture_output=True, text=True, env=env)
    return (out / "_build" / "html" / "notebooks" / "06-random-features.html").read_text()


def test_the_built_chapter_launches_its_own_notebook(tmp_path):
    page = _build(tmp_path / "with-url", "git@github.com:org/book.git")
    links = LAUNCH_LINK.findall(page)
    assert "https://mybinder.org/v2/gh/org/book/" in links[0] and links[0].endswith("notebooks/06-random-features.ipynb")
    assert any(link.startswith("https://colab.research.google.com/github/org/book/blob/") for link in links)
    assert all("executablebooks" not in link for link in links)
