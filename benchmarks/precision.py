"""Per-rule precision of remit on real, benign apps: a sample of each rule's findings, judged by a person.

    .venv/bin/python benchmarks/precision.py [CORPUS_DIR ...] [--per-rule N] [--todo] [--json OUT]

Scans each corpus folder (default: the serverless-patterns and serverless-examples folders of ../shared/corpora),
takes up to N findings of every rule (a stable sample: the lowest hashes of their fingerprints, so the sample
stays put as long as the findings do), and reads the verdicts kept in ``benchmarks/precision-triage.json``:

    {"<fingerprint>": {"rule": "RMT-API-001", "where": "path:line", "verdict": "tp" | "fp", "why": "..."}}

It prints, per rule, how many findings there are, how many were sampled and judged, the true and false
positives and the precision over what was judged (high and critical rules first). ``--todo`` lists the sampled
findings nobody has judged yet, with their message, for the next triage session. A verdict whose finding is
gone (fixed rule, changed corpus) is listed as stale, never counted.

A false positive is a finding a competent reviewer of that app would dismiss: the fact is wrong (the code is
not reachable, the grant is used, the resource is not public), not merely low-risk for that app.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REMIT_SHARED", ROOT.parent / "shared"))
TRIAGE = ROOT / "benchmarks" / "precision-triage.json"
DEFAULT = [SHARED / "corpora" / "serverless-patterns", SHARED / "corpora" / "serverless-examples"]
RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def findings(corpus: Path) -> list[dict[str, Any]]:
    """remit's active findings over one corpus folder, through the public API (offline)."""
    from remit.api import scan  # after sys.path is set
    from remit.options import ScanOptions

    result = scan([corpus], ScanOptions())
    return [{"rule": f.rule_id, "severity": f.severity.value, "fingerprint": f.fingerprint,
             "where": f"{corpus.name}/{f.location}", "resource": f.resource, "message": f.message}
            for f in result.active]


def _order(fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--per-rule", type=int, default=5)
    parser.add_argument("--todo", action="store_true", help="list sampled findings without a verdict")
    parser.add_argument("--json", type=Path, help="write the per-rule table as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    verdicts: dict[str, dict[str, str]] = json.loads(TRIAGE.read_text()) if TRIAGE.is_file() else {}

    by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for corpus in args.corpora:
        if not corpus.is_dir():
            print(f"skipped {corpus}: not a directory", file=sys.stderr)
            continue
        for f in findings(corpus):
            by_rule[f["rule"]].append(f)
    seen = {f["fingerprint"] for fs in by_rule.values() for f in fs}
    rows = []
    todo = []
    for rule, fs in by_rule.items():
        sample = sorted(fs, key=lambda f: _order(f["fingerprint"]))[:args.per_rule]
        judged = [verdicts[f["fingerprint"]]["verdict"] for f in sample if f["fingerprint"] in verdicts]
        todo.extend(f for f in sample if f["fingerprint"] not in verdicts)
        tp, fp = judged.count("tp"), judged.count("fp")
        worst = min((f["severity"] for f in fs), key=RANK.__getitem__)
        rows.append({"rule": rule, "worst": worst, "findings": len(fs), "sampled": len(sample),
                     "judged": len(judged), "tp": tp, "fp": fp,
                     "precision": round(tp / (tp + fp), 3) if tp + fp else None})
    rows.sort(key=lambda r: (RANK[r["worst"]], r["rule"]))
    print(f"{'rule':<16} {'worst':<9} {'findings':>8} {'sampled':>7} {'judged':>6} {'tp':>4} {'fp':>4} precision")
    for r in rows:
        precision = f"{r['precision']:.0%}" if r["precision"] is not None else "-"
        print(f"{r['rule']:<16} {r['worst']:<9} {r['findings']:>8} {r['sampled']:>7} {r['judged']:>6} {r['tp']:>4} "
              f"{r['fp']:>4} {precision}")
    tp = sum(r["tp"] for r in rows)
    fp = sum(r["fp"] for r in rows)
    print(f"judged {tp + fp} of {sum(r['sampled'] for r in rows)} sampled: precision "
          f"{tp / (tp + fp):.1%}" if tp + fp else "nothing judged yet")
    stale = sorted(k for k in verdicts if k not in seen)
    if stale:
        print(f"{len(stale)} verdicts name findings this scan no longer has (stale): " + ", ".join(stale[:5]))
    if args.todo:
        for f in sorted(todo, key=lambda f: (f["rule"], f["where"])):
            print(f"\n{f['fingerprint']}  {f['rule']} {f['severity']}  {f['where']}  {f['resource']}\n"
                  f"    {' '.join(f['message'].split())}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
