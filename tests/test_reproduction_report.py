"""The reproduction report: what it counts, and that every row it renders has a status."""
import re

import pandas as pd
import pytest

from overparam.book.claims import claim, write_claims
from overparam.book import claim_table
from overparam.book import verdicts as v
from overparam.reports import reproduction as report

NOISE = [-1.0, 0.0, 1.0, -0.5, 0.5]


@pytest.fixture
def claims(tmp_path, monkeypatch):
    monkeypatch.setitem(claim_table.DECLARED, "t-sign", claim_table.Declared("comparison", None, "a test"))
    monkeypatch.setitem(claim_table.DECLARED, "t-equal", claim_table.Declared("equality", 1.0, "a test"))
    up = v.comparison([x + 2 for x in NOISE])
    rows = {"01-a": [claim("t-sign", "Fig. 3", "A | B beats C", up),
                     claim("t-sign", "Fig. 3", "A beats C everywhere", v.comparison([x - 2 for x in NOISE]),
                           origin="paper-extended", variant="x"),
                     claim("t-equal", "Lemma 1", "an identity", v.equality(NOISE, 1.0), kind="check")],
            "08-b": [claim("t-sign", "Fig. 6", "a network claim", v.comparison(NOISE), scale="reduced"),
                     claim("t-equal", "Fig. 6", "random equals small", v.equality(NOISE, 1.0), kind="control"),
                     claim("t-sign", "-", "ours", up, origin="beyond", variant="y")]}
    for chapter, chapter_rows in rows.items():
        write_claims(chapter_rows, tmp_path / chapter, chapter)
    return report.load_claims(tmp_path)


def test_headline_counts_only_the_papers_claims_per_scale(claims):
    counts = report.headline(claims)
    assert list(counts.index) == ["defaults", "reduced"]
    assert counts.loc["defaults", "reproduced"] == 1 and counts.loc["defaults", "claims"] == 1
    assert counts.loc["reduced", "inconclusive"] == 1 and counts.loc["reduced", "claims"] == 1
    assert counts.claims.sum() == 2  # not the extension, the check, the control or our own claim


def test_sections_separate_extensions_controls_and_checks(claims):
    sizes = {title: len(rows) for title, _, rows in report.sections(claims)}
    assert sum(sizes.values()) == len(claims)
    assert sizes["Consistency checks, defaults runs"] == 1 and sizes["Controls, defaults runs"] == 1
    assert sizes["Stronger versions of the paper's claims (ours), defaults runs"] == 1
    # the paper's claims come from two scales: two tables, never mixed
    assert sizes["The paper's claims, defaults runs"] == 1 and sizes["The paper's claims, reduced runs"] == 1
    for _, _, rows in report.sections(claims):
        assert rows.scale.nunique() <= 1


def test_every_rendered_row_has_a_status_and_pipes_do_not_break_it(claims):
    titles = {"01-a": "Chapter A", "08-b": "Chapter B"}
    for _, _, rows in report.sections(claims):
        page = report.section_view(rows, titles).html
        rendered = re.findall(r"<tr><td>(.*?)</td>", page.split("<tbody>")[1]) if len(rows) else []
        assert len(rendered) == len(rows)
        assert all(any(status in cell for status in v.STATUSES) for cell in rendered)
    assert "A | B beats C" in report.section_view(claims, titles).html
    assert 'href="01-a.html"' in report.section_view(claims, titles).html


def test_narrative_and_commit(claims):
    text = report.narrative(claims)
    assert "- 1 stand: A | B beats C" in text and "cannot be decided" in text
    # one paragraph per scale: the reduced run's claim is not counted with the default run's
    assert text.index("default runs") < text.index("- 1 stand") < text.index("reduced network runs")
    assert "beats C everywhere" not in text  # an extension is not the paper's claim
    assert "every chapter's claims were made from the inputs at commit" in report.commits(claims)
    mixed = claims.assign(commit=["a", "a", "a", "b", "b", "b"])
    assert "at the commit named" in report.commits(mixed) and "; b (" in report.commits(mixed)


def test_no_claims_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="run the chapters first"):
        report.load_claims(tmp_path)


def test_the_tolerance_table_lists_what_was_judged(claims):
    assert "t-equal" in report.tolerance_view(claims).text and "t-sign" in report.tolerance_view(claims).text


def test_the_committed_report_counts_only_paper_claims():
    committed = report.load_claims(report.chapter_sources()[0].parents[1] / "results")
    assert set(committed.kind) <= set(v.KINDS) and set(committed.origin) <= set(v.ORIGINS)
    assert set(committed.scale) <= set(v.SCALES)
    assert committed.id.is_unique or committed.groupby("chapter").id.apply(lambda ids: ids.is_unique).all()
