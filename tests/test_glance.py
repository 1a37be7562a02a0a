"""The first page's "Results at a glance" (book/glance.md) is made from the committed claims and run
times: up to date, counting each status with a symbol, and never mixing scales."""
import importlib.util

import pandas as pd

from overparam.book.paths import ROOT
from overparam.reports.glance import glance_markdown, paper_parts, status_counts, summary

spec = importlib.util.spec_from_file_location("glance_page", ROOT / "tools" / "glance_page.py")
glance_page = importlib.util.module_from_spec(spec)
spec.loader.exec_module(glance_page)


def claims(rows):
    columns = ["chapter", "origin", "kind", "scale", "status", "paper"]
    return pd.DataFrame(rows, columns=columns)


EXAMPLE = claims([("01-a", "paper", "claim", "defaults", "reproduced", "Fig. 3(a), l. 57"),
                  ("01-a", "paper", "claim", "defaults", "partly", "Fig. 7"),
                  ("01-a", "beyond", "claim", "defaults", "not reproduced", ""),
                  ("01-a", "paper", "check", "defaults", "reproduced", "Def. 5"),
                  ("08-b", "paper", "claim", "reduced", "inconclusive", "Fig. 6")])


def test_the_committed_page_is_up_to_date():
    assert glance_page.PAGE.read_text() == glance_page.page(), "book/glance.md is stale: run `make run`"


def test_counts_use_symbols_and_checks_are_not_claims():
    assert status_counts(EXAMPLE[EXAMPLE.origin == "paper"]) == "✔ 2 · ◐ 1 · ✘ 0 · ? 1"
    text = glance_markdown(EXAMPLE, {"01-a": 12.3})
    row = next(line for line in text.splitlines() if "01-a" in line)
    assert "| Fig. 3, Fig. 7 | ✔ 1 · ◐ 1 · ✘ 0 · ? 0 | ✔ 0 · ◐ 0 · ✘ 1 · ? 0 | 12 s |" in row
    assert "| — |" in next(line for line in text.splitlines() if "08-b" in line)  # no run time recorded


def test_the_summary_keeps_scales_apart():
    text = summary(EXAMPLE)
    assert "of 2 claims of the paper: 1 stand, 1 stand only in part" in text
    assert "of 1 claims of the paper: 0 stand, 0 stand only in part, 0 fail, 1 cannot be decided" in text


def test_paper_parts_drop_line_numbers_and_equations():
    assert paper_parts(["Fig. 3(b), l. 57", "Lemma 1, eq. 5", "Fig. 3"]) == ["Fig. 3", "Lemma 1"]


def test_the_chapter_table_links_each_chapter_by_its_sidebar_title():
    text = glance_markdown(EXAMPLE, {}, {"01-a": "1. Chapter A", "08-b": "8. Chapter B"})
    assert "| {doc}`1. Chapter A <../notebooks/01-a>` |" in text and "{doc}`8. Chapter B <../notebooks/08-b>`" in text


def test_the_tip_box_names_each_failing_claim_of_the_paper_with_its_chapter():
    rows = EXAMPLE.assign(claim=[f"claim {i}" for i in range(len(EXAMPLE))])
    failing = pd.concat([rows, claims([("06-c", "paper", "claim", "defaults", "not reproduced", "Fig. 2")]).assign(
        claim="the theory predicts pruning")], ignore_index=True)
    box = glance_markdown(failing, {}).split("```\n\n")[0]
    assert "the 1 that fail: the theory predicts pruning ({doc}`chapter 6 <../notebooks/06-c>`)" in box
    assert "claim 2" not in box  # the book's own question that fails is not one of the paper's claims
    assert "that fail" not in glance_markdown(rows, {})  # none fails: no sentence
