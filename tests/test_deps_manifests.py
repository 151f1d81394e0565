"""Reading what a package directory ships: manifests, lockfiles, vendored packages, bad input."""

from __future__ import annotations

from pathlib import Path

from remit.deps.facts import Ecosystem, Origin, Package
from remit.deps.manifests import merge, npm_origin, npm_pin, pep440_pin, read_directory
from remit.deps.signs import one_step, typosquat_of
from remit.source import SourceLocation

from .conftest import FIXTURES, ROOT

DEPS = FIXTURES / "deps"


def _by_name(directory: Path) -> dict[tuple[str, str | None], Package]:
    shipped, _ = read_directory(directory, DEPS)
    return {(p.key, p.version): p for p in shipped.packages}


def test_python_manifests_and_locks() -> None:
    shipped, _ = read_directory(DEPS / "py", DEPS)
    found = {(p.key, p.version): p for p in shipped.packages}
    assert found[("pyyaml", "5.3")].manifest == SourceLocation("py/requirements.txt", 5)  # marker kept off the name
    requests = found[("requests", "2.19.1")]
    assert requests.direct
    assert requests.hashed
    assert requests.vendored
    assert found[("urllib3", "1.24.1")].manifest.path == "py/requirements-base.txt"  # -r include
    assert found[("flask", "2.2.5")].spec == "<3,==2.2.5,>=2.0"  # -c constraints.txt pins the range
    assert found[("flask", "2.2.5")].manifest == SourceLocation("py/requirements.txt", 8)  # the requirement's line
    assert found[("acme-lib", None)].origin is Origin.GIT
    assert found[("jinja2", "2.10")].manifest.line == 5  # PEP 621
    assert found[("lxml", "4.6.2")].direct
    assert found[("lxml", "4.6.2")].locked
    assert not found[("cffi", "1.15.1")].direct  # transitive, only in the lockfile
    assert found[("internal", "0.3.0")].origin is Origin.GIT
    assert found[("django", "3.2.0")].locked
    assert ("pytest", "7.0.0") not in found
    assert ("idna", "2.7") in found
    assert not any(k == "svc" for k, _ in found)
    assert shipped.py_lock
    assert any(d.code == "requirement-malformed" and d.line == 10 for d in shipped.diagnostics)


def test_constraints_pin_but_add_nothing() -> None:
    shipped, _ = read_directory(DEPS / "py", DEPS)
    found = {(p.key, p.version): p for p in shipped.packages}
    assert not any(key == "numpy" for key, _ in found)  # constrained, never required: not shipped
    assert found[("urllib3", "1.24.1")].spec == "<2,==1.24.1"  # reaches the -r include too
    assert found[("pyyaml", "5.3")].spec == "<6,==5.3"  # a nested -c file
    assert {"py/constraints.txt", "py/constraints-extra.txt"} <= set(shipped.manifests)
    assert any(d.code == "requirement-malformed" and d.path == "py/constraints-extra.txt" and d.line == 2
               for d in shipped.diagnostics)


def test_constraint_conflicts_and_outside_files(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "requirements.txt").write_text(
        "requests==2.19.1\nboto3\n-c pins.txt\n-c ../../outside.txt\ngit+https://x/y.git#egg=flask\n")
    (tmp_path / "app" / "pins.txt").write_text("requests==2.31.0\nboto3>=1.28\nflask==3.0.0\n")
    shipped, _ = read_directory(tmp_path / "app", tmp_path)
    found = {p.key: p for p in shipped.packages}
    assert found["requests"].version == "2.19.1"  # the requirement's pin stays; pip would refuse the set
    assert [(d.code, d.line) for d in shipped.diagnostics] == [("requirement-conflict", 1)]
    assert found["boto3"].version is None
    assert found["boto3"].spec == ">=1.28"
    assert found["flask"].origin is Origin.GIT  # URLs are not constrained
    assert found["flask"].version is None


