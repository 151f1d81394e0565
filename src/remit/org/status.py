"""Status records: one JSON file per target, ``OUT/status/<id>.json``, always replaced whole.

Every file under ``OUT`` is written to a temporary file in the same directory and moved over the old one with
``os.replace`` (atomic on one file system), so a reader — a merge, a re-run, another shard — sees the previous
record or the new one, never half of one, even when a worker dies mid-write.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

STATUS_SCHEMA = "remit-org-status/1"
STATUS_DIR, REPORT_DIR = "status", "reports"


class Status(StrEnum):
    RUNNING = "running"  # an attempt started and has not ended (a record left so: the worker died)
    OK = "ok"  # remit's JSON report is in OUT/reports/<id>.json
    EMPTY = "empty"  # nothing remit reads in the repository: no report, not a failure
    FAILED = "failed"  # the last attempt failed; ``error`` says how
    TIMEOUT = "timeout"  # the last attempt ran out of time

    @property
    def done(self) -> bool:
        """A result a re-run may keep."""
        return self in (Status.OK, Status.EMPTY)


@dataclass(frozen=True, slots=True)
class StatusRecord:
    target: str
    kind: str  # the target's kind (repository, account) and its name, for reports that read records alone
    name: str
    status: Status
    attempt: int  # 1 for the first attempt
    duration: float  # seconds, of all attempts together
    input_digest: str  # the plan's digest of the target's input
    config_digest: str  # remit's version, the scan options and the advisory data the run used
    finished: float  # Unix time the record was written
    exit_code: int | None = None  # of the last remit command; None when it did not exit (timeout, not started)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"schema": STATUS_SCHEMA, "target": self.target, "kind": self.kind,
                "name": self.name, "status": self.status.value, "attempt": self.attempt,
                "duration": round(self.duration, 3), "input_digest": self.input_digest,
                "config_digest": self.config_digest, "finished": round(self.finished, 3),
                "exit_code": self.exit_code, "error": self.error}

    @classmethod
    def from_json(cls, data: Any) -> StatusRecord | None:
        """The record, or None for anything that is not a well-formed one (a merge reports it as not run)."""
        if not isinstance(data, dict) or data.get("schema") != STATUS_SCHEMA:
            return None
        try:
            exit_code = data.get("exit_code")
            return cls(target=str(data["target"]), kind=str(data.get("kind", "")), name=str(data.get("name", "")),
                       status=Status(data["status"]), attempt=int(data["attempt"]),
                       duration=float(data["duration"]), input_digest=str(data["input_digest"]),
                       config_digest=str(data["config_digest"]), finished=float(data["finished"]),
                       exit_code=exit_code if isinstance(exit_code, int) else None, error=str(data.get("error", "")))
        except (KeyError, TypeError, ValueError):
            return None


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def status_path(out: Path, target_id: str) -> Path:
    return out / STATUS_DIR / f"{target_id}.json"


def report_path(out: Path, target_id: str) -> Path:
    return out / REPORT_DIR / f"{target_id}.json"


def write_status(out: Path, record: StatusRecord) -> None:
    write_atomic(status_path(out, record.target), json.dumps(record.to_json(), indent=2) + "\n")


def read_status(out: Path, target_id: str) -> StatusRecord | None:
    try:
        return StatusRecord.from_json(json.loads(status_path(out, target_id).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
