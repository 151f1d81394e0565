"""``remit org merge``: one organisation report from the status records and remit JSON reports of a run.

It reads only what ``remit org run`` wrote under ``OUT`` (``status/*.json``, and ``reports/*.json`` in remit's
stable JSON contract, schema_version "1"), treats every string in them as untrusted, and returns the report
as plain JSON data (``ORG_SCHEMA``): the worst attack paths first, findings by rule across the organisation and
every finding,
what is new since the previous merge of the same directory, the targets that failed and, when asked,
cross-account paths. ``OUT/merge-state.json`` keeps what each target had at the last merge; a target that
failed this time keeps its previous state, so its findings do not come back as new when it recovers. The state
also records which run it was made from (a digest of the status records): merging the same run again, in
another format, compares with the same earlier state, so every format of one run says the same "new".

With a plan (``only``: its target ids), status records of targets the plan no longer holds are left out of the
report and of the state, so a repository removed from the organisation does not linger.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remit.errors import MergeError
from remit.org.status import REPORT_DIR, STATUS_DIR, Status, StatusRecord, write_atomic

ORG_SCHEMA = "remit-org-report/1"
STATE_SCHEMA = "remit-org-merge-state/1"
STATE_FILE = "merge-state.json"
SEVERITIES = ("critical", "high", "medium", "low")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
OTHER_ACCOUNT = "other-account"  # the resource of an attack path's first step when it starts in another account


@dataclass(frozen=True, slots=True)
class Merged:
    report: Mapping[str, Any]  # the organisation report (ORG_SCHEMA)
    state: Mapping[str, Any]  # what the next merge compares with (STATE_SCHEMA)


@dataclass(frozen=True, slots=True)
class _Target:
    record: StatusRecord
    report: Mapping[str, Any]  # empty unless the target's report was read


def _rank(severity: Any) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any, limit: int = 500) -> str:
    return str(value)[:limit] if isinstance(value, (str, int, float)) else ""


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None


def _targets(out: Path) -> Iterator[_Target]:
    for path in sorted((out / STATUS_DIR).glob("*.json")):
        record = StatusRecord.from_json(_read_json(path))
        if record is None or record.target != path.stem:
            continue
        report: Any = {}
        if record.status is Status.OK:
            report = _read_json(out / REPORT_DIR / f"{record.target}.json")
            if not (isinstance(report, dict) and report.get("schema_version") == "1"
                    and isinstance(report.get("findings"), list) and isinstance(report.get("attack_paths"), list)):
                record = StatusRecord(record.target, record.kind, record.name, Status.FAILED, record.attempt,
                                      record.duration, record.input_digest, record.config_digest, record.finished,
                                      record.exit_code, "its report is missing or is not a remit JSON report")
                report = {}
        yield _Target(record, report)


def _active(items: Any) -> list[Mapping[str, Any]]:
    return [i for i in items if isinstance(i, dict) and not i.get("suppressed")] if isinstance(items, list) else []


def _previous(out: Path, run: str) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """What this merge compares with, and the earlier state to keep with the new one: the last merge's state,
    or, when the last merge was of this same run (``run``), the state it compared with."""
    data = _read_json(out / STATE_FILE)
    if not (isinstance(data, dict) and data.get("schema") == STATE_SCHEMA and isinstance(data.get("targets"), dict)):
        return None, None
    if data.get("run") == run:  # the same run again: compare with what its first merge compared with
        before = data.get("before")
        kept = before if isinstance(before, dict) and isinstance(before.get("targets"), dict) else None
        return kept, kept
    return data, {"schema": STATE_SCHEMA, "targets": data["targets"]}


def _run_digest(targets: list[_Target]) -> str:
    """Which run the status records are of: each target's status, input and finishing time."""
    seen = sorted((t.record.target, t.record.status.value, t.record.input_digest, str(t.record.finished))
                  for t in targets)
    return hashlib.sha256(json.dumps(seen).encode()).hexdigest()


