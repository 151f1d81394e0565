"""Java, Go, .NET and Ruby functions: their manifests and lockfiles, each ecosystem's version ordering against
OSV ranges, package URLs in the SBOM."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from remit.api import scan
from remit.deps import advisories, versions
from remit.deps.advisories import affects, best_fix, load_database
from remit.deps.facts import Ecosystem, Origin, Package
from remit.deps.manifests import read_directory
from remit.options import ScanOptions
from remit.source import SourceLocation

from .conftest import FIXTURES

ADVISORIES = FIXTURES / "advisories"
DEP_FIXTURE = FIXTURES / "rules" / "RMT-DEP-001"


def _read(tmp_path: Path, files: dict[str, str]) -> list[Package]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    shipped, _ = read_directory(tmp_path, tmp_path)
    assert not shipped.diagnostics, shipped.diagnostics
    return shipped.packages


def _by_name(packages: list[Package]) -> dict[str, Package]:
    return {p.name: p for p in packages}


# -- orderings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("eco", "ordered"), [
    (Ecosystem.MAVEN, ["1.0-alpha-1", "1.0-beta", "1.0-rc1", "1.0-SNAPSHOT", "1.0", "1.0-sp1", "1.0.1", "1.10"]),
    (Ecosystem.MAVEN, ["2.0-beta9", "2.0-rc1", "2.0", "2.3", "2.3.1", "2.12.2", "2.14.1", "2.15.0"]),
    (Ecosystem.NUGET, ["1.0.0-alpha", "1.0.0-beta.2", "1.0.0-beta.10", "1.0.0", "1.0.0.1", "1.0.1", "12.0.3",
                       "13.0.1"]),
    (Ecosystem.RUBYGEMS, ["1.0.a", "1.0.b1", "1.0", "1.0.1", "2.2.3", "2.2.3.1", "2.2.10"]),
    (Ecosystem.GO, ["v0.0.0-20210220033148-5ea612d1eb83", "v0.0.0-20221012135044-0b7e1fb9d458", "v0.6.0",
                    "v0.7.0", "v0.10.0", "v1.2.3+incompatible", "v2.0.0+incompatible"]),
])
def test_each_ecosystem_orders_as_its_tools_do(eco: Ecosystem, ordered: list[str]) -> None:
    keys = [versions.key(eco, v) for v in ordered]
    assert None not in keys
    assert all(a < b for a, b in itertools.pairwise(keys)), ordered


@pytest.mark.parametrize(("eco", "a", "b"), [
    (Ecosystem.MAVEN, "1.0", "1.0.0"), (Ecosystem.MAVEN, "1.0.0.Final", "1.0"), (Ecosystem.MAVEN, "1.0-GA", "1"),
    (Ecosystem.NUGET, "1.0", "1.0.0"), (Ecosystem.NUGET, "1.0.0-BETA", "1.0.0-beta"),
    (Ecosystem.GO, "v1.2.3", "1.2.3"), (Ecosystem.RUBYGEMS, "1.13.10-x86_64-linux", "1.13.10"),
])
def test_spellings_of_one_version(eco: Ecosystem, a: str, b: str) -> None:
    assert versions.same(eco, a, b)


def test_not_versions() -> None:
    assert versions.key(Ecosystem.MAVEN, "${log4j.version}") is None
    assert versions.key(Ecosystem.MAVEN, "[1.0,2.0)") is None
    assert versions.key(Ecosystem.NUGET, "latest") is None
    assert versions.key(Ecosystem.RUBYGEMS, "abc") is None
    assert versions.key(Ecosystem.GO, "") is None


def test_ranges_in_each_ordering() -> None:
    db = load_database([ADVISORIES])
    log4j = "org.apache.logging.log4j:log4j-core"
    for version, hit, fix in [("2.0-beta9", True, "2.3.1"), ("2.0-beta8", False, None), ("2.3", True, "2.3.1"),
                              ("2.3.1", False, None), ("2.12.1", True, "2.12.2"), ("2.12.2", False, None),
                              ("2.14.1", True, "2.15.0"), ("2.15.0", False, None)]:
        found = advisories.matches(db, Ecosystem.MAVEN, log4j, version)
        assert bool(found) is hit, version
        assert (found[0][1] if found else None) == fix, version
    assert advisories.matches(db, Ecosystem.GO, "golang.org/x/net", "v0.6.0")[0][1] == "0.7.0"
    assert not advisories.matches(db, Ecosystem.GO, "golang.org/x/net", "v0.7.0")
    assert not advisories.matches(db, Ecosystem.GO, "golang.org/X/net", "v0.6.0")  # module paths are exact
    assert advisories.matches(db, Ecosystem.NUGET, "newtonsoft.json", "12.0.3")
    assert not advisories.matches(db, Ecosystem.NUGET, "newtonsoft.json", "13.0.1")
    assert advisories.matches(db, Ecosystem.RUBYGEMS, "rack", "2.2.3")
    assert not advisories.matches(db, Ecosystem.RUBYGEMS, "rack", "2.2.3.1")
    assert advisories.matches(db, Ecosystem.RUBYGEMS, "rack", "2.1.4")


def test_listed_versions_match_in_another_spelling() -> None:
    entry = {"versions": ["1.0"]}
    assert affects(entry, Ecosystem.MAVEN, "1.0.0")
    assert not affects(entry, Ecosystem.MAVEN, "1.0.1")
    assert best_fix(["2.12.2", "2.3.1", "2.15.0"], Ecosystem.MAVEN, "2.10") == "2.12.2"


# -- Maven and Gradle ------------------------------------------------------------------------------------

POM = """<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>3.1.0</version></parent>
  <artifactId>fn</artifactId>
  <properties><jackson>2.9.10</jackson><jackson.databind>${jackson}.8</jackson.databind></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>31.1-jre</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId>
      <version>${jackson.databind}</version>
    </dependency>
    <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId></dependency>
    <dependency><groupId>org.example</groupId><artifactId>shared</artifactId><version>${project.version}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>[1.7,2.0)</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.12</version><scope>test</scope></dependency>
    <dependency><groupId>javax.servlet</groupId><artifactId>servlet-api</artifactId><version>2.5</version><scope>provided</scope></dependency>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter</artifactId></dependency>
  </dependencies>
