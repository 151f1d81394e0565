"""Rules about identity policies: administrator access, wildcard PassRole, service-wide wildcards, unknown actions,
privilege escalation (020..023) and over-privilege judged on effective grants (030..036; see ``_effective``)."""
