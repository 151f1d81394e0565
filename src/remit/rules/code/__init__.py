"""Rules about function code: injection flows, secrets, tokens, errors, persistence, dead code."""
