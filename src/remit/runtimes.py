"""Lambda runtime lifecycle: which runtime identifiers AWS has deprecated, or soon will.

The dates live in ``remit/data/runtimes.json`` (built from the AWS Lambda runtimes documentation; its ``_meta``
says which pages and when they were read). The table is read on first use, never at import.

"Today" is deterministic on demand: :func:`today` returns the date in the environment variable ``REMIT_TODAY``
(an ISO date, ``YYYY-MM-DD``) when it is set, else the local date. Tests and reproducible CI runs set it so a
finding does not change severity, or appear, on the day a deprecation date passes. A ``REMIT_TODAY`` that is
not an ISO date raises :class:`ValueError` rather than silently using the wrong day.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

ENV_TODAY = "REMIT_TODAY"
WARNING_DAYS = 180  # a deprecation this close is reported before it happens


@dataclass(frozen=True, slots=True)
class RuntimeInfo:
    identifier: str
    name: str
    os: str
    deprecation: date | None
    block_create: date | None = None
    block_update: date | None = None
    container_only: bool = False
    source: str = ""  # the key, in the table's ``_meta.sources``, of the page the dates were read from


class Lifecycle(StrEnum):
    SUPPORTED = "supported"
    DEPRECATING = "deprecating"  # deprecated within the warning window
    DEPRECATED = "deprecated"  # the deprecation date has passed (or is today)


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


@cache
def _data() -> Mapping[str, Any]:
    data_file = resources.files("remit.data").joinpath("runtimes.json")
    with data_file.open("r", encoding="utf-8") as fh:
        loaded: Mapping[str, Any] = json.load(fh)
    return loaded


@cache
def _table() -> Mapping[str, RuntimeInfo]:
    table: dict[str, RuntimeInfo] = {}
    for identifier, entry in _data().get("runtimes", {}).items():
        table[identifier] = RuntimeInfo(
            identifier=identifier,
            name=str(entry.get("name", identifier)),
            os=str(entry.get("os", "")),
            deprecation=_date(entry.get("deprecation")),
            block_create=_date(entry.get("block_create")),
            block_update=_date(entry.get("block_update")),
            container_only=bool(entry.get("container_only", False)),
            source=str(entry.get("source", "")),
        )
    return table


def table_info() -> Mapping[str, Any]:
    """Where the table came from and when it was read (the JSON's ``_meta``)."""
    info: Mapping[str, Any] = _data().get("_meta", {})
    return info


def known_runtimes() -> tuple[str, ...]:
    return tuple(_table())


def lookup(identifier: str) -> RuntimeInfo | None:
    """The lifecycle of a runtime identifier as Lambda spells it (``python3.12``); None when remit does not
    know it (a newer runtime, or a typo CloudFormation would reject)."""
    return _table().get(identifier.strip().lower())


def today() -> date:
    """``REMIT_TODAY`` when set (ISO date), else the local date."""
    value = os.environ.get(ENV_TODAY, "").strip()
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{ENV_TODAY} must be an ISO date (YYYY-MM-DD), not {value!r}") from None


def lifecycle(info: RuntimeInfo, on: date, warning_days: int = WARNING_DAYS) -> Lifecycle:
    """Where ``info`` stands on the day ``on``."""
    if info.deprecation is None:
        return Lifecycle.SUPPORTED
    days_left = (info.deprecation - on).days
    if days_left <= 0:
        return Lifecycle.DEPRECATED
    if days_left <= warning_days:
        return Lifecycle.DEPRECATING
    return Lifecycle.SUPPORTED
