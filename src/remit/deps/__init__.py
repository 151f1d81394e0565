"""The dependency stage: what each function ships, matched to advisories, and the signs of a poisoned package.

The stage itself is :mod:`remit.deps.stage` (``analyze``); its contract is :mod:`remit.deps.facts`. This package
imports nothing: ``remit --version`` and ``remit advisories`` read the advisory cache (:mod:`remit.deps.cache`)
without loading the model the stage needs.
"""
