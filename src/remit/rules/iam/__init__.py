"""Rules about identity policies: administrator access, wildcard PassRole, service-wide wildcards."""