def _seen(previous: Mapping[str, Any] | None, target: str, key: str) -> set[str]:
    entry = previous["targets"].get(target) if previous else None
    values = entry.get(key) if isinstance(entry, dict) else None
    return {v for v in values if isinstance(v, str)} if isinstance(values, list) else set()


def merge(out: Path, join_accounts: bool = False, only: frozenset[str] | None = None) -> Merged:
    """The organisation report of the run under ``out`` (``only``: the target ids of the plan, when given)."""
    if not (out / STATUS_DIR).is_dir():
        raise MergeError(f"{out} has no {STATUS_DIR}/ directory: is it the --out of `remit org run`?")
    targets = [t for t in _targets(out) if only is None or t.record.target in only]
    run = _run_digest(targets)
    previous, before = _previous(out, run)
    paths: list[dict[str, Any]] = []
    rules: dict[str, dict[str, Any]] = {}
    findings: list[dict[str, Any]] = []
    new_paths: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    counts = dict.fromkeys([s.value for s in Status], 0)
    state: dict[str, Any] = {}
    for target in targets:
        record, ident = target.record, target.record.target
        counts[record.status.value] += 1
        if not record.status.done:
            failed.append({"target": ident, "name": _text(record.name), "status": record.status.value,
                           "attempts": record.attempt, "error": _text(record.error, 2000)})
            if previous and ident in previous["targets"]:
                state[ident] = previous["targets"][ident]
            continue
        old_findings, old_paths = _seen(previous, ident, "findings"), _seen(previous, ident, "attack_paths")
        fingerprints: list[str] = []
        for finding in _active(target.report.get("findings")):
            fingerprint, rule_id = _text(finding.get("fingerprint")), _text(finding.get("rule_id"))
            fingerprints.append(fingerprint)
            entry = rules.setdefault(rule_id, {"rule_id": rule_id, "title": _text(finding.get("title")),
                                               "severity": _text(finding.get("severity")), "findings": 0,
                                               "targets": set()})
            entry["findings"] += 1
            entry["targets"].add(ident)
            if _rank(finding.get("severity")) < _rank(entry["severity"]):
                entry["severity"] = _text(finding.get("severity"))
            location = _dict(finding.get("location"))
            item = {"target": ident, "rule_id": rule_id, "severity": _text(finding.get("severity")),
                    "resource": _text(finding.get("resource")), "path": _text(location.get("path")),
                    "line": location.get("line") if isinstance(location.get("line"), int) else 0,
                    "message": _text(finding.get("message"), 1000), "fingerprint": fingerprint,
                    "new": previous is not None and fingerprint not in old_findings}
            findings.append(item)
        ids: list[str] = []
        for path in _active(target.report.get("attack_paths")):
            item = _path_item(ident, path, previous is not None and _text(path.get("id")) not in old_paths)
            ids.append(item["id"])
            paths.append(item)
            if item["new"]:
                new_paths.append(item)
        state[ident] = {"findings": sorted(set(fingerprints)), "attack_paths": sorted(set(ids))}

    def path_key(p: Mapping[str, Any]) -> tuple[float, int, str, str]:
        return (-p["score"], _rank(p["severity"]), p["target"], p["id"])

    paths.sort(key=path_key)
    new_paths.sort(key=path_key)
    findings.sort(key=lambda f: (_rank(f["severity"]), f["target"], f["rule_id"], f["path"], f["line"],
                                 f["fingerprint"]))
    new_findings = [f for f in findings if f["new"]]
    by_rule = sorted(({**r, "targets": sorted(r["targets"])} for r in rules.values()),
                     key=lambda r: (_rank(r["severity"]), -r["findings"], r["rule_id"]))
    by_severity = {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITIES}
    report: dict[str, Any] = {
        "schema": ORG_SCHEMA,
        "summary": {"targets": len(targets), **counts, "findings": sum(r["findings"] for r in by_rule),
                    "attack_paths": len(paths), "by_severity": by_severity,
                    "previous_merge": previous is not None, "new_findings": len(new_findings),
                    "new_attack_paths": len(new_paths)},
        "attack_paths": paths,
        "rules": by_rule,
        "findings": findings,
        "new": {"findings": new_findings, "attack_paths": new_paths},
        "failed": failed,
    }
    if join_accounts:
        report["cross_account"] = cross_account(targets)
    return Merged(report, {"schema": STATE_SCHEMA, "targets": state, "run": run, "before": before})


