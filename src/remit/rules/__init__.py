"""The rule catalog: one module per rule, grouped by family (``lambda_``, ``api``, ``data``, ``iam``,
``trust``, ``cognito``, ``secrets``, ``code``, ``deps``, ``perm``). The engine finds rules by walking this
package (:mod:`remit.engine`); nothing registers itself at import time. Modules whose name starts with ``_``
hold shared helpers, not rules.
"""
