"""The stamp of a run names the commit, the date, the versions and the machine."""
import datetime
import os

from overparam.book.stamp import commit, run_stamp


def test_the_stamp_names_commit_date_versions_and_machine():
    stamp = run_stamp()
    assert commit() in stamp and datetime.date.today().isoformat() in stamp
    assert "numpy " in stamp and "torch " in stamp and f"{os.cpu_count()} cores" in stamp


def test_outside_a_checkout_the_commit_is_unknown(tmp_path):
    assert commit(tmp_path).startswith("unknown")
