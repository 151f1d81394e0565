"""The CI integrations remit ships: GitHub Action, GitLab CI template, pre-commit hook, Dockerfile.

Their files are checked against the schemas GitHub and GitLab publish (vendored by check-jsonschema, offline),
then run here as the CI would run them, against tiny fixture apps, with the `remit` of this environment.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from .conftest import FIXTURES, ROOT

APPS = FIXTURES / "integrations"
BIN = Path(sys.executable).parent
REMIT = BIN / "remit"
ACTION = ROOT / "action.yml"
SCRIPT = ROOT / "scripts" / "ci" / "github_action.py"
GITLAB = ROOT / "ci" / "gitlab" / "remit.gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
DOCKERFILE = ROOT / "Dockerfile"
# a full version tag (v6.0.0) or a commit; never a branch or a moving major tag
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_schema(schema: str, path: Path) -> None:
    done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def app(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A copy of a fixture app (parametrised by name) to scan and write reports in."""
    target = tmp_path / "repo"
    shutil.copytree(APPS / request.param, target)
    return target


# ------------------------------------------------------------------------------------------ GitHub Action


def action_steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = load(ACTION)["runs"]["steps"]
    return steps


def test_action_matches_githubs_schema() -> None:
    check_schema("vendor.github-actions", ACTION)


def test_action_is_composite_with_the_inputs_and_outputs_ci_needs() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {"path", "fail-on", "sarif-file", "baseline-ref", "args", "comment", "python-version",
            "github-token"} <= set(inputs)
    assert inputs["path"]["default"] == "."
    assert inputs["fail-on"]["default"] == "high"
    assert inputs["sarif-file"]["default"] == "remit.sarif"
    assert inputs["comment"]["default"] == "false"
    assert inputs["baseline-ref"]["default"] == ""
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    assert {"sarif-file", "exit-code", "findings"} <= set(action["outputs"])
    step_ids = {s.get("id") for s in action_steps()}
    for name, output in action["outputs"].items():
        ref = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", output["value"])
        assert ref is not None, name
        step, key = ref.groups()
        assert step in step_ids, name
        assert f'"{key}"' in SCRIPT.read_text(encoding="utf-8"), f"the script never sets output {key}"


def test_every_input_is_used_and_only_through_the_environment() -> None:
    action = load(ACTION)
    text = ACTION.read_text(encoding="utf-8")
    for name in action["inputs"]:
        assert f"inputs.{name} }}}}" in text or f"inputs.{name} ==" in text, f"input {name} is never used"
    for step in action_steps():
        # an input pasted into a shell command is script injection (a branch name, a PR title...)
        assert "${{" not in step.get("run", ""), step["name"]


def test_actions_the_action_uses_are_pinned_to_full_versions() -> None:
    uses = [s["uses"] for s in action_steps() if "uses" in s]
    assert uses == ["actions/setup-python@v6.0.0"]
    assert all(PINNED.match(u) for u in uses)
    setup = next(s for s in action_steps() if "uses" in s)
    # the job's own Python stays as it was
    assert setup["with"]["update-environment"] is False


