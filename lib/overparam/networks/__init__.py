"""Neural networks: architectures, exact-count pruning masks, training, the width sweep, its report,
and the parameter rules the network chapters share (:mod:`~overparam.networks.settings`)."""
