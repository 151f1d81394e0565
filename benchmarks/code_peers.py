"""Compare remit's code rules with Bandit and Semgrep on the RMT-CODE fixtures, per rule and language.

Ground truth: the fixtures' ``# ruleid:`` / ``// ruleid:`` (true positive expected) and ``ok:`` (must stay
quiet) lines, in Python and JavaScript / TypeScript files (Bandit reads Python only).
A tool's hit on a ``ruleid`` line counts as a true positive, on an ``ok`` line as a false positive; hits
elsewhere are ignored. Peers run from ``/tmp/peers-code/bin`` (``python3 -m venv /tmp/peers-code &&
/tmp/peers-code/bin/pip install bandit semgrep``) and are skipped when absent. Usage:
``.venv/bin/python benchmarks/code_peers.py``. Semgrep's ``p/python`` / ``p/javascript`` rule packs come
from its registry: without network it produces no output, and the script says it was skipped.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from remit.api import scan
from remit.options import ScanOptions

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "rules"
PEERS = Path("/tmp/peers-code/bin")
ANNOTATION = re.compile(r"(?:#|//)\s*(ruleid|ok)\s*:\s*(RMT-CODE-\d+)")
SUFFIXES = {".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".ts": "typescript",
            ".tsx": "typescript"}
SKIPPED: dict[str, str] = {}


def truth() -> dict[tuple[str, str], dict[tuple[str, int], str]]:
    """(rule id, language) -> {(absolute file, line): "ruleid" | "ok"}."""
    out: dict[tuple[str, str], dict[tuple[str, int], str]] = {}
    for path in sorted(p for p in FIXTURES.glob("RMT-CODE-*/**/*") if p.suffix in SUFFIXES):
        language = "python" if path.suffix == ".py" else "js/ts"
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            match = ANNOTATION.search(line)
            if match:
                target = i + 1
                while target < len(lines) and (not lines[target].strip() or ANNOTATION.search(lines[target])):
                    target += 1
                out.setdefault((match.group(2), language), {})[(str(path), target + 1)] = match.group(1)
    return out


def remit_hits() -> set[tuple[str, int]]:
    hits: set[tuple[str, int]] = set()
    for directory in sorted(FIXTURES.glob("RMT-CODE-*")):
        result = scan([directory], ScanOptions(select=(directory.name,)))
        hits |= {(str(directory / f.location.path), f.location.line) for f in result.findings}
    return hits


def bandit_hits() -> set[tuple[str, int]] | None:
    exe = PEERS / "bandit"
    if not exe.exists():
        return None
    run = subprocess.run([str(exe), "-r", "-f", "json", "-q", str(FIXTURES)], capture_output=True, text=True,
                         check=False)
    data = json.loads(run.stdout or "{}")
    return {(r["filename"], r["line_number"]) for r in data.get("results", [])}


def semgrep_hits() -> set[tuple[str, int]] | None:
    exe = PEERS / "semgrep"
    if not exe.exists():
        return None
    try:
        run = subprocess.run([str(exe), "scan", "--config", "p/python", "--config", "p/javascript", "--json",
                              "--metrics", "off", "--quiet", str(FIXTURES)], capture_output=True, text=True,
                             check=False, timeout=300)
    except subprocess.TimeoutExpired:
        SKIPPED["semgrep"] = "timed out fetching its registry rules"
        return None
    try:
        data = json.loads(run.stdout)
    except json.JSONDecodeError:
        SKIPPED["semgrep"] = "no output: its registry rule packs need network access"
        return None
    return {(r["path"] if r["path"].startswith("/") else str(Path(r["path"]).resolve()), r["start"]["line"])
            for r in data.get("results", [])}


def main() -> None:
    expected = truth()
    tools = {"remit": remit_hits(), "bandit": bandit_hits(), "semgrep": semgrep_hits()}
    names = [n for n, h in tools.items() if h is not None]
    print("| rule | language | expected (ruleid/ok) | " + " | ".join(f"{n} TP/FP" for n in names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    totals = {n: [0, 0] for n in names}
    for (rule_id, language), lines in sorted(expected.items()):
        positives = {k for k, v in lines.items() if v == "ruleid"}
        negatives = {k for k, v in lines.items() if v == "ok"}
        cells = []
        for name in names:
            hits = tools[name] or set()
            tp, fp = len(positives & hits), len(negatives & hits)
            totals[name][0] += tp
            totals[name][1] += fp
            cells.append(f"{tp}/{fp}")
        print(f"| {rule_id} | {language} | {len(positives)}/{len(negatives)} | " + " | ".join(cells) + " |")
    n_pos = sum(1 for lines in expected.values() for v in lines.values() if v == "ruleid")
    n_neg = sum(1 for lines in expected.values() for v in lines.values() if v == "ok")
    print(f"| total | | {n_pos}/{n_neg} | " + " | ".join(f"{tp}/{fp}" for tp, fp in totals.values()) + " |")
    for name, found in tools.items():
        if found is None:
            print(f"({name} skipped: {SKIPPED.get(name, f'not installed in {PEERS}')})")


if __name__ == "__main__":
    main()
