"""Recognising secrets written in clear text, with little noise.

Two signals:

* **the value's format**: strings that are secrets wherever they appear — AWS access key ids, private key
  blocks, GitHub / GitLab / Slack / Stripe / Google (API keys, ``GOCSPX-`` OAuth client secrets) / SendGrid /
  npm / PyPI / Shopify / OpenAI / Anthropic tokens, JSON Web Tokens, passwords inside URLs
  (``postgres://user:pw@host``), and a 40-character AWS secret access key written next to its name;
* **the name**: a key such as ``DB_PASSWORD``, ``API_KEY``, ``clientSecret`` or ``Authorization`` (and the
  short spellings ``PW``, ``PWD``, ``PASSWD``, ``CRED``/``CREDS``, ``AUTH``) holding a literal that looks like a
  real value; under a bare ``AUTH`` a plain word (``cognito``, ``AWS_IAM``) names a mechanism, not a secret.

A match by format is reported whatever the name; a match by name needs a literal that looks real. Never
reported (documented decisions, each with a test):

* references instead of values: CloudFormation dynamic references (``{{resolve:secretsmanager:...}}``,
  ``{{resolve:ssm-secure:...}}``), ARNs, SSM parameter paths (``/app/db/password``), Secrets Manager names
  with a path (``prod/orders/db``), and values made of templating (``${DB_PASSWORD}``, ``{{token}}``,
  JSONata ``{% ... %}``, ``$ENV_VAR``); in a name-only match, any value that contains templating at all;
* names that merely *talk about* a secret: ``SECRET_ARN``, ``TOKEN_TTL``, ``API_KEY_HEADER``,
  ``PASSWORD_MIN_LENGTH``, ``JWT_ISSUER`` (the last word names metadata);
* in a name-only match: values shorter than 6 characters, booleans and numbers, URLs without credentials,
  obvious placeholders (``<your-key>``, ``REPLACE_ME``, ``xxxxxxxx``, ``TODO``, ``changeme-later``,
  ``dummy``, ``example``, ``redacted``, sample values such as ``abc123``, ``123456``, ``test1234`` or ``AIzaXXXX``, the
  variable's own name), and identifiers that name a secret
  rather than hold one (``orders-db-credentials``, ``stripe_api_key``: two or more lowercase words, one of
  them a secret word).

A short common word used as a password (``changeme``, ``postgres``) *is* reported: deployed, it is a real,
guessable credential.

The API works on plain strings so that code analysis can reuse it on source files: :func:`scan_value` for a
bare value, :func:`classify` for a (name, value) pair, :func:`find_in_text` for every format match in a larger
text. Matches never carry the secret itself, only a masked form fit for a report (:func:`mask`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "MIN_NAMED_LENGTH",
    "SecretMatch",
    "classify",
    "find_in_text",
    "is_reference",
    "mask",
    "names_a_secret",
    "scan_value",
    "secret_like_name",
]


@dataclass(frozen=True, slots=True)
class SecretMatch:
    kind: str  # "AWS access key id", "password", ...
    critical: bool  # credentials that open an AWS account, or a private key
    masked: str  # safe to print: a short prefix and the length
    by_name: bool = False  # recognised by the name holding it rather than by its format


_FORMATS: tuple[tuple[str, bool, re.Pattern[str]], ...] = tuple(
    (kind, critical, re.compile(pattern))
    for kind, critical, pattern in (
        ("AWS access key id", True, r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
        ("AWS secret access key", True,
         r"(?i:aws_?secret_?(?:access_?)?key)[\"']?\s*[:=]\s*[\"']?(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"),
        ("private key", True,
         r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----"),
        ("GitHub token", False, r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b"),
        ("GitLab token", False, r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
        ("Slack token", False, r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b|\bxapp-\d-[A-Za-z0-9-]{10,}\b"),
        ("Slack webhook URL", False, r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+"),
        ("Stripe secret key", False, r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b"),
        ("Stripe webhook secret", False, r"\bwhsec_[A-Za-z0-9]{24,}\b"),
        ("Google API key", False, r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
        ("Google OAuth client secret", False, r"\bGOCSPX-[0-9A-Za-z_-]{28}(?![0-9A-Za-z_-])"),
        ("SendGrid API key", False, r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"),
        ("npm access token", False, r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("PyPI token", False, r"\bpypi-AgE[A-Za-z0-9_-]{50,}"),
        ("Shopify access token", False, r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"),
        ("Anthropic API key", False, r"\bsk-ant-[a-z]+\d*-[A-Za-z0-9_-]{40,}"),
        ("OpenAI API key", False,
         r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b"),
        ("JSON Web Token", False, r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        # every part bounded: an unbounded scheme or user part rescans the rest of a long line from each of its
        # characters (quadratic: 400 KB of `sk-proj-sk-proj-...` took minutes)
        ("password in a URL", False,
         r"\b[a-z][a-z0-9+.-]{0,31}://[^/\s:@]{0,256}:(?P<pw>[^/\s@]{3,256})@[^\s/@]{1,256}"),
    )
)

# every format as one alternation (named groups made plain): a short value (a string constant of the code, a
# template value) that none of them matches anywhere, nearly every one, is passed over with one search instead of
# one per format. Longer texts are searched format by format: there the engine's per-format scan is faster
_SHORT = 64
_ANY_FORMAT = re.compile("|".join(f"(?:{re.sub(r'[(][?]P<[A-Za-z0-9_]+>', '(?:', pattern.pattern)})"
                                  for _, _, pattern in _FORMATS))

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|(?:^|_)PWD(?:$|_)|(?:^|_)PASS(?:$|_)|(?:^|_)PW(?:$|_)|SECRET|TOKEN|API_?KEY|"
    r"PRIVATE_?KEY|CREDENTIALS?|(?:^|_)CREDS?(?:$|_)|(?:^|_)AUTH(?:$|_)|AUTHORIZATION|BEARER|ACCESS_?KEY|SIGNING_?KEY|ENCRYPTION_?KEY|AUTH_?KEY|"
    r"CLIENT_?KEY|MASTER_?KEY|LICENSE_?KEY|WEBHOOK_?KEY|CONNECTION_?STRING|CONN_?STR|(?:^|_)DSN(?:$|_)|"
    r"(?:^|_)PEPPER(?:$|_)"
)
#: names that say "secret" only weakly (``AUTH`` is as often a mode as a credential): a plain word is a setting
_WEAK_NAME = re.compile(r"(?:^|_)AUTH(?:$|_)")
_PLAIN_WORD = re.compile(r"[A-Za-z]+(?:[_ ][A-Za-z]+)*")
#: a last word that makes the name describe a secret rather than hold one
_METADATA_NAME = re.compile(
    r"(?:^|_)(?:ARN|ARNS|NAME|NAMES|ID|IDS|PATH|PARAM|PARAMETER|FILE|URL|URI|ENDPOINT|HOST|HOSTNAME|PORT|HEADER|"
    r"HEADERS|COOKIE|FIELD|TTL|EXPIRY|EXPIRES|EXPIRATION|LIFETIME|DURATION|AGE|DAYS|HOURS|MINUTES|SECONDS|MS|"
    r"LENGTH|LEN|SIZE|COUNT|LIMIT|ROTATION|ENABLED|DISABLED|REQUIRED|TYPE|KIND|REGION|VERSION|PREFIX|SUFFIX|"
    r"BUCKET|TABLE|KEY_ID|ALIAS|TIMEOUT|POLICY|LOCATION|STAGE|MODE|FORMAT|ALGORITHM|ALG|ISSUER|AUDIENCE|SCOPE|"
    r"SCOPES|PROVIDER|BACKEND|STORE|SOURCE|SERVICE|USER|USERNAME|OWNER|ROLE|QUEUE|TOPIC|STREAM)$"
)
_TEMPLATING = re.compile(r"\$\{|\{\{|\{%|%\(|\$\(|#\{|@@")
_PLACEHOLDER = re.compile(
    r"^(?:<.*>|\{\{.*\}\}|\{%.*%\}|\$\{.*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_]+%|%\(.*\)s|%s|\{[A-Za-z_]*\}|"
    r"x+|X+|\*+|\.+|-+|_+|#+|0+|123\d*|abc(?:d.*|\d*)|"
    r"(?:test|demo|foo|bar|foobar|baz|qux)\d{0,4}|.*X{4}.*|"
    r".*(?:REPLACE|CHANGE_?ME_|CHANGE_?ME_?LATER|YOUR[_-]|TODO|FIXME|EXAMPLE|DUMMY|PLACEHOLDER|REDACTED|"
    r"INSERT[_-]|FILL[_-]?IN|SAMPLE[_-]|NOT[_-]?SET|NOT[_-]?A[_-]?SECRET).*)$",
    re.IGNORECASE,
)
_NOT_A_SECRET = re.compile(r"^(?:true|false|yes|no|on|off|none|null|nil|disabled|enabled|[-+]?\d+(?:\.\d+)?)$",
                           re.IGNORECASE)
MIN_NAMED_LENGTH = 6
_SECRET_PATH = re.compile(r"[a-z][a-z0-9_.-]*(?:/[a-z0-9][a-z0-9_.-]*)+")
_SECRET_WORDS = frozenset({"secret", "secrets", "password", "passwords", "passwd", "credential", "credentials",
                           "creds", "token", "tokens", "key", "keys", "apikey", "pwd"})
_IDENTIFIER = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)+")


def mask(value: str) -> str:
    """A form of a secret that is safe to show: its first characters (none when it is short) and its length."""
    shown = value[:4] if len(value) >= 16 else value[:2] if len(value) >= 8 else ""
    return f"{shown}… ({len(value)} characters)"


def is_reference(value: str) -> bool:
    """A value that points at a secret, or is substituted later, instead of holding it."""
    stripped = value.strip()
    return (
        "{{resolve:" in stripped
        or stripped.startswith(("arn:", "${", "/", "ssm:", "secretsmanager:", "{{", "{%"))
        or bool(_SECRET_PATH.fullmatch(stripped))  # a Secrets Manager name such as prod/orders/db
    )


def names_a_secret(value: str) -> bool:
    """``orders-db-credentials``, ``stripe_api_key``: an identifier that names a secret (two or more lowercase
    words, one of them a secret word, none a random-looking mix of letters and digits), as when a variable
    holds the secret's name rather than the secret."""
    stripped = value.strip()
    if not _IDENTIFIER.fullmatch(stripped):
        return False
    words = re.split(r"[-_.]", stripped)
    if any(not w.isalpha() and len(w) > 3 for w in words):
        return False  # a random-looking part (dev-token-9f8e7d6c5b) is a value, not a name
    return any(word in _SECRET_WORDS for word in words)


