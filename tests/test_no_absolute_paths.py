"""No report names a directory of the machine that wrote it: not where the app was scanned from, not the home
directory, not the working directory — in any format, diagnostics and standard error included.

The bundled example is copied under a home directory of its own (so the cache remit reads from ``~`` is a
place the test controls), with inputs that make remit talk about files: a template that does not parse, a
link out of the scanned root, a dangling link, an advisory cache, advisories that are missing.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import remit.api
from remit.cli import main
from remit.report import Format

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "orders-app"
REAL_HOME = Path.home()


OUTSIDE_CODE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  ElsewhereFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: ../../../../elsewhere/
"""


def _copy(tmp_path: Path, home: Path) -> Path:
    app = home / "projects" / "orders-app"
    shutil.copytree(EXAMPLE, app)
    (app / "broken.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Broken: [\n')
    outside = tmp_path / "outside.yaml"
    outside.write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n')
    (app / "linked-out.yaml").symlink_to(outside)
    (app / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    elsewhere = tmp_path / "elsewhere"  # code (and a manifest) outside the scanned root, named by a template
    elsewhere.mkdir()
    (elsewhere / "requirements.txt").write_text("requests==2.0.0\n")
    (elsewhere / "app.py").write_text("def handler(event, context):\n    return open(event['path']).read()\n")
    (app / "outside-code.yaml").write_text(OUTSIDE_CODE)
    return app


def _old_cache(home: Path) -> None:
    """An advisory cache where `remit advisories update` leaves it, downloaded long ago."""
    folder = home / ".cache" / "remit" / "advisories"
    folder.mkdir(parents=True)
    for ecosystem in ("PyPI", "npm"):
        with zipfile.ZipFile(folder / f"{ecosystem}.zip", "w") as archive:
            for record in sorted((EXAMPLE / "advisories" / ecosystem).glob("*.json")):
                archive.write(record, record.name)
    (folder / "meta.json").write_text(json.dumps({"downloaded": "2020-01-02T00:00:00+00:00"}))


def _with_config(app: Path, home: Path) -> tuple[Path, list[str]]:
    return ROOT, [str(app)]  # from the checkout, the app's .remit.toml (advisories beside it) applies


def _from_inside_with_cache(app: Path, home: Path) -> tuple[Path, list[str]]:
    _old_cache(home)
    return app, [".", "--no-config"]


def _missing_advisories(app: Path, home: Path) -> tuple[Path, list[str]]:
    (app / ".remit.toml").write_text('advisories = ["missing-advisories/"]\n')
    return app.parent, ["orders-app"]


VARIANTS: dict[str, Callable[[Path, Path], tuple[Path, list[str]]]] = {
    "with-config": _with_config, "from-inside-with-cache": _from_inside_with_cache,
    "missing-advisories": _missing_advisories}
TREE_CONFIG = (".remit.toml", "config-from-scanned-tree")  # the app's own configuration is named in the report
ADVISORY_DIAGNOSTIC = {"with-config": {TREE_CONFIG}, "from-inside-with-cache": {("", "advisories-old")},
                       "missing-advisories": {("", "advisories-unavailable"), TREE_CONFIG}}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_no_report_names_a_directory_of_this_machine(variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home" / REAL_HOME.name
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for name in ("REMIT_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    app = _copy(tmp_path, home)
    cwd, argv = VARIANTS[variant](app, home)
    monkeypatch.chdir(cwd)

    scan = remit.api.scan
    results: list[Any] = []

    def scan_once(*args: Any, **kwargs: Any) -> Any:  # one scan, rendered in every format by the CLI
        if not results:
            results.append(scan(*args, **kwargs))
        return results[0]

    monkeypatch.setattr(remit.api, "scan", scan_once)
    outputs: dict[str, str] = {}
    for fmt in Format:
        code = main(["scan", *argv, "--format", fmt.value, "--fail-on", "none"])
        out, err = capsys.readouterr()
        assert code == 0, err
        outputs[fmt.value] = out
        outputs[f"{fmt.value} (stderr)"] = err

    diagnostics = {(d["path"], d["code"]) for d in json.loads(outputs["json"])["diagnostics"]}
    assert diagnostics == {("broken.yaml", "parse-error"), ("linked-out.yaml", "symlink-outside-root"),
                           ("dangling.yaml", "symlink-broken"), ("outside-code.yaml", "code-not-resolved"),
                           *ADVISORY_DIAGNOSTIC[variant]}
    needles = {str(p) for p in (tmp_path, tmp_path.resolve(), home, REAL_HOME, Path.cwd(), ROOT)}
    needles |= {p.as_uri() for p in (tmp_path, tmp_path.resolve())}
    needles = {n for n in needles if len(n) > 4}  # a home of "/" would match everything and prove nothing
    assert str(tmp_path) in needles
    leaks = {fmt: sorted(n for n in needles if n in text) for fmt, text in outputs.items()}
    assert leaks == {key: [] for key in outputs}
