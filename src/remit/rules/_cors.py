"""What makes a CORS configuration dangerous, shared by the API (RMT-API-002) and function-URL (RMT-LAMBDA-002)
rules.

CORS decides which *other* web sites' scripts may call an endpoint from a visitor's browser and read the answer.
Two combinations matter:

* **any origin with credentials** (high): every web page the user visits can send requests that carry the user's
  cookies or HTTP authentication and read the responses, acting as the signed-in user;
* **any origin with a state-changing method** (medium): ``PUT``, ``POST``, ``PATCH``, ``DELETE`` or ``*`` in the
  allowed methods lets any page make the visitor's browser change data and read the result.

"Any origin" is ``*``, and also ``null`` (sent by sandboxed iframes and ``data:`` documents, which any page can
create) and scheme-wide wildcards such as ``https://*``. A list of explicit origins is not reported, nor is
``*`` for read-only methods. Values chosen by ``Fn::If`` count when any branch allows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from remit.findings import Severity
from remit.model.values import Value, present_options, text, truthy

UNSAFE_METHODS = frozenset({"PUT", "POST", "PATCH", "DELETE", "*"})
_ANY_ORIGIN = frozenset({"*", "null", "https://*", "http://*", "*://*"})


@dataclass(frozen=True, slots=True)
class CorsProblem:
    severity: Severity
    evidence: str  # stable across edits of the method list (it enters the fingerprint)
    explanation: str  # completes "The CORS configuration of X ..."


def _texts(values: Iterable[Value]) -> list[str]:
    out: list[str] = []
    for value in values:
        for option in present_options(value):
            found = text(option)
            if found is not None:
                out.append(found.strip().strip("'").strip())
    return out


def any_origin(origins: Iterable[Value]) -> str | None:
    """The origin entry that admits every web site, as written, or None."""
    return next((o for o in _texts(origins) if o.lower() in _ANY_ORIGIN), None)


def may_be_true(value: Value | bool | None) -> bool:
    """A boolean that is true in at least one ``Fn::If`` branch."""
    if isinstance(value, bool):
        return value
    return any(truthy(option) is True for option in present_options(value)) if value is not None else False


def judge(origins: Iterable[Value], credentials: Value | bool | None, methods: Iterable[Value]) -> CorsProblem | None:
    """Any origin plus credentials (high), or any origin plus state-changing methods (medium); None when
    neither holds."""
    origin = any_origin(origins)
    if origin is None:
        return None
    shown = f"'{origin}'"
    if may_be_true(credentials):
        return CorsProblem(
            Severity.HIGH, "any origin with credentials",
            f"allows any origin ({shown}) together with credentials: any web page a signed-in user visits can "
            "send requests that carry the user's cookies or authorization and read the responses")
    unsafe = sorted({m.upper() for m in _texts(methods)} & UNSAFE_METHODS)
    if unsafe:
        what = "requests with any method ('*')" if "*" in unsafe else f"{', '.join(unsafe)} requests"
        return CorsProblem(
            Severity.MEDIUM, "any origin with state-changing methods",
            f"allows any origin ({shown}) to send {what}: any web page can make a "
            "visitor's browser change data through it and read the result")
    return None


REFERENCES = (
    "https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS",
    "CSA SAS-3 Insecure Serverless Deployment Configuration",
)
