"""Least-privilege rules: what a function's role grants against what its code uses."""
