"""The classroom preset (presets/classroom.yaml): every entry names a chapter, sets only parameters
the chapter declares, passes the chapter's own validation and names the claim that states the
chapter's main conclusion; every chapter run at its preset (into a temporary folder) gives that claim
the verdict it has at the defaults, or the preset says why it cannot; `make run PRESET=classroom`
writes into its own folder, never into notebooks/ or results/ but for its record results/classroom-runs.csv;
and the teachers' guide shows the table tools/preset_table.py makes of that record."""
import importlib.util
from pathlib import Path

import nbformat
import pytest
import yaml

from overparam.book.chapters import chapter_parameters, chapter_rules, chapter_sources
from overparam.book.params import check_parameters
from overparam.book.paths import REPORT, RESULTS

ROOT = Path(__file__).resolve().parent.parent
PRESET = ROOT / "presets" / "classroom.yaml"
spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute_notebooks)

spec = importlib.util.spec_from_file_location("preset_table", ROOT / "tools" / "preset_table.py")
preset_table = importlib.util.module_from_spec(spec)
spec.loader.exec_module(preset_table)

PRESETS = execute_notebooks.read_preset("classroom")  # chapter -> papermill parameters
MAIN = execute_notebooks.read_main_claims("classroom")  # chapter -> main_claim, verdict_differs
SOURCES = {source.stem: source for source in chapter_sources(ROOT)}


def test_the_preset_covers_every_chapter_but_the_report():
    assert set(PRESETS) == {stem for stem in SOURCES if stem != REPORT}
    written = yaml.safe_load(PRESET.read_text())
    for stem, entry in written.items():
        assert PRESETS[stem] == {key: value for key, value in entry.items() if key not in execute_notebooks.PRESET_KEYS}


@pytest.mark.parametrize("stem", sorted(PRESETS))
def test_each_chapter_names_its_main_claim(stem):
    """A committed claim (not a check) of the chapter, by its stable id; a declared difference says why."""
    claim_id, differs = MAIN[stem]["main_claim"], MAIN[stem]["verdict_differs"]
    assert claim_id, f"{stem}: no main_claim in presets/classroom.yaml"
    if not (RESULTS / stem / "claims.csv").exists():
        pytest.skip(f"{stem} has not been run at its defaults yet (make run): no committed claims to compare with")
    assert claim_id in execute_notebooks.claim_statuses(RESULTS / stem), \
        f"{stem}: {claim_id!r} is not a claim of results/{stem}/claims.csv"
    assert differs is None or (isinstance(differs, str) and len(differs.split()) >= 8), \
        f"{stem}: verdict_differs must say why, in a sentence"


@pytest.mark.parametrize("stem", sorted(PRESETS))
def test_each_preset_passes_the_chapters_validation(stem, tmp_path):
    assert stem in SOURCES, f"{stem}: no such chapter"
    rules = chapter_rules(SOURCES[stem])
    assert rules is not None, f"{stem}: the chapter declares no PARAMETERS"
    values = PRESETS[stem]
    assert values, f"{stem}: empty preset"
    unknown = set(values) - set(rules)
    assert not unknown, f"{stem}: parameters {sorted(unknown)} are not declared by the chapter"
    assert "results_dir" not in values, f"{stem}: results_dir is set by tools/execute_notebooks.py"
    namespace = {**chapter_parameters(SOURCES[stem]), **values, "results_dir": str(tmp_path / stem)}
    check_parameters(rules, namespace, summary=False)  # raises ParameterError naming the parameter


@pytest.mark.parametrize("stem", sorted(PRESETS))
def test_at_its_preset_the_main_conclusion_keeps_its_verdict(stem, tmp_path):
    """The chapter run at its preset (the whole preset run: about 5 minutes of CPU over every chapter)
    into tmp_path: the verdict of its main claim is the committed one at the defaults, unless the preset
    declares why not; and the run writes only into its own folder."""
    if not (RESULTS / stem / "claims.csv").exists():
        pytest.skip(f"{stem} has not been run at its defaults yet (make run): no committed verdict to compare with")
    seconds = execute_notebooks.run_preset(SOURCES[stem], "classroom", ROOT, out=tmp_path)
    assert seconds > 0
    executed = nbformat.read(tmp_path / f"{stem}.ipynb", as_version=4)
    injected = [cell for cell in executed.cells if "injected-parameters" in cell.metadata.get("tags", [])]
    assert injected and str(tmp_path / "results" / stem) in injected[0].source
    for name, value in PRESETS[stem].items():
        assert f"{name} = {value!r}" in injected[0].source
    assert stem in execute_notebooks.read_table(tmp_path / "execution-times.csv", "seconds")
    claim_id = MAIN[stem]["main_claim"]
    at_preset = execute_notebooks.claim_statuses(tmp_path / "results" / stem).get(claim_id, "missing")
    at_defaults = execute_notebooks.claim_statuses(RESULTS / stem)[claim_id]
    assert at_preset == at_defaults or MAIN[stem]["verdict_differs"], (
        f"{stem}: {claim_id} is {at_preset!r} at the preset but {at_defaults!r} at the defaults, and "
        "presets/classroom.yaml declares no verdict_differs reason")


def test_the_record_of_a_preset_run(tmp_path):
    defaults = {"a": "reproduced", "b": "partly", "c": "reproduced"}
    preset = {"a": "reproduced", "b": "inconclusive", "d": "partly"}
    row = execute_notebooks.preset_record("01-x", 12.34, "b", preset, defaults)
    assert row == {"notebook": "01-x", "seconds": "12.3", "main_claim": "b", "status": "inconclusive",
                   "same_verdicts": 1, "compared": 2}
    assert execute_notebooks.preset_record("01-x", 1.0, "zz", preset, defaults)["status"] == "missing"
    path = tmp_path / "results" / "classroom-runs.csv"
    execute_notebooks.update_runs(path, row)
    execute_notebooks.update_runs(path, {**row, "notebook": "00-y"})
    execute_notebooks.update_runs(path, {**row, "seconds": "9.9"})
    assert path.read_text().splitlines() == [",".join(execute_notebooks.RUN_COLUMNS),
                                             "00-y,12.3,b,inconclusive,1,2", "01-x,9.9,b,inconclusive,1,2"]


def test_the_guides_preset_table_is_up_to_date():
    guide = preset_table.GUIDE.read_text()
    assert guide == preset_table.page(guide), \
        "book/teachers-guide.md's preset table is stale: run tools/preset_table.py"
    for stem in PRESETS:
        assert f"<../notebooks/{stem}>`" in preset_table.table()


def test_the_guide_has_a_section_for_every_chapter():
    """Issue 27: for each chapter its prerequisites, exercises and misreadings, under a heading of its own."""
    guide = preset_table.GUIDE.read_text()
    for stem in PRESETS:
        number = int(stem.split("-")[0])
        assert f"### {number}. {{doc}}`../notebooks/{stem}`" in guide, stem


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
    assert not (tmp_path / "notebooks").exists()
    # under results/ only the preset's record: the time and the main claim's status (no claims: "missing")
    assert sorted(path.name for path in (tmp_path / "results").iterdir() if not path.name.startswith(".")) == \
        ["classroom-runs.csv"]
    assert (tmp_path / "results" / "classroom-runs.csv").read_text().splitlines()[1] == \
        f"{stem},1.0,{MAIN[stem]['main_claim']},missing,0,0"
