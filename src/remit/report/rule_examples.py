"""Examples for a rule's documentation page, cut from the rule's test fixtures.

``tests/fixtures/rules/<RULE-ID>/`` holds inputs annotated on the line *before* the place they describe:
``# ruleid: RULE-ID`` (remit must report it) and ``# ok: RULE-ID`` (a near miss it must not report); ``//`` in
JavaScript and HCL, a ``"// ruleid: RULE-ID": ""`` key in JSON (tests/test_rule_fixtures.py checks them). For
every input format a rule's fixtures have, :func:`examples` picks the first reported place and a near miss, cuts
out the block around each (the template resource, the handler function, the Terraform block, the manifest
section), drops every annotation line and folds a long block down to the lines that matter. The fixtures stay the
single source: a page's examples are what the tests prove remit does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

ANNOTATION = re.compile(r"(?:#|//)\s*(ruleid|ok|todoruleid|todook)\s*:\s*([A-Z0-9,\s-]+)")
_ANNOTATION_LINE = re.compile(
    r"""^\s*(?:(?:\#|//)\s*(?:ruleid|ok|todoruleid|todook)\s*:.*"""  # a comment line
    r"""|"//\s*(?:ruleid|ok|todoruleid|todook)\s*:[^"]*"\s*:\s*"[^"]*"\s*,?\s*)$""")  # a JSON key
TEXT_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template", ".py", ".js", ".mjs", ".cjs", ".ts", ".tsx",
                           ".txt", ".toml", ".tf"})
MAX_LINES = 24  # a longer block is folded to its marked lines, their ancestors and a little context
CONTEXT = 2
SMALL = 10
_CLOSERS = ("}", ")", "]")
_CONTAINERS = frozenset({"Resources", "resources", "functions"})  # top-level keys whose children are the blocks to show
_SECRET_FILES = re.compile(r"(?:^\.env(?:\..+)?|\.env|^credentials|\.pem|\.key)$")  # RMT-SECRET-004's inputs
_MANIFESTS = re.compile(r"(?:requirements[\w.-]*\.txt|package\.json|package-lock\.json|pyproject\.toml|Pipfile)$")


class Format(Enum):
    """An input format, in the order a page shows them."""

    SAM = "SAM"
    CLOUDFORMATION = "CloudFormation"
    SERVERLESS = "Serverless Framework"
    TERRAFORM = "Terraform"
    CDK = "CDK"
    PYTHON = "Python"
    JAVASCRIPT = "JavaScript / TypeScript"
    MANIFEST = "Dependency manifest"
    SECRET_FILE = "Secret file"


@dataclass(frozen=True, slots=True)
class Snippet:
    """An excerpt of one fixture file, annotations removed.

    ``reported`` and ``not_reported`` are the marked lines inside the excerpt as they read in it (stripped):
    what remit reports there and the near misses it does not.
    """

    format: Format
    path: str  # relative to the rule's fixture directory, with /
    language: str  # the code fence's info string
    code: str
    reported: tuple[str, ...]
    not_reported: tuple[str, ...]


def detect(path: Path, text: str) -> Format | None:
    """The input format of a fixture file, or None for a file that is no input remit reads."""
    name, suffix = path.name, path.suffix
    if "cdk.out" in path.parts:
        return Format.CDK
    if suffix == ".tf" or name.endswith(".tf.json") or '"planned_values"' in text:
        return Format.TERRAFORM
    if _MANIFESTS.search(name):
        return Format.MANIFEST
    if _SECRET_FILES.search(name):
        return Format.SECRET_FILE
    if suffix == ".py":
        return Format.PYTHON
    if suffix in {".js", ".mjs", ".cjs", ".ts", ".tsx"}:
        return Format.JAVASCRIPT
    if suffix in {".yaml", ".yml", ".json", ".template"}:
        if path.stem == "serverless":
            return Format.SERVERLESS
        if "AWS::Serverless" in text:
            return Format.SAM
        if "Resources" in text:
            return Format.CLOUDFORMATION
    return None


def language(path: Path) -> str:
    """The Markdown code fence language of a file."""
    suffix = path.suffix
    if suffix in {".yaml", ".yml"}:
        return "yaml"
    if suffix in {".json", ".template"}:
        return "json"
    return {".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".ts": "typescript",
            ".tsx": "typescript", ".tf": "hcl", ".toml": "toml"}.get(suffix, "text")


