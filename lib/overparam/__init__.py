"""The code of the book *Why overparameterization helps model compression*, a reproduction and
extension of Chang, Li, Oymak and Thrampoulidis (AAAI 2021). Its subpackages follow the roles of
the code:

- :mod:`overparam.theory` -- the mathematics: linear Gaussian problems and random features
  (:mod:`~overparam.theory.problems`, :mod:`~overparam.theory.features`), the solvers
  (:mod:`~overparam.theory.solvers`), pruning rules (:mod:`~overparam.theory.pruning`), the
  distributional characterization (:mod:`~overparam.theory.dc`), closed-form risks from the DC law
  of a fit (:mod:`~overparam.theory.risk`), Lemma 1 (:mod:`~overparam.theory.rank_one`), and,
  beyond the paper, ridge (:mod:`~overparam.theory.ridge`) and coordinate-wise quantizers
  (:mod:`~overparam.theory.quantization`);
- :mod:`overparam.experiments` -- what the chapters run and how their claims are judged: the
  registry of compressors (:mod:`~overparam.experiments.compressors`: what each does to a trained
  model, and its DC prediction), the linear and random-features experiments
  (:mod:`~overparam.experiments.linear`, :mod:`~overparam.experiments.random_features`,
  :mod:`~overparam.experiments.random_features_analysis`, :mod:`~overparam.experiments.digits`),
  the theory chapters' checks (:mod:`~overparam.experiments.dc_checks`,
  :mod:`~overparam.experiments.pruning_rules`, :mod:`~overparam.experiments.correlated_features`,
  :mod:`~overparam.experiments.denoising`), the chapters beyond the paper
  (:mod:`~overparam.experiments.ridge_pruning`, :mod:`~overparam.experiments.quantization`),
  Monte-Carlo draws (:mod:`~overparam.experiments.montecarlo`), the claim rules
  (:mod:`~overparam.book.verdicts`) and the declared table of every claim's id, rule,
  tolerance and reason (:mod:`~overparam.book.claim_table`);
- :mod:`overparam.networks` -- neural networks: architectures and exact-count masks
  (:mod:`~overparam.networks.models`), training with checkpoints and the width sweep
  (:mod:`~overparam.networks.training`), image data with checked downloads
  (:mod:`~overparam.data`), the chapters' shared parameter rules
  (:mod:`~overparam.networks.settings`), and the sweep's summaries, figures and claims
  (:mod:`~overparam.reports.networks`);
- :mod:`overparam.reports` -- what is generated from the chapters' outputs: the reproduction
  report (:mod:`~overparam.reports.reproduction`);
- :mod:`overparam.book` -- the book's plumbing: declared parameter rules and their validation
  (:mod:`~overparam.book.params`), the chapters as files (:mod:`~overparam.book.chapters`),
  statistics (:mod:`~overparam.book.stats`), tidy result files and claims
  (:mod:`~overparam.book.tidy`), numbers quoted in the prose (:mod:`~overparam.book.glue`), the
  registry of curves and the figure style (:mod:`~overparam.book.style`) and the run stamp
  (:mod:`~overparam.book.stamp`).
"""
