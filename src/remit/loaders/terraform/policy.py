"""IAM policy documents written in Terraform: ``data "aws_iam_policy_document"`` blocks, ``jsonencode({...})``,
heredoc or ``file()`` JSON (with ``${...}`` references inside), each turned into the JSON structure
CloudFormation takes, with the line of every statement and key kept."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from remit.errors import LoadError
from remit.loaders.terraform.evaluate import Cfn, Join, JsonText, LDict, LList, Loc, LStr, Unk, concat, first_unknown
from remit.loaders.terraform.module import list_of

if TYPE_CHECKING:
    from remit.loaders.terraform.module import Instance, Module

_PLACEHOLDER = re.compile(r"@@remit(\d+)@@")


def policy_document(inst: Instance, module: Module) -> Any:
    """``data.aws_iam_policy_document.x.json`` as a located policy structure."""
    values = inst.values()
    statements = LList()
    for source_key in ("source_policy_documents", "source_json"):
        for src in list_of(values.get(source_key)):
            doc = to_policy(src)
            if isinstance(doc, dict):
                for i, st in enumerate(list_of(doc.get("Statement"))):
                    statements.append(st)
                    statements.locs.append(_loc_of(doc.get("Statement"), i))
    written = values.get("statement")
    for i, st in enumerate(list_of(written)):
        if not isinstance(st, dict):
            continue
        statements.append(_statement(st))
        statements.locs.append(_loc_of(written, i) or inst.loc)
    for override_key in ("override_policy_documents", "override_json"):
        for src in list_of(values.get(override_key)):
            doc = to_policy(src)
            if not isinstance(doc, dict):
                continue
            for st in list_of(doc.get("Statement")):
                sid = st.get("Sid") if isinstance(st, dict) else None
                same = [j for j, old in enumerate(statements)
                        if sid and isinstance(old, dict) and old.get("Sid") == sid]
                if same:
                    statements[same[0]] = st
                else:
                    statements.append(st)
                    statements.locs.append(None)
    version = values.get("version") or "2012-10-17"
    doc_out = LDict({"Version": version, "Statement": statements},
                    locs={"Version": inst.loc, "Statement": (statements.locs[0] if statements.locs and
                                                             statements.locs[0] else inst.loc)})
    policy_id = values.get("policy_id")
    if policy_id is not None:
        doc_out["Id"] = policy_id
    return doc_out


def _loc_of(value: Any, index: int) -> Loc | None:
    if isinstance(value, LList) and index < len(value.locs):
        return value.locs[index]
    return None


def _statement(st: dict[str, Any]) -> LDict:
    out = LDict()

    def put(key: str, value: Any, src: str) -> None:
        out[key] = value
        if isinstance(st, LDict) and src in st.locs:
            out.locs[key] = st.locs[src]

    if "sid" in st:
        put("Sid", st["sid"], "sid")
    put("Effect", st.get("effect") or "Allow", "effect")
    for src, dst in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                     ("not_resources", "NotResource")):
        if src in st:
            put(dst, st[src], src)
    for src, dst in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        blocks = list_of(st.get(src))
        if not blocks:
            continue
        principal = LDict()
        for j, block in enumerate(blocks):
            if not isinstance(block, dict):
                continue
            ptype = block.get("type")
            ids = block.get("identifiers")
            if ptype == "*" and (ids in (["*"], "*")):
                principal = "*"  # type: ignore[assignment]  # "*" is the JSON form of anyone
                break
            if isinstance(ptype, str):
                merged = list_of(principal.get(ptype)) + list_of(ids)
                principal[ptype] = merged[0] if len(merged) == 1 else LList(merged)
                loc = _loc_of(st.get(src), j)
                if loc:
                    principal.locs[ptype] = loc
        put(dst, principal, src)
    conditions = list_of(st.get("condition"))
    if conditions:
        cond = LDict()
        for j, block in enumerate(conditions):
            if not isinstance(block, dict):
                continue
            test, variable, values = block.get("test"), block.get("variable"), block.get("values")
            if not isinstance(test, str) or not isinstance(variable, str):
                cond[f"?{j}"] = Unk("a condition block with a test or variable known only at apply")
                continue
            inner = cond.get(test)
            if not isinstance(inner, LDict):
                inner = cond[test] = LDict()
                loc = _loc_of(st.get("condition"), j)
                if loc:
                    cond.locs[test] = loc
            inner[variable] = values
            loc = _loc_of(st.get("condition"), j)
            if loc:
                inner.locs[variable] = loc
        put("Condition", cond, "condition")
    return out


def to_policy(value: Any) -> Any:
    """A policy value as a located structure (an :class:`LDict`), or :class:`Unk` with the reason."""
    if isinstance(value, JsonText):
        return value.value
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return _parse_json(value, value.loc if isinstance(value, LStr) else None, {})
    if isinstance(value, Join):
        parts: dict[int, Any] = {}
        text: list[str] = []
        for part in value.parts:
            if isinstance(part, str):
                text.append(part)
            else:
                parts[len(parts)] = part
                text.append(f"@@remit{len(parts) - 1}@@")
        return _parse_json("".join(text), value.loc, parts)
    if isinstance(value, Unk):
        return value
    if isinstance(value, Cfn):
        return Unk("a policy known only at apply")
    return Unk("a policy that is not a JSON document")


def _parse_json(text: str, loc: Loc | None, parts: dict[int, Any]) -> Any:
    from remit.loaders.marked import load_json  # noqa: PLC0415 - loaded on first use: keeps importing this module light

    try:
        loaded = load_json(text)
    except LoadError as exc:
        if parts and "@@remit" in text:
            return Unk("a JSON policy with references outside strings")
        return Unk(f"policy text is not JSON ({exc.message})")
    file, first = loc if loc is not None else ("", 0)
    marks = loaded.marks.marks
    return _locate(loaded.data, (), marks, file, first - 1 if loc is not None else None, parts)


def _locate(value: Any, path: tuple[Any, ...], marks: Any, file: str, offset: int | None,
            parts: dict[int, Any]) -> Any:
    if isinstance(value, dict):
        out = LDict()
        for k, v in value.items():
            out[k] = _locate(v, (*path, k), marks, file, offset, parts)
            pos = marks.get((*path, k))
            if offset is not None and pos is not None:
                out.locs[k] = (file, pos[0] + offset)
        return out
    if isinstance(value, list):
        items = LList()
        for i, v in enumerate(value):
            items.append(_locate(v, (*path, i), marks, file, offset, parts))
            pos = marks.get((*path, i))
            items.locs.append((file, pos[0] + offset) if offset is not None and pos is not None else None)
        return items
    if isinstance(value, str) and parts and "@@remit" in value:
        pieces: list[Any] = []
        pos = 0
        for m in _PLACEHOLDER.finditer(value):
            pieces.append(value[pos:m.start()])
            pieces.append(parts.get(int(m.group(1)), Unk("a reference inside a JSON policy")))
            pos = m.end()
        pieces.append(value[pos:])
        return concat(pieces)
    return value


def unknown_in(value: Any) -> Unk | None:
    return first_unknown(value)


__all__ = ["json", "policy_document", "to_policy", "unknown_in"]
