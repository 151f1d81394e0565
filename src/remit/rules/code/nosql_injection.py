"""RMT-CODE-004."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, remediation

IMPACT = ("the attacker changes the filter, key condition or update: other customers' items, or "
          'attributes they must not set')

FIXES = {
    Language.PYTHON: ('Keep expressions constant and pass values through ExpressionAttributeValues '
                      '(FilterExpression="customer = :c", ExpressionAttributeValues={":c": '
                      'customer}); with the resource API use boto3.dynamodb.conditions.Attr / Key.'),
    Language.JAVASCRIPT: ('Keep expressions constant and pass values through '
                          'ExpressionAttributeValues (FilterExpression: "customer = :c", '
                          'ExpressionAttributeValues: {":c": customer}); attribute names chosen at '
                          'run time go through ExpressionAttributeNames after an allow-list check. '
                          'Never build a MongoDB $where from input.'),
}


@rule(
    id="RMT-CODE-004",
    title='Event data is built into a DynamoDB expression',
    severity=Severity.HIGH,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("The sender adds their own clauses to the expression: a filter that returns every item instead of their "
            "own, a condition that always passes, or an update that sets attributes such as a role or a balance."),
    remediation=remediation(FIXES),
    references=(
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html',
        'https://cwe.mitre.org/data/definitions/943.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-943',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data is written into a DynamoDB expression (or a MongoDB ``$where``).

    ``FilterExpression``, ``KeyConditionExpression``, ``ConditionExpression``, ``UpdateExpression`` and
    ``ProjectionExpression`` (boto3, the JavaScript SDK v2 DocumentClient and v3 commands) are parsed by
    DynamoDB. Formatting a request value into them lets the sender add clauses (``x OR
    attribute_exists(id)``), read attributes, or — in an ``UpdateExpression`` — set attributes such as a role
    or a balance. Values belong in ``ExpressionAttributeValues``.
    """
    yield from flow_hits(fn, an, SinkKind.NOSQL, Severity.HIGH, IMPACT, FIXES)
