"""The reproduction report: every chapter's ``claims.csv`` collected, counted and shown.

The headline counts only the paper's own claims (origin ``paper``, kind ``claim``), per scale the
runs established; the book's stronger versions of them, its own claims, the controls and the
consistency checks are shown in tables of their own and never counted with them.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import yaml

from overparam.book.chapters import chapter_sources
from overparam.book.paths import ROOT
from overparam.book.claims import ANSWERS, BADGES, Shown, is_question, share, status_badge
from overparam.book.claim_table import DECLARED, UNTESTED
from overparam.book.verdicts import SCALES, STATUSES

SECTIONS = [  # (title, which rows, what the section is)
    ("The paper's claims", lambda c: (c.origin == "paper") & (c.kind == "claim"),
     "each claim as the paper states it; the only rows counted in the headline"),
    ("Stronger versions of the paper's claims (ours)", lambda c: (c.origin == "paper-extended") & (c.kind == "claim"),
     "this book's extensions of a paper claim (every size, every noise level, ...), scored beside the paper's own"),
    ("Questions of this book, beyond the paper", lambda c: (c.origin == "beyond") & (c.kind == "claim"),
     "questions the paper does not ask, each with the answer this run gives: yes, no, partly (at some of its "
     "points) or not decided; a 'no' is an answer, not a failed reproduction"),
    ("Controls", lambda c: c.kind == "control", "comparisons that must come out equal by construction"),
    ("Consistency checks", lambda c: c.kind == "check",
     "identities that can fail only through a bug in the code; not claims, never counted"),
]


def load_claims(claims_dir: str | Path) -> pd.DataFrame:
    """Every ``claims.csv`` under ``claims_dir`` (one folder per chapter), in chapter order."""
    files = sorted(Path(claims_dir).glob("*/claims.csv"))
    if not files:
        raise FileNotFoundError(f"no claims.csv under {str(claims_dir)!r}: run the chapters first (make run)")
    return pd.concat([pd.read_csv(path, keep_default_na=False, na_values=[""]) for path in files],
                     ignore_index=True)


def page_heading(source: Path) -> str:
    """The title of a page: the first level-1 heading of its source (the file name without one)."""
    return next((line[2:].strip() for line in source.read_text().splitlines() if line.startswith("# ")), source.stem)


def toc_titles(root: Path = ROOT) -> dict[str, str]:
    """Every page of ``_toc.yml`` (its path without suffix) and the title the site's sidebar gives it:
    the toc's ``title`` where it sets one, the page's heading otherwise, with the chapter's number in
    front in the numbered parts ("6. Random features: ..."), counted across parts as Sphinx does."""
    toc, titles, number = yaml.safe_load((root / "_toc.yml").read_text()), {}, 0
    for part in toc.get("parts", []):
        for entry in part.get("chapters", []):
            title = entry.get("title") or page_heading(root / f"{entry['file']}.md")
            if part.get("numbered"):
                number += 1
                title = f"{number}. {title}"
            titles[entry["file"]] = title
    return titles


def chapter_titles(root: Path = ROOT) -> dict[str, str]:
    """Each chapter's slug (``01-linear-gaussian``) and its title as the sidebar shows it
    (:func:`toc_titles`); a chapter missing from the toc keeps its page's heading."""
    titles = toc_titles(root)
    return {source.stem: titles.get(f"notebooks/{source.stem}", page_heading(source)) for source in chapter_sources(root)}


def headline(claims: pd.DataFrame) -> pd.DataFrame:
    """The paper's claims counted by status, one row per scale the runs established (scales are
    never mixed in one row)."""
    paper = claims[SECTIONS[0][1](claims)]
    counts = paper.groupby("scale").status.value_counts().unstack(fill_value=0)
    counts = counts.reindex(index=[s for s in SCALES if s in counts.index], columns=list(STATUSES), fill_value=0)
    counts["claims"] = counts.sum(axis=1)
    return counts


def commits(claims: pd.DataFrame) -> str:
    """Which commit of the inputs the claims were made from: one commit, or each with its chapters.
    A chapter is re-executed only when its own inputs change (overparam.book.inputs), so chapters
    may name older commits than the report: their inputs are the same in the later commit, which
    the test suite checks against the recorded hashes (results/run-inputs.csv)."""
    made = claims.groupby("commit", sort=True).chapter.unique()
    if len(made) == 1:
        return f"every chapter's claims were made from the inputs at commit {made.index[0]}"
    return ("each chapter's claims were made from its inputs at the commit named (a chapter is re-run only "
            "when its own inputs change, and the test suite checks that none changed since): " + "; ".join(
                f"{commit} ({', '.join(chapters)})" for commit, chapters in made.items()))