</project>
"""


def test_pom_properties_management_and_scopes(tmp_path: Path) -> None:
    found = _by_name(_read(tmp_path, {"pom.xml": POM}))
    assert set(found) == {"com.fasterxml.jackson.core:jackson-databind", "com.google.guava:guava",
                          "org.example:shared", "org.slf4j:slf4j-api", "org.springframework.boot:spring-boot-starter"}
    databind = found["com.fasterxml.jackson.core:jackson-databind"]
    assert (databind.version, databind.direct, databind.manifest.line) == ("2.9.10.8", True, 10)
    assert found["com.google.guava:guava"].version == "31.1-jre"
    assert found["org.example:shared"].version == "3.1.0"  # the parent's version, inherited
    assert found["org.slf4j:slf4j-api"].version is None
    assert found["org.slf4j:slf4j-api"].spec == "[1.7,2.0)"
    assert found["org.springframework.boot:spring-boot-starter"].version is None  # only the parent knows
    assert databind.purl == "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10.8"


def test_hostile_build_files_are_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "pom.xml").write_text('<?xml version="1.0"?>\n<!DOCTYPE project [<!ENTITY a "aaaa">'
                                      '<!ENTITY b "&a;&a;&a;&a;">]>\n<project>&b;</project>\n')
    (tmp_path / "Bad.csproj").write_text("<Project><ItemGroup>")
    (tmp_path / "Deep.fsproj").write_text("<a>" * 100 + "</a>" * 100)
    shipped, _ = read_directory(tmp_path, tmp_path)
    assert not shipped.packages
    messages = {d.path: d.message for d in shipped.diagnostics}
    assert "DTD" in messages["pom.xml"]
    assert "no element found" in messages["Bad.csproj"]
    assert "nested deeper" in messages["Deep.fsproj"]


def test_gradle_lockfile(tmp_path: Path) -> None:
    packages = _read(tmp_path, {"gradle.lockfile": (
        "# Gradle generated\n"
        "com.amazonaws:aws-lambda-java-core:1.2.3=compileClasspath,runtimeClasspath\n"
        "org.junit.jupiter:junit-jupiter-api:5.10.0=testCompileClasspath,testRuntimeClasspath\n"
        "org.projectlombok:lombok:1.18.30=annotationProcessor,compileClasspath\n"
        "empty=\n")})
    found = _by_name(packages)
    assert set(found) == {"com.amazonaws:aws-lambda-java-core", "org.projectlombok:lombok"}
    core = found["com.amazonaws:aws-lambda-java-core"]
    assert (core.version, core.locked, core.direct, core.manifest.line) == ("1.2.3", True, False, 2)


# -- Go --------------------------------------------------------------------------------------------------

GO_MOD = """module example.com/fn

