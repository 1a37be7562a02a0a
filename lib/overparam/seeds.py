"""Named random streams: every random draw of the book comes from a stream named for what it draws,
``stream(seed, "classification/panel", j)``, instead of a tuple of numbers typed at the call.

A stream is a :class:`numpy.random.SeedSequence` whose entropy is the key ``(seed, *markers)``: the
chapter's seed, then integers that set the stream apart from the chapter's others. A name is
``"<chapter>/<what it draws>"``; its indices (a panel's position, a size's position, a task) come
after it.

The streams the book had before they were named keep the keys they always had: :data:`LEGACY` maps
each name to its old markers, so every draw, and every number the chapters print, is unchanged. A
name not in :data:`LEGACY` gets its marker from the name itself (:func:`name_marker`, the first four
bytes of its SHA-256 digest), so a new stream needs neither an entry here nor a number picked by hand.

Two keys are the same stream when their SeedSequences' states agree, which is more than equal tuples:
numpy pads entropy shorter than its pool (four 32-bit words) with zeros, so ``(seed, 7)`` and
``(seed, 7, 0)`` are one stream. Each index of a legacy stream therefore has a declared range
(:class:`Index`); within the ranges no two names of one chapter share a state (tests/test_seeds.py
checks the whole registry), and an index outside its range is refused.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

WORD = 2**32  # SeedSequence splits each integer into 32-bit words; a seed in one word cannot run into its markers


@dataclass(frozen=True)
class Index:
    """One index of a legacy key: the marker ``offset + stride * i`` for i in 0..count-1 (the range in
    which the stream stays apart from the chapter's others)."""

    offset: int = 0
    stride: int = 1
    count: int = 8
    what: str = "index"

    def marker(self, name: str, i: int) -> int:
        if not 0 <= i < self.count:
            raise ValueError(f"stream {name!r}: {self.what} {i} lies outside 0..{self.count - 1}, the range in "
                             "which it keeps its old key without meeting another stream")
        return self.offset + self.stride * i


PANEL = Index(what="panel")  # a panel's (or case's) position on its page; at most 8 per page
SIZE = Index(count=100, what="size")  # a size's position among the sizes of one study (markers 100 apart)

LEGACY: dict[str, tuple] = {
    # chapter 1: each panel's training draws (the curves and the screened small model share them),
    # and each theta* family's draws for the scope table
    "linear-gaussian/panel": (Index(count=7, what="panel"),),  # 7: (seed, 7) is the first family's
    "linear-gaussian/family": (7, PANEL),
    # chapter 2: each (spectrum, regime) case; the W2 study's fits and law samples and the isotropic
    # check's direction and fits, per size
    "distributional-characterization/case": (PANEL,),
    "distributional-characterization/w2-fits": (Index(offset=100, count=100, what="size"),),
    "distributional-characterization/w2-law": (Index(offset=200, count=100, what="size"),),
    "distributional-characterization/isotropic-direction": (300,),
    "distributional-characterization/isotropic-fits": (Index(offset=400, count=100, what="size"),),
    # chapter 3: each spectrum's draws; the spread study's draws per spread and family (0: not aligned,
    # 1: aligned); the small-model and subset study
    "pruning-risk/spectrum": (PANEL,),  # 8 at most: (seed, 10) is the spread study's first
    "pruning-risk/spread": (Index(offset=10, count=10, what="spread"), Index(count=2, what="aligned")),
    "pruning-risk/subsets": (20,),
    # chapter 4: the fits over the budget and over the sample size
    "lemma1-correlated-features/budgets": (2,),
    "lemma1-correlated-features/sample-sizes": (3, Index(count=64, what="sample size")),
    # chapter 5: each (panel, noise level) pair
    "denoising/panel-noise": (Index(count=64, what="panel and noise level"),),
    # chapter 6: per draw of R, each design's data draws (1, 3, 5) and the DC draws (2); the refit gap per d
    "random-features/data": (Index(count=1000, what="task"), Index(offset=1, stride=2, count=3, what="design")),
    "random-features/dc": (Index(count=1000, what="task"), 2),
    "random-features/refit-gap": (Index(count=4096, what="dimension"),),
    # chapter 11
    "quantization/bit-budget": (1,),
    "quantization/random-features": (2,),
    "quantization/theta-laws": (3,),
    "quantization/small-models": (4,),
    "quantization/fair-budget": (5,),
    # chapter 12: the theory's DC draws (the same at every rho), the Lemma 1 limit, the high-variance
    # share, and the random signs of theta* (drawn from the family's theta_seed)
    "correlated-refits/theory": (12,),
    "correlated-refits/lemma1-limit": (14,),
    "correlated-refits/high-variance-share": (15,),
    "correlated-refits/theta-signs": (16,),
    # chapter 13: each panel's training draws (the separation sizes and the simulation share them), each
    # panel's DC draws of the prediction and the fresh ones of the best-size check
    "classification/panel": (PANEL,),
    "classification/prediction": (13, PANEL),
    "classification/best-size-check": (13, Index(offset=10, count=8, what="panel")),
    # chapter 14: each confirmed point's draws; the classifier prediction and the refit theory of a grid point
    "where-conclusions-hold/point": (Index(count=4096, what="point"),),
    "where-conclusions-hold/classifier-prediction": (13,),
    "where-conclusions-hold/refit-theory": (14,),
}

# Pairs of legacy names whose keys meet inside the declared ranges, and why no draw is shared: kept, not
# moved, because moving them would change the book's numbers.
LEGACY_OVERLAPS: dict[frozenset, str] = {
    frozenset({"where-conclusions-hold/point", "where-conclusions-hold/classifier-prediction"}):
        "point 13 is only spawned (its children carry spawn keys), the prediction draws from the root",
    frozenset({"where-conclusions-hold/point", "where-conclusions-hold/refit-theory"}):
        "point 14 is only spawned (its children carry spawn keys), the theory draws from the root",
}


def check_seed(seed) -> int:
    """The seed as an int, refused unless an integer in 0..2**32 - 1 (one 32-bit word, so that the seed
    and the markers after it cannot run together into another stream's key)."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"a seed is an integer in 0..{WORD - 1}, got {seed!r} of type {type(seed).__name__}")
    if not 0 <= int(seed) < WORD:
        raise ValueError(f"a seed is an integer in 0..{WORD - 1} (one 32-bit word), got {seed}")
    return int(seed)


def name_marker(name: str) -> int:
    """The marker of a stream that is not in :data:`LEGACY`: the first four bytes of the name's SHA-256
    digest (the same on every machine and Python, unlike ``hash``)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


def key(seed: int, name: str, *indices: int) -> tuple[int, ...]:
    """The entropy ``(seed, *markers)`` of the stream ``name`` with these indices: the legacy key of a
    name in :data:`LEGACY`, else ``(seed, name_marker(name), *indices)``. Anything that takes a seed
    takes it (``np.random.default_rng(key)``, ``np.random.SeedSequence(key)``, a function's ``seed``)."""
    seed = check_seed(seed)
    if not isinstance(name, str) or "/" not in name:
        raise ValueError(f"a stream's name reads '<chapter>/<what it draws>', got {name!r}")
    indices = [int(i) for i in indices]
    if name not in LEGACY:
        if not all(0 <= i < WORD for i in indices):
            raise ValueError(f"stream {name!r}: indices are integers in 0..{WORD - 1}, got {indices}")
        return (seed, name_marker(name), *indices)
    template = LEGACY[name]
    slots = [part for part in template if isinstance(part, Index)]
    if len(indices) != len(slots):
        raise ValueError(f"stream {name!r} takes {len(slots)} indices ({', '.join(s.what for s in slots) or 'none'}),"
                         f" got {len(indices)}")
    given = iter(indices)
    return (seed, *(part.marker(name, next(given)) if isinstance(part, Index) else part for part in template))


def stream(seed: int, name: str, *indices: int) -> np.random.SeedSequence:
    """The SeedSequence of the stream ``name`` (:func:`key`); a fresh one on every call, so that spawning
    its children in one place leaves another call's unchanged."""
    return np.random.SeedSequence(key(seed, name, *indices))


def rng(seed: int, name: str, *indices: int) -> np.random.Generator:
    """A generator drawing from the stream ``name`` (:func:`key`)."""
    return np.random.default_rng(stream(seed, name, *indices))


def state(entropy) -> tuple[int, ...]:
    """The first words of a SeedSequence's state: equal for two keys exactly when they are one stream
    (up to a 128-bit hash)."""
    return tuple(int(w) for w in np.random.SeedSequence(entropy).generate_state(4))
