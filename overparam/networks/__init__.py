"""Neural networks: architectures, exact-count pruning masks, training, the width sweep and its report."""
