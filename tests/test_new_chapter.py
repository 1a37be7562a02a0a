"""A new chapter is its `.md` and one line in `_toc.yml`: nothing else needs a hand edit.

In a temporary copy of the repository, a throw-away chapter is added that way; the test suite's
own discovery then finds it (its parameter rules, smoke values and a bad value), `make run`'s tool
executes it, and the book builds with its captioned figure, alt text and glued number.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from chapter_runs import bad_parameter_error, smoke_run

from overparam.book.chapters import chapter_rules, chapter_sources
from overparam.book.params import bad_parameter, smoke_parameters

ROOT = Path(__file__).resolve().parent.parent
HEADER = (ROOT / "notebooks" / "01-linear-gaussian.md").read_text().split("---\n")[1]
CHAPTER = """---
{header}---

# A throw-away chapter

The mean of the draws is {{glue:text}}`throwaway-mean:.3f`; {{numref}}`fig-throwaway-draws` shows them.

```{{code-cell}} ipython3
:tags: [parameters]

trials = 40
seed = 0
results_dir = "../results/50-throwaway"
```

```{{code-cell}} ipython3
from overparam.book.params import Int, ResultsDir, Seed, check_parameters

PARAMETERS = {{"trials": Int("number of draws", low=2, smoke=5), "seed": Seed(), "results_dir": ResultsDir()}}
globals().update(check_parameters(PARAMETERS, globals()))
```

```{{code-cell}} ipython3
import numpy as np
import pandas as pd
from overparam.book.glue import glue

from overparam.book.tidy import write_csv

values = np.random.default_rng(seed).standard_normal(trials)
write_csv(pd.DataFrame({{"draw": range(trials), "value": values}}), results_dir, "draws.csv")
glue("throwaway-mean", values.mean(), display=False)
```

```{{code-cell}} ipython3
---
mystnb:
  figure:
    caption: Every draw, in the order drawn.
    name: fig-throwaway-draws
  image:
    alt: A line plot of the standard normal draws against their index.
---
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(4, 3))
ax.plot(values)
_ = ax.set(xlabel="draw", ylabel="value")
```
"""


@pytest.fixture(scope="module")
def book_copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("book")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    for name in tracked:
        if (ROOT / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, root / name)
    (root / "notebooks" / "50-throwaway.md").write_text(CHAPTER.format(header=HEADER))
    toc = (root / "_toc.yml").read_text()
    anchor = "      - file: notebooks/99-reproduction-report"
    (root / "_toc.yml").write_text(toc.replace(anchor, "      - file: notebooks/50-throwaway\n" + anchor))
    return root


def test_the_suite_finds_the_new_chapter_and_its_rules(book_copy):
    source = book_copy / "notebooks" / "50-throwaway.md"
    assert source in chapter_sources(book_copy)
    rules = chapter_rules(source)
    assert smoke_parameters(rules) == {"trials": 5, "seed": 5}
    assert bad_parameter(rules) == ("trials", 1)


def test_the_new_chapter_runs_validates_and_builds(book_copy, tmp_path):
    python = Path(sys.executable)
    subprocess.run([str(python), "tools/execute_notebooks.py", "notebooks/50-throwaway.md"], cwd=book_copy, check=True,
                   capture_output=True, text=True)
    source = book_copy / "notebooks" / "50-throwaway.md"
    assert (book_copy / "results" / "50-throwaway" / "draws.csv").exists()
    # the smoke run and the bad value, as tests/test_notebooks.py runs every chapter
    assert [path.name for path in smoke_run(source, tmp_path)] == ["draws.csv"]
    name, error = bad_parameter_error(source, tmp_path)
    assert f"parameter '{name}'" in str(error) and error.ename == "ParameterError"
    build = subprocess.run([str(python.parent / "jupyter-book"), "build", str(book_copy), "--warningiserror", "--quiet"],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    page = (book_copy / "_build" / "html" / "notebooks" / "50-throwaway.html").read_text()
    assert "Every draw, in the order drawn." in page
    assert 'alt="A line plot of the standard normal draws against their index."' in page
    assert re.search(r"The mean of the draws is\s*<span[^>]*>-?\d\.\d{3}</span>", page), "the glued number is missing"
