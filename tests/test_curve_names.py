"""The grammar of curve names (overparam.book.curve_names): every name the book writes parses into
its parts and prints back unchanged."""
import pandas as pd
import pytest

from overparam.book.curve_names import CurveName, curves_with
from overparam.book.paths import ROOT


def written_curve_names() -> set[str]:
    """Every value of a ``curve`` column in the committed results/*/*.csv."""
    names = set()
    for path in sorted((ROOT / "results").glob("*/*.csv")):
        table = pd.read_csv(path)
        if "curve" in table.columns:
            names |= set(table.curve.dropna().astype(str))
    return names


def test_every_written_curve_name_round_trips():
    names = written_curve_names()
    assert len(names) > 20, "the committed results should name curves"
    assert not [name for name in names if str(CurveName.parse(name)) != name]


@pytest.mark.parametrize("name, parts", [
    ("dense", CurveName("dense")),
    ("magnitude+retrain", CurveName("magnitude", refit="retrain")),
    ("ls/hessian+retrain-same-sample", CurveName("hessian", "ls", "retrain", same_sample=True)),
    ("logistic/random", CurveName("random", "logistic")),
    ("uniform-3", CurveName("uniform", bits=3)),
    ("prune+uniform-4", CurveName("prune", refit="uniform", bits=4)),
    ("bound-lloyd-2", CurveName("bound-lloyd", bits=2)),
    ("magnitude+distill-training-inputs", CurveName("magnitude", refit="distill-training-inputs")),
])
def test_a_name_parses_into_its_parts(name, parts):
    assert CurveName.parse(name) == parts and str(parts) == name


def test_parts_are_replaced_and_read_without_splitting():
    name = CurveName.parse("logistic/hessian+retrain-same-sample")
    assert str(name.renamed(fit="ls")) == "ls/hessian+retrain-same-sample"
    assert str(name.renamed(same_sample=False)) == "logistic/hessian+retrain"
    assert name.pipeline == "hessian+retrain-same-sample"


@pytest.mark.parametrize("name", ["", "/dense", "magnitude+", "+retrain", "ls/"])
def test_a_malformed_name_is_refused(name):
    with pytest.raises(ValueError, match="not a curve name"):
        CurveName.parse(name)


def test_a_column_of_names_is_masked_by_its_parts():
    names = pd.Series(["ls/dense", "magnitude+retrain", "magnitude+retrain-same-sample", "magnitude+retrain-pooled",
                       "hessian+distill", "magnitude+retrain"], index=[5, 3, 1, 0, 2, 4])
    assert list(curves_with(names, refit="retrain")) == [False, True, True, False, False, True]
    assert list(curves_with(names, refit="retrain", same_sample=False)) == [False, True, False, False, False, True]
    assert list(curves_with(names, same_sample=True)) == [False, False, True, False, False, False]
    assert list(names[~curves_with(names, rule="magnitude")]) == ["ls/dense", "hessian+distill"]
    assert curves_with([], refit="retrain").dtype == bool
