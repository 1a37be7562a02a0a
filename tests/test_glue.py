"""Glued numbers are plain Python numbers, floats rounded to 6 significant digits."""
import numpy as np

import overparam.book.glue as glue_module


def test_glue_stores_plain_rounded_numbers(monkeypatch):
    stored = {}
    import myst_nb
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: stored.update({name: value}))
    glue_module.glue("x", np.float64(0.013724997799853238))
    glue_module.glue("k", np.int64(300))
    glue_module.glue("inf", float("inf"))
    assert stored["x"] == 0.013725 and type(stored["x"]) is float
    assert stored["k"] == 300 and type(stored["k"]) is int
    assert stored["inf"] == float("inf")
