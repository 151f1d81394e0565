#!/usr/bin/env python3
"""Rebuild src/remit/data/aws_managed_policies.json.gz from the copy of AWS managed policies that moto ships.

Why moto: its package carries the default version of every AWS managed policy document, refreshed by its
maintainers from IAM (``moto/iam/aws_managed_policies.py``), and it installs from PyPI without credentials.
remit needs the documents, not just the names: they decide what a role can do.

Usage: ``make data`` or ``python scripts/build_managed_policies.py [OUT]`` with ``remit[data]`` installed from
``requirements/lock.txt``. ``make data-check`` rebuilds into a temporary file and compares.
The output is deterministic (sorted keys, no timestamps besides moto's own), so a rebuild with the same moto
version gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
import sys
from importlib.metadata import version
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "remit" / "data" / "aws_managed_policies.json.gz"


def main(argv: list[str] | None = None) -> int:
    out = Path(argv[0]) if argv else OUT
    try:
        from moto.iam.aws_managed_policies import aws_managed_policies_data  # optional
    except ImportError:
        print("moto is not installed: pip install 'remit[data]'", file=sys.stderr)
        return 2
    raw = json.loads(aws_managed_policies_data)
    policies = {
        name: {
            "path": entry.get("Path", "/"),
            "version": entry.get("DefaultVersionId"),
            "updated": entry.get("UpdateDate"),
            "document": entry["Document"],
        }
        for name, entry in sorted(raw.items())
    }
    newest = max((p["updated"] or "" for p in policies.values()), default="")
    data = {
        "_meta": {
            "source": "moto (moto/iam/aws_managed_policies.py)",
            "moto_version": version("moto"),
            "policies": len(policies),
            "newest_update": newest,
        },
        # each entry as its own JSON text: a scan parses the whole file's strings (fast) and then only the few
        # policies its roles attach, instead of building all 1,582 documents (0.15 s, paid by every SAM scan)
        "policies": {name: json.dumps(entry, sort_keys=True, separators=(",", ":"))
                     for name, entry in policies.items()},
    }
    payload = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"wrote {out} ({len(policies)} policies, newest update {newest}, {out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
