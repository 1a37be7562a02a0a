"""Benchmark (issue 27): the calculator's theory, every compressor with a closed form over 60 model sizes
of one problem, computed for all sizes at once (overparam.theory.risk_curves) against the per-size
closed forms (overparam.experiments.linear.theory_curves, one FitLaw per size) in the same process.

The target is at most 0.1 s for `overparam predict --p 1000 --n 300 --s 100 --spike 10 --sigma 0.5`
(chapter 1's panel (b)), met by every family with a few atoms; a continuous law of theta* (every
feature its own atom, the gaussian family) is over it: its tuned ridge and calibrated quantizers
evaluate a normal cdf per atom at every step of their searches (about 2.7 million atom-steps in the
ridge thresholds alone), and the line says "over". Both sides give the same numbers (the largest relative difference is
printed; tests/test_risk_curves.py checks it is below 1e-10). Times are the best of a few repeats.

The new compressors (issue 27): ridge with mu tuned for each pipeline (overparam.theory.ridge_curves,
all sizes at once; at each point of its grid a pruned pipeline and its retrained twin share one law
and one threshold, solved once) and the quantizers at DEFAULT_BITS bits (all sizes at once), timed for the same
problems: the whole calculator over 60 sizes, and its ratio to the pruning curves alone.

Issue 26: the command's start-up, the wall time of the whole `overparam predict` above in a fresh
process (median of 5 runs), most of which is importing modules, not the 10 ms computation;
``--against LIB`` also times another checkout's package folder (e.g. one made with
`git archive HEAD lib | tar -x -C /tmp/base`), alternating runs so that both see the same load.

Issue 27: on a Gaussian theta* (an atom per feature) the quantizers ran one size at a time, and the
uniform quantizer's step search summed its weight error 16 atoms at a time (a Python loop over the
atoms); :func:`atom_blocks` times them with the default blocks (every atom at once below 16 bits)
against the 16-atom blocks (overparam.theory.quantization.WEIGHT_ERROR_ENTRIES set to 16 atoms of
edges) in the same process, alternating, with the largest relative difference of the risks; then each
quantizer of the calculator (all sizes at once, on the (size, atom) pairs) against the per-size one.

usage: python benchmarks/bench_predict.py [--against /tmp/base/lib]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from overparam.experiments.linear import theory_curves
from overparam.reports.predict import (DEFAULT_BITS, PREDICTED, RIDGE, model_sizes, per_size_curves,
                                       predicted_curves, quantizers)
from overparam.theory import quantization
from overparam.theory.problems import fig3_problem
from overparam.theory.risk_curves import CURVES, risk_curves

P, N, S, SPIKE, SIGMA, SIZES = 1000, 300, 100, 10.0, 0.5, 60
TARGET_S = 0.1
COMMAND = ["predict", "--p", str(P), "--n", str(N), "--s", str(S), "--spike", str(SPIKE), "--sigma", str(SIGMA)]
RUNS = 5
FAMILIES = [("b", "constant", "aligned"), ("a", "constant", "aligned"), ("b", "random-sign", "aligned"),
            ("b", "sparse", "aligned"), ("b", "constant", "inverted"), ("b", "gaussian", "aligned")]


def best_time(function, repeats: int) -> tuple[float, dict]:
    """The shortest wall time of ``repeats`` calls, and the last call's result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def largest_relative_difference(reference: dict, fast: dict) -> float:
    worst = 0.0
    for name in CURVES:
        finite = np.isfinite(reference[name])
        assert np.array_equal(finite, np.isfinite(fast[name])), name
        worst = max(worst, float(np.max(np.abs(fast[name][finite] / reference[name][finite] - 1), initial=0.0)))
    return worst


def command_time(library: str | None) -> float:
    """Wall time of one `overparam predict` (COMMAND) in a fresh interpreter, with the package taken
    from ``library`` when given (ahead of the installed one), else from the install."""
    environment = {**os.environ, **({"PYTHONPATH": library} if library else {})}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; from overparam.cli import main; sys.exit(main(sys.argv[1:]))",
                    *COMMAND], env=environment, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def startup(against: str | None) -> None:
    """Median (and range) over RUNS fresh processes of the command's wall time, for the installed
    package and, alternating with it, for the one in ``against``."""
    libraries = {"installed": None, **({against: against} if against else {})}
    times: dict[str, list[float]] = {name: [] for name in libraries}
    for _ in range(RUNS):
        for name, library in libraries.items():
            times[name].append(command_time(library))
    for name, runs in times.items():
        print(f"  `overparam {' '.join(COMMAND)}` ({name}): median {statistics.median(runs):.2f} s "
              f"over {RUNS} runs (from {min(runs):.2f} to {max(runs):.2f} s)")


