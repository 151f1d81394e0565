"""The organisation report in JSON (the data as merged), Markdown, HTML (Jinja2, autoescaped) and SARIF 2.1.0.

Every string came from a scanned repository or account: Markdown escapes table and inline syntax, HTML is
autoescaped, SARIF and JSON are serialised by ``json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from remit import __version__

ORG_FORMATS = ("json", "markdown", "html", "sarif")
TOP = 25  # rows shown per section in Markdown and HTML (the JSON has everything)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")
_SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def render(report: Mapping[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, indent=2) + "\n"
    if fmt == "markdown":
        return markdown(report)
    if fmt == "html":
        return html(report)
    if fmt == "sarif":
        return json.dumps(sarif(report), indent=2) + "\n"
    raise ValueError(f"unknown organisation report format {fmt!r}")


def _md(value: Any) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _sections(report: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[Any]], int]]:
    """(title, header, rows, total) per section, shared by Markdown and HTML."""
    paths = report["attack_paths"]
    sections = [
        ("Worst attack paths", ["severity", "score", "target", "path", "summary"],
         [[p["severity"], p["score"], p["target"], p["id"], p["summary"]] for p in paths[:TOP]], len(paths)),
        ("Findings by rule", ["severity", "rule", "title", "findings", "targets"],
         [[r["severity"], r["rule_id"], r["title"], r["findings"], len(r["targets"])] for r in report["rules"][:TOP]],
         len(report["rules"])),
    ]
    new = report["new"]
    if report["summary"]["previous_merge"]:
        sections.append(("New attack paths since the previous merge", ["severity", "target", "path", "summary"],
                         [[p["severity"], p["target"], p["id"], p["summary"]] for p in new["attack_paths"][:TOP]],
                         len(new["attack_paths"])))
        sections.append(("New findings since the previous merge", ["severity", "target", "rule", "location", "message"],
                         [[f["severity"], f["target"], f["rule_id"], f"{f['path']}:{f['line']}", f["message"]]
                          for f in new["findings"][:TOP]], len(new["findings"])))
    sections.append(("Targets that failed", ["target", "status", "attempts", "error"],
                     [[f["target"], f["status"], f["attempts"], f["error"][-300:]] for f in report["failed"][:TOP]],
                     len(report["failed"])))
    if "cross_account" in report:
        sections.append(("Cross-account paths", ["severity", "from", "to", "role", "external id", "summary",
                                                 "foothold in from"],
                         [[c["severity"], c["from_account"], c["to_account"], c["role"],
                           "required" if c["external_id"] else "not required", c["summary"],
                           c["foothold_summary"] or "none found"]
                          for c in report["cross_account"][:TOP]], len(report["cross_account"])))
    return sections


def _headline(report: Mapping[str, Any]) -> str:
    s = report["summary"]
    new = (f"; new since the previous merge: {s['new_findings']} findings, {s['new_attack_paths']} attack paths"
           if s["previous_merge"] else "; first merge of this directory: nothing is marked new")
    return (f"{s['targets']} targets: {s['ok']} scanned, {s['empty']} with nothing to scan, "
            f"{s['failed'] + s['timeout'] + s['running']} failed; {s['findings']} findings, "
            f"{s['attack_paths']} attack paths{new}.")


def markdown(report: Mapping[str, Any]) -> str:
    lines = ["# remit organisation report", "", _headline(report)]
    for title, header, rows, total in _sections(report):
        lines += ["", f"## {title} ({total})", ""]
        if not rows:
            lines.append("None.")
            continue
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
        if total > len(rows):
            lines += ["", f"{total - len(rows)} more in the JSON report."]
    return "\n".join(lines) + "\n"


_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>remit organisation report</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}th{background:#f3f3f3}
.critical{color:#a00;font-weight:bold}.high{color:#c40}.medium{color:#960}.low{color:#555}</style></head>
<body><h1>remit organisation report</h1><p>{{ headline }}</p>
{% for title, header, rows, total in sections %}<h2>{{ title }} ({{ total }})</h2>
{% if rows %}<table><tr>{% for h in header %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>{% for cell in row %}<td{% if loop.first %} class="{{ cell }}"{% endif %}>{{ cell }}</td>
{% endfor %}</tr>
{% endfor %}</table>{% if total > rows|length %}<p>{{ total - rows|length }} more in the JSON report.</p>{% endif %}
{% else %}<p>None.</p>{% endif %}{% endfor %}
<p>remit {{ version }}</p></body></html>
"""


def html(report: Mapping[str, Any]) -> str:
    import jinja2  # noqa: PLC0415 - only for this format

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(_HTML).render(headline=_headline(report), sections=_sections(report),
                                         version=__version__)


def sarif(report: Mapping[str, Any]) -> dict[str, Any]:
    """One run per target with findings: ``automationDetails.id`` ``remit-org/<target>/``, paths relative to
    the target's root (``uriBaseId`` ``TARGET``), results in the JSON's order, each with ``baselineState``
    new or unchanged after a previous merge."""
    runs: dict[str, dict[str, Any]] = {}
    rules = {r["rule_id"]: r for r in report["rules"]}
    previous = report["summary"]["previous_merge"]
    for finding in report["findings"]:
        run = runs.setdefault(finding["target"], {
            "tool": {"driver": {"name": "remit", "version": __version__, "rules": []}},
            "automationDetails": {"id": f"remit-org/{finding['target']}/"}, "results": []})
        driver_rules = run["tool"]["driver"]["rules"]
        if finding["rule_id"] not in {r["id"] for r in driver_rules}:
            driver_rules.append({"id": finding["rule_id"],
                                 "shortDescription": {"text": rules.get(finding["rule_id"], {}).get("title")
                                                      or finding["rule_id"]}})
        location = {"physicalLocation": {"artifactLocation": {"uri": finding["path"], "uriBaseId": "TARGET"}}}
        if finding["line"] > 0:
            location["physicalLocation"]["region"] = {"startLine": finding["line"]}
        result: dict[str, Any] = {"ruleId": finding["rule_id"],
                                  "level": _SARIF_LEVEL.get(finding["severity"], "note"),
                                  "message": {"text": finding["message"] or finding["rule_id"]},
                                  "locations": [location],
                                  "partialFingerprints": {"remitFingerprint/v1": finding["fingerprint"]}}
        if previous:
            result["baselineState"] = "new" if finding["new"] else "unchanged"
        run["results"].append(result)
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
            "runs": [runs[k] for k in sorted(runs)]}
