"""RMT-SECRET-004."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from remit import safeio, untrusted
from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.loaders.discover import SKIP_DIRS
from remit.model.entities import CodeKind
from remit.rules._packages import owner
from remit.rules.base import Hit, rule
from remit.rules.secrets._common import REFERENCES, describe, severity
from remit.secretscan import SecretMatch, classify, mask
from remit.source import SourceLocation

MAX_ENTRIES = 100_000  # directory entries looked at: a huge tree is checked in part, not forever
MAX_TEXT = 1024 * 1024  # a key, .env or credentials file is small; a bigger one is not one of them
MAX_JSON = 64 * 1024  # a service-account key is about 2 KB

KEY_SUFFIXES = frozenset({".pem", ".key"})
KEYSTORE_SUFFIXES = frozenset({".p12", ".pfx"})
SSH_KEYS = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"})
#: an environment file that documents the variables rather than setting them
_ENV_TEMPLATE = re.compile(r"\.(?:example|sample|template|tmpl|dist|defaults?|schema)$", re.IGNORECASE)
_PEM_BLOCK = re.compile(
    r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY)-----(.*?)-----END \1-----", re.DOTALL)
_BASE64 = re.compile(r"[A-Za-z0-9+/=]+")
MIN_KEY_BODY = 64  # base64 characters: a shorter body (or "...") is a placeholder, no key is that short
MIN_KEYSTORE = 100  # bytes: an empty or stub PKCS#12 file holds nothing
_ASSIGNMENT = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*)$")
_JSON_SECRET_KEYS = frozenset({"private_key", "privateKey", "SecretAccessKey", "secretAccessKey",
                               "aws_secret_access_key"})
_JSON_HINTS = (b"private_key", b"privateKey", b"ecretAccessKey", b"secret_access_key", b"client_secret")  # parse
_OAUTH_CLIENTS = ("installed", "web")  # a Google OAuth client's JSON: {"web": {"client_id", "client_secret"}}


@dataclass(frozen=True, slots=True)
class _Found:
    line: int
    where: str  # what holds it: "the file", "AWS_SECRET", "private_key"
    match: SecretMatch


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _keys_in(text: str) -> Iterator[_Found]:
    """Private key blocks with a real body (``...`` or a few characters is a placeholder)."""
    for block in _PEM_BLOCK.finditer(text):
        body = "".join(line.strip() for line in block.group(2).splitlines() if ":" not in line)  # no PEM headers
        if len(body) < MIN_KEY_BODY or not _BASE64.fullmatch(body):
            continue
        yield _Found(_line_of(text, block.start()), "the file", SecretMatch("private key", True, mask(body)))


def _assignments(text: str) -> Iterator[_Found]:
    """``NAME=value`` lines of a ``.env`` or INI credentials file, judged like environment variables."""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        found = _ASSIGNMENT.match(line)
        if found is None:
            continue
        name, value = found.group(1), found.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        match = classify(name, value)
        if match is not None:
            yield _Found(number, name, match)


def _credential_json(text: str) -> Iterator[_Found]:
    """A service-account key (``private_key``) or AWS credentials saved as JSON."""
    try:
        data = untrusted.json_loads(text)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    yield from _oauth_client(text, data)
    for key, value in data.items():
        if key not in _JSON_SECRET_KEYS or not isinstance(value, str):
            continue
        where = text.find(f'"{key}"')
        line = _line_of(text, where) if where >= 0 else 1
        if "PRIVATE KEY" in value:
            match = next((f.match for f in _keys_in(value)), None)
        else:
            match = classify(f"aws_{key}" if "ecret" in key else key, value)
        if match is not None:
            kind = "service account's private key" if data.get("type") == "service_account" else match.kind
            yield _Found(line, key, SecretMatch(kind, True, match.masked, match.by_name))


def _oauth_client(text: str, data: dict[str, object]) -> Iterator[_Found]:
    """A Google OAuth client downloaded from the console (``client_secret_<id>.json``): its ``client_secret``
    under ``installed`` or ``web``, judged like a variable of that name (placeholders and references quiet)."""
    for client in _OAUTH_CLIENTS:
        entry = data.get(client)
        if not isinstance(entry, dict) or "client_id" not in entry:
            continue
        value = entry.get("client_secret")
        match = classify("client_secret", value) if isinstance(value, str) else None
        if match is None:
            continue
        where = text.find('"client_secret"', max(text.find(f'"{client}"'), 0))
        yield _Found(_line_of(text, where) if where >= 0 else 1, f"{client}.client_secret",
                     SecretMatch("Google OAuth client secret", False, match.masked, match.by_name))


def _kind(name: str) -> str | None:
    """Which reader a file name asks for, if any."""
    lower = name.lower()
    suffix = os.path.splitext(lower)[1]
    if suffix in KEY_SUFFIXES or lower in SSH_KEYS:
        return "key"
    if suffix in KEYSTORE_SUFFIXES:
        return "keystore"
    if (lower == ".env" or lower.startswith(".env.") or lower.endswith(".env")) and not _ENV_TEMPLATE.search(lower):
        return "env"
    if lower == "credentials":
        return "ini"
    if suffix == ".json":
        return "json"
    return None


def _read(path: Path, kind: str) -> list[_Found]:
    """What one file holds; an unreadable, refused or oversized file holds nothing remit can judge."""
    try:
        if kind == "keystore":
            with safeio.open_file(path) as fh:
                size = os.fstat(fh.fileno()).st_size
            return [_Found(1, "the file", SecretMatch("PKCS#12 key store", False, f"{size} bytes"))] \
                if size >= MIN_KEYSTORE else []
        if kind == "json":
            head = safeio.read_head(path, MAX_JSON + 1)
            if len(head) > MAX_JSON or not any(word in head for word in _JSON_HINTS):
                return []
            return list(_credential_json(head.decode("utf-8", errors="replace")))
        text = safeio.read_text(path, MAX_TEXT, errors="replace")
    except OSError:
        return []
    if kind == "key":
        return list(_keys_in(text))
    found = list(_assignments(text))
    return found if kind == "env" or any("aws" in f.where.lower() for f in found) else []


def _walk(top: Path, root: Path, truncated: list[bool]) -> Iterator[tuple[str, Path, str]]:
    """(relative path, path, reader) of the candidate files under ``top``, links to directories not followed;
    ``truncated`` gets True when the walk stops at :data:`MAX_ENTRIES`."""
    seen = 0
    for here, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not _skipped(Path(here, d)))
        for name in sorted(names):
            seen += 1
            if seen > MAX_ENTRIES:
                truncated.append(True)
                return
            kind = _kind(name)
            if kind is not None:
                path = Path(here, name)
                yield path.relative_to(root).as_posix(), path, kind


def _skipped(directory: Path) -> bool:
    """Whether the repository walk leaves ``directory`` out: a dependency or build directory, a virtualenv."""
    return directory.name in SKIP_DIRS or (directory / "pyvenv.cfg").exists()


def _walked(top: Path, root: Path) -> bool:
    """Whether a whole repository walk goes through ``top`` (inside ``root``): no directory on the way is one
    it leaves out."""
    return not any(_skipped(directory) for directory in (top, *top.parents) if directory != root
                   and directory.is_relative_to(root))


def _files(an: Analysis) -> Iterator[tuple[str, Path, str]]:
    """The repository's candidate files, then those of each function's code directory the repository walk skips
    (a CDK asset staged under ``cdk.out`` is the package as it ships). A directory the repository walk went
    through is not walked again."""
    root = an.app.real_root
    done: set[str] = set()
    truncated: list[bool] = []
    for rel, path, kind in _walk(root, root, truncated):
        done.add(rel)
        yield rel, path, kind
    tops: dict[Path, None] = {}  # in order, each once (a list searched per function was quadratic in functions)
    for fn in an.app.functions:
        code = fn.code.path
        if fn.code.kind is CodeKind.LOCAL and code is not None and code.is_dir():
            real = code.resolve()
            if real.is_relative_to(root) and real != root and (truncated or not _walked(real, root)):
                tops.setdefault(real, None)
    for top in tops:
        for rel, path, kind in _walk(top, root, []):
            if rel not in done:
                done.add(rel)
                yield rel, path, kind


@rule(
    id="RMT-SECRET-004",
    title="Secret file in the repository or a function's package",
    severity=Severity.HIGH,
    category=Category.SECRETS,
    responsibility=Responsibility.CODE,
    scope=None,
    impact=("Anyone who can read the repository, its history or a copy of the deployment package "
            "(`lambda:GetFunction`) gets the key or credential and uses it directly."),
    remediation=("Delete the file, purge it from the repository's history and rotate what it held: the old value "
                 "is in every clone and deployed package. Keep keys and credentials in AWS Secrets Manager or an "
                 "SSM SecureString parameter, read them at run time, and list key and .env files in .gitignore "
                 "and in the package's exclude patterns."),
    references=(*REFERENCES, "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html"),
    cwe=("CWE-798", "CWE-312"),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A file of the scanned repository holds a private key or credentials: it is committed, and when it lies in
    a function's code directory it is shipped in the deployment package too.

    Files read (by name, never executed): private keys (``*.pem``, ``*.key``, ``id_rsa`` and the other SSH key
    names) with a ``BEGIN ... PRIVATE KEY`` block, PKCS#12 key stores (``*.p12``, ``*.pfx``), environment files
    (``.env``, ``.env.production``, ``prod.env``), AWS ``credentials`` INI files, and small JSON files holding a
    ``private_key`` (a Google service-account key), an AWS secret access key, or a Google OAuth client's
    ``client_secret`` under ``installed`` or ``web`` (``client_secret_<id>.json``). Values are judged like
    environment variables (:mod:`remit.secretscan`): placeholders, references (``${VAR}``, ARNs,
    ``{{resolve:...}}``) and names of secrets stay quiet, and so do key blocks whose body is a placeholder
    (``...``), certificates and public keys, and environment files that document variables
    (``.env.example``, ``.env.sample``, ``.env.template``). Dependency, build and virtualenv directories are
    skipped, except a function's own code directory (a CDK asset under ``cdk.out`` is what ships). Private
    keys and AWS credentials are critical, other secrets high. The report names the file and
    the variable and shows only a masked form of the value, never the value.

    Each file is reported on the function whose package ships it, or, when it is in no package, on the function
    whose code directory is nearest.
    """
    if not an.app.functions:
        return
    for rel, path, kind in _files(an):
        for found in _read(path, kind):
            fn, ships = owner(an, rel)
            where = f"ships in {fn.display}'s deployment package" if ships else "is committed to the repository"
            what = "" if found.where == "the file" else f" ({found.where})"
            yield Hit(fn.node, f"{rel}{what} holds {describe(found.match)} in clear text: the file {where}, so "
                               "anyone who can read it has the secret.",
                      fn.resource, evidence=f"{rel}:{found.where}", severity=severity(found.match),
                      at=SourceLocation(rel, found.line))
