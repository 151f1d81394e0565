"""Small readings of Python syntax nodes that the taint analysis and its sink matcher share."""

from __future__ import annotations

import ast

LABEL_WIDTH = 80


def label_of(node: ast.AST) -> str:
    """An expression as written, on one line and shortened: how steps and sinks show code."""
    try:
        text = ast.unparse(node)
    except (ValueError, RecursionError, AttributeError):
        return type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1] + "…"


def literal(node: ast.AST | None) -> str | None:
    """A string constant's text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def keyword(node: ast.Call, name: str) -> ast.expr | None:
    """The expression passed as keyword ``name``."""
    return next((kw.value for kw in node.keywords if kw.arg == name), None)