# Where each chapter shows what its claims rest on: (claim id prefix, label of that section of the
# chapter's page), first match first; a chapter or claim without one links to the chapter's page.
SECTION_LABELS = {
    "01-linear-gaussian": [("fig3-", "sec-lg-fig3"), ("fig7-", "sec-lg-fig7"),
                           ("lg-retraining-theory", "sec-lg-same-sample"), ("lg-theory", "sec-lg-agreement"),
                           ("lg-pruned-beats-screened", "sec-lg-screened"), ("lg-oracle-beats-screened", "sec-lg-screened"), ("lg-scope", "sec-lg-scope")],
    "02-distributional-characterization": [("dc-law", "sec-dc-law"), ("dc-", "sec-dc-risk")],
    "03-pruning-risk": [("pr-theory", "sec-pr-risk"), ("pr-hessian", "sec-pr-hessian"), ("pr-", "sec-pr-best-small")],
    "04-lemma1-correlated-features": [("lemma1-", "sec-lemma1-risk")],
    "05-denoising": [("dn-", "sec-dn-simulation")],
    "06-random-features": [("fig2-", "sec-rf-fig2"), ("dc-pruning", "sec-rf-fig2"), ("fig4-", "sec-rf-fig4"),
                           ("", "sec-rf-gap")],
    "07-random-features-mnist": [("digits-", "sec-digits-claims")],
    "08-two-layer-networks": [("fig6-", "sec-mlp-width")],
    "09-resnet20": [("fig", "sec-resnet-width")],
    "10-ridge-pruning": [("ridge-dc-agreement-lasso", "sec-ridge-lasso"), ("ridge-lasso-", "sec-ridge-lasso"),
                         ("ridge-dc-agreement", "sec-ridge-simulation"), ("ridge-no-peak-", "sec-ridge-peak"),
                         ("ridge-tuned-", "sec-ridge-largest"), ("ridge-untuned-", "sec-ridge-largest"),
                         ("ridge-cv-", "sec-ridge-cv")],
    "11-quantization": [("quant-peak-", "sec-quant-peak"), ("quant-largest-model-best", "sec-quant-peak"),
                        ("quant-3bit-follows-theory", "sec-quant-laws"), ("quant-near-bound", "sec-quant-laws"),
                        ("quant-3bit-beats-small", "sec-quant-equal-bits"), ("quant-", "sec-quant-fair-budget")],
    "12-correlated-refits": [("refit-dc-agreement", "sec-refit-agreement"), ("refit-retrain-", "sec-refit-retraining-pays"),
                             ("refit-distill-", "sec-refit-distillation"), ("refit-lemma1-", "sec-refit-lemma1"),
                             ("refit-", "sec-refit-samples")],
    "13-classification": [("cls-dc-agreement", "sec-cls-least-squares"), ("cls-peak-", "sec-cls-cross-entropy"),
                          ("cls-loss-", "sec-cls-many-features"), ("cls-hessian-", "sec-cls-hessian"),
                          ("cls-", "sec-cls-largest")],
    "14-where-conclusions-hold": [("phase-diagram-confirmed-best-size", "sec-phase-best-size"),
                                  ("phase-diagram-confirmed-pruned-beats-small", "sec-phase-pruned-beats-small"),
                                  ("phase-diagram-confirmed-hessian", "sec-phase-hessian"),
                                  ("phase-diagram-confirmed-retraining-hurts", "sec-phase-retraining-at-p"),
                                  ("phase-diagram-confirmed-ridge", "sec-phase-ridge"),
                                  ("phase-diagram-confirmed-quantized", "sec-phase-quantized"),
                                  ("phase-diagram-confirmed-retraining-pays", "sec-phase-correlated"),
                                  ("phase-diagram-confirmed-classifier", "sec-phase-classifier")],
}


def section_label(chapter: str, claim_id: str) -> str | None:
    """The label of the section of ``chapter`` that shows claim ``claim_id`` (None: the whole page)."""
    return next((label for prefix, label in SECTION_LABELS.get(chapter, []) if claim_id.startswith(prefix)), None)


