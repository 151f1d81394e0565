"""``remit org plan``: the list of targets of an organisation, each with a digest of its input.

A target is either a **repository** (a directory on disk, scanned as it is, or a git URL at a commit) or an AWS
**account** (an account id and the role to assume in it). The digest says when a target's input changed:

* a local repository: SHA-256 over every regular file's relative path and content (symlinks by their target
  text, never followed; ``.git`` left out), so any edit, including one to a dependency file, changes it;
* a URL at a commit: the URL and the commit (a commit names its content);
* an account: the account id, the role and the external id. Its live state has no digest remit can take without
  reading the account, so ``remit org run --max-age`` decides when an unchanged account is scanned again.

The plan is plain JSON (``PLAN_SCHEMA``) so that it can be written once on a coordinator and read by every shard.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from remit import __version__
from remit.errors import PlanError

PLAN_SCHEMA = "remit-org-plan/1"
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,512}$")
_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")
_FULL_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")  # SHA-1 or SHA-256 object name, in full
_URL = re.compile(r"^(?:https?|ssh|git|file)://|^[\w.-]+@[\w.-]+:")
_SCHEME = re.compile(r"^(https?|ssh|git|file)://")
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")
_SKIP_IN_DIGEST = frozenset({".git"})


class TargetKind(StrEnum):
    REPOSITORY = "repository"
    ACCOUNT = "account"


@dataclass(frozen=True, slots=True)
class Target:
    """One unit of work: scanned by one ``remit`` command line, with one report and one status record.

    ``id`` is unique in its plan and safe as a file name; ``name`` is what reports show (a directory name, a URL
    at a commit, an account id); ``source`` is the path or URL to scan, or the account id. ``commit``, ``role``
    and ``external_id`` are empty when they do not apply (a directory scanned as it is; a repository)."""

    id: str
    kind: TargetKind
    name: str
    source: str
    digest: str
    commit: str = ""
    role: str = ""
    external_id: str = ""

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind.value, "name": self.name, "source": self.source,
                "commit": self.commit, "role": self.role, "external_id": self.external_id, "digest": self.digest}

    @classmethod
    def from_json(cls, data: Any) -> Target:
        if not isinstance(data, dict):
            raise PlanError("a plan target is not an object")
        try:
            fields = {key: data[key] for key in ("id", "kind", "name", "source", "digest")}
            kind = TargetKind(fields.pop("kind"))
        except (KeyError, ValueError) as exc:
            raise PlanError(f"a plan target lacks or has a bad field: {exc}") from None
        extra = {key: data.get(key, "") for key in ("commit", "role", "external_id")}
        if not all(isinstance(v, str) for v in (*fields.values(), *extra.values())):
            raise PlanError("a plan target has a field that is not a string")
        if _SLUG.search(fields["id"]) or fields["id"] in ("", ".", ".."):
            raise PlanError(f"plan target id {fields['id']!r} is not a safe file name")
        return cls(kind=kind, **fields, **extra)


@dataclass(frozen=True, slots=True)
class Plan:
    targets: tuple[Target, ...]
    remit_version: str = __version__

    def to_json(self) -> dict[str, Any]:
        return {"schema": PLAN_SCHEMA, "remit_version": self.remit_version,
                "targets": [t.to_json() for t in self.targets]}

    def shard(self, index: int, count: int) -> tuple[Target, ...]:
        """Shard ``index`` of ``count`` (0-based): every ``count``-th target from ``index``, in plan order.
        The shards of one plan are disjoint, cover it, and differ in size by one at most."""
        if count < 1 or not 0 <= index < count:
            raise PlanError(f"shard {index}/{count}: need 0 <= I < N")
        return self.targets[index::count]


def read_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanError(f"cannot read plan {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != PLAN_SCHEMA or not isinstance(data.get("targets"), list):
        raise PlanError(f"{path} is not a remit org plan ({PLAN_SCHEMA})")
    targets = tuple(Target.from_json(t) for t in data["targets"])
    ids = [t.id for t in targets]
    if len(set(ids)) != len(ids):
        raise PlanError(f"{path}: target ids are not unique")
    return Plan(targets, str(data.get("remit_version", "")))


def plan_text(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2) + "\n"


# -- repositories ----------------------------------------------------------------------------------------


def tree_digest(root: Path) -> str:
    """SHA-256 of a directory's files: relative path, then content (a symlink: its target text, not followed).
    Nothing outside ``root`` is read; ``.git`` is left out; special files (sockets, fifos) are ignored."""
    h = hashlib.sha256(b"remit-org-tree/1\0")
    for rel, full in _walk(root):
        try:
            info = os.lstat(full)
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):
            h.update(b"L\0" + rel.encode("utf-8", "surrogateescape") + b"\0")
            h.update(os.readlink(full).encode("utf-8", "surrogateescape") + b"\0")
        elif stat.S_ISREG(info.st_mode):
            h.update(b"F\0" + rel.encode("utf-8", "surrogateescape") + b"\0")
            h.update(_file_sha(full) + b"\0")
    return h.hexdigest()


def _walk(root: Path) -> Iterator[tuple[str, str]]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_IN_DIGEST)
        # a symlinked directory is listed in dirnames but not walked (followlinks=False): hash it as a link
        names = sorted([*filenames, *(d for d in dirnames if os.path.islink(os.path.join(dirpath, d)))])
        for name in names:
            full = os.path.join(dirpath, name)
            yield os.path.relpath(full, root).replace(os.sep, "/"), full


def _file_sha(path: str) -> bytes:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        h.update(f"unreadable: {exc.strerror}".encode())
    return h.digest()


def head_commit(root: Path) -> str:
    """The commit a git checkout's HEAD names, read from ``.git`` (git is not run: the repository is hostile
    input); empty when ``root`` is not the top of a checkout or HEAD cannot be read."""
    git = root / ".git"
    if not git.is_dir() or git.is_symlink():
        return ""
    try:
        head = (git / "HEAD").read_text(encoding="ascii", errors="replace").strip()
        if _COMMIT.match(head):
            return head
        if not head.startswith("ref: refs/") or ".." in head:
            return ""
        ref = head[5:]
        loose = git / ref
        if loose.is_file() and not loose.is_symlink():
            value = loose.read_text(encoding="ascii", errors="replace").strip()
            return value if _COMMIT.match(value) else ""
        packed = git / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="ascii", errors="replace").splitlines():
                commit, _, name = line.partition(" ")
                if name == ref and _COMMIT.match(commit):
                    return commit
    except OSError:
        return ""
    return ""


def is_url(source: str) -> bool:
    """Whether a repository source is a git URL (scanned at its commit) rather than a local directory."""
    return _URL.match(source) is not None


def url_transport(source: str) -> str:
    """The one git transport a URL source needs (``https``, ``http``, ``ssh``, ``git`` or ``file``; an scp-like
    ``user@host:path`` is ``ssh``): the worker allows git that transport and no other."""
    scheme = _SCHEME.match(source)
    return scheme.group(1) if scheme else "ssh"


def is_full_commit(commit: str) -> bool:
    """Whether ``commit`` is a whole object name: what a URL target is fetched by (a server answers no
    abbreviation, and only the whole name pins the content)."""
    return _FULL_COMMIT.match(commit) is not None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _slug(name: str) -> str:
    slug = _SLUG.sub("-", name).strip("-.")[:80]
    return slug or "target"


def _lines(path: Path, option: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, words) of each line of a list file that is not empty once ``#`` comments are cut."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"cannot read {option} {path}: {exc}") from None
    for number, raw in enumerate(text.splitlines(), 1):
        words = raw.split("#", 1)[0].split()
        if words:
            yield number, words


def repository_entries(spec: Path) -> list[tuple[str, str]]:
    """(source, commit) pairs from ``--repos``: a directory (each directory in it is a repository) or a file
    with one ``PATH_OR_URL [COMMIT]`` a line (``#`` starts a comment; relative paths are relative to the
    file). A URL needs the whole commit id: a moving branch, or an abbreviation, would not pin the content."""
    if spec.is_dir():
        return [(str(child), "") for child in sorted(spec.iterdir())
                if child.is_dir() and not child.is_symlink() and not child.name.startswith(".")]
    entries: list[tuple[str, str]] = []
    for number, words in _lines(spec, "--repos"):
        if len(words) > 2 or (len(words) == 2 and not _COMMIT.match(words[1].lower())):
            raise PlanError(f"{spec}:{number}: expected PATH_OR_URL [COMMIT] (a hexadecimal commit id)")
        source, commit = words[0], words[1].lower() if len(words) == 2 else ""
        if is_url(source):
            if not is_full_commit(commit):
                raise PlanError(f"{spec}:{number}: a repository URL needs the whole commit id to scan "
                                "(40 hexadecimal digits, or 64 in a SHA-256 repository)")
        else:
            source = str(spec.parent / source)
        entries.append((source, commit))
    return entries


def repository_target(source: str, commit: str) -> tuple[str, Target]:
    """A repository target (with an id still to be made unique) and what its id is made from: a URL's id is its
    base name without the commit, so that a plan at a later commit names the same target, with another digest
    (run again, its report and status replaced), not a second one beside the first."""
    if is_url(source):
        base = source.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git")
        return base, Target(id="", kind=TargetKind.REPOSITORY, name=f"{base}@{commit[:12]}", source=source,
                            commit=commit, digest=_digest("url", source, commit))
    root = Path(source)
    if not root.is_dir():
        raise PlanError(f"repository {source} is not a directory")
    if commit:
        raise PlanError(f"repository {source}: a local directory is scanned as it is, without a commit")
    resolved = root.resolve()
    name = resolved.name
    return name, Target(id="", kind=TargetKind.REPOSITORY, name=name, source=str(resolved),
                        commit=head_commit(resolved), digest=tree_digest(resolved))


# -- accounts ----------------------------------------------------------------------------------------------


def account_entries(spec: str, organizations_client: Any = None) -> list[tuple[str, str]]:
    """(account id, name) pairs from ``--accounts``: ``organizations`` lists the organisation's active accounts
    (AWS Organizations ``ListAccounts`` from the management or a delegated administrator account; boto3 is
    imported only here), anything else is a file of ``ACCOUNT_ID [NAME]`` lines."""
    if spec == "organizations":
        client = organizations_client
        if client is None:
            boto3: Any = importlib.import_module("boto3")  # only for an organisation listing (untyped)
            client = boto3.client("organizations")
        out: list[tuple[str, str]] = []
        for page in client.get_paginator("list_accounts").paginate():
            out.extend((str(a["Id"]), str(a.get("Name", ""))) for a in page.get("Accounts", ())
                       if a.get("Status", "ACTIVE") == "ACTIVE" and _ACCOUNT_ID.match(str(a.get("Id", ""))))
        return sorted(out)
    entries: list[tuple[str, str]] = []
    for number, words in _lines(Path(spec), "--accounts"):
        if not _ACCOUNT_ID.match(words[0]):
            raise PlanError(f"{spec}:{number}: {words[0]!r} is not a 12-digit account id")
        entries.append((words[0], " ".join(words[1:])))
    return entries


def account_target(account: str, role_name: str, external_id: str, partition: str = "aws") -> Target:
    role = f"arn:{partition}:iam::{account}:role/{role_name}"
    return Target(id="", kind=TargetKind.ACCOUNT, name=account, source=account, role=role,
                  external_id=external_id, digest=_digest("account", account, role, external_id))


# -- the plan ------------------------------------------------------------------------------------------------


def _unique_ids(named: Iterable[tuple[str, Target]]) -> tuple[Target, ...]:
    taken: set[str] = set()
    out: list[Target] = []
    for name, target in named:
        base = ("aws-" if target.kind is TargetKind.ACCOUNT else "") + _slug(name)
        ident, n = base, 1
        while ident in taken:
            n += 1
            ident = f"{base}-{n}"
        taken.add(ident)
        out.append(dataclasses.replace(target, id=ident))
    return tuple(out)


def build_plan(repos: Sequence[Path] = (), accounts: str | None = None, role_name: str = "",
               external_id: str = "", organizations_client: Any = None) -> Plan:
    named: list[tuple[str, Target]] = []
    for spec in repos:
        named.extend(repository_target(source, commit) for source, commit in repository_entries(spec))
    if accounts is not None:
        if not _ROLE_NAME.match(role_name):
            raise PlanError("--accounts needs --role-name: the role remit assumes in each account")
        named.extend((account, account_target(account, role_name, external_id))
                     for account, _ in account_entries(accounts, organizations_client))
    if not named:
        raise PlanError("the plan has no target: give --repos and/or --accounts")
    return Plan(_unique_ids(named))
