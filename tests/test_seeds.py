"""Named random streams (overparam.seeds): the legacy names keep the draws of the tuples they replaced,
no two names of one chapter share a stream, and bad seeds and indices are refused."""
import ast
import itertools
from pathlib import Path

import numpy as np
import pytest

from overparam import seeds

# The tuples the call sites typed before the streams were named (the record that the names must keep).
OLD_KEYS = [
    ("linear-gaussian/panel", (2,), (5, 2)),
    ("linear-gaussian/family", (1,), (5, 7, 1)),
    ("distributional-characterization/case", (3,), (5, 3)),
    ("distributional-characterization/w2-fits", (4,), (5, 104)),
    ("distributional-characterization/w2-law", (4,), (5, 204)),
    ("distributional-characterization/isotropic-direction", (), (5, 300)),
    ("distributional-characterization/isotropic-fits", (2,), (5, 402)),
    ("pruning-risk/spectrum", (1,), (5, 1)),
    ("pruning-risk/spread", (3, 1), (5, 13, 1)),
    ("pruning-risk/spread", (3, 0), (5, 13, 0)),
    ("pruning-risk/subsets", (), (5, 20)),
    ("lemma1-correlated-features/budgets", (), (5, 2)),
    ("lemma1-correlated-features/sample-sizes", (4,), (5, 3, 4)),
    ("denoising/panel-noise", (6,), (5, 6)),
    ("random-features/data", (7, 2), (5, 7, 5)),
    ("random-features/dc", (7,), (5, 7, 2)),
    ("random-features/refit-gap", (300,), (5, 300)),
    ("quantization/bit-budget", (), (5, 1)),
    ("quantization/random-features", (), (5, 2)),
    ("quantization/theta-laws", (), (5, 3)),
    ("quantization/small-models", (), (5, 4)),
    ("quantization/fair-budget", (), (5, 5)),
    ("correlated-refits/theory", (), (5, 12)),
    ("correlated-refits/lemma1-limit", (), (5, 14)),
    ("correlated-refits/high-variance-share", (), (5, 15)),
    ("correlated-refits/theta-signs", (), (5, 16)),
    ("classification/panel", (2,), (5, 2)),
    ("classification/prediction", (1,), (5, 13, 1)),
    ("classification/best-size-check", (1,), (5, 13, 11)),
    ("where-conclusions-hold/point", (40,), (5, 40)),
    ("where-conclusions-hold/classifier-prediction", (), (5, 13)),
    ("where-conclusions-hold/refit-theory", (), (5, 14)),
]


@pytest.mark.parametrize("name, indices, old", OLD_KEYS)
def test_named_stream_draws_what_its_old_tuple_drew(name, indices, old):
    assert seeds.key(5, name, *indices) == old
    assert np.array_equal(seeds.rng(5, name, *indices).random(4), np.random.default_rng(old).random(4))
    children = np.random.SeedSequence(seeds.key(5, name, *indices)).spawn(2)  # as the simulations use it
    assert np.array_equal(np.random.default_rng(children[1]).random(4),
                          np.random.default_rng(np.random.SeedSequence(old).spawn(2)[1]).random(4))


def test_every_legacy_name_has_its_old_tuple_recorded():
    assert {name for name, _, _ in OLD_KEYS} == set(seeds.LEGACY)


def _collisions() -> set:
    """Pairs of names of one chapter whose streams meet, over every index in the declared ranges."""
    owners = {}
    for name, template in seeds.LEGACY.items():
        slots = [part for part in template if isinstance(part, seeds.Index)]
        for indices in itertools.product(*(range(slot.count) for slot in slots)):
            chapter = name.split("/")[0]
            owners.setdefault((chapter, seeds.state(seeds.key(0, name, *indices))), set()).add(name)
    return {frozenset(pair) for names in owners.values() for pair in itertools.combinations(sorted(names), 2)}


def test_no_two_names_of_a_chapter_share_a_stream_but_the_documented_ones():
    # the documented overlaps must still be overlaps, so the list cannot go stale
    assert _collisions() == set(seeds.LEGACY_OVERLAPS)


def test_state_sees_zero_padding():
    # why the check compares states, not tuples: numpy pads short entropy with zeros
    assert seeds.state((0, 7)) == seeds.state((0, 7, 0))
    assert seeds.state((0, 7)) != seeds.state((0, 7, 1))


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "0", True, (0, 1), None])
def test_a_bad_seed_is_refused_with_a_clear_message(bad):
    with pytest.raises((TypeError, ValueError), match="a seed is an integer in 0..4294967295"):
        seeds.key(bad, "classification/panel", 0)


def test_numpy_integer_seeds_are_accepted():
    assert seeds.key(np.int64(3), "quantization/theta-laws") == (3, 3)


def test_an_index_outside_its_range_or_a_wrong_count_is_refused():
    with pytest.raises(ValueError, match="panel 8 lies outside 0..7"):
        seeds.key(0, "classification/panel", 8)
    with pytest.raises(ValueError, match="takes 1 indices"):
        seeds.key(0, "classification/panel")
    with pytest.raises(ValueError, match="<chapter>/<what it draws>"):
        seeds.key(0, "panel")


def test_a_new_name_gets_its_marker_from_the_name():
    first, again = seeds.key(0, "new-chapter/draws", 2), seeds.key(0, "new-chapter/draws", 2)
    assert first == again == (0, seeds.name_marker("new-chapter/draws"), 2)
    assert seeds.key(0, "new-chapter/other", 2) != first
    legacy_states = {seeds.state(seeds.key(0, name, *[0] * sum(isinstance(part, seeds.Index) for part in template)))
                     for name, template in seeds.LEGACY.items()}
    assert seeds.state(first) not in legacy_states


def test_each_call_gives_a_fresh_sequence():
    spawned = seeds.stream(0, "classification/panel", 1)
    first_child = spawned.spawn(1)[0]
    assert seeds.stream(0, "classification/panel", 1).spawn(1)[0].spawn_key == first_child.spawn_key


def test_seeds_imports_numpy_only():
    tree = ast.parse(Path(seeds.__file__).read_text())
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules <= {"__future__", "hashlib", "dataclasses", "numpy"}