def _chapter_link(slug: str, titles: dict[str, str], claim_id: str = "", text: str | None = None) -> str:
    """A link to the chapter's page, at the section that shows the claim where there is one; its text
    is ``text`` or the chapter's title."""
    label = section_label(slug, claim_id)
    anchor = f"#{label}" if label else ""
    return f'<a href="{html.escape(slug)}.html{anchor}">{html.escape(text or titles.get(slug, slug))}</a>'


def answer_badge(status: str, holds: float | None = None) -> str:
    """The status of one of the book's own questions as its answer (a rejected hypothesis is the
    answer "no", not a failed reproduction): the status's symbol and the answer, in one neutral colour."""
    symbol = BADGES[status][0]
    fraction = "" if holds is None or pd.isna(holds) else f" (at {share(holds)} of points)"
    return (f'<span class="claim-badge claim-answer" style="font-weight:bold;white-space:nowrap">{symbol} '
            f'{ANSWERS[status]}</span>{fraction}<br><small>answer</small>')


def _tolerance_note(row) -> str:
    """The declared tolerance and the status at half and at twice it (flagged when it changes there);
    empty for a rule without a tolerance."""
    if pd.isna(row.tolerance) or row.at_half in ("", None) or pd.isna(row.at_half):
        return ""
    flag = ' <strong class="claim-fragile">fragile</strong>' if str(row.fragile) == "True" else ""
    return (f'<br><small>tolerance {row.tolerance:g}: at half {html.escape(row.at_half)}, '
            f'at twice {html.escape(row.at_double)}{flag}</small>')


def _status_cell(row) -> str:
    holds = None if pd.isna(row.holds) else float(row.holds)
    return answer_badge(row.status, holds) if is_question(row) else status_badge(row.status, holds)


def _claim_words(row) -> str:
    """The claim as stated; for the book's own questions, asked (with a question mark)."""
    return f"{row.claim.rstrip('.')}?" if is_question(row) else row.claim


MEASURED_SHOWN = 160  # characters of a measurement shown before the rest folds away (a layout choice)


def folded(text: str, shown: int = MEASURED_SHOWN) -> str:
    """``text`` as HTML; past ``shown`` characters (cut at a space) the rest folds into a
    ``<details>`` the reader opens, so that one long measurement does not make its row a page tall."""
    cut = text.rfind(" ", 0, shown) if len(text) > shown else -1
    if cut <= 0:
        return html.escape(text)
    return (f'{html.escape(text[:cut])} <details class="claim-more"><summary>… the rest '
            f"({len(text) - cut} characters)</summary>{html.escape(text[cut:])}</details>")


COLUMNS = ("status", "claim", "measured", "paper")


def claims_table(rows: pd.DataFrame, titles: dict[str, str]) -> str:
    """Rows of claims as an HTML table whose long lines wrap, in the columns :data:`COLUMNS`: status
    (a badge with a symbol and the fraction of points that hold; for the book's own questions, the
    answer), claim (or question, with its id and a link to the section of the chapter that shows it),
    measured (with the tolerance and the status at half and at twice it), and where the paper makes
    the claim. Each cell names its column (``data-label``) for the stacked layout of narrow screens."""
    def cell(column: str, content: str) -> str:
        return f'<td data-label="{column}">{content}</td>'

    body = "".join(
        '<tr class="claim-row">' + cell("status", _status_cell(row))
        + cell("claim", f'{html.escape(_claim_words(row))}<br><small><code class="claim-id">{html.escape(row.id)}</code> · '
               f'{_chapter_link(row.chapter, titles, row.id, "in the chapter")}</small>')
        + cell("measured", folded(row.measured) + _tolerance_note(row))
        + cell("paper", html.escape(paper_reference(row.paper))) + "</tr>" for row in rows.itertuples())
    head = "".join(f'<th class="claims-{column}">{column}</th>' for column in COLUMNS)
    return f'<table class="claims claims-report"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def claims_lines(rows: pd.DataFrame) -> str:
    """The same rows as plain lines (status first), for the PDF and a terminal."""
    return "\n".join(f"[{ANSWERS[row.status] if is_question(row) else row.status}] {row.chapter}: "
                     f"{_claim_words(row)} -- {row.measured}" for row in rows.itertuples())


