"""Write the classroom preset's table into book/teachers-guide.md (between its two marker lines): for
every chapter its wall time at the defaults (results/execution-times.csv) and at the preset
(results/classroom-runs.csv, written by `make run PRESET=classroom`), its main conclusion (the claim
``main_claim`` of presets/classroom.yaml) with the verdict at the defaults (results/<chapter>/claims.csv)
and at the preset, how many of its claims keep their verdict, and, below the table, why a chapter's
main verdict or time differs where the preset declares it (``verdict_differs``). A test checks the
committed guide is what this writes.

usage: python tools/preset_table.py
"""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from overparam.book.paths import RESULTS, ROOT
from overparam.reports.reproduction import chapter_titles

GUIDE = ROOT / "book" / "teachers-guide.md"
PRESET = "classroom"
RUNS = RESULTS / f"{PRESET}-runs.csv"
LIMIT_S = 30  # the bound on a chapter's time at the classroom preset
START = "<!-- preset-table: written by tools/preset_table.py from the results; do not edit by hand -->"
END = "<!-- /preset-table -->"

_spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebooks)


def read_rows(path: Path) -> dict[str, dict]:
    """A CSV file keyed by its ``notebook`` column; empty when it does not exist."""
    if not path.exists():
        return {}
    with path.open() as f:
        return {row["notebook"]: row for row in csv.DictReader(f)}


def main_claim_text(stem: str, claim_id: str) -> tuple[str, str]:
    """(wording, status at the defaults) of a chapter's committed claim ``claim_id``."""
    if not (RESULTS / stem / "claims.csv").exists():
        return f"`{claim_id}` (the chapter has not been run at its defaults)", "not run"
    with (RESULTS / stem / "claims.csv").open() as f:
        for row in csv.DictReader(f):
            if row["id"] == claim_id:
                return row["claim"].replace("|", "\\|"), row["status"]
    return f"`{claim_id}` (not in the committed claims)", "missing"


def seconds(text: str | None) -> str:
    return "—" if not text else f"{float(text):.0f}"


def table() -> str:
    """The markdown between the markers: the table and the declared differences."""
    mains = execute_notebooks.read_main_claims(PRESET, ROOT)
    defaults = read_rows(RESULTS / "execution-times.csv")
    runs = read_rows(RUNS)
    titles = chapter_titles()  # numbered as in the sidebar, so that a row matches its section below
    lines = ["| Chapter | Defaults (s) | Preset (s) | Main conclusion (its claim) | Defaults | Preset | Same | "
             "Claims with the same verdict |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    notes = []
    for stem, declared in sorted(mains.items()):
        claim_id, run = declared["main_claim"], runs.get(stem, {})
        text, at_defaults = main_claim_text(stem, claim_id)
        measured = run.get("main_claim") == claim_id  # a run made before the main claim changed says nothing of it
        at_preset = run.get("status") if measured else "not run"
        same = "✔" if at_preset == at_defaults else ("✘" if measured else "—")
        kept = f"{run['same_verdicts']} of {run['compared']}" if run.get("compared") else "—"
        time = seconds(run.get("seconds"))
        if run.get("seconds") and float(run["seconds"]) > LIMIT_S:
            time += " ⚠"
        lines.append(f"| {{doc}}`{titles[stem]} <../notebooks/{stem}>` | {seconds(defaults.get(stem, {}).get('seconds'))} | {time} | "
                     f"{text} | {at_defaults} | {at_preset} | {same} | {kept} |")
        if declared["verdict_differs"]:
            notes.append(f"- **{{doc}}`../notebooks/{stem}`**: {declared['verdict_differs']}")
    legend = (f"⚠: over {LIMIT_S} s at the preset. Same: ✔ the main conclusion has the same verdict at the preset "
              "as at the defaults, ✘ it has not, — the chapter has not been run at the preset since its main "
              "claim was chosen.")
    body = "\n".join(lines) + "\n\n" + legend + "\n"
    if notes:
        body += "\nWhere the preset declares that its main verdict may differ from the defaults', and why:\n\n" \
                + "\n".join(notes) + "\n"
    return body


def page(text: str) -> str:
    """The guide ``text`` with the part between the markers replaced by :func:`table`."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n\n{table()}\n{END}{tail}"


if __name__ == "__main__":
    GUIDE.write_text(page(GUIDE.read_text()))
    print(f"wrote the preset table into {GUIDE.relative_to(ROOT)}")
