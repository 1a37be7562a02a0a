"""The reproduction report: what it counts, and that every row it renders has a status."""
import re

import pytest

from overparam.book.claims import claim, write_claims
from overparam.book import claim_table
from overparam.book import verdicts as v
from overparam.reports import reproduction as report
from overparam.reports.phase_diagrams import CLAIM_KEY, STATEMENTS

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
        for cell, row in zip(rendered, rows.itertuples()):
            # the book's own questions show their answer; every other row its status
            words = report.ANSWERS[row.status] if report.is_question(row) else row.status
            assert words in cell
    assert "A | B beats C" in report.section_view(claims, titles).html
    assert 'href="01-a.html"' in report.section_view(claims, titles).html


def test_the_books_own_questions_are_answered_not_scored(claims):
    ours = claims[claims.origin == "beyond"]
    page, text = report.section_view(ours, {}).html, report.section_view(ours, {}).text
    assert "ours?" in page and "yes" in page and "reproduced" not in page
    assert text.startswith("[yes] 08-b: ours? --")
    refuted = ours.assign(status="not reproduced")
    assert "✘ no" in report.section_view(refuted, {}).html and "not reproduced" not in report.section_view(refuted, {}).html
    paper = claims[claims.origin == "paper"]
    assert "reproduced" in report.section_view(paper, {}).html and "?<br>" not in report.section_view(paper, {}).html


def test_rows_link_to_the_section_that_shows_them():
    sources = {source.stem: source.read_text() for source in report.chapter_sources()}
    for chapter, pairs in report.SECTION_LABELS.items():
        for _, label in pairs:
            assert f"({label})=" in sources[chapter], f"{chapter} has no section labelled {label}"
    assert report.section_label("01-linear-gaussian", "fig7-retraining-helps-only-at-peak-a-hessian-fresh") == "sec-lg-fig7"
    assert report.section_label("13-classification", "cls-peak-a-ls-dense") == "sec-cls-cross-entropy"
    assert report.section_label("99-nowhere", "cls-peak-a-ls-dense") is None  # a chapter without labels: the page itself
    link = report._chapter_link("01-linear-gaussian", {}, "fig3-b-hessian-beats-magnitude")
    assert 'href="01-linear-gaussian.html#sec-lg-fig3"' in link


def test_every_committed_claim_links_to_a_labelled_section_of_its_chapter():
    committed = report.load_claims(report.chapter_sources()[0].parents[1] / "results")
    sources = {source.stem: source.read_text() for source in report.chapter_sources()}
    assert set(committed.chapter) <= set(report.SECTION_LABELS)  # every chapter with claims, 1 to 14
    unlinked = [f"{row.chapter}: {row.id}" for row in committed.itertuples() if report.section_label(row.chapter, row.id) is None]
    assert not unlinked
    missing = {f"{row.chapter}: {report.section_label(row.chapter, row.id)}" for row in committed.itertuples()
               if f"({report.section_label(row.chapter, row.id)})=" not in sources[row.chapter]}
    assert not missing


def test_each_phase_diagram_conclusion_links_to_its_own_section():
    """Chapter 14 makes one claim per conclusion, committed or not yet: each has a section of its own."""
    labels = [report.section_label("14-where-conclusions-hold", f"{CLAIM_KEY}-{conclusion}") for conclusion in STATEMENTS]
    assert None not in labels and len(set(labels)) == len(STATEMENTS)


def test_narrative_and_commit(claims):
    text = report.narrative(claims)
    assert "- 1 stand: A | B beats C (paper Fig. 3)" in text and "cannot be decided" in text
    assert report.paper_reference("Lemma 1") == "Lemma 1"  # only figures need "paper" to tell them from the book's
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
