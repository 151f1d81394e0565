"""What makes a CORS configuration dangerous, shared by the function-URL and API rules."""

from __future__ import annotations

from dataclasses import dataclass

from remit.findings import Severity
from remit.model.values import Value, text

UNSAFE_METHODS = frozenset({"PUT", "POST", "PATCH", "DELETE", "*"})


@dataclass(frozen=True, slots=True)
class CorsProblem:
    severity: Severity
    evidence: str
    explanation: str


def judge(origins: tuple[Value, ...], credentials: bool | None, methods: tuple[Value, ...]) -> CorsProblem | None:
    """Any origin plus credentials (high), or any origin plus state-changing methods (medium)."""
    if not any((text(o) or "").strip().strip("'") == "*" for o in origins):
        return None
    if credentials:
        return CorsProblem(
            Severity.HIGH, "any origin with credentials",
            "allows any origin together with credentials: any web page a signed-in user visits can send "
            "requests carrying the user's cookies or authorization and read the responses")
    unsafe = sorted({(text(m) or "").upper() for m in methods} & UNSAFE_METHODS)
    if unsafe:
        return CorsProblem(
            Severity.MEDIUM, "any origin with " + ",".join(unsafe),
            f"allows any origin to send {', '.join(unsafe)} requests from a browser: any web page can make a "
            "visitor's browser change data through it")
    return None


REFERENCES = (
    "https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS",
    "CSA SAS-3 Insecure Serverless Deployment Configuration",
)
