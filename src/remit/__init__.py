"""remit: finds what an attacker would use in a serverless application on AWS.

The public entry points are :func:`remit.api.scan` and the ``remit`` command line (:mod:`remit.cli`).
Nothing heavy is imported here, so ``remit --version`` stays fast.
"""

__version__ = "0.1.0"

PROJECT_URL = "https://github.com/remit-security/remit"
"""The project's home; ``[project.urls]`` in pyproject.toml repeats it (a test keeps them equal)."""

DOCS_URL = f"{PROJECT_URL}/blob/main/docs"
"""The documentation, as rendered from the repository's ``docs/`` directory."""


def rule_doc_url(rule_id: str) -> str:
    """The documentation page of a rule: ``docs/rules/<RULE-ID>.md`` under :data:`DOCS_URL`."""
    return f"{DOCS_URL}/rules/{rule_id}.md"
