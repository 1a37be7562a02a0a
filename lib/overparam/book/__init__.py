"""The book's plumbing: parameter validation, statistics, tidy result files and claims, figure style."""
