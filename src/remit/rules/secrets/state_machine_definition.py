"""RMT-SECRET-003."""

from __future__ import annotations

from collections.abc import Iterator

from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import StateMachine
from remit.model.values import Value
from remit.rules.base import Hit, rule
from remit.rules.secrets._common import REFERENCES, REMEDIATION, describe, severity
from remit.secretscan import SecretMatch, classify, scan_value
from remit.source import PathKey

MAX_WALK = 20_000


def _walk(value: Value, path: tuple[PathKey, ...], budget: list[int]) -> Iterator[tuple[tuple[PathKey, ...], str]]:
    """(path, text) of every string in a definition, with the key that holds it last in the path."""
    budget[0] -= 1
    if budget[0] < 0:
        return
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _walk(inner, (*path, key), budget)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _walk(inner, (*path, i), budget)


def _match(path: tuple[PathKey, ...], text: str) -> SecretMatch | None:
    names = [p for p in path if isinstance(p, str)]
    key = names[-1].removesuffix(".$") if names else ""
    if names and names[-1].endswith(".$"):
        return scan_value(text)  # a JSONPath into the input: a secret only if the text itself is one
    return classify(key, text) if key else scan_value(text)


@rule(
    id="RMT-SECRET-003",
    title="Secret in a state machine definition",
    severity=Severity.HIGH,
    category=Category.SECRETS,
    responsibility=Responsibility.CONFIGURATION,
    scope=StateMachine,
    remediation=REMEDIATION + " In Step Functions, reference the secret from an EventBridge connection (HTTP tasks) "
                              "or read it in a task, instead of writing it into Parameters or Arguments.",
    references=(*REFERENCES, "https://docs.aws.amazon.com/step-functions/latest/dg/connect-third-party-apis.html"),
    cwe=("CWE-798", "CWE-312"),
)
def check(machine: StateMachine, app: Application) -> Iterator[Hit]:
    """A Step Functions state machine definition carries a secret in clear text — typically an
    ``Authorization`` header, an API key or a password in a task's ``Parameters``.

    The definition is returned by ``states:DescribeStateMachine`` to anyone with read access, is stored in the
    template and in execution history (task inputs and outputs are logged when logging is on), so the secret
    spreads far beyond the workflow that needs it.

    Every string of the definition is checked: by format anywhere (tokens, JWTs, keys), and by the name of the
    key that holds it (``Authorization``, ``ApiKey``, ``password``...). Values selected from the input with
    ``"Key.$"`` JSONPath are not secrets unless their text is one. A definition given as a string that is not
    JSON is checked as one value.
    """
    if machine.definition is None or machine.definition_node is None:
        return
    seen: set[tuple[PathKey, ...]] = set()
    for path, text in _walk(machine.definition, (), [MAX_WALK]):
        match = _match(path, text)
        if match is None:
            continue
        key = next((p for p in reversed(path) if isinstance(p, str)), "definition")
        if path in seen:
            continue
        seen.add(path)
        shown = "/".join(str(p) for p in path) or "definition"
        yield Hit(machine.definition_node.child(*path),
                  f"{key} in the definition of {machine.display} ({shown}) holds {describe(match)} in clear text: "
                  "anyone who can describe the state machine or read the template has it.",
                  machine.resource, evidence=shown, severity=severity(match))
