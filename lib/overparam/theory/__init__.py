"""The mathematics of the paper: problems, solvers, pruning rules, the distributional characterization and closed-form risks."""
