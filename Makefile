# The two commands of the README: `make book` and `make test`. Both create .venv on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
NOTEBOOKS := $(sort $(wildcard notebooks/*.md))
PYTEST_NBVAL := --nbval --nbval-current-env --nbval-cell-timeout=3600 --nbval-sanitize-with tests/nbval-sanitize.cfg

.PHONY: venv run stale explorer book pdf print-tex-packages test bench clean lab

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	# the book's package, editable, with the pinned setuptools of requirements.txt (no download)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps -e .
	# build matplotlib's font cache now, not inside a notebook whose output nbval compares
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	rm -f $(VENV)/.installed-*
	touch $@

JOBS ?= $(shell nproc)

## run: execute, at its defaults, every chapter whose inputs changed (FORCE=1: every chapter), one
## thread per chapter and JOBS chapters at a time; writes notebooks/*.ipynb and results/, the page
## about the code (book/code.md, from the package) and the first page's results (book/glance.md).
## PRESET=classroom: instead, every chapter of presets/classroom.yaml at those parameters, into
## classroom/<chapter>.ipynb and classroom/results/<chapter>/ (the book's files are left alone)
PRESET ?=
run: $(STAMP)
ifeq ($(strip $(PRESET)),)
	$(BIN)/python tools/execute_notebooks.py $(if $(FORCE),--force) --jobs=$(JOBS) $(NOTEBOOKS)
	$(BIN)/python tools/code_page.py
	$(BIN)/python tools/glance_page.py
	$(BIN)/python tools/preset_table.py
else
	$(BIN)/python tools/execute_notebooks.py --preset=$(PRESET) --jobs=$(JOBS) $(NOTEBOOKS)
	$(BIN)/python tools/preset_table.py
endif

## stale: list the chapters `make run` would execute, and why (it runs nothing)
stale: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py --stale

## explorer: precompute the curves of the page "Explore the theory" (book/_static/explorer/data.js, and
## static-panel.png, the printed book's stand-in;
## about a minute; a test fails when they differ from the calculator's)
explorer: $(STAMP)
	$(BIN)/python tools/explorer_data.py
	MPLBACKEND=Agg $(BIN)/python tools/explorer_panel.py

## book: run every chapter, then build the static site in _build/html (warnings are errors)
book: run
	rm -rf _build
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo "open _build/html/index.html"

## pdf: the whole book as one PDF, _build/latex/book.pdf, through Jupyter Book's LaTeX builder (XeLaTeX).
## Needs Debian's TeX: apt-get install $(TEX_PACKAGES)
TEX_PACKAGES := texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex latexmk fonts-freefont-otf
pdf: run
	$(BIN)/jupyter-book build . --builder pdflatex
	@echo "open _build/latex/book.pdf"

print-tex-packages:
	@echo $(TEX_PACKAGES)

## test: the whole test suite: unit tests of lib/, nbval and papermill runs of the chapters, the site
## and the PDF, spread over JOBS workers (pytest-xdist; conftest.py's scheduler keeps each chapter's cells together
## and hands out the longest units first); the 25 slowest tests are listed at the end
test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --durations=25 tests $(PYTEST_NBVAL) notebooks

clean:
	rm -rf _build .pytest_cache

## bench: speed of the hot paths against simple reference implementations (not part of `make test`)
bench: $(STAMP)
	set -e; for script in benchmarks/bench_*.py; do $(BIN)/python $$script; done

## lab: open JupyterLab on the chapters (notebooks/); a chapter run there writes its results to
## LAB_RESULTS/<chapter>/ and says so, not into the book's results/ (OVERPARAM_RESULTS, which
## overparam.book.params reads; without it, a chapter run in any Jupyter writes under ~/overparam-results/)
LAB_RESULTS ?= $(HOME)/overparam-results
lab: $(STAMP)
	mkdir -p $(LAB_RESULTS)
	OVERPARAM_RESULTS=$(LAB_RESULTS) $(BIN)/jupyter lab --notebook-dir=notebooks