def _path_item(target: str, path: Mapping[str, Any], new: bool) -> dict[str, Any]:
    score = path.get("score")
    steps = _list(path.get("steps"))
    return {"target": target, "id": _text(path.get("id")), "severity": _text(path.get("severity")),
            "score": float(score) if isinstance(score, (int, float)) else 0.0,
            "summary": _text(path.get("summary"), 1000), "hops": max(len(steps) - 1, 0), "new": new}


def _trusts(report: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(role, trusted account, the entry) of a report's ``account_trusts``: the structured cross-account trust
    the scan wrote (remit.iam.trusts). A report without them (an older remit) has none to join."""
    for entry in _list(report.get("account_trusts")):
        if not isinstance(entry, dict):
            continue
        role, account = entry.get("role"), entry.get("account")
        if isinstance(role, str) and role and isinstance(account, str) and _ACCOUNT_ID.match(account):
            yield role, account, entry


def _into(path: Mapping[str, Any], role: str) -> bool:
    """Whether an attack path starts in another account and first takes ``role``: read from its steps' kind and
    resource, never from their labels."""
    steps = _list(path.get("steps"))
    if len(steps) < 2:
        return False
    start, hop = _dict(steps[0]), _dict(steps[1])
    return (start.get("kind") == "attacker" and start.get("resource") == OTHER_ACCOUNT
            and hop.get("kind") == "role" and hop.get("resource") == role)


def cross_account(targets: list[_Target]) -> list[dict[str, Any]]:
    """Paths between scanned accounts: a role of account B whose trust policy names account A (B's
    ``account_trusts``), when A was scanned too, and each path of B that starts in another account and takes
    that role, joined to A's worst path: the foothold an attacker would start from in A."""
    accounts = {t.record.name: t for t in targets if t.record.kind == "account" and t.record.status is Status.OK}
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for name, target in accounts.items():
        trusted: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        for role, account, entry in _trusts(target.report):
            if account != name and account in accounts:
                trusted.setdefault((role, account), []).append(entry)
        for (role, account), entries in sorted(trusted.items()):
            source = accounts[account]
            worst = sorted((_path_item(source.record.target, p, False)
                            for p in _active(source.report.get("attack_paths"))),
                           key=lambda p: (-p["score"], _rank(p["severity"]), p["id"]))
            for path in _active(target.report.get("attack_paths")):
                if not _into(path, role):
                    continue
                item = _path_item(target.record.target, path, False)
                out.setdefault((account, name, item["id"]), {
                    "from_account": account, "to_account": name, "role": _text(role),
                    "principals": sorted({_text(e.get("principal")) for e in entries}),
                    # the weakest statement decides: one without an external id lets the account in without one
                    "external_id": all(e.get("external_id") is True for e in entries),
                    "conditions": sorted({_text(c) for e in entries for c in _list(e.get("conditions"))}),
                    "severity": item["severity"], "score": item["score"], "path": item["id"],
                    "summary": item["summary"], "foothold": worst[0]["id"] if worst else "",
                    "foothold_summary": worst[0]["summary"] if worst else ""})
    return sorted(out.values(), key=lambda c: (-c["score"], _rank(c["severity"]), c["from_account"],
                                               c["to_account"], c["path"]))


def write_state(out: Path, merged: Merged) -> None:
    write_atomic(out / STATE_FILE, json.dumps(merged.state, indent=1, sort_keys=True) + "\n")
