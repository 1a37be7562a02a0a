"""``overparam sweep-report DIR``: per claim id, how often the sweep's points reproduced it, partly,
not, or inconclusively; and a verdict map over two of the grid's parameters (a PNG)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from overparam.book.files import write_atomic
from overparam.book.style import BOOK_RC, COLUMN_INCHES, SMALL_FONT_SIZE
from overparam.book.verdicts import STATUSES
from overparam.sweep.plan import read_description
from overparam.sweep.tables import CLAIMS


def read_claims(out) -> pd.DataFrame:
    """The sweep's ``claims.csv`` (FileNotFoundError with the reason when no point wrote claims)."""
    path = Path(out) / CLAIMS
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: no point of the sweep has finished with claims yet")
    return pd.read_csv(path)


def status_counts(claims: pd.DataFrame) -> pd.DataFrame:
    """Per claim id (in the chapter's order), how many points gave each of the four statuses, and
    over how many points it was judged."""
    counts = pd.crosstab(claims["id"], claims["status"]).reindex(columns=list(STATUSES), fill_value=0)
    counts = counts.reindex(pd.unique(claims["id"]))
    return counts.assign(points=counts.sum(axis=1))


def reproduced_share(claims: pd.DataFrame, x: str, y: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Over the grid of ``x`` (columns) and ``y`` (rows): the share of the claims judged there
    (every claim id, every point with those two values) that were reproduced, and how many were judged."""
    judged = claims.assign(reproduced=claims["status"] == "reproduced")
    share = judged.pivot_table(index=y, columns=x, values="reproduced", aggfunc="mean")
    count = judged.pivot_table(index=y, columns=x, values="reproduced", aggfunc="size")
    return share, count


def map_axes(description: dict, x: str | None, y: str | None) -> tuple[str, str]:
    """The two parameters of the verdict map: those given, else the grid's first two axes."""
    axes = list(description["axes"])
    x, y = x or (axes[0] if axes else None), y or (axes[1] if len(axes) > 1 else None)
    for name in (x, y):
        if name not in axes:
            raise ValueError(f"the verdict map needs two of the grid's parameters {axes}; got {name!r}")
    if x == y:
        raise ValueError(f"the verdict map needs two different parameters, got {x!r} twice")
    return x, y


def draw_verdict_map(share: pd.DataFrame, count: pd.DataFrame, x: str, y: str, title: str, path: Path) -> Path:
    """A heat map of the reproduced share over (x, y), each cell labelled with its share and how
    many claims it judged (grey: no claims there); written atomically to ``path`` (PNG), at most the
    book's column wide (:data:`overparam.book.style.COLUMN_INCHES`), no text under its small font size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(BOOK_RC):  # the book's font sizes (11-13 pt), also outside a chapter
        width = min(COLUMN_INCHES, 2.0 + 1.3 * share.shape[1])
        fig, ax = plt.subplots(figsize=(width, 1.2 + 1.0 * share.shape[0]))
        colours = matplotlib.colormaps["RdYlGn"].with_extremes(bad="lightgrey")
        image = ax.imshow(share.to_numpy(dtype=float), cmap=colours, vmin=0, vmax=1, aspect="auto")
        for (row, column), value in np.ndenumerate(share.to_numpy(dtype=float)):
            judged = count.to_numpy(dtype=float)[row, column]
            label = "no claims\n(failed or\nnot run)" if np.isnan(value) else f"{value:.0%}\nof {judged:.0f}"
            ax.text(column, row, label, ha="center", va="center", fontsize=SMALL_FONT_SIZE)
        ax.set_xticks(range(share.shape[1]), [str(v) for v in share.columns])
        ax.set_yticks(range(share.shape[0]), [str(v) for v in share.index])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(title)
        ax.grid(False)
        fig.colorbar(image, ax=ax, label="share of claims reproduced")
        write_atomic(path, lambda temporary: fig.savefig(temporary, format="png", dpi=120, bbox_inches="tight"))
    plt.close(fig)
    return path


def sweep_report(out, x: str | None = None, y: str | None = None, claim: str | None = None,
                 png: str | None = None) -> tuple[str, Path | None]:
    """The report's text (status counts per claim id) and the verdict map's path (None when the grid
    has fewer than two parameters). ``claim`` restricts the map to one claim id."""
    out = Path(out)
    description = read_description(out)
    claims = read_claims(out)
    text = status_counts(claims).to_string()
    if len(description["axes"]) < 2:
        return text, None
    x, y = map_axes(description, x, y)
    judged = claims if claim is None else claims[claims["id"] == claim]
    if judged.empty:
        raise ValueError(f"no claim with id {claim!r} in {out / CLAIMS}")
    share, count = reproduced_share(judged, x, y)
    # every value of the grid, also those where no point finished with claims (a grey cell)
    share, count = (table.reindex(index=description["axes"][y], columns=description["axes"][x])
                    for table in (share, count))
    title = f"{Path(description['chapter']).stem}: " + (claim or "every claim")
    return text, draw_verdict_map(share, count, x, y, title, Path(png) if png else out / f"verdict-map-{x}-{y}.png")