go 1.22

require github.com/aws/aws-lambda-go v1.47.0

require (
\tgithub.com/google/uuid v1.6.0 // indirect
\tgolang.org/x/crypto v0.1.0
\texample.com/shared v0.0.0-00010101000000-000000000000
)

replace golang.org/x/crypto => golang.org/x/crypto v0.17.0
replace example.com/shared => ../shared
"""


def test_go_mod_requires_and_replacements(tmp_path: Path) -> None:
    found = _by_name(_read(tmp_path, {"go.mod": GO_MOD, "go.sum": "github.com/aws/aws-lambda-go v1.47.0 h1:x=\n"}))
    lambda_go = found["github.com/aws/aws-lambda-go"]
    assert (lambda_go.version, lambda_go.direct, lambda_go.manifest.line, lambda_go.hashed) == ("v1.47.0", True, 5,
                                                                                                 True)
    assert not found["github.com/google/uuid"].direct
    assert found["golang.org/x/crypto"].version == "v0.17.0"
    shared = found["example.com/shared"]
    assert (shared.origin, shared.version, shared.spec) == (Origin.PATH, None, "../shared")
    assert lambda_go.purl == "pkg:golang/github.com/aws/aws-lambda-go@v1.47.0"


# -- .NET ------------------------------------------------------------------------------------------------


def test_nuget_project_central_versions_and_lock(tmp_path: Path) -> None:
    packages = _read(tmp_path, {
        "Fn.csproj": ('\ufeff<Project Sdk="Microsoft.NET.Sdk"><ItemGroup>\n'
                      '<PackageReference Include="Amazon.Lambda.Core" />\n'
                      '<PackageReference Include="AWSSDK.S3"><Version>3.7.*</Version></PackageReference>\n'
                      '<PackageReference Update="Serilog" Version="3.0.0" />\n'
                      '</ItemGroup></Project>\n'),
        "Directory.Packages.props": ('<Project><ItemGroup><PackageVersion Include="Amazon.Lambda.Core" '
                                     'Version="[2.2.0]" /></ItemGroup></Project>'),
        "packages.lock.json": json.dumps({"version": 1, "dependencies": {"net8.0": {
            "AWSSDK.S3": {"type": "Direct", "requested": "[3.7.*, )", "resolved": "3.7.305.1", "contentHash": "x"},
            "AWSSDK.Core": {"type": "Transitive", "resolved": "3.7.300", "contentHash": "y"},
            "Orders.Shared": {"type": "Project"}}}}, indent=2)})
    found = {(p.name, p.version): p for p in packages}
    assert set(found) == {("Amazon.Lambda.Core", "2.2.0"), ("AWSSDK.S3", "3.7.305.1"), ("AWSSDK.Core", "3.7.300")}
    s3 = found[("AWSSDK.S3", "3.7.305.1")]
    assert (s3.direct, s3.locked, s3.manifest.path, s3.manifest.line) == (True, True, "Fn.csproj", 3)
    assert not found[("AWSSDK.Core", "3.7.300")].direct
    assert s3.purl == "pkg:nuget/AWSSDK.S3@3.7.305.1"


def test_packages_config(tmp_path: Path) -> None:
    packages = _read(tmp_path, {"packages.config": (
        '<?xml version="1.0" encoding="utf-8"?>\n<packages>\n  <package id="Newtonsoft.Json" version="12.0.3" />\n'
        '  <package id="StyleCop.Analyzers" version="1.1.118" developmentDependency="true" />\n</packages>\n')})
    assert [(p.name, p.version, p.manifest.line) for p in packages] == [("Newtonsoft.Json", "12.0.3", 3)]


# -- Ruby ------------------------------------------------------------------------------------------------

GEMFILE_LOCK = """GIT
  remote: https://github.com/example/tool.git
  revision: 0123456789abcdef
  specs:
    tool (0.1.0)

