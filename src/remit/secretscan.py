"""Recognising secrets written in clear text, with little noise.

Two signals, used together:

* **the value's shape**: formats that are secrets wherever they appear (AWS access key ids, private key
  blocks, GitHub / Slack / Stripe / Google / SendGrid / npm tokens, JSON Web Tokens, passwords inside URLs);
* **the name**: a key such as ``DB_PASSWORD``, ``API_KEY`` or ``client_secret`` holding a literal that looks
  like a real value.

Not secrets (never reported): CloudFormation dynamic references (``{{resolve:secretsmanager:...}}``,
``{{resolve:ssm-secure:...}}``), ARNs, SSM parameter paths (``/app/db/password``), ``${...}`` placeholders,
values that are obviously meant to be replaced (``<your-key>``, ``REPLACE_ME``, ``xxxxxxxx``, ``TODO``),
booleans, numbers, and names that merely *talk about* a secret (``SECRET_ARN``, ``TOKEN_TTL``,
``API_KEY_HEADER``, ``PASSWORD_MIN_LENGTH``). A short common word as a password (``changeme``) *is* reported:
deployed, it is a real, guessable credential.

The API works on plain strings so that code analysis can reuse it on source files: :func:`scan_value` for a
bare value, :func:`classify` for a (name, value) pair. Matches never carry the secret itself, only a masked
form fit for a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SecretMatch", "classify", "mask", "scan_value", "secret_like_name"]


@dataclass(frozen=True, slots=True)
class SecretMatch:
    kind: str  # "AWS access key id", "password", ...
    critical: bool  # credentials that open an AWS account or a private key
    masked: str  # safe to print: a prefix and the length


_PATTERNS: tuple[tuple[str, bool, re.Pattern[str]], ...] = tuple(
    (kind, critical, re.compile(pattern))
    for kind, critical, pattern in (
        ("AWS access key id", True, r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"),
        ("private key", True, r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----"),
        ("GitHub token", False, r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b"),
        ("Slack token", False, r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
        ("Slack webhook URL", False, r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+"),
        ("Stripe secret key", False, r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b"),
        ("Google API key", False, r"\bAIza[0-9A-Za-z_-]{35}\b"),
        ("SendGrid API key", False, r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
        ("npm access token", False, r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("JSON Web Token", False, r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        ("password in a URL", False, r"[a-z][a-z0-9+.-]*://[^/\s:@]+:(?P<pw>[^/\s@]{3,})@[^\s/]+"),
    )
)

_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|(?:^|_)PWD(?:$|_)|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|"
    r"AUTHORIZATION|BEARER|ACCESS_?KEY|SIGNING_?KEY|ENCRYPTION_?KEY|AUTH_?KEY|CLIENT_?KEY|(?:^|_)DB_?PASS(?:$|_)|CONNECTION_?STRING)"
)
# a name that describes a secret rather than holding one
_METADATA_NAME = re.compile(
    r"(_|^)(ARN|NAME|ID|IDS|PATH|PARAM|PARAMETER|FILE|URL|URI|ENDPOINT|HEADER|HEADERS|TTL|EXPIRY|EXPIRES|"
    r"EXPIRATION|LENGTH|SIZE|ROTATION|ENABLED|TYPE|FIELD|REGION|VERSION|PREFIX|SUFFIX|BUCKET|TABLE|KEY_ID|"
    r"SECRET_ID|TIMEOUT|COUNT|POLICY|LOCATION|STAGE|MODE|FORMAT|ALGORITHM)$"
)
_PLACEHOLDER = re.compile(
    r"^(<.*>|\{\{.*\}\}|\$\{.*\}|%\(.*\)s|(x+|\*+|\.+|-+|_+|0+|1234.*)|.*(REPLACE|CHANGE_?ME_?LATER|YOUR[_-]|TODO|"
    r"FIXME|EXAMPLE|DUMMY|PLACEHOLDER|REDACTED).*)$",
    re.IGNORECASE,
)
_NOT_A_SECRET = re.compile(r"^(true|false|yes|no|on|off|none|null|disabled|enabled|\d+(\.\d+)?)$", re.IGNORECASE)
MIN_NAMED_LENGTH = 6
_SECRET_PATH = re.compile(r"[a-z][a-z0-9_.-]*(/[a-z][a-z0-9_.-]*)+")


def mask(value: str) -> str:
    """A form of a secret that is safe to show: its first characters and its length."""
    shown = value[:4] if len(value) >= 12 else value[:2]
    return f"{shown}… ({len(value)} characters)"


def is_reference(value: str) -> bool:
    """A value that points at a secret instead of holding it."""
    stripped = value.strip()
    return (
        "{{resolve:" in stripped
        or stripped.startswith(("arn:", "${", "/", "ssm:", "secretsmanager:"))
        or bool(_SECRET_PATH.fullmatch(stripped))  # a Secrets Manager name such as prod/orders/db
    )


def scan_value(value: str) -> SecretMatch | None:
    """A secret recognised by its format, anywhere in ``value``."""
    if "{{resolve:" in value:
        return None
    for kind, critical, pattern in _PATTERNS:
        match = pattern.search(value)
        if match is None:
            continue
        found = match.groupdict().get("pw") or match.group(0)
        if kind == "password in a URL" and (_PLACEHOLDER.match(found) or found.startswith(("${", "{{"))):
            continue
        return SecretMatch(kind, critical, mask(found))
    return None


def secret_like_name(name: str) -> bool:
    """``DB_PASSWORD``, ``apiKey``, ``client-secret``: a name for a secret (not for its ARN, id or length)."""
    normal = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper().replace("-", "_").replace(".", "_")
    return bool(_SECRET_NAME.search(normal)) and not _METADATA_NAME.search(normal)


def _kind_from_name(name: str) -> str:
    upper = name.upper()
    for word, kind in (("PASS", "password"), ("PWD", "password"), ("PRIVATE", "private key"), ("TOKEN", "token"),
                       ("KEY", "key"), ("SECRET", "secret"), ("CREDENTIAL", "credentials"),
                       ("CONNECTION", "connection string")):
        if word in upper:
            return kind
    return "secret"


def classify(name: str, value: str) -> SecretMatch | None:
    """A secret held in ``value`` under ``name``: by format first, then by name."""
    found = scan_value(value)
    if found is not None:
        return found
    stripped = value.strip()
    if not secret_like_name(name) or len(stripped) < MIN_NAMED_LENGTH:
        return None
    if is_reference(stripped) or _PLACEHOLDER.match(stripped) or _NOT_A_SECRET.match(stripped):
        return None
    if stripped.startswith(("http://", "https://")):
        return None  # a URL under a secret-like name (a token endpoint) holds no secret unless scan_value saw one
    critical = "AWS" in name.upper() and bool(re.fullmatch(r"[A-Za-z0-9/+=]{40}", stripped))
    kind = "AWS secret access key" if critical else _kind_from_name(name)
    return SecretMatch(kind, critical, mask(stripped))
