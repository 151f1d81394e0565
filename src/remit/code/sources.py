"""Which parts of a function's event an attacker controls, by trigger: language-neutral access paths.

An access path is a tuple of keys from the event's root, ``"*"`` standing for any key or index:
``("body",)``, ``("queryStringParameters", "*")``, ``("Records", "*", "s3", "object", "key")``. The Python and
JavaScript analyzers compare what the code reads from the event with these paths (:meth:`EventSources.match`).

Confidence says how sure remit is that an outsider writes the field:

* HIGH: an API Gateway route or function URL on a public endpoint, a Cognito trigger (anyone can sign up),
  an S3 bucket / SQS queue / SNS topic / event bus whose resource policy lets others write to it;
* MEDIUM: the trigger is internal (a private API, a bucket or queue only the account writes to, a stream);
  the flow is still reported, an internal writer can be compromised or fed by an outside system;
* LOW: nothing in the templates invokes the function (it is called directly by some other code), so every
  event field is treated as a possible source.

Schedules carry no outside data and add no source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from remit.code.facts import Confidence
from remit.model.application import Application
from remit.model.entities import DataStore, Function, Trigger
from remit.model.triggers import ANY, AccessPath, Caller, TriggerKind

__all__ = ["ANY", "EventSource", "EventSources", "event_sources", "overlaps"]

# fields AWS itself fills in, whoever invokes the function: CloudFormation's pre-signed ResponseURL of a custom
# resource, S3 Object Lambda's pre-signed inputS3Url and its output route and token; never sources
SERVICE_FIELDS: tuple[AccessPath, ...] = (
    ("ResponseURL",),
    ("getObjectContext", "inputS3Url"),
    ("getObjectContext", "outputRoute"),
    ("getObjectContext", "outputToken"),
)


@dataclass(frozen=True, slots=True)
class EventSource:
    """One attacker-controlled event field: its access path, what it is, the trigger that delivers it."""

    path: AccessPath
    label: str
    trigger: str  # the TriggerKind value, or "direct-invoke"
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class EventSources:
    """Every event field an attacker may control for one function, across its triggers."""

    sources: tuple[EventSource, ...] = ()

    def match(self, path: Iterable[str]) -> EventSource | None:
        """The most trusted source a read of ``path`` (a full or partial access path) touches: a read of a
        container holding a source (``event["Records"]``), of the source itself, or of something inside it."""
        wanted = tuple(path)
        if any(len(wanted) >= len(f) and overlaps(f, wanted) for f in SERVICE_FIELDS):
            return None
        best: EventSource | None = None
        for source in self.sources:
            if overlaps(source.path, wanted) and (best is None or _rank(source.confidence) > _rank(best.confidence)):
                best = source
        return best


def _rank(confidence: Confidence) -> int:
    return {Confidence.HIGH: 3, Confidence.MEDIUM: 2, Confidence.LOW: 1}[confidence]


def overlaps(a: AccessPath, b: AccessPath) -> bool:
    """One path is a prefix of the other, ``"*"`` matching any key."""
    return all(x == y or ANY in (x, y) for x, y in zip(a, b, strict=False))


def _written_by_others(app: Application, trigger: Trigger) -> bool:
    """Whether the store's resource policy lets an outsider perform a write that fires the trigger (the IAM
    evaluator's verdict for each such action)."""
    from remit.iam.reach import judge_action  # noqa: PLC0415 - the IAM evaluator loads only when needed

    feeds = trigger.spec.feeds
    store = app.entity(trigger.source_id)
    if not feeds or not isinstance(store, DataStore) or store.policy is None:
        return False
    statements = store.policy.statements
    return any(verdict.reachable for action in feeds for _, verdict in judge_action(statements, action))


def _confidence(app: Application, trigger: Trigger) -> Confidence:
    caller = trigger.spec.caller
    if caller is Caller.END_USER:
        return Confidence.HIGH
    if caller is Caller.ENDPOINT:
        return Confidence.HIGH if app.public_endpoint(trigger) else Confidence.MEDIUM  # a private API: MEDIUM
    if caller is Caller.WRITERS:
        if trigger.kind is TriggerKind.EVENTBRIDGE and trigger.source_id is None:
            return Confidence.MEDIUM  # the default bus: AWS services and the account's own code
        return Confidence.HIGH if _written_by_others(app, trigger) else Confidence.MEDIUM
    if caller is Caller.UNKNOWN:
        return Confidence.LOW
    return Confidence.MEDIUM


def event_sources(app: Application, function: Function) -> EventSources:
    """The attacker-controlled event fields of ``function``, from its triggers; a function nothing in the
    templates triggers gets the whole event at LOW confidence (it is invoked directly)."""
    triggers = app.triggers_of(function)
    if not triggers:
        return EventSources((EventSource((), "event (invoked directly)", "direct-invoke", Confidence.LOW),))
    out: dict[tuple[AccessPath, str], EventSource] = {}
    for trigger in triggers:
        confidence = _confidence(app, trigger)
        for path, label in trigger.spec.fields:
            key = (path, trigger.kind.value)
            known = out.get(key)
            if known is None or _rank(confidence) > _rank(known.confidence):
                out[key] = EventSource(path, label, trigger.kind.value, confidence)
    return EventSources(tuple(out.values()))
