"""IAM reasoning over the model's policies (matching here; the full evaluator grows in this package)."""