def main():
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--against", help="another checkout's package folder (its lib/) to time the command with")
    startup(arguments.parse_args().against)
    sizes = model_sizes(P, N, SIZES)
    print(f"p = {P}, n = {N}, s = {S}, spike {SPIKE}, sigma {SIGMA}: {len(sizes)} model sizes "
          f"({SIZES} log-spaced, without k = n - 1, n, n + 1), {len(CURVES)} compressors")
    for panel, law, alignment in FAMILIES:
        problem = fig3_problem(panel, P, S, SPIKE, SIGMA, law, alignment)
        fast_time, fast = best_time(lambda: risk_curves(problem, N, S, sizes), 7)
        loop_time, reference = best_time(lambda: theory_curves(problem, N, S, sizes, CURVES), 3)
        verdict = "within" if fast_time <= TARGET_S else "over"
        difference = largest_relative_difference(reference, fast)
        print(f"  panel {panel}, theta* {law}, {alignment}: all sizes at once {1000 * fast_time:6.1f} ms "
              f"({verdict} the {1000 * TARGET_S:.0f} ms target), one size at a time {1000 * loop_time:6.1f} ms: "
              f"{loop_time / fast_time:4.1f}x; largest relative difference {difference:.1e}")
    new_compressors(sizes)
    atom_blocks(sizes)


def atom_blocks(sizes) -> None:
    """The quantizers of a Gaussian theta* (one size at a time), best of 3 alternating rounds: the
    weight error with its default blocks against 16 atoms a block (the reference), and how far apart
    their risks are (the step searches stop at 1e-6 on log step, so the risks may differ by ~1e-8);
    then the calculator's all-sizes search on the (size, atom) pairs against the per-size one."""
    problem = fig3_problem("b", P, S, SPIKE, SIGMA, "gaussian", "aligned")
    names, default = quantizers(DEFAULT_BITS), quantization.WEIGHT_ERROR_ENTRIES
    times, risks = {"16 atoms a block": [], "default blocks": []}, {}
    for _ in range(3):
        for label, entries in (("16 atoms a block", 16 * (2**DEFAULT_BITS - 2)), ("default blocks", default)):
            quantization.WEIGHT_ERROR_ENTRIES = entries
            elapsed, risks[label] = best_time(lambda: per_size_curves(problem, N, S, sizes, names), 1)
            times[label].append(elapsed)
    quantization.WEIGHT_ERROR_ENTRIES = default
    before, after = min(times["16 atoms a block"]), min(times["default blocks"])
    difference = max(float(np.nanmax(np.abs(risks["default blocks"][name] / risks["16 atoms a block"][name] - 1)))
                     for name in names)
    print(f"quantizers of a Gaussian theta* ({', '.join(names)}), one size at a time, best of 3: "
          f"16 atoms a block {1000 * before:.0f} ms, default blocks {1000 * after:.0f} ms: {before / after:.1f}x; "
          f"largest relative difference {difference:.1e}")
    for name in names:
        elapsed, curves = best_time(lambda: predicted_curves(problem, N, S, sizes, (name,)), 5)
        each, reference = best_time(lambda: per_size_curves(problem, N, S, sizes, (name,)), 3)
        gap = float(np.nanmax(np.abs(curves[name][0] / reference[name] - 1)))
        print(f"  {name}: all sizes at once (pairs) {1000 * elapsed:.0f} ms, one size at a time {1000 * each:.0f} ms: "
              f"{each / elapsed:.1f}x; largest relative difference {gap:.1e}")


def new_compressors(sizes) -> None:
    """Per family: the pruning curves alone, the ridge curves, the quantizers, and all of them
    (overparam.reports.predict.predicted_curves, best of 3), with the ratio of all to pruning alone."""
    groups = {"pruning": PREDICTED, "ridge": RIDGE, "quantizers": quantizers(DEFAULT_BITS)}
    groups["all"] = tuple(name for names in list(groups.values()) for name in names)
    print(f"all {len(groups['all'])} compressors (ridge tuned, quantizers at {DEFAULT_BITS} bits), best of 3:")
    for panel, law, alignment in FAMILIES:
        problem = fig3_problem(panel, P, S, SPIKE, SIGMA, law, alignment)
        times = {name: best_time(lambda names=names: predicted_curves(problem, N, S, sizes, names), 3)[0]
                 for name, names in groups.items()}
        verdict = "within" if times["all"] <= TARGET_S else "over"
        print(f"  panel {panel}, theta* {law}, {alignment}: " + ", ".join(f"{name} {1000 * t:.1f} ms"
              for name, t in times.items()) + f" ({verdict} the {1000 * TARGET_S:.0f} ms target); "
              f"all / pruning: {times['all'] / times['pruning']:.0f}x")


if __name__ == "__main__":
    main()