def targets(lines: Sequence[str], rule_id: str) -> dict[int, str]:
    """Line index → ``ruleid`` / ``ok`` for the annotations of ``rule_id``: the first line after the annotation
    that is neither blank nor another annotation (the rule fixtures test's reading). ``todo`` kinds are left out:
    they mark gaps, not behaviour."""
    found: dict[int, str] = {}
    for i, line in enumerate(lines):
        match = ANNOTATION.search(line)
        if not match or match.group(1) not in {"ruleid", "ok"}:
            continue
        if rule_id not in {part.strip() for part in match.group(2).split(",")}:
            continue
        target = i + 1
        while target < len(lines) and (not lines[target].strip() or ANNOTATION.search(lines[target])):
            target += 1
        if target < len(lines):
            found.setdefault(target, match.group(1))
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_comment(line: str) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(("#", "//")) and not stripped.startswith("#!")


class _Text:
    """A file's lines without annotations, with the tree their indentation makes."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.original = [i for i, line in enumerate(lines) if not _ANNOTATION_LINE.match(line)]
        self.lines = [lines[i].rstrip() for i in self.original]

    def position(self, original_index: int) -> int:
        return self.original.index(original_index)

    def structural(self, pos: int) -> bool:
        line = self.lines[pos]
        return bool(line.strip()) and not _is_comment(line)

    def parent(self, pos: int) -> int | None:
        indent = _indent(self.lines[pos])
        for k in range(pos - 1, -1, -1):
            if self.structural(k) and _indent(self.lines[k]) < indent:
                return k
        return None

    def chain(self, pos: int) -> list[int]:
        """The ancestors of ``pos``, outermost first, then ``pos``."""
        out = [pos]
        parent = self.parent(pos)
        while parent is not None:
            out.append(parent)
            parent = self.parent(parent)
        return out[::-1]

    def end(self, head: int) -> int:
        """The last line of the block ``head`` opens (its deeper lines, and a closing bracket at its indent)."""
        indent, last = _indent(self.lines[head]), head
        for k in range(head + 1, len(self.lines)):
            line = self.lines[k]
            if not self.structural(k):
                continue
            if _indent(line) > indent:
                last = k
                continue
            if _indent(line) == indent and line.lstrip().startswith(_CLOSERS):
                last = k
            break
        return last

    def paragraph(self, pos: int) -> tuple[int, int]:
        """The top-level one-line statements around ``pos`` (constants, requirements), up to a blank line."""
        def alone(k: int) -> bool:
            return bool(self.lines[k].strip()) and _indent(self.lines[k]) == 0 and self.end(k) == k

        start, end = pos, pos
        while start > 0 and alone(start - 1):
            start -= 1
        while end + 1 < len(self.lines) and alone(end + 1):
            end += 1
        return start, end

    def key(self, pos: int) -> str:
        """The key a template or manifest line starts (``Resources`` of ``"Resources": {``)."""
        return self.lines[pos].strip().removeprefix("- ").rstrip(":{[ ").strip('"')

    def describe(self, pos: int, head: int, nested: bool) -> str:
        """A marked line as the page names it: its text, or for a template key that opens a block the path of keys
        down to it (``Events.Uploaded.Properties``)."""
        line = self.lines[pos].strip()
        if not nested or pos == head or not line.endswith((":", "{", "[")):
            return line
        return ".".join(self.key(k) for k in self.chain(pos) if k > head)

    def block(self, pos: int, nested: bool) -> tuple[int, int]:
        """The block around ``pos``: for templates and manifests (``nested``) the child of the top-level key (a
        resource under ``Resources``, a section of a manifest), for code the top-level statement; a top-level line
        with nothing under it stands with its paragraph."""
        chain = self.chain(pos)
        if nested and chain and self.lines[chain[0]].strip() in {"{", "["}:
            chain = chain[1:]  # a JSON document's root
        head = chain[0]
        if nested and len(chain) > 1 and self.key(chain[0]) in _CONTAINERS:
            k = 1
            while k + 1 < len(chain) and self.key(chain[k]) in _CONTAINERS:
                k += 1
            head = chain[k]
            if head == pos and self.end(pos) == pos:
                head = chain[k - 1]
        if head == pos and self.end(pos) == pos and _indent(self.lines[pos]) == 0:
            return self.paragraph(pos)
        start = head
        while start > 0 and _is_comment(self.lines[start - 1]) and \
                _indent(self.lines[start - 1]) == _indent(self.lines[head]):
            start -= 1  # the comment that introduces the block
        return start, self.end(head)


def _comment_mark(lang: str) -> str:
    return {"yaml": "# ", "python": "# ", "toml": "# ", "text": "# ", "json": ""}.get(lang, "// ")


def _fold(text: _Text, start: int, end: int, marked: Iterable[int], lang: str) -> list[str]:
    """The block's lines; a block longer than MAX_LINES keeps its first lines, the marked lines with their
    ancestors and CONTEXT lines around them, and its last line, with an ellipsis for each gap."""
    span = range(start, end + 1)
    if sum(1 for k in span if text.lines[k].strip()) <= MAX_LINES:
        return [text.lines[k] for k in span]
    keep = {end, *range(start, start + CONTEXT + 1)}  # the block's opening lines (a resource's Type) and its close
    for pos in marked:
        keep.update(k for k in text.chain(pos) if start <= k <= end)
        keep.update(k for k in range(pos - CONTEXT, pos + CONTEXT + 1) if start <= k <= end)
        if text.end(pos) - pos < SMALL:  # a marked line that opens a small block (a policy statement) keeps it
            keep.update(range(pos, text.end(pos) + 1))
    out: list[str] = []
    previous = start - 1
    for k in sorted(keep):
        if k > previous + 1:
            following = text.lines[k]
            out.append(" " * _indent(following) + _comment_mark(lang) + "...")
        out.append(text.lines[k])
        previous = k
    return out


def _tidy(lines: list[str], lang: str) -> str:
    """Drop blank lines at the ends and doubled inside, the indentation every line shares, and the comma after
    the last JSON member."""
    kept: list[str] = []
    for line in lines:
        if not line.strip() and (not kept or not kept[-1].strip()):
            continue
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    if lang == "json" and kept:
        kept[-1] = kept[-1].removesuffix(",")
    shared = min((_indent(line) for line in kept if line.strip()), default=0)
    return "\n".join(line[shared:] for line in kept) + "\n"


def snippet(source: str, rule_id: str, target: int, *, path: Path, fmt: Format) -> tuple[Snippet, range]:
    """The excerpt around the annotated line ``target`` (0-based, in ``source``), and the range of original line
    indexes it covers."""
    lines = source.splitlines()
    marks = targets(lines, rule_id)
    text = _Text(lines)
    pos = text.position(target)
    nested = fmt not in {Format.PYTHON, Format.JAVASCRIPT, Format.TERRAFORM} and path.suffix != ".txt"
    start, end = text.block(pos, nested)
    head = next(k for k in range(start, end + 1) if not _is_comment(text.lines[k]))
    lang = language(path)
    marked = [text.position(i) for i in sorted(marks) if start <= text.position(i) <= end]
    reported = (text.describe(p, head, nested) for p in marked if marks[text.original[p]] == "ruleid")
    missed = (text.describe(p, head, nested) for p in marked if marks[text.original[p]] == "ok")
    code = _tidy(_fold(text, start, end, marked, lang), lang)
    result = Snippet(format=fmt, path=path.as_posix(), language=lang, code=code,
                     reported=tuple(dict.fromkeys(reported)), not_reported=tuple(dict.fromkeys(missed)))
    return result, range(text.original[start], text.original[end] + 1)


def _order(path: Path) -> tuple[int, int, str]:
    main = path.stem in {"template", "sam", "app", "index", "handler", "cloudformation", "serverless", "main",
                         "requirements", "package"}
    return len(path.parts), 0 if main else 1, path.as_posix()


def examples(directory: Path, rule_id: str) -> list[Snippet]:
    """Per input format of the fixtures in ``directory``: the first reported place, and a near miss when it is
    not already inside that excerpt. Formats in :class:`Format` order."""
    files: dict[Format, list[tuple[Path, str]]] = {}
    readable = (p for p in directory.rglob("*")
                if p.is_file() and (p.suffix in TEXT_SUFFIXES or _SECRET_FILES.search(p.name)))
    for path in sorted(readable,
                       key=lambda p: _order(p.relative_to(directory))):
        source = path.read_text(encoding="utf-8")
        fmt = detect(path.relative_to(directory), source)
        if fmt is not None:
            files.setdefault(fmt, []).append((path.relative_to(directory), source))
    out: list[Snippet] = []
    for fmt in Format:
        found = [(rel, source, index, kind) for rel, source in files.get(fmt, ())
                 for index, kind in sorted(targets(source.splitlines(), rule_id).items())]
        first = next((entry for entry in found if entry[3] == "ruleid"), None)
        if first is None:
            continue
        shown, covered = snippet(first[1], rule_id, first[2], path=first[0], fmt=fmt)
        out.append(shown)
        # the near miss written beside it: the same file, the next one after it, else the nearest before it
        near = sorted((entry for entry in found if entry[3] == "ok"
                       and not (entry[0] == first[0] and entry[2] in covered)),
                      key=lambda entry: (entry[0] != first[0], entry[2] < first[2], abs(entry[2] - first[2])))
        if near and not shown.not_reported:
            out.append(snippet(near[0][1], rule_id, near[0][2], path=near[0][0], fmt=fmt)[0])
    return out