def sections(claims: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(title, what it holds, rows) of every section, in the report's order; a section whose rows
    come from runs of more than one scale is split by scale (scales are never mixed in one table)."""
    chunks = []
    for title, chosen, what in SECTIONS:
        rows = claims[chosen(claims)]
        scales = [scale for scale in SCALES if (rows.scale == scale).any()]
        if len(scales) <= 1:
            chunks.append((title + (f", {scales[0]} runs" if scales else ""), what, rows))
        else:
            chunks += [(f"{title}, {scale} runs", what, rows[rows.scale == scale]) for scale in scales]
    return chunks


def section_view(rows: pd.DataFrame, titles: dict[str, str]) -> Shown:
    """Rows of claims as :func:`claims_table` in the book, :func:`claims_lines` elsewhere."""
    if rows.empty:
        return Shown("<p>None in this run.</p>", "None in this run.")
    return Shown(claims_table(rows, titles), claims_lines(rows))


def status_counts(rows: pd.DataFrame) -> str:
    """``✔ 3 · ◐ 1 · ✘ 0 · ? 2`` for a set of claims (symbols and words, never colour alone); "—"
    when there are none."""
    if rows.empty:
        return "—"
    return " · ".join(f"{BADGES[status][0]} {int((rows.status == status).sum())}" for status in STATUSES)


def _unbroken_counts(counts: str) -> str:
    """:func:`status_counts` as HTML whose line breaks fall only between two statuses' counts."""
    return " · ".join(f'<span style="white-space:nowrap">{html.escape(part)}</span>' for part in counts.split(" · "))


def chapter_anchor(slug: str) -> str:
    """The id of a chapter's section of the report (linked from the summary)."""
    return f"claims-{slug}"


def _html_table(head: list[str], rows: list[list[str]], css: str) -> str:
    header = "".join(f"<th>{cell}</th>" for cell in head)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def summary_view(claims: pd.DataFrame) -> Shown:
    """The paper's claims counted by status (:func:`headline`), one row per scale, as an HTML table
    whose column heads carry each status's symbol and word."""
    counts = headline(claims)
    head = ["runs"] + [f"{BADGES[status][0]} {status}" for status in STATUSES] + ["claims"]
    rows = [[html.escape(SCALE_WORDS[scale])] + [str(int(row[column])) for column in [*STATUSES, "claims"]]
            for scale, row in counts.iterrows()]
    return Shown(_html_table(head, rows, "claims-summary"), counts.to_string())


def chapter_summary_view(claims: pd.DataFrame, titles: dict[str, str]) -> Shown:
    """One row per chapter, linked to its section of the report: the counts by status of the paper's
    claims, of the book's stronger versions and own questions, and the number of controls and checks."""
    rows, lines = [], []
    for slug, chosen in claims.groupby("chapter", sort=True):
        paper = status_counts(chosen[SECTIONS[0][1](chosen)])
        own = status_counts(chosen[(chosen.origin != "paper") & (chosen.kind == "claim")])
        checks = int((chosen.kind != "claim").sum())
        rows.append([f'<a href="#{chapter_anchor(slug)}">{html.escape(titles.get(slug, slug))}</a>',
                     _unbroken_counts(paper), _unbroken_counts(own), str(checks)])
        lines.append(f"{titles.get(slug, slug)}: paper {paper}; ours {own}; controls and checks {checks}")
    head = ["chapter", "the paper's claims", "our stronger versions and own questions", "controls and checks"]
    return Shown(_html_table(head, rows, "claims-summary claims-chapters"), "\n".join(lines))


def chapter_section(slug: str, rows: pd.DataFrame, titles: dict[str, str]) -> str:
    """One chapter's claims as a collapsible section (``<details>``, id :func:`chapter_anchor`): its
    title and counts as the summary line, then one table per kind of row (:func:`sections`)."""
    parts = [f'<p class="claims-group"><strong>{html.escape(title)}</strong> ({len(chosen)}): {html.escape(what)}.</p>'
             + claims_table(chosen, titles) for title, what, chosen in sections(rows) if len(chosen)]
    return (f'<details class="claims-chapter" id="{chapter_anchor(slug)}"><summary><strong>'
            f"{html.escape(titles.get(slug, slug))}</strong> <span class=\"claims-counts\">{len(rows)} rows: "
            f"{_unbroken_counts(status_counts(rows))}</span></summary>{''.join(parts)}</details>")


def chapter_sections_view(claims: pd.DataFrame, titles: dict[str, str]) -> Shown:
    """Every chapter's section (:func:`chapter_section`), in chapter order; plain lines elsewhere."""
    chapters = list(claims.groupby("chapter", sort=True))
    return Shown("".join(chapter_section(slug, rows, titles) for slug, rows in chapters),
                 "\n\n".join(f"{titles.get(slug, slug)}\n{claims_lines(rows)}" for slug, rows in chapters))


SCALE_WORDS = {"defaults": "At the book's default runs (linear and random-features chapters)",
               "reduced": "On the reduced network runs (laptop scale, not the paper's)",
               "paper-recipe": "On network runs with the paper's recipe"}
STATUS_WORDS = [("reproduced", "stand"), ("partly", "stand only in part"), ("not reproduced", "fail"),
                ("inconclusive", "cannot be decided at this scale")]


def paper_reference(where: str) -> str:
    """Where the paper makes a claim, as the book's prose writes it: the paper's figures as "paper
    Fig. 3", so that they are not read as the book's own (numbered "Fig. 6.2")."""
    return f"paper {where}" if where.startswith("Fig.") else where


def narrative(claims: pd.DataFrame) -> str:
    """A short generated account of the paper's claims, one paragraph per scale (never mixed): which
    stand, which stand qualified (with the share of points where they hold), which fail, which are
    inconclusive; then which verdicts are fragile and how many claims are untested."""
    paper = claims[SECTIONS[0][1](claims)]
    parts = []
    for scale in [scale for scale in SCALES if (paper.scale == scale).any()]:
        rows = paper[paper.scale == scale]
        parts.append(f"**{SCALE_WORDS[scale]}**, {len(rows)} claims of the paper:")
        for status, phrase in STATUS_WORDS:
            chosen = rows[rows.status == status]
            if len(chosen):
                items = "; ".join(f"{row.claim} ({paper_reference(row.paper)}" + (f", holds at {share(float(row.holds))} of points"
                                                               if status == "partly" and not pd.isna(row.holds) else "")
                                  + ")" for row in chosen.itertuples())
                parts.append(f"- {len(chosen)} {phrase}: {items}.")
    fragile = paper[paper.fragile.astype(str) == "True"]
    if len(fragile):
        parts.append(f"**{len(fragile)} of these verdicts are fragile** (their status changes at half or at twice "
                     "the declared tolerance): " + "; ".join(fragile.claim) + ".")
    parts.append(f"**{len(UNTESTED)} claims of the paper are not tested here;** they are listed below with the reason.")
    return "\n\n".join(parts)


def untested_view() -> Shown:
    """The paper's claims the book does not test, each with the reason."""
    body = "".join(f"<tr><td>{html.escape(u.paper)}</td><td>{html.escape(u.claim)}</td><td>{html.escape(u.reason)}</td></tr>"
                   for u in UNTESTED)
    return Shown('<table class="book-table"><thead><tr><th>paper</th>'
                 "<th>claim</th><th>why it is not tested</th></tr></thead>"
                 f"<tbody>{body}</tbody></table>",
                 "\n".join(f"{u.paper}: {u.claim} -- {u.reason}" for u in UNTESTED))


def tolerance_view(claims: pd.DataFrame) -> Shown:
    """The declared table of every claim judged in this run: id, rule, tolerance and its reason."""
    keys = sorted({key for key in DECLARED
                   if claims.id.eq(key).any() or claims.id.str.startswith(key + "-").any()})
    body = "".join(f"<tr><td><code>{html.escape(key)}</code></td><td>{html.escape(DECLARED[key].rule)}</td>"
                   f"<td>{'—' if DECLARED[key].tolerance is None else f'{DECLARED[key].tolerance:g}'}</td>"
                   f"<td>{html.escape(DECLARED[key].reason)}</td></tr>" for key in keys)
    return Shown('<table class="book-table"><thead><tr><th>claim id</th>'
                 "<th>rule</th><th>tolerance</th><th>reason</th></tr></thead>"
                 f"<tbody>{body}</tbody></table>",
                 "\n".join(f"{key}: {DECLARED[key].rule}, {DECLARED[key].tolerance}: {DECLARED[key].reason}"
                           for key in keys))
