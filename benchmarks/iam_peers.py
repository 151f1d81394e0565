"""Compare remit's privilege-escalation and over-privilege findings with Cloudsplaining and Parliament over the
corpus templates.

Usage: .venv/bin/python benchmarks/iam_peers.py [CORPUS_DIR] [--peers-python /tmp/peers-iam/bin/python]
Peers run in their own venv (``python3 -m venv /tmp/peers-iam && /tmp/peers-iam/bin/pip install cloudsplaining
parliament``); absent peers are skipped. Identity policies are taken from remit's model of each template
(inline and customer managed), written as JSON and given to the peers one policy at a time; remit judges each
principal's combined grants. Prints, per tool, how many principals/policies each flags per category (remit's
over-privilege rules count principals; RMT-IAM-001/003 count statements; the peers count policies).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from remit.api import load_documents
from remit.engine import all_rules
from remit.iam.privesc import escalations
from remit.loaders.sam import expander
from remit.model.application import Application
from remit.model.build import build
from remit.model.policy import PolicyKind
from remit.model.values import Unknown, to_json
from remit.options import ScanOptions

PEER = r'''
import json, sys
out = {"cloudsplaining": {}, "parliament": {}}
docs = json.load(sys.stdin)
try:
    from cloudsplaining.scan.policy_document import PolicyDocument
    for i, d in enumerate(docs):
        pd = PolicyDocument(d)
        cats = []
        if pd.allows_privilege_escalation: cats.append("privesc")
        if pd.permissions_management_without_constraints: cats.append("permissions-management")
        if pd.allows_data_exfiltration_actions: cats.append("data-exfiltration")
        if pd.infrastructure_modification: cats.append("infrastructure-modification")
        if pd.credentials_exposure: cats.append("credentials-exposure")
        if pd.service_wildcard: cats.append("service-wildcard")
        out["cloudsplaining"][i] = cats
except ImportError:
    out["cloudsplaining"] = None
try:
    from parliament import analyze_policy_string
    for i, d in enumerate(docs):
        f = analyze_policy_string(json.dumps(d)).findings
        out["parliament"][i] = sorted({x.issue for x in f})
except ImportError:
    out["parliament"] = None
print(json.dumps(out))
'''


#: remit's over-privilege rules and the category each counts toward (Cloudsplaining's names where they match).
OVERPRIV = {
    "RMT-IAM-001": "admin",
    "RMT-IAM-003": "service-wildcard",
    "RMT-IAM-030": "write-wildcard",
    "RMT-IAM-031": "data-exfiltration",
    "RMT-IAM-032": "credentials-exposure",
    "RMT-IAM-033": "permissions-management",
    "RMT-IAM-034": "infrastructure-modification",
    "RMT-IAM-035": "managed-full-access",
    "RMT-IAM-036": "sam-template-wildcard",
}


def _principals_flagged(app: Application, rule_id: str) -> int:
    """How many principals (or, for the statement-level rules 001/003, statements) the rule flags."""
    rule = next(r for r in all_rules() if r.id == rule_id)
    try:
        return sum(1 for _ in rule.check(app, app))
    except Exception:  # noqa: BLE001 - a rule failure on a corpus file is counted as nothing, not fatal
        return 0


def main(argv: list[str]) -> int:
    beside = Path(__file__).resolve().parents[2] / "shared" / "corpora"
    corpus = Path(argv[1]) if len(argv) > 1 and not argv[1].startswith("--") else beside
    peer_py = argv[argv.index("--peers-python") + 1] if "--peers-python" in argv else "/tmp/peers-iam/bin/python"
    templates = [p for p in corpus.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
                 and p.stat().st_size < 500_000 and b"Resources" in p.read_bytes()[:200_000]]
    policies: list[dict[str, object]] = []
    remit_counts: Counter[str] = Counter()
    for path in templates:
        try:
            root, docs, _ = load_documents([path], ScanOptions())
            app, _ = build(docs, root, expander(root))
        except Exception:  # noqa: BLE001 - a corpus file remit cannot read is skipped, not fatal
            continue
        for principal in (*app.roles, *app.users, *app.groups):
            for cat in {e.method.category for e in escalations(app, principal)}:
                remit_counts[cat] += 1
        for rule_id, cat in OVERPRIV.items():
            remit_counts[cat] += _principals_flagged(app, rule_id)
            for pol in principal.policies:
                if pol.kind is PolicyKind.AWS_MANAGED or isinstance(pol.document, Unknown):
                    continue
                sts = [{"Effect": s.effect,
                        ("NotAction" if s.not_action else "Action"): [to_json(a) for a in s.actions],
                        ("NotResource" if s.not_resource else "Resource"): [to_json(r) for r in s.resources]}
                       for s in pol.document.statements]
                policies.append({"Version": "2012-10-17", "Statement": sts})
    print(f"templates: {len(templates)}, identity policies given to peers: {len(policies)}")
    print("remit (principals flagged per category):", dict(sorted(remit_counts.items())))
    if not Path(peer_py).exists():
        print("peers: not installed, skipped")
        return 0
    done = subprocess.run([peer_py, "-c", PEER], input=json.dumps(policies, default=str), capture_output=True,
                          text=True, check=False, timeout=900)
    if done.returncode != 0:
        print("peers failed:", done.stderr[-500:])
        return 0
    got = json.loads(done.stdout)
    for tool in ("cloudsplaining", "parliament"):
        if got[tool] is None:
            print(f"{tool}: not installed")
            continue
        counts: Counter[str] = Counter(c for cats in got[tool].values() for c in cats)
        print(f"{tool} (policies flagged per category):", dict(sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
