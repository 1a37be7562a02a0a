"""Write book/_static/explorer/static-panel.png, the printed book's stand-in for the page "Explore the
theory": the pruning view of the calculator's curves at a few representative problems
(overparam.reports.explorer.static_panel). `make explorer` runs it.

usage: python tools/explorer_panel.py [--out book/_static/explorer/static-panel.png]
"""
from __future__ import annotations

import argparse
from pathlib import Path

from overparam.book.style import use_book_style
from overparam.reports.explorer import static_panel

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "book" / "_static" / "explorer" / "static-panel.png"


def main(argv=None) -> int:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("--out", type=Path, default=OUT)
    args = parse.parse_args(argv)
    use_book_style()
    static_panel().savefig(args.out, dpi=200, metadata={"Software": None})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
