"""Files written whole or not at all: a writer fills a temporary file beside the target, which is
then renamed onto it (``os.replace`` is atomic within one file system), so that a reader (a resumed
sweep, a second process) sees the old file or the whole new one, never half of it."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced_atomically(path: str | Path) -> Iterator[Path]:
    """A fresh temporary path beside ``path`` (its folder made if need be; hidden, with the same
    extension, for writers that read the format from it) for the block to write;
    when the block ends, the file written there, if any, is renamed onto ``path``. When the block
    raises, the temporary file is removed and ``path`` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}")
    os.close(handle)
    temporary = Path(name)
    temporary.unlink()  # a name no other writer uses; the block creates the file
    try:
        yield temporary
        if temporary.exists():
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)``, then rename the file onto ``path`` (:func:`replaced_atomically`)."""
    with replaced_atomically(path) as temporary:
        write(temporary)
    return Path(path)
