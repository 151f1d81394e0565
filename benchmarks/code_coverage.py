"""How many functions of real apps remit reads, analyses the code of, or calls dead code (no peer).

    .venv/bin/python benchmarks/code_coverage.py [--corpora DIR] [--json out.json]

Each app of the shared corpora is scanned on its own, as a user would scan a checkout: every pattern directory of
``serverless-patterns``, every example directory of ``serverless-examples``, and ``terragoat``. For each, the
script counts the functions remit found, those whose code it analysed, those whose code it did not (grouped by
the reason), the RMT-CODE-016 "dead code" findings, and the diagnostics that name what remit could not read.
The corpora hold templates only, no handler code, so "not analysed" is mostly "the code is not in the checkout";
what matters between two runs is that functions are found at all and that every gap is named.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REMIT_SHARED", ROOT.parent / "shared"))


def apps(corpora: Path) -> list[Path]:
    """One scan target per app."""
    out: list[Path] = []
    for folder in ("serverless-patterns", "serverless-examples"):
        base = corpora / folder
        if base.is_dir():
            out += sorted(p for p in base.iterdir() if p.is_dir())
    if (corpora / "terragoat").is_dir():
        out.append(corpora / "terragoat")
    return out


def _reason(text: str) -> str:
    """A reason without the names and paths in it, so that reasons group."""
    text = re.sub(r"\([^)]*\)", "", text)
    text = re.sub(r"\S*[/.]\S*", "X", text)
    return " ".join(text.split())[:80]


def measure(targets: list[Path]) -> dict[str, object]:
    from remit.api import scan
    from remit.code.resolve import resolve
    from remit.model.values import Unknown
    from remit.options import ScanOptions

    functions = analysed = dead = 0
    not_analysed: Counter[str] = Counter()
    diagnostics: Counter[str] = Counter()
    for target in targets:
        result = scan([target], ScanOptions(parallel=False))
        diagnostics.update(d.code for d in result.diagnostics)
        dead += sum(1 for f in result.findings if f.rule_id == "RMT-CODE-016")
        app = result.application
        if app is None:
            continue
        for fn in app.functions:
            functions += 1
            resolved = resolve(app, fn)
            if isinstance(resolved, Unknown):
                not_analysed[_reason(resolved.reason)] += 1
            else:
                analysed += 1
    return {"apps": len(targets), "functions": functions, "analysed": analysed,
            "not_analysed": sum(not_analysed.values()), "dead_code": dead,
            "not_analysed_by_reason": dict(not_analysed.most_common()),
            "diagnostics": dict(diagnostics.most_common())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=SHARED / "corpora")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    targets = apps(args.corpora)
    if not targets:
        print(f"no corpora under {args.corpora}", file=sys.stderr)
        return 2
    figures = measure(targets)
    for key in ("apps", "functions", "analysed", "not_analysed", "dead_code"):
        print(f"{key:>14}: {figures[key]}")
    print("not analysed, by reason:")
    for reason, count in dict(figures["not_analysed_by_reason"]).items():  # type: ignore[call-overload]
        print(f"  {count:5d}  {reason}")
    print("diagnostics:")
    for code, count in dict(figures["diagnostics"]).items():  # type: ignore[call-overload]
        print(f"  {count:5d}  {code}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