def _normal_name(name: str) -> str:
    """``stripeApiKey`` / ``stripe-api-key`` / ``stripe.api.key`` -> ``STRIPE_API_KEY``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^A-Za-z0-9]+", "_", spaced).strip("_").upper()


def secret_like_name(name: str) -> bool:
    """``DB_PASSWORD``, ``apiKey``, ``client-secret``, ``Authorization``: a name for a secret (not for its
    ARN, id, header name or length)."""
    normal = _normal_name(name)
    return bool(_SECRET_NAME.search(normal)) and not _METADATA_NAME.search(normal)


def _format_match(value: str) -> Iterator[tuple[int, int, SecretMatch]]:
    if len(value) < _SHORT and _ANY_FORMAT.search(value) is None:
        return
    for kind, critical, pattern in _FORMATS:
        for match in pattern.finditer(value):
            group = "pw" if "pw" in pattern.groupindex else "secret" if "secret" in pattern.groupindex else 0
            found = match.group(group)
            if kind == "password in a URL" and (_PLACEHOLDER.match(found) or _TEMPLATING.search(found)):
                continue
            yield match.start(group), match.end(group), SecretMatch(kind, critical, mask(found))


def find_in_text(text: str) -> Iterator[tuple[int, int, SecretMatch]]:
    """Every secret recognised by its format in ``text`` (a file, a long string), as (start, end, match) with
    offsets of the secret itself, in order; overlapping matches keep the first and longest."""
    found = sorted(_format_match(text), key=lambda m: (m[0], -m[1]))
    last_end = -1
    for start, end, match in found:
        if start >= last_end:
            yield start, end, match
            last_end = end


def scan_value(value: str) -> SecretMatch | None:
    """A secret recognised by its format anywhere in ``value``; None when there is none."""
    return next((m for _, _, m in _format_match(value)), None)


def _kind_from_name(normal: str) -> str:
    for word, kind in (("PRIVATE", "private key"), ("PASS", "password"), ("PWD", "password"), ("PW", "password"),
                       ("TOKEN", "token"), ("BEARER", "token"), ("AUTHORIZATION", "authorization header"),
                       ("KEY", "key"), ("SECRET", "secret"), ("CRED", "credentials"), ("AUTH", "credentials"),
                       ("CONN", "connection string"), ("DSN", "connection string")):
        if word in normal:
            return kind
    return "secret"


def kind_of_name(name: str) -> str:
    """What a secret-like variable name says it holds: ``DB_PASSWORD`` -> ``password``."""
    return _kind_from_name(_normal_name(name))


def classify(name: str, value: str) -> SecretMatch | None:
    """A secret held in ``value`` under ``name``: by format first (whatever the name), then by name."""
    found = scan_value(value)
    if found is not None:
        return found
    stripped = value.strip()
    if len(stripped) < MIN_NAMED_LENGTH or not secret_like_name(name):
        return None
    if (is_reference(stripped) or _TEMPLATING.search(stripped) or _PLACEHOLDER.match(stripped)
            or _NOT_A_SECRET.match(stripped) or names_a_secret(stripped)
            or _normal_name(stripped) == _normal_name(name)):
        return None
    if re.match(r"^[a-z][a-z0-9+.-]*://", stripped, re.IGNORECASE):
        return None  # a URL under a secret-like name (a token endpoint) holds no secret unless its format says so
    normal = _normal_name(name)
    if _PLAIN_WORD.fullmatch(stripped) and _WEAK_NAME.search(normal) and \
            not _SECRET_NAME.search(_WEAK_NAME.sub("_", normal)):
        return None  # AUTH: cognito, UPSTREAM_AUTH: AWS_IAM name a mechanism
    critical = "AWS" in normal and (
        ("SECRET" in normal and bool(re.fullmatch(r"[A-Za-z0-9/+=]{40}", stripped)))
        or ("SESSION_TOKEN" in normal and bool(re.fullmatch(r"[A-Za-z0-9/+=]{100,}", stripped))))
    kind = ("AWS session token" if "SESSION" in normal else "AWS secret access key") if critical \
        else _kind_from_name(normal)
    return SecretMatch(kind, critical, mask(stripped), by_name=True)
