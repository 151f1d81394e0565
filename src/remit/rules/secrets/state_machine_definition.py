"""RMT-SECRET-003."""

from __future__ import annotations

from collections.abc import Iterator

from remit import untrusted
from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import StateMachine
from remit.model.values import Concat, Value, present_options
from remit.rules.base import Hit, rule
from remit.rules.secrets._common import REFERENCES, REMEDIATION, describe, find, severity
from remit.secretscan import SecretMatch, scan_value
from remit.source import NodePath, PathKey

MAX_WALK = 20_000  # nodes visited per definition: a huge generated definition is checked in part, not forever


def _walk(value: Value, path: tuple[PathKey, ...], budget: list[int]) -> Iterator[tuple[tuple[PathKey, ...], Value]]:
    """(path, leaf) of every string or ``Fn::Sub`` string of a definition, ``Fn::If`` branches included."""
    budget[0] -= 1
    if budget[0] < 0:
        return
    if isinstance(value, (str, Concat)):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _walk(inner, (*path, key), budget)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _walk(inner, (*path, i), budget)
    else:
        options = present_options(value)
        if len(options) > 1 or options[0] is not value:
            for option in options:
                yield from _walk(option, path, budget)


def _parsed(definition: Value) -> Value:
    """A ``DefinitionString`` built with ``Fn::Sub`` is JSON with ``${...}`` inside its strings: parse it when
    that still gives JSON, so each key is judged with its own name."""
    if isinstance(definition, Concat):
        try:
            loaded = untrusted.json_loads(str(definition))
        except ValueError:
            return definition
        return loaded if isinstance(loaded, (dict, list)) else definition
    return definition


def _match(path: tuple[PathKey, ...], leaf: Value) -> SecretMatch | None:
    names = [p for p in path if isinstance(p, str)]
    key = names[-1] if names else ""
    if key.endswith(".$") or not key:
        # "Key.$" selects from the input with JSONPath or an intrinsic: a secret only if the text itself is one
        return scan_value(str(leaf)) if isinstance(leaf, (str, Concat)) else None
    return find(key, leaf)


def _hit(machine: StateMachine, node: NodePath, where: str, match: SecretMatch) -> Hit:
    return Hit(node, f"{where} of {machine.display} holds {describe(match)} in clear text: anyone who can describe "
                     "the state machine or read the template has it.",
               machine.resource, evidence=where, severity=severity(match))


@rule(
    id="RMT-SECRET-003",
    title="Secret in a state machine definition",
    severity=Severity.HIGH,
    category=Category.SECRETS,
    responsibility=Responsibility.CONFIGURATION,
    scope=StateMachine,
    impact=("Anyone who can describe the state machine or read the template gets the credential, and it spreads into "
            "execution histories and logs, far beyond the workflow that needs it."),
    remediation=REMEDIATION + " In Step Functions, call HTTPS APIs through an HTTP task whose EventBridge connection "
                              "holds the credential (stored in Secrets Manager), or read the secret in a task "
                              "(arn:aws:states:::aws-sdk:secretsmanager:getSecretValue) instead of writing it into "
                              "Parameters, Arguments or DefinitionSubstitutions.",
    references=(*REFERENCES, "https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html"),
    cwe=("CWE-798", "CWE-312"),
)
def check(machine: StateMachine, an: Analysis) -> Iterator[Hit]:
    """A Step Functions state machine definition carries a secret in clear text: typically an
    ``Authorization`` header, an API key or a password in a task's ``Parameters``/``Arguments``, or a value of
    ``DefinitionSubstitutions`` that the definition pulls in.

    The definition is returned by ``states:DescribeStateMachine`` to anyone with read access, is stored in the
    template and its history, and task inputs built from it land in the execution history and in logs when
    logging is on, so the secret spreads far beyond the workflow that needs it.

    Every string of the definition (``Definition``, ``DefinitionString`` parsed as JSON, ``Fn::Sub`` strings
    included) and of ``DefinitionSubstitutions`` is checked: by format anywhere (tokens, JWTs, keys, passwords
    in URLs), and by the name of the key that holds it (``Authorization``, ``ApiKey``, ``password``...).
    Values selected from the input (``"Key.$": "$.token"``, ``States.Format(...)``) and JSONata expressions
    are not secrets unless their text is one; ARNs, ``${...}`` substitutions and placeholders are not
    secrets. The report points at the key (or at the definition when it is one string) and names its path.
    """
    if machine.definition is not None and machine.definition_node is not None:
        for path, leaf in _walk(_parsed(machine.definition), (), [MAX_WALK]):
            match = _match(path, leaf)
            if match is None:
                continue
            shown = "/".join(str(p) for p in path) or "the definition"
            yield _hit(machine, machine.definition_node.child(*path), shown, match)
    substitutions = machine.resource.prop("DefinitionSubstitutions")
    if isinstance(substitutions, dict):
        for name, value in substitutions.items():
            match = find(name, value)
            if match is not None:
                yield _hit(machine, machine.at("DefinitionSubstitutions", name), f"DefinitionSubstitutions/{name}",
                           match)
