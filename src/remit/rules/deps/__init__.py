"""Rules about what functions ship: known advisories (RMT-DEP-0xx) and supply-chain signs (RMT-SUPPLY-0xx)."""
