#!/usr/bin/env python3
"""Write the rule documentation: ``docs/rules.md`` (the catalog) and ``docs/rules/<RULE-ID>.md`` (one page a rule).

Everything comes from the rules' metadata (``remit.rules``) and their test fixtures (``tests/fixtures/rules``, for
the examples), so run it after changing a rule or its fixtures and commit the result; tests/test_rule_docs.py
fails while the committed pages differ from what this writes. A page of a rule that no longer exists is removed.

    .venv/bin/python scripts/build_rule_docs.py           # write
    .venv/bin/python scripts/build_rule_docs.py --check   # exit 1 and name the stale files, write nothing
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from remit.engine import all_rules
from remit.report.rule_docs import FIXTURES, documents

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only say whether the committed docs are current")
    args = parser.parse_args(argv)

    wanted = documents(all_rules(), ROOT / FIXTURES)
    present = {path.relative_to(DOCS).as_posix() for path in (DOCS / "rules").glob("RMT-*.md")}
    stale = sorted(name for name, text in wanted.items()
                   if not (DOCS / name).is_file() or (DOCS / name).read_text(encoding="utf-8") != text)
    extra = sorted(present - set(wanted))
    if args.check:
        for name in [*stale, *extra]:
            print(f"stale: docs/{name}", file=sys.stderr)
        return 1 if stale or extra else 0
    (DOCS / "rules").mkdir(exist_ok=True)
    for name in stale:
        (DOCS / name).write_text(wanted[name], encoding="utf-8", newline="\n")
    for name in extra:
        (DOCS / name).unlink()
    print(f"docs: {len(wanted)} files, {len(stale)} written, {len(extra)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
