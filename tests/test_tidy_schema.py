"""One naming scheme for every tidy file: write_csv turns printed headings into snake-case columns,
and every committed CSV under results/ already has them."""
import re
from pathlib import Path

import pandas as pd
import pytest

from overparam.book.tidy import snake_case, write_csv

ROOT = Path(__file__).resolve().parent.parent
SNAKE = re.compile(r"[a-z][a-z0-9_]*")
RESULT_FILES = sorted((ROOT / "results").rglob("*.csv"))


@pytest.mark.parametrize("heading, column", [
    ("k", "k"), ("ci_low", "ci_low"), ("best other k", "best_other_k"),
    ("relu-independent-noise ci_high", "relu_independent_noise_ci_high"),
    ("peak - s low", "peak_minus_s_low"), ("largest |gap|", "largest_abs_gap"), ("error at k = p", "error_at_k_p"),
])
def test_snake_case_of_printed_headings(heading, column):
    assert snake_case(heading) == column and SNAKE.fullmatch(column)


def test_write_csv_renames_columns_but_not_the_table(tmp_path):
    table = pd.DataFrame({"peak k": [3], "peak - s": [1.5]})
    path = write_csv(table, tmp_path, "t.csv")
    assert list(pd.read_csv(path).columns) == ["peak_k", "peak_minus_s"]
    assert list(table.columns) == ["peak k", "peak - s"]


def test_write_csv_refuses_columns_that_collide(tmp_path):
    with pytest.raises(ValueError, match="collide"):
        write_csv(pd.DataFrame({"a b": [1], "a-b": [2]}), tmp_path, "t.csv")


def test_every_committed_result_file_has_snake_case_columns():
    assert RESULT_FILES, "no result files found"
    bad = {str(path.relative_to(ROOT)): [c for c in pd.read_csv(path, nrows=0).columns if not SNAKE.fullmatch(c)]
           for path in RESULT_FILES}
    assert not {path: columns for path, columns in bad.items() if columns}
