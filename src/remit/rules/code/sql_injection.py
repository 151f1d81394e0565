"""RMT-CODE-003."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import Language, SinkKind
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import flow_hits, remediation

IMPACT = ("the attacker rewrites the query: reads, changes or deletes data the function's role can "
          'reach')

FIXES = {
    Language.PYTHON: ('Use parameters: cursor.execute("... WHERE id = %s", (order_id,)), or for '
                      'DynamoDB PartiQL execute_statement(Statement="SELECT * FROM orders WHERE id = '
                      '?", Parameters=[{"S": order_id}]). Never format values into the statement.'),
    Language.JAVASCRIPT: ('Use placeholders and pass the values apart: pg client.query("SELECT * FROM '
                          'orders WHERE id = $1", [orderId]), mysql2 connection.execute("... WHERE id '
                          '= ?", [orderId]), or PartiQL new ExecuteStatementCommand({Statement: "... '
                          'WHERE id = ?", Parameters: [{S: orderId}]}). Never build the statement '
                          'with + or a template literal.'),
}


@rule(
    id="RMT-CODE-003",
    title='Event data is built into a SQL or PartiQL statement',
    severity=Severity.HIGH,
    category=Category.EVENT_INJECTION,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("The sender rewrites the query: they read rows they should not see (other users' data, password hashes), "
            "get past a login check, or change and delete data with the database user's rights."),
    remediation=remediation(FIXES),
    references=(
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html',
        'https://cwe.mitre.org/data/definitions/89.html',
        'CSA SAS-1 Function Event-Data Injection',
    ),
    cwe=('CWE-89',),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Event data is formatted into a SQL or PartiQL statement.

    Statements passed to ``cursor.execute``, SQLAlchemy ``text``, the RDS / Redshift Data APIs, Athena
    ``start_query_execution`` or DynamoDB ``execute_statement`` (PartiQL) in Python, and to ``query`` /
    ``execute`` / ``raw`` of pg, mysql2, knex and friends, ``ExecuteStatementCommand``, Athena and RDS Data
    API commands in JavaScript, are parsed by the database: a value that closes the quote (``' OR '1'='1``)
    changes what the statement does. Statements that take the values as parameters (``%s`` / ``?`` / ``$1``
    with a separate argument, ``Parameters=[...]``, tagged ``sql`...``` templates) are not reported.
    """
    yield from flow_hits(fn, an, SinkKind.SQL, Severity.HIGH, IMPACT, FIXES)
