"""Version ordering per ecosystem, the way each ecosystem's own tools order versions.

OSV ``ECOSYSTEM`` ranges are written in the ecosystem's ordering, so one comparison rule for every ecosystem
would misplace versions: Maven has qualifiers (``1.0-alpha < 1.0-rc < 1.0 = 1.0.0 = 1.0.Final < 1.0-sp``),
NuGet four-part versions and case-insensitive labels, RubyGems ``1.0.a < 1.0`` with segments of any count.

* PyPI: PEP 440 (:mod:`packaging`).
* npm and Go modules: SemVer 2.0 precedence (:mod:`semantic_version`); a leading ``v`` (Go always writes one,
  OSV never does), build metadata and Go's ``+incompatible`` are ignored. Go pseudo-versions
  (``v0.0.0-20210220033148-5ea612d1eb83``) are pre-releases ordered by their timestamp, as Go orders them.
* Maven, NuGet, RubyGems: :mod:`univers` (the package-url project's implementations of each ordering).

:func:`key` returns a sortable key, or None when the text is not a version of that ecosystem.
"""

from __future__ import annotations

import re
from typing import Any

from remit.deps.facts import Ecosystem

# a RubyGems platform suffix in a lockfile (nokogiri (1.13.10-x86_64-linux)): not part of the version
_GEM_PLATFORM = re.compile(r"-(?:x86|x64|universal|arm|aarch64|java|jruby|mingw|mswin|darwin|linux|freebsd)\S*$")


def key(eco: Ecosystem, version: str) -> Any:
    """A sortable key for ``version`` in ``eco``'s ordering, or None when it does not parse."""
    version = version.strip()
    if not version:
        return None
    if eco is Ecosystem.PYPI:
        from packaging.version import InvalidVersion, Version  # noqa: PLC0415 - each ecosystem's ordering loads only when its packages are compared

        try:
            return Version(version)
        except InvalidVersion:
            return None
    if eco in (Ecosystem.NPM, Ecosystem.GO):
        return _semver(version.removesuffix("+incompatible"))
    return _univers(eco, version)


def _semver(version: str) -> Any:
    import semantic_version  # type: ignore[import-untyped]  # noqa: PLC0415 - each ecosystem's ordering loads only when its packages are compared

    plain = version.lstrip("v=").split("+", 1)[0]  # SemVer precedence ignores build metadata (npm too)
    try:
        return semantic_version.Version(plain)
    except ValueError:
        try:
            return semantic_version.Version.coerce(plain)
        except ValueError:
            return None


def _univers(eco: Ecosystem, version: str) -> Any:
    from univers import versions  # noqa: PLC0415 - each ecosystem's ordering loads only when its packages are compared

    kind: type[versions.Version]
    if eco is Ecosystem.MAVEN:
        if not re.match(r"^[0-9A-Za-z]", version) or "${" in version:
            return None  # an unresolved property or a range is not a version
        kind = versions.MavenVersion
    elif eco is Ecosystem.NUGET:
        kind = versions.NugetVersion
    else:
        version = _GEM_PLATFORM.sub("", version)
        kind = versions.RubygemsVersion
    try:
        return kind(version)
    except Exception:  # noqa: BLE001 - univers raises its own classes (InvalidNuGetVersion...) on hostile text
        return None


def same(eco: Ecosystem, a: str, b: str) -> bool:
    """Whether two spellings name one version (``1.0`` and ``1.0.0`` in Maven and NuGet, ``v1.2.3`` and
    ``1.2.3`` in Go)."""
    if a == b:
        return True
    ka, kb = key(eco, a), key(eco, b)
    return ka is not None and kb is not None and ka == kb
