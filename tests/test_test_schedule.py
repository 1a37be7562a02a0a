"""How `make test` spreads the suite over its xdist workers (the root conftest.py): which tests form
one unit of work, and that the units are handed out longest first without losing or splitting one."""
import importlib.util
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
root_conftest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(root_conftest)

CELLS = [f"notebooks/09-resnet20.ipynb::Cell {i}" for i in range(3)]
AFTER = root_conftest.AFTER_CHAPTER + "09-resnet20]"
PRESETS = [root_conftest.PRESET_RUN + f"{stem}]" for stem in ("01-a", "02-b")]
NODEIDS = ["tests/test_a.py::test_one", *CELLS[:2], "tests/test_a.py::test_two", *PRESETS, CELLS[2], AFTER,
           "notebooks/01-a.ipynb::Cell 0", "tests/test_b.py::test_three"]


def test_the_units_of_work():
    group = root_conftest.chapter_group
    assert {group(nodeid) for nodeid in CELLS + [AFTER]} == {"09-resnet20"}
    assert group("tests/test_site.py::test_x") == group("tests/test_explorer_site.py::test_y") == "site"
    assert [group(nodeid) for nodeid in PRESETS] == PRESETS  # one chapter run each: a unit of its own
    assert group("tests/test_a.py::test_two") == "tests/test_a.py"


def test_units_come_longest_first_whole_and_in_their_own_order():
    chapters, presets = {"09-resnet20": 300.0, "01-a": 5.0}, {"01-a": 10.0, "02-b": 400.0}
    ordered = root_conftest.longest_first(NODEIDS, chapters, presets)
    assert sorted(ordered) == sorted(NODEIDS)  # nothing lost, nothing twice
    assert ordered == [PRESETS[1], *CELLS, AFTER, PRESETS[0], "notebooks/01-a.ipynb::Cell 0",
                       # two tests outweigh one; units of equal expected time keep their first order
                       "tests/test_a.py::test_one", "tests/test_a.py::test_two", "tests/test_b.py::test_three"]
