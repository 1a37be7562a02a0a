"""The reproduction report: what it counts, and that every row it renders has a status."""
import re
from html import unescape

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
        rendered = re.findall(r'<tr class="claim-row"><td data-label="status">(.*?)</td>', page) if len(rows) else []
        assert len(rendered) == len(rows)
        for cell, row in zip(rendered, rows.itertuples()):
            # the book's own questions show their answer; every other row its status
            words = report.ANSWERS[row.status] if report.is_question(row) else row.status
            assert words in cell
    assert "A | B beats C" in report.section_view(claims, titles).html
    assert 'href="01-a.html"' in report.section_view(claims, titles).html
    # the columns in the reader's order: status, claim, measured, paper
    assert re.findall(r'<th class="claims-(\w+)">', report.section_view(claims, titles).html) == list(report.COLUMNS)
    assert report.COLUMNS == ("status", "claim", "measured", "paper")


def test_the_summary_is_a_table_of_counts_by_status(claims):
    page = report.summary_view(claims).html
    assert page.startswith('<table class="claims-summary">')
    assert "<th>✔ reproduced</th>" in page and "<th>? inconclusive</th>" in page
    cells = re.findall(r"<tr><td>([^<]*)</td>((?:<td>\d+</td>)+)</tr>", page)
    assert [unescape(words) for words, _ in cells] == [report.SCALE_WORDS["defaults"], report.SCALE_WORDS["reduced"]]
    assert re.findall(r"\d+", cells[0][1]) == ["1", "0", "0", "0", "1"]  # one paper claim at the defaults, reproduced


def test_one_collapsible_section_per_chapter_linked_from_the_summary(claims):
    titles = {"01-a": "1. Chapter A", "08-b": "8. Chapter B"}
    summary, sections = report.chapter_summary_view(claims, titles).html, report.chapter_sections_view(claims, titles).html
    for slug, title in titles.items():
        assert f'<a href="#claims-{slug}">{title}</a>' in summary
        assert f'<details class="claims-chapter" id="claims-{slug}"><summary><strong>{title}</strong>' in sections
    assert sections.count("<details class=\"claims-chapter\"") == 2
    assert sections.count('<tr class="claim-row">') == len(claims)  # every row, once
    assert "01-a</strong>" not in sections  # titles, not slugs


def test_chapter_titles_are_the_sidebars(tmp_path):
    (tmp_path / "notebooks").mkdir()
    for name, heading in [("01-a", "Beyond the paper: a long title"), ("02-b", "Second"), ("99-r", "Report")]:
        (tmp_path / "notebooks" / f"{name}.md").write_text(f"---\n---\n\n# {heading}\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nparts:\n  - caption: A\n    numbered: true\n"
                                       "    chapters:\n      - file: notebooks/01-a\n        title: A short title\n"
                                       "      - file: notebooks/02-b\n  - caption: Back\n    chapters:\n"
                                       "      - file: notebooks/99-r\n")
    assert report.chapter_titles(tmp_path) == {"01-a": "1. A short title", "02-b": "2. Second", "99-r": "Report"}


def test_a_long_measurement_folds_after_its_first_words():
    text = "word " * 100
    shown = report.folded(text, shown=40)
    assert shown.startswith("word word") and '<details class="claim-more">' in shown
    assert shown.replace('<details class="claim-more"><summary>', "").count("word") == 100  # nothing is lost
    assert report.folded("short") == "short"


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
