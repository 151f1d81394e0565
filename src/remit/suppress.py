"""Suppressions: the author's accepted risks, always with a reason, never hidden from JSON or SARIF.

Three places, checked in this order:

* the resource's ``Metadata``::

      Metadata:
        remit:
          ignore:
            - id: RMT-LAMBDA-001        # a rule id, a family (RMT-LAMBDA or RMT-LAMBDA-*) or *
              reason: public webhook, verified by signature

  On a SAM resource it reaches every resource SAM generates from it.
* the template's top-level ``Metadata: remit: ignore`` (optionally limited with ``resources: [LogicalId]``);
* a baseline file (``remit baseline PATH -o FILE``), matched by fingerprint;

Attack paths are suppressed by their id (``AP-...``, a fingerprint of the positions they pass through): in the
template's top-level ``Metadata: remit: ignore`` (``- id: AP-1a2b3c4d5e6f`` with a reason) or in a baseline
file's ``attack_paths``;
* a git revision (``--baseline-ref``): what the scanned paths already had there, matched by fingerprint and
  reported as a baseline suppression; attack paths already there are left out.

An entry without a reason is not applied, and says so in a diagnostic. In audit mode (``--audit``) nothing is
suppressed: every finding a suppression would hide is reported active, with what suppressed it and why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from remit import __version__, safeio, untrusted
from remit.diagnostics import Diagnostic, Level
from remit.errors import BaselineError
from remit.findings import AttackPath, Finding, Suppression, SuppressionKind

BASELINE_VERSION = 1


@dataclass(frozen=True, slots=True)
class IgnoreEntry:
    pattern: str
    reason: str
    path: tuple[str | int, ...]  # where the entry is written, in the author's document
    resources: tuple[str, ...] = ()  # template-level entries may name resources

    def matches(self, rule_id: str) -> bool:
        pattern = self.pattern.strip().upper()
        rid = rule_id.upper()
        if pattern in ("*", rid):
            return True
        family = pattern[:-2] if pattern.endswith("-*") else pattern
        return rid.startswith(family + "-") and family.count("-") == 1


def read_ignores(metadata: Any, base: tuple[str | int, ...], doc: str,
                 diagnostics: list[Diagnostic], line_of: Any) -> tuple[IgnoreEntry, ...]:
    """Parse ``remit: ignore:`` under a Metadata mapping. ``line_of(path)`` gives a line for diagnostics."""
    if not isinstance(metadata, Mapping):
        return ()
    remit = metadata.get("remit")
    if not isinstance(remit, Mapping):
        return ()
    raw = remit.get("ignore")
    if raw is None:
        return ()
    entries = raw if isinstance(raw, list) else [raw]
    out: list[IgnoreEntry] = []
    for i, raw_entry in enumerate(entries):
        path = (*base, "remit", "ignore", i)
        entry = {"id": raw_entry} if isinstance(raw_entry, str) else raw_entry
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            diagnostics.append(Diagnostic(doc, Level.WARNING, "suppression-invalid",
                                          "remit ignore entry needs an id: not applied", line_of(path)))
            continue
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            diagnostics.append(Diagnostic(doc, Level.WARNING, "suppression-without-reason",
                                          f"ignore of {entry['id']} has no reason: not applied", line_of(path)))
            continue
        resources = entry.get("resources")
        names = tuple(str(r) for r in resources) if isinstance(resources, list) else ()
        out.append(IgnoreEntry(entry["id"], reason.strip(), path, names))
    return tuple(out)


# ------------------------------------------------------------------------------------------------
# baselines


@dataclass(frozen=True, slots=True)
class Baseline:
    entries: Mapping[str, str]  # fingerprint -> reason
    paths: Mapping[str, str] = dataclasses.field(default_factory=dict)  # attack path id -> reason

    def suppression(self, finding: Finding) -> Suppression | None:
        reason = self.entries.get(finding.fingerprint)
        return None if reason is None else Suppression(SuppressionKind.BASELINE, reason)

    def path_suppression(self, path: AttackPath) -> Suppression | None:
        reason = self.paths.get(path.id)
        return None if reason is None else Suppression(SuppressionKind.BASELINE, reason)


def load_baseline(path: Path) -> Baseline:
    try:
        data = untrusted.json_loads(safeio.read_bytes(path))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path} is not a remit baseline (no findings list)")
    entries: dict[str, str] = {}
    for item in data["findings"]:
        if isinstance(item, dict) and isinstance(item.get("fingerprint"), str):
            reason = item.get("reason")
            entries[item["fingerprint"]] = reason if isinstance(reason, str) and reason.strip() else "in baseline"
    paths: dict[str, str] = {}
    for item in data.get("attack_paths", ()) if isinstance(data.get("attack_paths"), list) else ():
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            reason = item.get("reason")
            paths[item["id"]] = reason if isinstance(reason, str) and reason.strip() else "in baseline"
    return Baseline(entries, paths)


def baseline_document(findings: Sequence[Finding], reason: str | None = None,
                      paths: Sequence[AttackPath] = ()) -> dict[str, Any]:
    """The baseline file for the unsuppressed findings and attack paths of a scan (stable order, one entry per
    fingerprint or path id)."""
    today = datetime.now(UTC).date().isoformat()
    why = reason or f"present when the baseline was written ({today}); review before relying on it"
    seen: set[str] = set()
    rows = []
    for f in sorted(findings, key=lambda f: (f.location.path, f.rule_id, f.resource, f.fingerprint)):
        if f.suppressed or f.fingerprint in seen:
            continue
        seen.add(f.fingerprint)
        rows.append({"fingerprint": f.fingerprint, "rule_id": f.rule_id, "resource": f.resource,
                     "path": f.location.path, "reason": why})
    path_rows = [{"id": p.id, "severity": p.severity.value, "summary": p.summary, "reason": why}
                 for p in sorted(paths, key=lambda p: p.id) if not p.suppressed]
    return {"version": BASELINE_VERSION, "tool": {"name": "remit", "version": __version__}, "created": today,
            "findings": rows, "attack_paths": path_rows}


# ------------------------------------------------------------------------------------------------
# a git revision as the baseline (--baseline-ref)


@dataclass(frozen=True, slots=True)
class RefBaseline:
    """What the scanned paths had at a git revision: finding fingerprints and attack path ids (both free of
    line numbers, so code that only moved is not new)."""

    ref: str  # as the user wrote it
    commit: str  # the full sha it resolved to
    fingerprints: frozenset[str]
    paths: frozenset[str]

    @property
    def reason(self) -> str:
        return f"present at {self.ref} ({self.commit[:12]})"

    def suppression(self, finding: Finding) -> Suppression | None:
        if finding.fingerprint not in self.fingerprints:
            return None
        return Suppression(SuppressionKind.BASELINE, self.reason)

    def apply(self, findings: Sequence[Finding], paths: Sequence[AttackPath], *, audit: bool = False) \
            -> tuple[tuple[Finding, ...], tuple[AttackPath, ...], Diagnostic]:
        """Findings already there become baseline-suppressed (in audit mode: stay active, with a note) and
        attack paths already there are left out (in audit mode: kept); plus the one line that says what the
        comparison used."""
        marked: list[Finding] = []
        old = 0
        for f in findings:
            found = self.suppression(f)
            if found is None:
                marked.append(f)
                continue
            old += 1
            if audit:
                marked.append(with_audit_note(f, found))
            else:  # a finding the author suppressed keeps the author's reason
                marked.append(f if f.suppressed else dataclasses.replace(f, suppression=found))
        new_paths = tuple(p for p in paths if audit or p.id not in self.paths)
        old_paths = sum(1 for p in paths if p.id in self.paths)
        what = "reported as new" if audit else "not reported as new"
        note = Diagnostic("", Level.INFO, "baseline-ref",
                          f"compared with {self.ref} at commit {self.commit}: {old} finding{'s' * (old != 1)} "
                          f"and {old_paths} attack path{'s' * (old_paths != 1)} already there, {what}"
                          + (" (--audit)" if audit else ""))
        return tuple(marked), new_paths, note


# ------------------------------------------------------------------------------------------------
# audit mode (--audit)


_SUPPRESSED_BY = {
    SuppressionKind.RESOURCE: "Metadata on the resource",
    SuppressionKind.TEMPLATE: "Metadata of the template",
    SuppressionKind.BASELINE: "the baseline",
}


def with_audit_note(finding: Finding, suppression: Suppression) -> Finding:
    """``finding`` active, saying what suppressed it and why: in its message (every report format shows it)
    and in its details (``suppressed-by``, ``suppression-reason``) for JSON and SARIF."""
    where = _SUPPRESSED_BY[suppression.kind]
    if suppression.location is not None:
        where += f" ({suppression.location})"
    facts = dict(finding.details)
    for key, value in (("suppressed-by", suppression.kind.value), ("suppression-reason", suppression.reason)):
        facts[key] = f"{facts[key]}; {value}" if key in facts else value  # suppressed twice: both are said
    details = tuple(facts.items())
    return dataclasses.replace(finding, suppression=None, details=details,
                               message=f"{finding.message} [audit: suppressed by {where}: {suppression.reason}]")


def audited(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Every finding active; the suppressed ones carry the note :func:`with_audit_note` adds."""
    return tuple(f if f.suppression is None else with_audit_note(f, f.suppression) for f in findings)
