"""The classroom preset (presets/classroom.yaml): every entry names a chapter, sets only parameters
the chapter declares, and passes the chapter's own validation; and `make run PRESET=classroom`
writes into its own folder, never into notebooks/ or results/ (one cheap chapter, end to end)."""
import importlib.util
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

from overparam.book.chapters import chapter_rules, chapter_sources
from overparam.book.params import check_parameters
from overparam.book.paths import REPORT

ROOT = Path(__file__).resolve().parent.parent
PRESET = ROOT / "presets" / "classroom.yaml"
spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute_notebooks)

PRESETS = yaml.safe_load(PRESET.read_text())
SOURCES = {source.stem: source for source in chapter_sources(ROOT)}
CHEAP = "05-denoising"  # the fastest chapter at its preset (a few seconds)


def parameters_cell(source: Path) -> dict:
    """The chapter's default parameters: its cell tagged `parameters`, run on its own."""
    cells = [cell for cell in jupytext.read(source).cells
             if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", [])]
    assert len(cells) == 1, f"{source.name}: expected one cell tagged parameters"
    namespace: dict = {}
    exec(cells[0].source, namespace)
    return {name: value for name, value in namespace.items() if not name.startswith("__")}


def test_the_preset_covers_every_chapter_but_the_report():
    assert set(PRESETS) == {stem for stem in SOURCES if stem != REPORT}
    assert execute_notebooks.read_preset("classroom") == PRESETS


@pytest.mark.parametrize("stem", sorted(PRESETS))
def test_each_preset_passes_the_chapters_validation(stem, tmp_path):
    assert stem in SOURCES, f"{stem}: no such chapter"
    rules = chapter_rules(SOURCES[stem])
    assert rules is not None, f"{stem}: the chapter declares no RULES"
    values = PRESETS[stem]
    assert values, f"{stem}: empty preset"
    unknown = set(values) - set(rules)
    assert not unknown, f"{stem}: parameters {sorted(unknown)} are not declared by the chapter"
    assert "results_dir" not in values, f"{stem}: results_dir is set by tools/execute_notebooks.py"
    namespace = {**parameters_cell(SOURCES[stem]), **values, "results_dir": str(tmp_path / stem)}
    check_parameters(rules, namespace, summary=False)  # raises ParameterError naming the parameter


def test_a_preset_run_writes_only_into_its_own_folder(tmp_path):
    source = SOURCES[CHEAP]
    seconds = execute_notebooks.run_preset(source, "classroom", ROOT, out=tmp_path)
    assert seconds > 0
    executed = nbformat.read(tmp_path / f"{CHEAP}.ipynb", as_version=4)
    injected = [cell for cell in executed.cells if "injected-parameters" in cell.metadata.get("tags", [])]
    assert injected and str(tmp_path / "results" / CHEAP) in injected[0].source
    for name, value in PRESETS[CHEAP].items():
        assert f"{name} = {value!r}" in injected[0].source
    assert (tmp_path / "results" / CHEAP / "claims.csv").exists()
    assert CHEAP in execute_notebooks.read_table(tmp_path / "execution-times.csv", "seconds")


def test_main_with_a_preset_runs_its_chapters_into_the_preset_folder(tmp_path, monkeypatch):
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "classroom.yaml").write_text(PRESET.read_text())
    calls = []

    def fake_execute(source, root, target=None, parameters=None, results=None):
        calls.append((source.stem, target, parameters, results))
        return 1.0

    monkeypatch.setattr(execute_notebooks, "execute", fake_execute)
    sources = [str(SOURCES[stem]) for stem in ("01-linear-gaussian", REPORT)]
    execute_notebooks.main(sources, root=tmp_path, preset="classroom")
    assert [call[0] for call in calls] == ["01-linear-gaussian"]  # the report has no preset
    stem, target, parameters, results = calls[0]
    assert target == tmp_path / "classroom" / f"{stem}.ipynb"
    assert results == (tmp_path / "classroom" / "results" / stem).resolve()
    assert parameters == {**PRESETS[stem], "results_dir": str(results)}
    assert not (tmp_path / "results").exists() and not (tmp_path / "notebooks").exists()
