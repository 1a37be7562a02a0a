"""Write book/_static/explorer/data.js, the precomputed curves of the page "Explore the theory"
(book/explore.md): the predicted test risk of every compressor with a closed form
(overparam.reports.predict) at every model size k, for each point of a grid of problems of chapter 1's
families (overparam.theory.problems.fig3_problem). The page's script (explorer.js) draws them.

The data are JavaScript, ``window.EXPLORER_DATA = {...};``, loaded by a <script> tag, not JSON loaded by
fetch: browsers refuse fetch on file:// URLs, and the site must work when opened from disk. Numbers
are rounded to 4 significant digits.

usage: python tools/explorer_data.py [--p 400] [--n-over-p 0.2 0.3 0.5 0.8] [--s-over-n 0.1 0.3 0.5]
           [--spike 1 3 10 30] [--sigma 0.1 0.5 1] [--theta-law ...] [--alignment ...] [--panel b a]
           [--sizes 40] [--seed 0] [--out book/_static/explorer/data.js]

The page reads the grid from the data; a new grid needs no change to explorer.js.
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from pathlib import Path

from overparam.reports.predict import PREDICTED, model_sizes, predict
from overparam.theory.problems import ALIGNMENTS, THETA_LAWS, fig3_problem

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "book" / "_static" / "explorer" / "data.js"
PREFIX, SUFFIX = "window.EXPLORER_DATA = ", ";\n"

# the controls of the page, in the order of a curve's key ("i,j,...": the index of each value)
CONTROLS = [
    ("n_over_p", "n / p (samples per feature)"),
    ("s_over_n", "s / n (budget per sample)"),
    ("spike", "spike (saliency of the s salient features)"),
    ("sigma", "noise σ"),
    ("theta_law", "law of θ*"),
    ("alignment", "alignment"),
    ("panel", "panel"),
]


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("--p", type=int, default=400, help="number of features (fixed)")
    parse.add_argument("--n-over-p", type=float, nargs="+", default=[0.2, 0.3, 0.5, 0.8])
    parse.add_argument("--s-over-n", type=float, nargs="+", default=[0.1, 0.3, 0.5])
    parse.add_argument("--spike", type=float, nargs="+", default=[1.0, 3.0, 10.0, 30.0])
    parse.add_argument("--sigma", type=float, nargs="+", default=[0.1, 0.5, 1.0])
    parse.add_argument("--theta-law", nargs="+", choices=THETA_LAWS, default=list(THETA_LAWS))
    parse.add_argument("--alignment", nargs="+", choices=ALIGNMENTS, default=list(ALIGNMENTS))
    parse.add_argument("--panel", nargs="+", choices=["a", "b"], default=["b", "a"],
                       help="b: the spike in the variances (chapter 1's default); a: in theta*")
    parse.add_argument("--sizes", type=int, default=48,
                       help="model sizes log-spaced over 1..p before rounding (48: about 40 distinct)")
    parse.add_argument("--seed", type=int, default=0, help="seed of theta*'s draw (random laws)")
    parse.add_argument("--fraction", type=float, default=0.1, help="non-zero share of theta* (sparse law)")
    parse.add_argument("--out", type=Path, default=OUT)
    return parse


def rounded(x: float):
    """x to 4 significant digits, as the shortest JSON number (an int when whole); None for NaN/inf."""
    if not math.isfinite(x):
        return None
    r = float(f"{x:.4g}")
    return int(r) if r.is_integer() and abs(r) < 1e15 else r


def curves(problem, n: int, s: int, sizes) -> list[list]:
    """One array per compressor of PREDICTED: the dense fit at every size, a compressor at the sizes
    k >= s only (the page aligns its array with the last sizes)."""
    table = predict(problem, n, s, sizes)
    return [[rounded(r) for r in table.risk[table.compressor == name]] for name in PREDICTED]


def build(args) -> dict:
    p = args.p
    ns = [max(2, round(ratio * p)) for ratio in args.n_over_p]
    budgets = [[min(p, max(1, round(ratio * n))) for ratio in args.s_over_n] for n in ns]
    values = [args.n_over_p, args.s_over_n, args.spike, args.sigma, args.theta_law, args.alignment, args.panel]
    data = {
        "generator": "tools/explorer_data.py",
        "p": p, "seed": args.seed, "fraction": args.fraction,
        "controls": [{"name": name, "label": label, "values": list(vals)}
                     for (name, label), vals in zip(CONTROLS, values)],
        "compressors": list(PREDICTED),
        "n": ns,
        "s": budgets,  # s[i][j]: the budget for the i-th n and the j-th s / n
        "sizes": [model_sizes(p, n, args.sizes).tolist() for n in ns],  # sizes[i]: for the i-th n
        "curves": {},
        "dropped": {},  # why -> the keys of the combinations left out for that reason
    }
    for index in itertools.product(*(range(len(v)) for v in values)):
        i, j, a, b, c, d, e = index
        spike, sigma, law, alignment, panel = values[2][a], values[3][b], values[4][c], values[5][d], values[6][e]
        n, s = ns[i], budgets[i][j]
        key = ",".join(map(str, index))
        try:
            problem = fig3_problem(panel, p, s, spike, sigma, law, alignment, args.seed, args.fraction)
            data["curves"][key] = curves(problem, n, s, data["sizes"][i])
        except ValueError as error:  # e.g. alignment "inverted" in panel "a": no such problem
            data["dropped"].setdefault(str(error), []).append(key)
    return data


def dump(data: dict) -> str:
    return PREFIX + json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + SUFFIX


def load(path: Path = OUT) -> dict:
    """The data a data.js file holds."""
    text = Path(path).read_text(encoding="utf-8")
    assert text.startswith(PREFIX) and text.endswith(SUFFIX), f"{path} is not an explorer data file"
    return json.loads(text[len(PREFIX):-len(SUFFIX)])


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    start = time.perf_counter()
    data = build(args)
    text = dump(data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode()) / 1e6:.2f} MB, {len(data['curves'])} problems, "
          f"{sum(map(len, data['dropped'].values()))} invalid combinations dropped) in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
