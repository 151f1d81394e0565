"""What a sink is, whatever the language: the shape of the entries in each language's taint catalog.

A :class:`Sink` says which calls it covers (qualified callee names, name prefixes, method names), which of
their arguments are dangerous, under which option of the call it becomes dangerous, what kind of sink it is
and how a finding names it. Each language reads its catalog with one matching routine
(:mod:`remit.code.python.sinks`, :mod:`remit.code.javascript.sinks`): a new sink is one catalog entry and its
fixtures.

Entries are grouped in *chains*: in a chain, the first entry whose callee pattern fits the call takes it,
whether or not its option then finds the call dangerous (``subprocess.run(["ls", x])`` is a command call that
runs only its program, never also something else). Separate chains are tried independently (a DynamoDB call
is judged for expressions and, separately, for the files it names).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

RECEIVER = -1  # Arg.index: the object the method is called on (``Path(p).read_text()``)
LAST = -2  # Arg.index: the last positional argument (``res.redirect(301, url)``)
NO_INDEX = -3  # Arg.index: only named (keyword arguments in Python)
ALL_ARGS = -4  # Arg.index: every argument, positional and named


class Option(Enum):
    """What must hold of a call, beyond its callee, for its arguments to reach a dangerous operation; each
    language's matcher implements the checks that apply to it."""

    ALWAYS = "always"
    #: Python ``subprocess``: ``keyword`` (``shell=``) not false → the whole command; a list → its program; a
    #: string → a command string (unless ``lists_only``)
    SHELL_KEYWORD = "shell-keyword"
    #: JavaScript ``child_process.spawn`` family: a ``shell`` option not false in the second or third argument
    #: → command and arguments; otherwise the program
    SHELL_PROPERTY = "shell-property"
    #: ``setTimeout`` / ``setInterval``: code only when the first argument is not a function or a name
    STRING_CODE = "string-code"
    #: a YAML loader that builds arbitrary objects (PyYAML without a safe ``Loader``; js-yaml < 4 or the full
    #: schema)
    UNSAFE_YAML = "unsafe-yaml"
    #: lxml without a parser, or with one made with ``resolve_entities=True`` / the version-dependent default
    XML_PARSER = "xml-parser"
    #: libxmljs with ``noent: true`` in its options
    ENTITIES_OPTION = "entities-option"
    #: ``keyword`` given as the constant ``False`` (``xmltodict.parse(x, disable_entities=False)``)
    KEYWORD_FALSE = "keyword-false"
    #: the last dangerous argument is a file path under /tmp (``s3.download_file(b, k, "/tmp/x")``)
    TMP_PATH = "tmp-path"
    #: JavaScript SQL methods: a query object's ``sql`` / ``text`` properties, or text built in the code
    #: (``docClient.query(params)`` is no SQL)
    SQL_TEXT = "sql-text"
    #: the first argument is the literal ``literal`` (case-insensitive): ``res.setHeader("Location", url)``
    FIRST_LITERAL = "first-literal"


@dataclass(frozen=True, slots=True)
class Arg:
    """One dangerous argument: by position (or :data:`RECEIVER`, :data:`LAST`, :data:`NO_INDEX`) and by name.

    In Python ``names`` are keyword arguments, all taken with the positional one. In JavaScript they are the
    properties of an options object at ``index`` (``axios({url})``), taken instead of the argument when it is
    one."""

    index: int = 0
    names: tuple[str, ...] = ()


EVERY = (Arg(ALL_ARGS),)


@dataclass(frozen=True, slots=True)
class Sink:
    """One catalog entry. A call fits when its qualified name is in ``callees`` or starts with one of
    ``prefixes`` (when either is given), its method name is in ``methods`` (when given), the last segment of its
    qualified name is in ``operations`` (when given), and it has ``min_args`` positional arguments."""

    kind: str  # a SinkKind value, or the engine-internal "persistence"
    label: str = "{callee}"  # how a finding names it: {callee}, {method}, {operation}, {keyword}, {note}
    callees: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    methods: frozenset[str] = frozenset()
    operations: frozenset[str] = frozenset()
    args: tuple[Arg, ...] = (Arg(),)
    option: Option = Option.ALWAYS
    keyword: str = ""  # the keyword / literal an option reads
    min_args: int = 0
    #: only when the name is not a function of the scanned package (``eval`` the builtin, not ``def eval``)
    builtin: bool = False
    #: the call must pass an options object as its first argument (AWS SDK v3 commands, DocumentClient)
    options_object: bool = False
    #: one hit per dangerous keyword / property given, named by ``label`` with ``{keyword}``
    each_name: bool = False
    #: the label used instead when this keyword is given (``execute_statement(Statement=...)`` is PartiQL)
    label_with: tuple[str, str] = ("", "")
    #: with :attr:`Option.SHELL_KEYWORD`: without a shell only a list is judged
    #: (``asyncio.create_subprocess_exec``)
    lists_only: bool = False

    def fits(self, qual: str, method: str, positional: int) -> bool:
        """Whether the call's callee pattern is this entry's (options and ``builtin`` aside)."""
        if (self.callees or self.prefixes) and not (qual in self.callees or
                                                    (bool(self.prefixes) and qual.startswith(self.prefixes))):
            return False
        if self.methods and method not in self.methods:
            return False
        if self.operations and qual.rsplit(".", 1)[-1] not in self.operations:
            return False
        return positional >= self.min_args


Chain = tuple[Sink, ...]
