"""Recognising and reading CloudFormation and SAM templates, by content rather than by name."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Any

from remit import safeio
from remit.diagnostics import Diagnostic, Level
from remit.documents import DocKind, Document, LoadResult
from remit.errors import LoadError
from remit.guard import capped_resources
from remit.loaders.discover import InputFile
from remit.loaders.marked import Loaded, load_json, load_yaml

MAX_FILE_BYTES = 50 * 1024 * 1024
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(raw: bytes) -> str:
    """Text of a file: a BOM decides the encoding, else UTF-8. Raises ``UnicodeDecodeError``."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding)
    return raw.decode("utf-8")


def read_text(file: InputFile, max_bytes: int = MAX_FILE_BYTES) -> tuple[str | None, Diagnostic | None]:
    """The file's text, or why it cannot be read as text."""
    try:
        size = file.path.stat().st_size
        if size > max_bytes:
            return None, Diagnostic(
                file.rel, Level.ERROR, "too-large", f"file is {size} bytes, over the {max_bytes}-byte limit: skipped"
            )
        raw = safeio.read_bytes(file.path, max_bytes)
    except OSError as exc:
        return None, Diagnostic(file.rel, Level.ERROR, "unreadable", exc.strerror or str(exc))
    head = raw[:8192]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, Diagnostic(file.rel, Level.WARNING, "binary", "binary file: skipped")
    try:
        return decode(raw), None
    except UnicodeDecodeError as exc:
        return None, Diagnostic(
            file.rel,
            Level.ERROR,
            "encoding",
            f"not valid UTF-8 (byte {exc.start}): skipped; CloudFormation templates must be UTF-8",
        )


def looks_like_template(text: str) -> bool:
    """A cheap test before parsing: every template has a Resources section."""
    return "Resources" in text


def parse(text: str, suffix: str) -> Loaded:
    """Parse JSON or YAML; JSON is recognised by its first character as well as by its suffix."""
    stripped = text.lstrip()
    if suffix == ".json" or stripped.startswith(("{", "[")):
        try:
            return load_json(text)
        except LoadError:
            if suffix == ".json":
                raise
    return load_yaml(text)


def is_template(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return False
    if "AWSTemplateFormatVersion" in data or "Transform" in data:
        return True
    return any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and "::" in r["Type"] for r in resources.values()
    )


def transforms(data: Mapping[str, Any]) -> tuple[str, ...]:
    raw = data.get("Transform")
    items = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("Name"), str):
            out.append(item["Name"])
    return tuple(out)


def uses_sam_resources(data: Mapping[str, Any]) -> bool:
    resources = data.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith("AWS::Serverless::")
        for r in resources.values()
    )


def load_template(file: InputFile) -> LoadResult:
    """Read one candidate file. Files that are not templates give nothing (or a diagnostic when the user named
    the file explicitly)."""
    text, problem = read_text(file)
    if text is None:
        assert problem is not None
        # a binary file found by the walk is simply not ours; one named explicitly deserves the message
        if problem.code == "binary" and not file.explicit and file.path.suffix.lower() not in (".yaml", ".yml"):
            return LoadResult(None)
        return LoadResult(None, (problem,))
    if not looks_like_template(text):
        if file.explicit:
            return LoadResult(
                None,
                (Diagnostic(file.rel, Level.ERROR, "not-a-template", "not a CloudFormation or SAM template"),),
            )
        return LoadResult(None)
    try:
        loaded = parse(text, file.path.suffix.lower())
    except LoadError as exc:
        return LoadResult(None, (Diagnostic(file.rel, Level.ERROR, "parse-error", exc.message, exc.line),))
    except RecursionError:  # pragma: no cover - the readers are iterative; kept as a last line
        return LoadResult(None, (Diagnostic(file.rel, Level.ERROR, "parse-error", "nesting too deep"),))
    warnings = tuple(Diagnostic(file.rel, Level.WARNING, "parse-warning", msg, line) for line, msg in loaded.warnings)
    includes: tuple[str, ...] = ()
    if "AWS::Include" in text:
        from remit.loaders.include import inline_includes  # noqa: PLC0415 - rare; it imports the Serverless reader

        loaded, includes, problems = inline_includes(loaded, file)
        warnings = (*warnings, *problems)
    if not is_template(loaded.data):
        data = loaded.data
        if file.explicit or (isinstance(data, dict) and "AWSTemplateFormatVersion" in data):
            return LoadResult(
                None,
                (
                    *warnings,
                    Diagnostic(
                        file.rel,
                        Level.ERROR,
                        "not-a-template",
                        "not a CloudFormation or SAM template (no Resources section of typed resources)",
                    ),
                ),
            )
        return LoadResult(None)
    data, capped = capped_resources(loaded.data, file.rel)
    warnings = (*warnings, *capped)
    kind = DocKind.SAM if SAM_TRANSFORM in transforms(loaded.data) else DocKind.CLOUDFORMATION
    if kind is DocKind.CLOUDFORMATION and uses_sam_resources(loaded.data):
        # CloudFormation would refuse it; reading it as SAM keeps its functions and APIs visible
        kind = DocKind.SAM
        warnings = (*warnings, Diagnostic(file.rel, Level.WARNING, "sam-transform-missing",
                                          f"AWS::Serverless resources without `Transform: {SAM_TRANSFORM}`: "
                                          "read as SAM", loaded.marks.position(("Resources",)).line))
    return LoadResult(Document(file.rel, file.path, kind, data, loaded.marks, includes), warnings)
