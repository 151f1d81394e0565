"""Ruby functions: ``Gemfile.lock``.

Every gem the bundle resolved, from the ``GEM`` (rubygems.org or another gem server), ``GIT`` and ``PATH``
sections' ``specs:``; a gem named under ``DEPENDENCIES`` is direct. A platform suffix
(``nokogiri (1.13.10-x86_64-linux)``) is not part of the version.
"""

from __future__ import annotations

import re
from pathlib import Path

from remit.deps.buildfiles import read_lock
from remit.deps.facts import Ecosystem, Origin, Package
from remit.deps.manifests import Listing, Shipped
from remit.source import SourceLocation

_SPEC = re.compile(r"^    ([A-Za-z0-9_.\-]+) \(([^)\s]+)\)$")  # four spaces: a resolved gem (six: its needs)
_DEPENDENCY = re.compile(r"^  ([A-Za-z0-9_.\-]+)")
_PLATFORM = re.compile(r"-(?:x86|x64|universal|arm|aarch64|java|jruby|mingw|mswin|darwin|linux|freebsd)\S*$")
_SECTIONS = {"GEM": Origin.REGISTRY, "GIT": Origin.GIT, "PATH": Origin.PATH}


def read(listing: Listing, root: Path, out: Shipped) -> None:
    if listing.is_file("Gemfile.lock"):
        read_gemfile_lock(listing.directory / "Gemfile.lock", root, out)


def read_gemfile_lock(path: Path, root: Path, out: Shipped) -> None:
    read = read_lock(path, root, out)
    if read is None:
        return
    text, rel = read
    lines = text.splitlines()
    direct = set()
    section = ""
    for line in lines:
        if line and not line[0].isspace():
            section = line.strip()
        elif section == "DEPENDENCIES" and (m := _DEPENDENCY.match(line)):
            direct.add(m.group(1).lower())
    section = ""
    for number, line in enumerate(lines, 1):
        if line and not line[0].isspace():
            section = line.strip()
            continue
        origin = _SECTIONS.get(section)
        match = _SPEC.match(line.rstrip())
        if origin is None or not match:
            continue
        name, version = match.group(1), _PLATFORM.sub("", match.group(2))
        out.packages.append(Package(name, Ecosystem.RUBYGEMS, version, version, name.lower() in direct,
                                    SourceLocation(rel, number), origin=origin, locked=True))
