"""The shape of an OSV record remit relies on, enforced once where a record is read.

An advisory record comes from a directory or zip the user named, from the cache, or from the OSV API; none of
them is checked by anyone before remit reads it. :func:`well_formed` keeps the fields the matcher and the
reports read, each only in the shape the OSV schema gives it (a string where a string belongs, a list of
mappings where a list of mappings belongs), and drops the rest, so a malformed record can cost at most itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_TEXT = ("id", "summary", "details", "modified", "published", "withdrawn", "schema_version")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _maps(value: Any, shape: Callable[[dict[str, Any]], dict[str, Any]]) -> list[dict[str, Any]]:
    return [shape(v) for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings_of(item: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: item[k] for k in keys if isinstance(item.get(k), str)}


def _event(item: dict[str, Any]) -> dict[str, Any]:
    return _strings_of(item, ("introduced", "fixed", "last_affected", "limit"))


def _range(item: dict[str, Any]) -> dict[str, Any]:
    return {**_strings_of(item, ("type", "repo")), "events": _maps(item.get("events"), _event)}


def _affected(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"ranges": _maps(item.get("ranges"), _range), "versions": _texts(item.get("versions"))}
    package = item.get("package")
    if isinstance(package, dict):
        out["package"] = _strings_of(package, ("ecosystem", "name", "purl"))
    return out


def well_formed(record: Any) -> dict[str, Any]:
    """The record reduced to the fields remit reads, each in its schema's shape. Raises ``ValueError`` when it
    is not an OSV record at all (not a mapping, or no string ``id``)."""
    if not isinstance(record, dict) or _text(record.get("id")) is None:
        raise ValueError("not an OSV record")
    out: dict[str, Any] = {k: record[k] for k in _TEXT if isinstance(record.get(k), str)}
    out["aliases"] = _texts(record.get("aliases"))
    out["affected"] = _maps(record.get("affected"), _affected)
    out["severity"] = _maps(record.get("severity"), lambda s: _strings_of(s, ("type", "score")))
    out["references"] = _maps(record.get("references"), lambda r: _strings_of(r, ("type", "url")))
    specific = record.get("database_specific")
    if isinstance(specific, dict) and isinstance(specific.get("severity"), str):
        out["database_specific"] = {"severity": specific["severity"]}
    return out


def shaped(record: Any) -> dict[str, Any] | None:
    """:func:`well_formed`, or None for what is not an OSV record (``Database.add`` reports it)."""
    try:
        return well_formed(record)
    except ValueError:
        return None
