"""Sweeps: one chapter run by papermill at every point of a grid of parameters, on Dask.

``overparam sweep notebooks/01-linear-gaussian.md --set sigma=0.25,0.5 --seeds 3 --out sweeps/x``
checks the whole grid against the chapter's declared rules (:mod:`overparam.sweep.validate`) before
anything runs, then submits one papermill run per point (:mod:`overparam.sweep.point`) to a Dask
cluster (:mod:`overparam.sweep.runner`): a local one of single-threaded worker processes, or an
existing one given by its scheduler's address. Every point has its own folder; a finished point is
skipped by the next run of the same command (:mod:`overparam.sweep.store`), and the points' tables
are gathered into the sweep's own (:mod:`overparam.sweep.tables`, :mod:`overparam.sweep.report`).
"""
