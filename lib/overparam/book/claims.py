"""A chapter's claims: each one a declared id, where it comes from (the paper or the book), what was
measured and its :class:`~overparam.book.verdicts.Verdict`; written to the chapter's claims.csv
with the commit of the inputs it was made from, and shown on the page as an HTML table, status first.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from overparam.book.claim_table import declared
from overparam.book.glue import glue
from overparam.book.stamp import inputs_commit
from overparam.book.tidy import write_csv
from overparam.book.verdicts import KINDS, ORIGINS, SCALES, Verdict

CLAIM_COLUMNS = ["chapter", "id", "paper", "origin", "kind", "scale", "claim", "status", "holds", "measured",
                 "rule", "tolerance", "at_half", "at_double", "fragile", "commit"]
SAME_TOLERANCE = 1e-12


def _same_tolerance(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= SAME_TOLERANCE * max(1.0, abs(a))


def claim(key: str, paper: str, text: str, verdict: Verdict, origin: str = "paper", kind: str = "claim",
          scale: str = "defaults", variant: str = "") -> dict:
    """One row of claims.csv.

    ``key`` is the claim's stable id, declared in overparam.book.claim_table with the rule
    and tolerance that must have produced ``verdict`` (a ValueError otherwise); a claim made in a
    loop adds a ``variant`` (its id is ``key-variant``). ``paper`` names the figure, lemma or section;
    ``origin`` says whose claim it is: the paper's as the paper states it (``paper``), this book's
    stronger version of a paper claim (``paper-extended``), or this book's own (``beyond``); ``kind``
    separates claims from consistency checks (identities that can only fail through a bug) and
    controls (comparisons that must come out equal by construction); ``scale`` is what the run
    establishes (``defaults``, ``reduced``, ``paper-recipe``)."""
    if not isinstance(verdict, Verdict):
        raise TypeError(f"a claim's status comes from a rule of overparam.book.verdicts, got {verdict!r}")
    declaration = declared(key)
    if declaration.rule != verdict.rule or not _same_tolerance(declaration.tolerance, verdict.tolerance):
        raise ValueError(f"claim {key!r} is declared with rule {declaration.rule!r} and tolerance "
                         f"{declaration.tolerance}, but its verdict came from rule {verdict.rule!r} with tolerance "
                         f"{verdict.tolerance}")
    for name, value, allowed in (("origin", origin, ORIGINS), ("kind", kind, KINDS), ("scale", scale, SCALES)):
        if value not in allowed:
            raise ValueError(f"unknown claim {name} {value!r}; use one of {allowed}")
    return {"id": f"{key}-{variant}" if variant else key, "paper": paper, "origin": origin, "kind": kind,
            "scale": scale, "claim": text, "status": verdict.status, "holds": verdict.holds,
            "measured": verdict.measured, "rule": verdict.rule, "tolerance": verdict.tolerance,
            "at_half": verdict.at_half, "at_double": verdict.at_double, "fragile": verdict.fragile}


def write_claims(rows: list[dict], results_dir: str | Path, chapter: str) -> pd.DataFrame:
    """Write the claims a chapter checked on its own run (rows made by :func:`claim`) to
    results_dir/claims.csv, with the chapter and the commit of the inputs; the reproduction report
    collects these files. Ids must be unique within the chapter."""
    table = pd.DataFrame(rows, columns=CLAIM_COLUMNS[1:-1]).assign(chapter=chapter, commit=inputs_commit())
    table = table[CLAIM_COLUMNS]
    repeated = table.id[table.id.duplicated()].tolist()
    if repeated:
        raise ValueError(f"claim ids must be unique within a chapter, repeated: {repeated}")
    write_csv(table, results_dir, "claims.csv")
    return table


BADGES = {"reproduced": ("✔", "#1a7f37"), "partly": ("◐", "#9a6700"), "not reproduced": ("✘", "#cf222e"),
          "inconclusive": ("?", "#57606a")}


def share(fraction: float) -> str:
    """A fraction of points as a percentage that never rounds a partial share to 0% or 100%."""
    text = f"{fraction:.0%}"
    if text in ("0%", "100%") and 0 < fraction < 1:
        text = f"{fraction:.1%}" if 0.001 <= fraction <= 0.999 else ("under 0.1%" if fraction < 0.5 else "over 99.9%")
    return text


def status_badge(status: str, holds: float | None = None) -> str:
    """A status as an HTML badge: a symbol and the word (never colour alone), and the fraction of
    points that hold where the rule has one."""
    symbol, colour = BADGES[status]
    fraction = "" if holds is None or pd.isna(holds) else f" ({share(holds)} of points)"
    return (f'<span class="claim-badge claim-{status.replace(" ", "-")}" style="color:{colour};font-weight:bold;'
            f'white-space:nowrap">{symbol} {html.escape(status)}</span>{fraction}')


def claims_html(claims: pd.DataFrame) -> str:
    """A chapter's claims as an HTML table whose long lines wrap: status first, then the claim (with
    its origin and kind where it is not a plain paper claim), then what was measured."""
    rows = []
    for row in claims.itertuples():
        tags = [tag for tag in (row.origin if row.origin != "paper" else "", row.kind if row.kind != "claim" else "",
                                "fragile" if row.fragile else "") if tag]
        label = html.escape(row.claim) + (f' <em>({", ".join(tags)})</em>' if tags else "")
        rows.append(f"<tr><td>{status_badge(row.status, row.holds)}</td><td>{label}</td>"
                    f"<td>{html.escape(row.measured)}</td></tr>")
    return ('<table class="claims" style="table-layout:auto;width:100%;white-space:normal">'
            "<thead><tr><th>status</th><th>claim</th><th>measured</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def claims_text(claims: pd.DataFrame) -> str:
    """The claims as plain lines (status first, then the claim), for a terminal or a plain-text output."""
    return "\n".join(f"[{row.status}] {row.claim}" for row in claims.itertuples())



class Shown:
    """What a cell shows: HTML in the book, plain text elsewhere (a terminal, the PDF). Make it the
    last expression of a cell."""

    def __init__(self, html_text: str, plain_text: str):
        self.html, self.text = html_text, plain_text

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


def ClaimsView(claims: pd.DataFrame) -> Shown:  # noqa: N802 (reads like the table it shows)
    """A chapter's claims as the page shows them: :func:`claims_html` in the book, :func:`claims_text`
    elsewhere."""
    return Shown(claims_html(claims), claims_text(claims))


ANSWERS = {"reproduced": "yes", "partly": "partly", "not reproduced": "no", "inconclusive": "not decided"}


def is_question(row) -> bool:
    """A row of the book's own claims (origin ``beyond``): a question, whose status is an answer."""
    return row.origin == "beyond" and row.kind == "claim"


def glue_claims(claims: pd.DataFrame, prefix: str) -> None:
    """Glue each claim of a chapter for its prose (its "Key findings" box): the status as
    ``{prefix}-claim-{id}``, the book's own questions' answer (yes, no, ...) as ``{prefix}-answer-{id}``,
    and the measured numbers as ``{prefix}-measured-{id}``."""
    for row in claims.itertuples():
        glue(f"{prefix}-claim-{row.id}", row.status)
        glue(f"{prefix}-measured-{row.id}", row.measured)
        if is_question(row):
            glue(f"{prefix}-answer-{row.id}", ANSWERS[row.status])
