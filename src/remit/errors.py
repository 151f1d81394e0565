"""Every error remit raises across a module boundary, in one place.

Three families, by who is to blame and what the caller does with them:

* :class:`UsageError` and its kind: the user asked for what cannot be done (a bad option, a configuration or
  baseline file that cannot be read, an unknown git revision, a collection that cannot start, a plan that cannot
  be made). Analysis code raises them; the CLI alone prints them and exits 2.
* :class:`InputError` and its kind: one input file cannot be read (a document, HCL, a build file, a file outside
  the scan's scope). Never a failed scan: each becomes that file's diagnostic (``remit.guard.per_file``).
* The rest: a defect of remit itself (:class:`RuleCatalogError`), a network fetch that failed
  (:class:`DownloadError`, :class:`AdvisoryError`: a headline, never a failed scan), and the request to stop
  (:class:`Interrupted`).
"""

from __future__ import annotations

import errno
import json
import tomllib

__all__ = [
    "AdvisoryError",
    "BadDocument",
    "BaselineError",
    "CollectError",
    "ConfigError",
    "DownloadError",
    "EngineError",
    "GitRefError",
    "HclError",
    "InputError",
    "Interrupted",
    "LoadError",
    "MergeError",
    "PlanError",
    "Refused",
    "RuleCatalogError",
    "SnapshotError",
    "UsageError",
    "UsageProblem",
    "XmlError",
]


# -- the user's request ---------------------------------------------------------------------------------------


class UsageError(Exception):
    """What the user asked for cannot be done: the CLI prints the message and exits 2."""


class UsageProblem(UsageError, ValueError):
    """The caller asked for what cannot be done (an unknown rule selector, a source root that does not hold the
    scanned paths): the CLI's exit 2. Bad *input* never raises it; that is a :class:`~remit.diagnostics.Diagnostic`."""


class ConfigError(UsageError):
    """A configuration file (``.remit.toml``, ``[tool.remit]``) that cannot be read or holds a bad value."""


class BaselineError(UsageError):
    """A baseline file that cannot be read."""


class GitRefError(UsageError):
    """The comparison cannot be made: no git, a path outside a work tree, an unknown ref. A usage error."""


class CollectError(UsageError):
    """The collection cannot start: no credentials, no account identity, no region."""


class SnapshotError(UsageError):
    """A snapshot that cannot be read (not a remit snapshot, a newer version, unreadable files)."""


class PlanError(UsageError):
    """A plan that cannot be made or read (the CLI turns it into a usage error)."""


class EngineError(UsageError):
    """An engine that cannot start (Dask not installed, a scheduler that does not answer)."""


class MergeError(UsageError):
    """Organisation reports that cannot be merged (no status records, an unreadable report)."""


# -- one input file -------------------------------------------------------------------------------------------


class InputError(Exception):
    """One input file cannot be read as what it claims to be; ``line`` is 1-based, or None when unknown."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class LoadError(InputError):
    """The text could not be read as a document (YAML or JSON)."""


class HclError(InputError):
    """The text could not be read as HCL (a Terraform file)."""


class XmlError(Exception):
    """Not a well-formed build file (or one with a DTD)."""


class BadDocument(json.JSONDecodeError, tomllib.TOMLDecodeError):
    """A document remit cannot parse; ``str()`` says why in a line fit for a diagnostic."""

    def __init__(self, why: str) -> None:
        json.JSONDecodeError.__init__(self, why, "", 0)
        self.args = (why,)

    def __str__(self) -> str:
        return str(self.args[0])


class Refused(OSError):
    """A file remit will not read. ``strerror`` is safe to put in a report."""

    def __init__(self, why: str, code: int = errno.EACCES) -> None:
        super().__init__(code, why)

    def __str__(self) -> str:
        return self.strerror or "refused"


# -- remit itself, the network, a stop ------------------------------------------------------------------------


class RuleCatalogError(Exception):
    """The rule catalog itself is broken (two rules share an id): a bug in remit, not in the input."""


class DownloadError(Exception):
    """One archive could not be downloaded (no network, an HTTP error, a timeout, a bad archive).
    ``unreachable``: the server could not be reached at all, so other archives need not be tried."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class AdvisoryError(Exception):
    """Advisories could not be read or fetched (bad archive, no network)."""


class Interrupted(KeyboardInterrupt):
    """The scan was asked to stop (SIGTERM or SIGINT); a ``KeyboardInterrupt`` so every ``finally`` runs."""