GEM
  remote: https://rubygems.org/
  specs:
    aws-sdk-s3 (1.142.0)
      aws-sdk-core (~> 3, >= 3.189.0)
    aws-sdk-core (3.190.0)
    nokogiri (1.15.5-x86_64-linux)
      racc (~> 1.4)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  aws-sdk-s3 (~> 1.142)
  nokogiri
  tool!

BUNDLED WITH
   2.5.3
"""


def test_gemfile_lock(tmp_path: Path) -> None:
    found = _by_name(_read(tmp_path, {"Gemfile.lock": GEMFILE_LOCK}))
    assert set(found) == {"tool", "aws-sdk-s3", "aws-sdk-core", "nokogiri"}
    assert found["nokogiri"].version == "1.15.5"
    assert found["nokogiri"].direct
    assert found["aws-sdk-s3"].direct
    assert not found["aws-sdk-core"].direct
    assert found["tool"].origin is Origin.GIT
    assert found["tool"].direct
    assert found["aws-sdk-s3"].manifest.line == 10
    assert Package("rack", Ecosystem.RUBYGEMS, "2.2.3", "", True, SourceLocation("x", 1)).purl == "pkg:gem/rack@2.2.3"


# -- the whole stage -------------------------------------------------------------------------------------


def test_a_mixed_app_in_the_sbom_and_its_code_said_unanalysed() -> None:
    from remit.report import Format, render

    result = scan([DEP_FIXTURE], ScanOptions(select=("DEP",), advisories=(ADVISORIES,)))
    bom = json.loads(render(result, Format.CYCLONEDX))
    purls = {c.get("purl") for c in bom["components"]} | {
        c.get("purl") for c in bom["components"] for c in c.get("components", [])}
    assert {"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "pkg:golang/golang.org/x/net@v0.6.0",
            "pkg:nuget/Newtonsoft.Json@12.0.3", "pkg:gem/rack@2.2.3"} <= purls
    vulnerable = {(v["id"], a["ref"]) for v in bom["vulnerabilities"] for a in v["affects"]}
    assert ("GHSA-jfh8-c2jp-5v3q", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1") in vulnerable
    assert ("GO-2023-1571", "pkg:golang/golang.org/x/net@v0.6.0") in vulnerable
    notes = {d.message.split(":")[0]: d for d in result.diagnostics if d.code == "code-not-analysed"}
    assert set(notes) == {"JavaFn", "GradleFn", "GoFn", "GoFixedFn", "DotnetFn", "RubyFn"}
    assert "its Maven dependencies are read and matched against advisories, but its code is not analysed" in \
        notes["JavaFn"].message
    assert (notes["JavaFn"].path, notes["JavaFn"].line) == ("template.yaml", 16)
