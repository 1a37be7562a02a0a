"""Effects written with their direction: "the error rises by 0.023 [0.000, 0.046]", never "falls -0.023"."""
import re

import pytest

from overparam.book import verdicts as v


def test_a_negative_fall_is_written_as_a_rise_with_a_positive_size():
    text = v.effect_text("the test error falls", -0.023, -0.046, -0.0001)
    assert text == "the test error rises by 0.023 [0.000, 0.046]"


def test_a_positive_fall_stays_a_fall_and_keeps_an_interval_across_zero():
    assert v.effect_text("the test error falls", 0.005, -0.002, 0.012) == "the test error falls by 0.005 [-0.002, 0.012]"
    assert v.effect_text("rise", -0.5, -0.7, -0.3, digits=1) == "fall by 0.5 [0.3, 0.7]"


def test_a_quantity_without_a_direction_keeps_its_signed_numbers():
    assert v.effect_text("error gain", -0.07, -0.135, -0.005) == "error gain -0.070 [-0.135, -0.005]"


@pytest.mark.parametrize("shift", [-2.0, 2.0])
def test_comparison_writes_the_direction_the_draws_went(shift):
    verdict = v.comparison([shift + x for x in (-0.1, 0.0, 0.1, 0.05)], what="the error falls")
    assert ("falls by" if shift > 0 else "rises by") in verdict.measured
    assert not re.search(r"(falls|rises) by -", verdict.measured)
    assert verdict.status == ("reproduced" if shift > 0 else "not reproduced")  # the status is unchanged
