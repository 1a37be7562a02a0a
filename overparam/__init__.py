"""The code of the book *Why overparameterization helps model compression*, a reproduction and
extension of Chang, Li, Oymak and Thrampoulidis (AAAI 2021). Its subpackages follow the roles of
the code:

- :mod:`overparam.theory` -- the mathematics: linear Gaussian problems and random features
  (:mod:`~overparam.theory.problems`, :mod:`~overparam.theory.features`), the solvers
  (:mod:`~overparam.theory.solvers`), pruning rules (:mod:`~overparam.theory.pruning`), the
  distributional characterization (:mod:`~overparam.theory.dc`), closed-form risks
  (:mod:`~overparam.theory.risk`) and Lemma 1 (:mod:`~overparam.theory.rank_one`);
- :mod:`overparam.experiments` -- what the chapters run and how their claims are judged: the
  linear and random-features experiments (:mod:`~overparam.experiments.linear`,
  :mod:`~overparam.experiments.random_features`), Monte-Carlo draws
  (:mod:`~overparam.experiments.montecarlo`) and the claim rules
  (:mod:`~overparam.experiments.verdicts`);
- :mod:`overparam.networks` -- neural networks: architectures and exact-count masks
  (:mod:`~overparam.networks.models`), training and the width sweep
  (:mod:`~overparam.networks.training`), image data (:mod:`~overparam.networks.data`), and the
  sweep's summaries, figures and claims (:mod:`~overparam.networks.report`);
- :mod:`overparam.book` -- the book's plumbing: parameter validation
  (:mod:`~overparam.book.params`), statistics (:mod:`~overparam.book.stats`), tidy result files
  and claims (:mod:`~overparam.book.tidy`) and the figure style (:mod:`~overparam.book.style`).
"""
