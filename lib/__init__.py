"""Shared code of the book *Why overparameterization helps model compression*.

Each module implements one part of Chang, Li, Oymak and Thrampoulidis (AAAI 2021):

- :mod:`lib.problems`  linear Gaussian problems (Def. 1), samplers, the model of size k (Lemma 7)
- :mod:`lib.solvers`   min-norm least squares, restricted refits, all feature-prefix fits
- :mod:`lib.pruning`   magnitude, Hessian, oracle and random pruning; train-prune(-retrain)
- :mod:`lib.dc`        the distributional characterization (Def. 3, 4, 6; Thm. 1, 3)
- :mod:`lib.risk`      closed-form risks of pruning and retraining (Cor. 1, eqs. 61-65, Def. 5)
- :mod:`lib.lgp_experiment`  the Fig. 3 / Fig. 7 experiment: simulation and theory curves
- :mod:`lib.params`, :mod:`lib.stats`, :mod:`lib.tidy`, :mod:`lib.style`  small utilities
"""
