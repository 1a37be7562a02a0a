"""Files written whole or not at all (overparam.book.files), as the sweeps write their records,
tables, notebooks and maps."""
import json

import pytest

from overparam.book.files import replaced_atomically, write_atomic


def test_the_file_is_replaced_whole_and_no_temporary_is_left(tmp_path):
    path = tmp_path / "new" / "record.json"
    seen = []

    def write(temporary):
        seen.append(temporary)
        assert temporary.parent == path.parent and temporary.suffix == ".json" and not path.exists()
        temporary.write_text(json.dumps({"a": 1}))

    assert write_atomic(path, write) == path
    assert json.loads(path.read_text()) == {"a": 1}
    assert sorted(path.parent.iterdir()) == [path] and not seen[0].exists()


def test_a_writer_that_raises_leaves_the_old_file(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("old\n")

    def write(temporary):
        temporary.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(path, write)
    assert path.read_text() == "old\n" and sorted(tmp_path.iterdir()) == [path]


def test_an_error_handled_in_the_block_still_renames_what_was_written(tmp_path):
    """As a sweep point keeps the partial notebook of a chapter that raised."""
    path = tmp_path / "notebook.ipynb"
    with replaced_atomically(path) as partial:
        try:
            partial.write_text("partial")
            raise ValueError("the chapter raised")
        except ValueError:
            pass
    assert path.read_text() == "partial"


def test_a_block_that_writes_nothing_leaves_the_old_file(tmp_path):
    path = tmp_path / "notebook.ipynb"
    path.write_text("old")
    with replaced_atomically(path):
        pass
    assert path.read_text() == "old" and sorted(tmp_path.iterdir()) == [path]
