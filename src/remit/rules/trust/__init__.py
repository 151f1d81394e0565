"""Trust rules (RMT-TRUST-*): who may assume a role, judged by ``an.iam.trusted_by``."""
