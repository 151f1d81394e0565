"""The installed aws-sam-translator's own data files, read without importing it.

The policy templates and the map of AWS managed policy names to ARNs are data the translator ships and reads
itself; remit reads the same files of the same installed version, so a native expansion and the translator
agree by construction. Importing the translator costs ~1 s (boto3, ~110 pydantic models); locating its files
costs nothing."""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

from remit.loaders.sam_native.common import Refused

_POLICY_TEMPLATES = ("policy_templates_data", "policy_templates.json")
_MANAGED_POLICIES = ("internal", "data", "aws_managed_policies.json")


@functools.cache
def _package_dir() -> Path | None:
    spec = importlib.util.find_spec("samtranslator")  # finds the package; runs none of its code
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    return Path(locations[0]) if locations else None


@functools.cache
def _read(parts: tuple[str, ...]) -> Any:
    base = _package_dir()
    if base is None:
        return None
    try:
        return json.loads(base.joinpath(*parts).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def policy_templates() -> dict[str, Any]:
    """``{name: {"Parameters": {...}, "Definition": {...}}}`` as the installed translator knows them."""
    data = _read(_POLICY_TEMPLATES)
    templates = data.get("Templates") if isinstance(data, dict) else None
    if not isinstance(templates, dict):
        raise Refused("the translator's policy templates were not found")
    return templates


def managed_policy_arns() -> dict[str, str]:
    """AWS managed policy name -> ARN in the ``aws`` partition (the partition remit translates for)."""
    data = _read(_MANAGED_POLICIES)
    arns = data.get("aws") if isinstance(data, dict) else None
    if not isinstance(arns, dict):
        raise Refused("the translator's managed policy map was not found")
    return arns
