"""Parity: the bundled example written in each format gives the same findings as the SAM original.

``examples/orders-app`` is the reference. Each ``examples/orders-app-<format>/`` holds the same application in
another format and a ``parity.json``::

    {"resources": {"<id in this format's findings>": "<SAM logical id>"},
     "code_paths": {"<path prefix in this format's findings>": "<path prefix in the SAM example>"},
     "known_differences": [{"rule": "RMT-...", "resource": "<SAM logical id>", "why": "..."}]}

Ids not listed in ``resources`` compare as they are (a bucket called ``UploadsBucket`` in both). Active
(unsuppressed) findings are compared as (rule id, SAM resource); findings about code and dependencies are also
compared as (rule id, SAM resource, file path relative to the example) so a finding moving to another file is
caught. ``code_paths`` (optional) rewrites path prefixes, for formats whose code lives elsewhere (CDK assets).
A format whose example does not exist yet is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from remit.api import scan
from remit.findings import Responsibility
from remit.options import ScanOptions
from remit.result import ScanResult

from .conftest import ROOT

EXAMPLES = ROOT / "examples"
SAM = EXAMPLES / "orders-app"
ADVISORIES = SAM / "advisories"  # the same offline advisory set for every format (as the example's .remit.toml)
FORMATS = ("serverless", "terraform", "cdk")
CODE = frozenset({Responsibility.CODE, Responsibility.DEPENDENCIES})

Pair = tuple[str, str]
CodeKey = tuple[str, str, str]


@cache
def _scan(directory: Path) -> ScanResult:
    return scan([directory], ScanOptions(advisories=(ADVISORIES,)))


def _keys(result: ScanResult, ids: Mapping[str, str], paths: Mapping[str, str]) -> tuple[set[Pair], set[CodeKey]]:
    pairs: set[Pair] = set()
    code: set[CodeKey] = set()
    for f in result.findings:
        if f.suppressed:
            continue
        resource = ids.get(f.resource, f.resource)
        pairs.add((f.rule_id, resource))
        if f.responsibility in CODE:
            path = f.location.path
            for prefix, sam_prefix in paths.items():
                if path.startswith(prefix):
                    path = sam_prefix + path[len(prefix):]
                    break
            code.add((f.rule_id, resource, path))
    return pairs, code


def _parity(directory: Path) -> dict[str, Any]:
    data = json.loads((directory / "parity.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _show(title: str, items: set[Any]) -> str:
    if not items:
        return ""
    return f"\n  {title} ({len(items)}):\n" + "\n".join(f"    {' | '.join(item)}" for item in sorted(items))


def _dir(fmt: str) -> Path:
    directory = EXAMPLES / f"orders-app-{fmt}"
    if not (directory / "parity.json").is_file():
        pytest.skip(f"{directory.relative_to(ROOT)} (with its parity.json) does not exist yet")
    return directory


def _compare(fmt: str) -> tuple[str, set[Pair]]:
    directory = _dir(fmt)
    parity = _parity(directory)
    known = {(d["rule"], d["resource"]) for d in parity.get("known_differences", [])}
    missing_why = [d for d in parity.get("known_differences", []) if not str(d.get("why", "")).strip()]
    assert not missing_why, f"known differences without a reason in {directory.name}/parity.json: {missing_why}"
    sam_pairs, sam_code = _keys(_scan(SAM), {}, {})
    pairs, code = _keys(_scan(directory), parity.get("resources", {}), parity.get("code_paths", {}))
    only_sam = {p for p in sam_pairs - pairs if p not in known}
    only_fmt = {p for p in pairs - sam_pairs if p not in known}
    code_only_sam = {k for k in sam_code - code if k[:2] not in known and k[:2] not in only_sam}
    code_only_fmt = {k for k in code - sam_code if k[:2] not in known and k[:2] not in only_fmt}
    message = (_show("(rule, SAM resource) only in the SAM scan", only_sam)
               + _show(f"(rule, SAM resource) only in the {fmt} scan", only_fmt)
               + _show("(rule, SAM resource, file) only in the SAM scan", code_only_sam)
               + _show(f"(rule, SAM resource, file) only in the {fmt} scan", code_only_fmt))
    stale = {k for k in known if (k in sam_pairs) == (k in pairs)}
    return message, stale


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_findings_as_the_sam_example(fmt: str) -> None:
    message, _stale = _compare(fmt)
    assert not message, (f"examples/orders-app-{fmt} differs from examples/orders-app (add a known difference to "
                         f"its parity.json only with a reason a reviewer would accept):{message}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_known_differences_are_real(fmt: str) -> None:
    """A listed difference that no longer differs is stale: remove it from parity.json."""
    _message, stale = _compare(fmt)
    assert not stale, (f"known differences in examples/orders-app-{fmt}/parity.json that no longer differ: "
                       f"{sorted(stale)}")


def test_sam_example_has_findings() -> None:
    pairs, code = _keys(_scan(SAM), {}, {})
    assert ("RMT-LAMBDA-001", "PaymentWebhookFunction") in pairs
    assert any(rule.startswith("RMT-CODE-") for rule, _res, _path in code)


@pytest.mark.parametrize("fmt", ["serverless", "terraform"])
def test_code_copies_match_the_sam_example(fmt: str) -> None:
    """The Serverless and Terraform examples ship a copy of the SAM example's code (a scan reads nothing outside
    its root); a change to one copy without the others would make the parity test compare different code."""
    sam = EXAMPLES / "orders-app" / "src"
    copy = EXAMPLES / f"orders-app-{fmt}" / "src"
    if not copy.is_dir():
        pytest.skip(f"{copy} does not exist")
    theirs = {p.relative_to(copy) for p in copy.rglob("*") if p.is_file()}
    ours = {p.relative_to(sam) for p in sam.rglob("*") if p.is_file()}
    assert theirs == ours, f"files differ: only in SAM {sorted(ours - theirs)}, only in {fmt} {sorted(theirs - ours)}"
    changed = sorted(str(rel) for rel in ours if (sam / rel).read_bytes() != (copy / rel).read_bytes())
    assert not changed, f"copy in examples/orders-app-{fmt}/src differs from examples/orders-app/src: {changed}"
