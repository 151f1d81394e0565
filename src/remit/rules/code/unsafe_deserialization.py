"""RMT-CODE-007."""

from __future__ import annotations

from collections.abc import Iterator

from remit.code.facts import SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits

IMPACT = ('the attacker runs code in the function: these formats can construct any object')


@rule(
    id="RMT-CODE-007",
    title='Event data is deserialized with an unsafe loader',
    severity=Severity.CRITICAL,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    remediation=('Use JSON, or yaml.safe_load / yaml.load(..., Loader=yaml.SafeLoader). Never '
                 'unpickle (pickle, dill, jsonpickle, marshal, shelve) data a caller can influence.'),
    references=(
        'https://pyyaml.org/wiki/PyYAMLDocumentation',
        'https://docs.python.org/3/library/pickle.html',
        'https://cwe.mitre.org/data/definitions/502.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-502',),
)
def check(fn: Function, app: Application) -> Iterator[Hit]:
    """Event data is deserialized with a loader that can build arbitrary objects.

    ``pickle`` / ``dill`` / ``marshal`` / ``shelve`` / ``jsonpickle`` and ``yaml.load`` without the safe
    loader (``yaml.Loader``, ``UnsafeLoader``, ``FullLoader``, ``unsafe_load``) run code while loading: a
    crafted payload executes commands in the function. ``yaml.safe_load`` and ``Loader=yaml.SafeLoader`` are
    not reported.
    """
    yield from flow_hits(fn, app, SinkKind.DESERIALIZATION, Severity.CRITICAL, IMPACT)
