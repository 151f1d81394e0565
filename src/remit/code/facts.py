"""What the code stage learns about the code each function ships: frozen facts for rules and the attack graph.

The code stage (:func:`remit.code.analyze`) resolves every function to the files it deploys, parses them
(Python with :mod:`ast`, JavaScript / TypeScript with tree-sitter) and records, per function:

* :class:`TaintFlow` s — attacker-controlled event data reaching a dangerous sink, step by step;
* :class:`SdkCall` s — every AWS SDK operation the code calls, with what it passes as the resource;
* :class:`CodeIssue` s — findings that are not flows (hard-coded secrets, unverified JWTs, leaked errors...);
* the modules it imports (dependency reachability).

Locations are :class:`~remit.source.SourceLocation` s relative to the scanned root. Everything here is plain
frozen data: the stage can be replayed from its inputs, and facts cross process boundaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from remit.diagnostics import Diagnostic
from remit.findings import FlowStep
from remit.model.resources import ResourceId
from remit.model.values import Unknown
from remit.source import SourceLocation


class Language(StrEnum):
    PYTHON = "python"
    JAVASCRIPT = "javascript"
    TYPESCRIPT = "typescript"
    OTHER = "other"  # a runtime remit does not analyse (Java, Go, .NET, custom): said in a diagnostic


class SinkKind(StrEnum):
    """What an attacker gets when event data reaches the sink."""

    COMMAND = "command"  # os.system, subprocess(shell=True), child_process.exec
    CODE = "code"  # eval, exec, new Function, vm
    SQL = "sql"  # SQL / PartiQL built as strings
    NOSQL = "nosql"  # DynamoDB expressions built from input
    PATH = "path"  # open(), fs.* with input in the path
    SSRF = "ssrf"  # requests / fetch / axios to an input URL
    DESERIALIZATION = "deserialization"  # pickle, yaml.load, node-serialize
    XXE = "xxe"  # XML parsers resolving entities
    TEMPLATE = "template"  # server-side template injection
    REDIRECT = "redirect"  # open redirect (Location header from input)
    XSS = "xss"  # input echoed into an HTML response


class Confidence(StrEnum):
    HIGH = "high"  # the source is attacker-controlled for this function's triggers
    MEDIUM = "medium"  # reachable, but the trigger is internal or the step is approximate
    LOW = "low"  # the trigger is unknown or only partly controllable


@dataclass(frozen=True, slots=True)
class TaintFlow:
    """Event data reaching a sink. ``steps`` run from the source (first) to the sink (last)."""

    sink: SinkKind
    source: str  # the event field as the code reads it: "event['body']", "event.queryStringParameters.id"
    callee: str  # the sink as called: "subprocess.run(shell=True)", "child_process.exec"
    steps: tuple[FlowStep, ...]
    confidence: Confidence = Confidence.HIGH
    trigger: str = ""  # the trigger kind that makes the source attacker-controlled ("api-route", "s3"...)
    snippet: str = ""  # the sink's expression as written (shortened): tells flows on one resource apart

    @property
    def location(self) -> SourceLocation:
        """Where the sink is."""
        return self.steps[-1].location


@dataclass(frozen=True, slots=True)
class EnvRef:
    """An argument read from the function's environment (``os.environ["TABLE"]``, ``process.env.TABLE``)."""

    name: str


Argument = str | EnvRef | Unknown  # a literal, an environment variable, or something the code computes


@dataclass(frozen=True, slots=True)
class SdkCall:
    """One AWS SDK operation the code calls.

    ``service`` is the botocore service name (``s3``, ``dynamodb``, ``stepfunctions``), ``operation`` the
    botocore operation name (``GetObject``); ``method`` is what the code wrote (``s3.get_object``,
    ``new GetObjectCommand``). ``arguments`` keeps the resource-naming parameters the code passes
    (``Bucket``, ``TableName``, ``QueueUrl``, ``FunctionName``, ``SecretId``...), as far as they are knowable.
    """

    service: str
    operation: str
    method: str
    location: SourceLocation
    arguments: tuple[tuple[str, Argument], ...] = ()


class IssueKind(StrEnum):
    SECRET = "secret"  # a hard-coded credential
    JWT_UNVERIFIED = "jwt-unverified"  # a token's claims trusted without verifying its signature
    ERROR_LEAK = "error-leak"  # exception text or stack traces returned to the caller
    PERSISTENCE = "persistence"  # event data kept in /tmp or module state across invocations


@dataclass(frozen=True, slots=True)
class CodeIssue:
    kind: IssueKind
    location: SourceLocation
    message: str
    evidence: str = ""  # what distinguishes this issue (enters the finding's fingerprint); never a secret
    confidence: Confidence = Confidence.HIGH
    steps: tuple[FlowStep, ...] = ()
    critical: bool = False  # a secret that opens an AWS account, or a private key


def numbered(issues: Iterable[CodeIssue]) -> tuple[CodeIssue, ...]:
    """One file's issues with the second and later of the same kind and evidence told apart (``|2``, ``|3``...)
    in line order: two identical unverified decodes in one file are two findings, and their fingerprints hold no
    line number, so they stay when code above them moves."""
    seen: dict[tuple[IssueKind, str], int] = {}
    out: list[CodeIssue] = []
    for issue in sorted(issues, key=lambda i: (i.location.line, i.location.column)):
        n = seen[(issue.kind, issue.evidence)] = seen.get((issue.kind, issue.evidence), 0) + 1
        out.append(issue if n == 1 else replace(issue, evidence=f"{issue.evidence}|{n}"))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class FunctionCode:
    """What one function's code does. ``handler`` is where the handler is defined, or why it is unknown."""

    function: ResourceId
    language: Language
    handler: SourceLocation | Unknown
    files: tuple[str, ...] = ()  # files analysed, relative to the scanned root
    imports: frozenset[str] = frozenset()  # top-level modules / packages the code imports (reachability)
    flows: tuple[TaintFlow, ...] = ()
    sdk_calls: tuple[SdkCall, ...] = ()
    issues: tuple[CodeIssue, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()  # problems met analysing this code (syntax errors, unreadable files)
    # every external import as written: Python dotted modules and ``from X import Y`` as ``X.Y``, JavaScript
    # specifiers (``@aws-lambda-powertools/parameters/ssm``): which utilities of a library the code uses
    import_paths: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CodeFacts:
    """The code stage's answer for the whole application."""

    functions: Mapping[ResourceId, FunctionCode] = field(default_factory=dict)
    unreferenced: tuple[SourceLocation, ...] = ()  # handler-like files no function ships (possibly dead code)
    diagnostics: tuple[Diagnostic, ...] = ()

    def of(self, function: ResourceId) -> FunctionCode | None:
        return self.functions.get(function)


NO_CODE = CodeFacts()