def test_install_step_uses_the_actions_checkout_and_the_lock(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    module = github_action_module()
    calls: list[tuple[list[str], dict[str, str] | None]] = []

    def fake_run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append((command, kwargs.get("env")))
        return subprocess.CompletedProcess(command, 0, stdout="remit 9.9.9\n", stderr="")

    monkeypatch.setattr(module.subprocess, "run", fake_run)
    monkeypatch.setenv("GITHUB_ACTION_PATH", str(tmp_path / "action"))
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path / "runner"))
    monkeypatch.setenv("GITHUB_PATH", str(tmp_path / "path.txt"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out.txt"))
    assert module.main(["install"]) == 0
    venv = tmp_path / "runner" / "remit-venv"
    python = module.venv_python(venv)
    assert calls[0][0] == [sys.executable, "-m", "venv", str(venv)]
    pip, pip_env = calls[1]
    assert pip == [str(python), "-m", "pip", "install", "--quiet", str(tmp_path / "action")]
    assert pip_env is not None
    assert pip_env["PIP_CONSTRAINT"] == str(tmp_path / "action" / "requirements" / "lock.txt")
    assert (tmp_path / "path.txt").read_text() == f"{python.parent}\n"
    assert outputs(tmp_path / "out.txt") == {"remit-version": "9.9.9", "remit-bin": str(python.parent)}


def github_action_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("github_action", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


class Runner:
    """Runs a step of the Action's script the way the composite step does, with GitHub's files in tmp."""

    def __init__(self, workspace: Path, tmp: Path) -> None:
        self.workspace, self.tmp = workspace, tmp
        self.output, self.summary = tmp / "github_output", tmp / "step_summary"
        (tmp / "runner").mkdir()
        self.env = {
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp), "NO_COLOR": "1",
            "REMIT_CACHE_DIR": os.environ["REMIT_CACHE_DIR"], "REMIT_NO_CACHE": "1",
            "REMIT_TODAY": os.environ["REMIT_TODAY"],
            "GITHUB_OUTPUT": str(self.output), "GITHUB_STEP_SUMMARY": str(self.summary),
            "RUNNER_TEMP": str(tmp / "runner"), "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_REPOSITORY": "octo/app", "GITHUB_EVENT_NAME": "push",
            "GITHUB_SERVER_URL": "https://github.com",
            # the inputs' defaults, as action.yml passes them
            "REMIT_PATH": ".", "REMIT_FAIL_ON": "high", "REMIT_SARIF_FILE": "remit.sarif", "REMIT_ARGS": "",
            "REMIT_BASELINE_REF": "", "REMIT_SUMMARY": "true", "REMIT_COMMENT": "false",
        }

    def __call__(self, step: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(SCRIPT), step], cwd=self.workspace, env={**self.env, **env},
                              capture_output=True, text=True, check=False, timeout=300)

    def outputs(self) -> dict[str, str]:
        return outputs(self.output)


@pytest.fixture
def runner(app: Path, tmp_path: Path) -> Runner:
    return Runner(app, tmp_path)


@pytest.mark.parametrize("app", ["failing"], indirect=True)
def test_scan_step_reports_findings_without_failing(runner: Runner, app: Path) -> None:
    done = runner("scan")
    assert done.returncode == 0, done.stderr
    out = runner.outputs()
    assert out == {"exit-code": "1", "sarif-file": "remit.sarif", "findings": "3", "attack-paths": "0",
                   "markdown-file": str(runner.tmp / "runner" / "remit-report.md")}
    sarif = json.loads((app / "remit.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert sorted((r["ruleId"], bool(r.get("suppressions"))) for r in results) == [
        ("RMT-LAMBDA-001", False), ("RMT-LAMBDA-006", False), ("RMT-LAMBDA-008", False), ("RMT-LAMBDA-009", True)]
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.startswith("### remit: 3 findings (1 high, 1 medium, 1 low)")
    assert "`RMT-LAMBDA-001`" in summary
    assert "1 suppressed" in summary
    assert "::warning::remit: 3 findings" in done.stdout


@pytest.mark.parametrize("app", ["clean"], indirect=True)
def test_scan_step_on_a_clean_app(runner: Runner) -> None:
    done = runner("scan", REMIT_SUMMARY="false", REMIT_SARIF_FILE="reports/out.sarif")
    assert done.returncode == 0, done.stderr
    # findings below fail-on still count; no Markdown when neither summary nor comment was asked for
    assert runner.outputs() == {"exit-code": "0", "sarif-file": "reports/out.sarif", "findings": "3",
                                "attack-paths": "0"}
    assert (runner.workspace / "reports" / "out.sarif").is_file()
    assert not runner.summary.exists()


@pytest.mark.parametrize("app", ["failing"], indirect=True)
def test_scan_step_passes_fail_on_and_extra_arguments(runner: Runner) -> None:
    done = runner("scan", REMIT_FAIL_ON="critical", REMIT_ARGS="--ignore 'RMT-LAMBDA-008' --no-parallel")
    assert done.returncode == 0, done.stderr
    assert "remit scan . --fail-on critical --ignore RMT-LAMBDA-008 --no-parallel --format sarif" in done.stdout
    out = runner.outputs()
    assert (out["exit-code"], out["findings"]) == ("0", "2")


def test_baseline_ref_is_passed_only_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    module = github_action_module()
    for name, value in {"REMIT_PATH": "infra  app\n", "REMIT_FAIL_ON": "", "REMIT_ARGS": "--exclude 'a b/**'",
                        "REMIT_BASELINE_REF": "", "GITHUB_EVENT_NAME": "push", "REMIT_CONFIG": ""}.items():
        monkeypatch.setenv(name, value)
    assert module.scan_arguments() == ["infra", "app", "--exclude", "a b/**"]
    monkeypatch.setenv("REMIT_BASELINE_REF", "origin/main")
    monkeypatch.setenv("REMIT_FAIL_ON", "medium")
    assert module.scan_arguments() == ["infra", "app", "--fail-on", "medium", "--baseline-ref", "origin/main",
                                       "--exclude", "a b/**"]


@pytest.mark.parametrize(("event", "config", "expected"), [
    ("push", "", []),
    ("pull_request", "", ["--no-config"]),
    ("pull_request_target", "", ["--no-config"]),
    ("pull_request", "base/.remit.toml", ["--config", "base/.remit.toml"]),
])
def test_a_pull_request_never_configures_its_own_scan(monkeypatch: pytest.MonkeyPatch, event: str, config: str,
                                                      expected: list[str]) -> None:
    module = github_action_module()
    for name, value in {"REMIT_PATH": ".", "REMIT_FAIL_ON": "", "REMIT_ARGS": "", "REMIT_BASELINE_REF": "",
                        "GITHUB_EVENT_NAME": event, "REMIT_CONFIG": config}.items():
        monkeypatch.setenv(name, value)
    assert module.scan_arguments() == [".", *expected]


@pytest.mark.parametrize("app", ["failing"], indirect=True)
def test_scan_step_fails_when_remit_cannot_scan(runner: Runner) -> None:
    done = runner("scan", REMIT_PATH="nothing-here")
    assert done.returncode == 2
    assert runner.outputs() == {"exit-code": "2", "sarif-file": "remit.sarif"}
    assert "::error::remit could not scan (exit code 2)" in done.stdout


def pull_request_event(tmp: Path, number: int = 7) -> Path:
    event = tmp / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": number}}), encoding="utf-8")
    return event


def fake_gh(tmp: Path, comments: list[dict[str, Any]], fail_writes: bool = False) -> Path:
    """A `gh` that logs each call (and the body it was given) and serves the listed comments in two pages."""
    bin_dir = tmp / "fake-bin"
    bin_dir.mkdir()
    pages = json.dumps(comments[:1]) + "\n" + json.dumps(comments[1:])
    script = f"""#!{sys.executable}
import json, sys
args = sys.argv[1:]
body = None
if "--input" in args:
    body = json.load(open(args[args.index("--input") + 1]))["body"]
with open({str(tmp / "gh.log")!r}, "a") as log:
    log.write(json.dumps({{"args": args, "body": body}}) + "\\n")
if "--method" in args:
    if {fail_writes!r}:
        sys.stderr.write("HTTP 403: Resource not accessible by integration\\n")
        sys.exit(1)
    print("{{}}")
else:
    print({pages!r})
"""
    gh = bin_dir / "gh"
    gh.write_text(script, encoding="utf-8")
    gh.chmod(gh.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def gh_calls(tmp: Path) -> list[dict[str, Any]]:
    log = tmp / "gh.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.mark.parametrize("app", ["failing"], indirect=True)
def test_comment_is_skipped_cleanly_without_a_pull_request_token_or_gh(runner: Runner) -> None:
    assert runner("scan", REMIT_COMMENT="true").returncode == 0
    markdown = runner.outputs()["markdown-file"]
    base = {"REMIT_COMMENT": "true", "REMIT_MARKDOWN_FILE": markdown, "REMIT_FINDINGS": "3"}
    not_a_pr = runner("comment", **base, GH_TOKEN="t")
    assert (not_a_pr.returncode, not_a_pr.stdout) == (0, "::notice::remit: no pull-request comment: not a "
                                                         "pull-request event\n")
    event = str(pull_request_event(runner.tmp))
    no_token = runner("comment", **base, GITHUB_EVENT_PATH=event, GH_TOKEN="")
    assert (no_token.returncode, no_token.stdout) == (0, "::notice::remit: no pull-request comment: no "
                                                         "github-token\n")
    no_gh = runner("comment", **base, GITHUB_EVENT_PATH=event, GH_TOKEN="t", PATH=str(runner.tmp / "empty"))
    assert (no_gh.returncode, no_gh.stdout) == (0, "::notice::remit: no pull-request comment: the gh command is "
                                                   "not installed\n")
    off = runner("comment", **{**base, "REMIT_COMMENT": "false"}, GITHUB_EVENT_PATH=event, GH_TOKEN="t")
    assert (off.returncode, off.stdout) == (0, "")


@pytest.mark.parametrize("app", ["failing"], indirect=True)
def test_comment_posts_once_then_updates_its_own_comment(runner: Runner) -> None:
    assert runner("scan", REMIT_COMMENT="true").returncode == 0
    markdown = runner.outputs()["markdown-file"]
    others = [{"id": 1, "body": "LGTM"}, {"id": 2, "body": "see <!-- remit-scan-comment: . --> above"}]
    gh_path = fake_gh(runner.tmp, others)
    env = {"REMIT_COMMENT": "true", "REMIT_MARKDOWN_FILE": markdown, "REMIT_FINDINGS": "3", "GH_TOKEN": "t",
           "GITHUB_EVENT_PATH": str(pull_request_event(runner.tmp)), "PATH": f"{gh_path}{os.pathsep}/usr/bin"}
    done = runner("comment", **env)
    assert done.returncode == 0, done.stderr
    listing, post = gh_calls(runner.tmp)
    assert listing["args"] == ["api", "--paginate", "repos/octo/app/issues/7/comments?per_page=100"]
    assert post["args"][:4] == ["api", "--method", "POST", "repos/octo/app/issues/7/comments"]
    assert post["body"].startswith("<!-- remit-scan-comment: . -->\n### remit: 3 findings")
    assert "::notice::remit: posted the pull-request comment" in done.stdout

    # the next run finds its comment on the second page and edits it
    (runner.tmp / "gh.log").unlink()
    shutil.rmtree(gh_path)
    gh_path = fake_gh(runner.tmp, [*others, {"id": 99, "body": post["body"]}])
    done = runner("comment", **env)
    _, patch = gh_calls(runner.tmp)
    assert patch["args"][:4] == ["api", "--method", "PATCH", "repos/octo/app/issues/comments/99"]
    assert patch["body"] == post["body"]


@pytest.mark.parametrize("app", ["clean"], indirect=True)
def test_a_clean_scan_posts_nothing_new_and_a_refused_write_only_warns(runner: Runner) -> None:
    assert runner("scan", REMIT_COMMENT="true", REMIT_FAIL_ON="none", REMIT_ARGS="--select RMT-LAMBDA-001")\
        .returncode == 0
    out = runner.outputs()
    assert out["findings"] == "0"
    env = {"REMIT_COMMENT": "true", "REMIT_MARKDOWN_FILE": out["markdown-file"], "REMIT_FINDINGS": "0",
           "GH_TOKEN": "t", "GITHUB_EVENT_PATH": str(pull_request_event(runner.tmp))}
    gh_path = fake_gh(runner.tmp, [], fail_writes=True)
    done = runner("comment", **env, PATH=f"{gh_path}{os.pathsep}/usr/bin")
    assert done.stdout == "::notice::remit: no findings and no earlier comment to update; nothing posted\n"
    assert [c["args"][1] for c in gh_calls(runner.tmp)] == ["--paginate"]

    # an earlier comment is brought up to date (now clean); a fork's read-only token only warns
    shutil.rmtree(gh_path)
    gh_path = fake_gh(runner.tmp, [{"id": 5, "body": "<!-- remit-scan-comment: . -->\nold"}], fail_writes=True)
    done = runner("comment", **env, PATH=f"{gh_path}{os.pathsep}/usr/bin")
    assert done.returncode == 0
    assert done.stdout.startswith("::warning::remit: could not post the pull-request comment: HTTP 403")
    assert gh_calls(runner.tmp)[-1]["body"].startswith("<!-- remit-scan-comment: . -->\n### remit: 0 findings")


def test_long_reports_are_cut_to_githubs_limits() -> None:
    module = github_action_module()
    text = module.cut("x" * 70_000, module.COMMENT_LIMIT)
    assert len(text) == module.COMMENT_LIMIT
    assert text.endswith(module.TRUNCATED)
    assert module.cut("short", module.COMMENT_LIMIT) == "short"


# ------------------------------------------------------------------------------------------ GitLab CI


def gitlab_job() -> dict[str, Any]:
    job: dict[str, Any] = load(GITLAB)["remit"]
    return job


def test_gitlab_template_matches_gitlabs_schema() -> None:
    check_schema("vendor.gitlab-ci", GITLAB)


def test_gitlab_job_keeps_its_reports_when_it_fails() -> None:
    job = gitlab_job()
    assert job["artifacts"]["when"] == "always"
    assert set(job["artifacts"]["paths"]) == {"remit.sarif", "remit.md"}
    assert job["artifacts"]["reports"] == {"junit": "remit-junit.xml"}
    assert job["image"] == {"name": "$REMIT_IMAGE", "entrypoint": [""]}
    assert "allow_failure" not in job
    script = "\n".join(job["before_script"] + job["script"])
    for variable in job["variables"]:
        assert f"${variable}" in script or f"${{{variable}" in script or variable == "REMIT_IMAGE", variable


def run_gitlab_job(workspace: Path, shell: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """before_script and script in one shell with `set -e`, as GitLab's shell executor runs them."""
    job = gitlab_job()
    env = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(workspace.parent), "NO_COLOR": "1",
           "REMIT_CACHE_DIR": os.environ["REMIT_CACHE_DIR"], "REMIT_NO_CACHE": "1",
           "REMIT_TODAY": os.environ["REMIT_TODAY"], **{k: str(v) for k, v in job["variables"].items()}, **variables}
    script = "set -e\n" + "\n".join(job["before_script"] + job["script"])
    return subprocess.run([shell, "-c", script], cwd=workspace, env=env, capture_output=True, text=True,
                          check=False, timeout=300)


# bash, and a POSIX sh (as in images without bash) where there is one; each app in one of them
SHELL_RUNS = [("failing", 1, "3 findings (1 high, 1 medium, 1 low)", "bash"),
              ("clean", 0, "3 findings (1 medium, 2 low)", "dash" if shutil.which("dash") else "sh")]


@pytest.mark.parametrize(("app", "code", "headline", "shell"), SHELL_RUNS, indirect=["app"])
def test_gitlab_job_runs_and_fails_on_findings(app: Path, shell: str, code: int, headline: str) -> None:
    done = run_gitlab_job(app, shell)
    assert done.returncode == code, done.stderr
    assert done.stdout.startswith("remit ")  # remit --version, nothing installed: remit is on PATH
    sarif = json.loads((app / "remit.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert (app / "remit.md").read_text(encoding="utf-8").startswith(f"### remit: {headline}")
    assert not (app / "remit-junit.xml").exists()


@pytest.mark.parametrize("app", ["failing"], indirect=True)
def test_gitlab_job_variables_reach_remit(app: Path) -> None:
    done = run_gitlab_job(app, "bash", REMIT_FAIL_ON="critical", REMIT_ARGS="--ignore RMT-LAMBDA-006")
    assert done.returncode == 0, done.stderr
    assert (app / "remit.md").read_text(encoding="utf-8").startswith("### remit: 2 findings (1 high, 1 low)")
    unusable = run_gitlab_job(app, "bash", REMIT_PATH="nothing-here")
    assert unusable.returncode == 2
    assert not (app / "nothing-here").exists()


# ------------------------------------------------------------------------------------------ pre-commit


def test_pre_commit_hook_definition() -> None:
    hooks = load(HOOKS)
    assert [h["id"] for h in hooks] == ["remit"]
    hook = hooks[0]
    assert hook["language"] == "python"
    assert hook["entry"] == "remit scan"
    assert hook["pass_filenames"] is False
    assert hook["args"] == ["--fail-on", "high"]
    files = re.compile(hook["files"])
    assert all(files.search(f) for f in ("template.yaml", "infra/main.tf", "src/app.py", "package-lock.json",
                                         "serverless.yml", "cdk.out/manifest.json", "requirements.txt"))
    assert not any(files.search(f) for f in ("README.md", "logo.png"))


def run_hook(workspace: Path, args: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """The hook as pre-commit runs it: entry, then args, in the repository root, no file names."""
    hook = load(HOOKS)[0]
    command = shlex.split(hook["entry"]) + (hook["args"] if args is None else args)
    command[0] = str(BIN / command[0])  # pre-commit's environment has remit installed the same way
    return subprocess.run(command, cwd=workspace, capture_output=True, text=True, check=False, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.parametrize(("app", "code"), [("clean", 0), ("failing", 1)], indirect=["app"])
def test_pre_commit_hook_exit_codes(app: Path, code: int) -> None:
    done = run_hook(app)
    assert done.returncode == code, done.stderr
    assert f"fail-on high: {code} finding" in done.stdout


@pytest.mark.parametrize("app", ["clean"], indirect=True)
def test_pre_commit_hook_args_override_fail_on(app: Path) -> None:
    done = run_hook(app, ["--fail-on", "medium"])
    assert done.returncode == 1
    assert "fail-on medium: 1 finding and 0 attack paths at or above it" in done.stdout


# ------------------------------------------------------------------------------------------ Docker


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_is_pinned_multi_stage_and_runs_as_a_user() -> None:
    instructions = dockerfile()
    base = next(args for op, args in instructions if op == "ARG" and args.startswith("PYTHON_IMAGE="))
    # a Python version tag, slim, with the Debian release: never latest, never a bare major
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.\d+\.\d+-slim-\w+", base)
    stages = [args for op, args in instructions if op == "FROM"]
    assert stages == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]
    final = instructions[max(i for i, (op, _) in enumerate(instructions) if op == "FROM"):]
    final_ops = dict(final)
    assert final_ops["USER"].split(":")[0] not in {"root", "0"}
    assert final_ops["WORKDIR"] == "/src"
    assert json.loads(final_ops["ENTRYPOINT"]) == ["remit"]
    assert json.loads(final_ops["CMD"]) == ["scan", "/src"]
    runs = " ".join(args for op, args in final if op == "RUN")
    assert "--no-index" in runs  # only the wheels the first stage built at the locked versions
    assert not re.search(r"apt-get|gcc|build-essential", runs)
    build = " ".join(args for op, args in instructions[: len(instructions) - len(final)] if op == "RUN")
    assert "PIP_CONSTRAINT=requirements/lock.txt" in build
    # USER comes after every RUN of the final stage: nothing runs as root once it is set
    assert [op for op, _ in final].index("USER") > max(i for i, (op, _) in enumerate(final) if op == "RUN")


def test_dockerignore_lets_in_exactly_what_the_dockerfile_copies() -> None:
    patterns = [p for p in (ROOT / ".dockerignore").read_text().splitlines() if p and not p.startswith("#")]
    assert patterns[0] == "*"
    allowed = {p.removeprefix("!").rstrip("/") for p in patterns if p.startswith("!")}
    copied = {src for op, args in dockerfile() if op == "COPY" for src in args.split()[:-1]
              if not src.startswith("--")}
    assert copied == allowed
    assert all((ROOT / path).exists() for path in copied)


def docker_problem() -> str | None:
    if shutil.which("docker") is None:
        return "docker is not installed"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, check=False, timeout=60)
    return None if info.returncode == 0 else f"docker does not work here: {info.stderr.strip()[:200]}"


def test_docker_image_builds_and_scans(tmp_path: Path) -> None:
    problem = docker_problem()
    if problem:
        pytest.skip(problem)
    # builds from PyPI (the wheels at the locked versions): this test needs a working docker and the network
    tag = "remit-test:integrations"
    build = subprocess.run(["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True,
                           check=False, timeout=1800)
    assert build.returncode == 0, build.stderr[-3000:]
    try:
        user = subprocess.run(["docker", "image", "inspect", "-f", "{{.Config.User}}", tag], capture_output=True,
                              text=True, check=True).stdout.strip()
        assert user == "10001:10001"
        for name, code in (("clean", 0), ("failing", 1)):
            shutil.copytree(APPS / name, tmp_path / name)
            done = subprocess.run(["docker", "run", "--rm", "-v", f"{tmp_path / name}:/src:ro", tag, "scan", "/src",
                                   "--fail-on", "high"], capture_output=True, text=True, check=False, timeout=300)
            assert done.returncode == code, done.stderr
            assert "fail-on high" in done.stdout
    finally:
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True, check=False)


# ------------------------------------------------------------------------------------------ docs/ci.md


def doc_blocks(language: str) -> list[str]:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def doc_block(first_line: str, tmp_path: Path) -> Path:
    block = next(b for b in doc_blocks("yaml") if b.startswith(first_line))
    path = tmp_path / "block.yml"
    path.write_text(block, encoding="utf-8")
    return path


def test_documented_workflow_uploads_before_it_fails(tmp_path: Path) -> None:
    workflow = doc_block("# .github/workflows/remit.yml", tmp_path)
    check_schema("vendor.github-workflows", workflow)
    steps = load(workflow)["jobs"]["remit"]["steps"]
    assert all(PINNED.match(s["uses"]) for s in steps if "uses" in s)
    remit = next(s for s in steps if s.get("id") == "remit")
    assert set(remit["with"]) <= set(load(ACTION)["inputs"])
    upload = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert "!cancelled()" in steps[upload]["if"]
    gate = steps[-1]
    assert gate["if"] == "steps.remit.outputs.exit-code == '1'"
    assert "exit 1" in gate["run"]
    assert upload < len(steps) - 1


def test_documented_gitlab_and_pre_commit_setups_match_what_ships(tmp_path: Path) -> None:
    gitlab = doc_block("# .gitlab-ci.yml", tmp_path)
    check_schema("vendor.gitlab-ci", gitlab)
    config = load(gitlab)
    assert config["include"][0]["file"] == str(GITLAB.relative_to(ROOT))
    assert set(config["remit"]["variables"]) <= set(gitlab_job()["variables"])
    pre_commit = load(doc_block("# .pre-commit-config.yaml", tmp_path))
    assert [h["id"] for h in pre_commit["repos"][0]["hooks"]] == [h["id"] for h in load(HOOKS)]
