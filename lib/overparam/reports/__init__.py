"""Reports above the experiments: tables, summaries and prose generated from what the chapters wrote."""
