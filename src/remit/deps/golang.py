"""Go functions: ``go.mod`` (with ``go.sum`` beside it).

``go.mod`` lists every module the build uses (Go 1.17 and later keep the indirect ones there too, marked
``// indirect``), each at the exact version minimal version selection picked; ``replace`` directives are
applied (a module replaced by a local directory is a path dependency of unknown version, one replaced by another
module takes that module and version). ``go.sum`` is not read for versions: it also names versions the build
does not use; its presence marks the versions as locked and hashed. The Go standard library is not reported.
"""

from __future__ import annotations

import re
from pathlib import Path

from remit.deps.facts import Ecosystem, Origin, Package
from remit.deps.manifests import Listing, Shipped, _read, _rel
from remit.source import SourceLocation

_REQUIRE = re.compile(r"^(\S+)\s+(v\S+)")


def read(listing: Listing, root: Path, out: Shipped) -> None:
    if listing.is_file("go.mod"):
        read_go_mod(listing.directory / "go.mod", root, out, hashed=listing.is_file("go.sum"))


def _directives(text: str) -> list[tuple[int, str, str]]:
    """(line, verb, rest) for every directive, blocks (``require ( ... )``) unfolded; comments kept in rest."""
    found: list[tuple[int, str, str]] = []
    block = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if block:
            if line == ")":
                block = ""
            else:
                found.append((number, block, line))
            continue
        verb, _, rest = line.partition(" ")
        if rest.strip() == "(":
            block = verb
        else:
            found.append((number, verb, rest.strip()))
    return found


def read_go_mod(path: Path, root: Path, out: Shipped, *, hashed: bool) -> None:
    text = _read(path, root, out)
    if text is None:
        return
    rel = _rel(path, root)
    out.manifests.append(rel)
    directives = _directives(text)
    replaced: dict[tuple[str, str], tuple[str, str | None]] = {}  # (module, version or "") -> (target, version)
    for _, verb, rest in directives:
        if verb != "replace" or "=>" not in rest:
            continue
        old, new = (side.split("//")[0].split() for side in rest.split("=>", 1))
        if old and new:
            replaced[(old[0], old[1] if len(old) > 1 else "")] = (new[0], new[1] if len(new) > 1 else None)
    for number, verb, rest in directives:
        if verb != "require":
            continue
        match = _REQUIRE.match(rest)
        if not match:
            continue
        module, version = match.group(1), match.group(2)
        direct = "// indirect" not in rest
        target = replaced.get((module, version)) or replaced.get((module, ""))
        origin = Origin.REGISTRY
        at = SourceLocation(rel, number)
        if target is not None:
            if target[1] is None:  # a local directory
                out.packages.append(Package(module, Ecosystem.GO, None, target[0], direct, at, origin=Origin.PATH))
                continue
            module, version = target[0], target[1]
        out.packages.append(Package(module, Ecosystem.GO, version, version, direct, at, origin=origin,
                                    hashed=hashed, locked=hashed))
    if hashed:
        out.other_lock = True
