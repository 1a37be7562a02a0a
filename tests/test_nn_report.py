"""The network sweep's claim rules and the cross-CPU tolerance, on made-up runs."""
import numpy as np
import pandas as pd

from overparam.experiments.verdicts import Verdict
from overparam.networks.report import double_descent, rerun_agreement, verdicts_agree

FALL, RISE, UNCLEAR = Verdict("reproduced", ""), Verdict("not reproduced", ""), Verdict("inconclusive", "")


def test_double_descent_needs_a_significant_rise_then_a_fall():
    assert double_descent([FALL, RISE, FALL], [1, 2, 3, 4]).status == "reproduced"
    assert double_descent([RISE, UNCLEAR, FALL], [1, 2, 3, 4]).status == "reproduced"
    assert double_descent([FALL, FALL, FALL], [1, 2, 3, 4]).status == "not reproduced"
    assert double_descent([FALL, RISE, UNCLEAR], [1, 2, 3, 4]).status == "inconclusive"
    assert "2->3: rise" in double_descent([FALL, RISE, FALL], [1, 2, 3, 4]).measured


def runs(shift=0.0, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for variant, base in [("dense", None), ("magnitude+retrain", 2)]:
        for width in [2, 4, 8]:
            for s in range(3):
                error = 0.3 / width + (shift if variant == "magnitude+retrain" else 0) + 0.02 * rng.standard_normal()
                rows.append({"variant": variant, "base_width": base, "width": width, "seed": s,
                             "test_error": float(np.clip(error, 0, 1)), "train_error": float(np.clip(error / 2, 0, 1))})
    return pd.DataFrame(rows)


def test_rerun_agreement_accepts_seed_noise_and_catches_an_effect():
    assert rerun_agreement(runs(seed=0), runs(seed=1)).agrees.all()
    assert not rerun_agreement(runs(seed=0), runs(shift=0.2, seed=1)).agrees.all()


def test_rerun_agreement_needs_the_same_runs():
    import pytest
    with pytest.raises(ValueError, match="same"):
        rerun_agreement(runs(), runs().iloc[:-1])


def test_verdicts_may_move_to_or_from_inconclusive_but_never_flip():
    claims = pd.DataFrame({"claim": ["a", "b", "c"], "status": ["reproduced", "not reproduced", "inconclusive"]})
    moved = claims.assign(status=["inconclusive", "inconclusive", "reproduced"])
    assert verdicts_agree(claims, moved).all()
    flipped = claims.assign(status=["not reproduced", "not reproduced", "inconclusive"])
    assert list(verdicts_agree(claims, flipped)) == [False, True, True]
    import pytest
    with pytest.raises(ValueError, match="same claims"):
        verdicts_agree(claims, claims.iloc[:2])