def test_npm_manifests_locks_and_vendored() -> None:
    shipped, vendored = read_directory(DEPS / "npm", DEPS)
    found = {(p.key, p.version): p for p in shipped.packages}
    lodash = found[("lodash", "4.17.15")]
    assert lodash.direct
    assert lodash.manifest.path == "npm/package.json"
    assert ("lodash", None) not in found
    assert ("jest", "29.0.0") not in found  # dev dependencies do not ship
    assert not found[("deep", "0.1.0")].direct  # lockfile v1 nesting
    assert found[("@scope/pkg", "1.2.0")].locked  # yarn classic, two descriptors
    assert ("ms", "2.0.0") in found
    assert ("qs", "6.5.2") in found
    assert ("@babel/core", "7.0.0") in found
    assert found[("inner", "0.0.1")].vendored  # nested node_modules
    assert found[("fork", None)].origin is Origin.GIT
    assert {p.name for p in (path.parent for path, _ in vendored)} >= {"lodash", "pkg", "inner"}


def test_yarn_berry_and_lock_v3() -> None:
    assert ("lodash", "4.17.20") in _by_name(DEPS / "berry")
    found = _by_name(DEPS / "lockv3")
    assert ("axios", "0.21.0") in found
    assert ("jest", "29.0.0") not in found
    assert found[("tarball", "1.0.0")].origin is Origin.URL


def test_bad_input_becomes_diagnostics() -> None:
    shipped, _ = read_directory(DEPS / "bad", DEPS)
    codes = {d.code for d in shipped.diagnostics}
    assert codes == {"manifest-malformed", "manifest-binary"}
    assert shipped.packages == []


def test_pins() -> None:
    assert pep440_pin("==1.2.3") == "1.2.3"
    assert pep440_pin("==1.*") is None
    assert pep440_pin(">=1") is None
    assert pep440_pin("==1,<2") is None
    assert npm_pin("4.17.15") == "4.17.15"
    assert npm_pin("=1.0.0") == "1.0.0"
    assert npm_pin("^4.17.15") is None
    assert npm_pin("1.x") is None
    assert npm_origin("acme/lib") is Origin.GIT
    assert npm_origin("https://x/y.tgz") is Origin.URL
    assert npm_origin("file:../x") is Origin.PATH
    assert npm_origin("^1.0.0") is Origin.REGISTRY


def test_merge_keeps_one_entry_per_version() -> None:
    at = SourceLocation("requirements.txt", 3)
    direct = Package("Requests", Ecosystem.PYPI, None, ">=2", True, at)
    locked = Package("requests", Ecosystem.PYPI, "2.31.0", "==2.31.0", False, SourceLocation("poetry.lock", 9),
                     locked=True)
    merged = merge([direct, locked])
    assert len(merged) == 1
    assert merged[0].direct
    assert merged[0].manifest == at
    assert merged[0].version == "2.31.0"


def test_typosquat_steps() -> None:
    assert one_step("reqeusts", "requests") == "swap"
    assert one_step("requets", "requests") == "edit"
    assert one_step("python_dateutil", "python-dateutil") == "separator"
    assert one_step("requests", "requests") is None
    assert one_step("urllib", "urllib3x") is None
    assert typosquat_of(Ecosystem.PYPI, "reqeusts") == ("requests", "swap")
    assert typosquat_of(Ecosystem.PYPI, "requests") is None
    assert typosquat_of(Ecosystem.PYPI, "sux") is None  # short names are not judged
    assert typosquat_of(Ecosystem.NPM, "lodahs") == ("lodash", "swap")


def test_a_manifest_shared_by_functions_is_one_finding_per_fact() -> None:
    """Two functions ship src/reports/: each advisory and sign in its requirements.txt is one finding naming
    both, with a fingerprint of the fact alone (it stays when the list of functions changes)."""
    from remit.api import scan
    from remit.options import ScanOptions

    example = ROOT / "examples" / "orders-app"
    result = scan([example], ScanOptions(advisories=(example / "advisories",)))
    shared = [f for f in result.findings if f.location.path == "src/reports/requirements.txt"]
    assert shared
    for f in shared:
        assert f.message.endswith("Affects 2 functions: FulfilmentFunction, ReportsFunction."), f.message
        assert dict(f.details)["affects"] == "FulfilmentFunction,ReportsFunction"
    facts = [(f.rule_id, f.location.line, dict(f.details).get("advisory") or dict(f.details).get("sign"))
             for f in shared]
    assert len(facts) == len(set(facts))  # each fact once, not once per function
