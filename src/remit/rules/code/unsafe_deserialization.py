"""RMT-CODE-007."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, remediation

IMPACT = ('the attacker runs code in the function: these formats can construct any object')

FIXES = {
    Language.PYTHON: ('Use JSON, or yaml.safe_load / yaml.load(..., Loader=yaml.SafeLoader). Never '
                      'unpickle (pickle, dill, jsonpickle, marshal, shelve) data a caller can '
                      'influence.'),
    Language.JAVASCRIPT: ('Use JSON.parse (and check the shape of the result). Never unserialize '
                          'caller data with node-serialize, serialize-to-js, funcster or cryo, which '
                          'rebuild functions; with js-yaml use version 4 load (safe schema), never '
                          'DEFAULT_FULL_SCHEMA.'),
}


@rule(
    id="RMT-CODE-007",
    title='Event data is deserialized with an unsafe loader',
    severity=Severity.CRITICAL,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("A crafted payload runs code while it is being deserialized: the sender gets command execution in the "
            "function, with the role's temporary credentials in its environment."),
    remediation=remediation(FIXES),
    references=(
        'https://pyyaml.org/wiki/PyYAMLDocumentation',
        'https://docs.python.org/3/library/pickle.html',
        'https://cwe.mitre.org/data/definitions/502.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-502',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data is deserialized with a loader that can build arbitrary objects.

    Python's ``pickle`` / ``dill`` / ``marshal`` / ``shelve`` / ``jsonpickle`` and ``yaml.load`` without the
    safe loader (``yaml.Loader``, ``UnsafeLoader``, ``FullLoader``, ``unsafe_load``), and JavaScript's
    node-serialize ``unserialize``, serialize-to-js, funcster and cryo (and js-yaml ``load`` below version 4
    or with ``DEFAULT_FULL_SCHEMA``), run code while loading: a crafted payload executes commands in the
    function. ``yaml.safe_load``, ``Loader=yaml.SafeLoader`` and ``JSON.parse`` are not reported.
    """
    yield from flow_hits(fn, an, SinkKind.DESERIALIZATION, Severity.CRITICAL, IMPACT, FIXES)
