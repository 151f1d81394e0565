"""Trust rules (RMT-TRUST-*): who may assume a role, judged by ``app.iam.trusted_by``."""
