"""The steps of remit's GitHub Action (action.yml at the repository root), kept here so they can run locally.

``action.yml`` only maps its inputs to environment variables and calls this script; nothing from an input is
ever pasted into a shell command. Standard library only: it runs on the Python that actions/setup-python
provides, before remit is installed.

    python github_action.py install   # a virtualenv in $RUNNER_TEMP with remit from the action's checkout,
                                      # versions from requirements/lock.txt; its bin directory goes on $GITHUB_PATH
    python github_action.py scan      # SARIF report + Markdown summary; never fails on findings (exit code 1
                                      # becomes the `exit-code` output), fails only when remit could not scan
    python github_action.py comment   # create or update the one pull-request comment marked as remit's

Environment (set by action.yml): REMIT_PATH (paths, separated by whitespace), REMIT_FAIL_ON, REMIT_SARIF_FILE,
REMIT_BASELINE_REF, REMIT_CONFIG, REMIT_ARGS (extra arguments, shell-quoted), REMIT_BIN, REMIT_SUMMARY,
REMIT_COMMENT, REMIT_MARKDOWN_FILE, REMIT_FINDINGS, GH_TOKEN; and what GitHub sets: GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY, GITHUB_PATH, RUNNER_TEMP, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY,
GITHUB_SERVER_URL, GITHUB_ACTION_PATH.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

EXIT_FINDINGS = 1
ATTACK_PATH_RULE = "remit/attack-path"
# GitHub's limits: 65,536 characters for a comment body, 1 MiB for one step's summary.
COMMENT_LIMIT = 65_000
SUMMARY_LIMIT = 1_000_000
TRUNCATED = "\n\n_The report was cut here to fit GitHub's size limit; the SARIF file has every finding._\n"


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def flag(name: str) -> bool:
    return env(name).lower() in {"true", "1", "yes", "on"}


def notice(level: str, message: str) -> None:
    """A workflow command: ``::notice::``, ``::warning::`` or ``::error::`` (shown as an annotation)."""
    message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print(f"::{level}::{message}", flush=True)


def set_outputs(values: Mapping[str, str]) -> None:
    """Append ``name=value`` lines to $GITHUB_OUTPUT (printed instead when it is not set, for local runs)."""
    lines = "".join(f"{k}={v}\n" for k, v in values.items())
    target = env("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(lines)
    else:
        sys.stdout.write(lines)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(TRUNCATED)] + TRUNCATED


# ---------------------------------------------------------------------------------------------------- install


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def install() -> int:
    """Create a virtualenv and install remit from the action's own checkout, pinned by the lock."""
    action = Path(env("GITHUB_ACTION_PATH", str(Path(__file__).resolve().parents[2])))
    lock = action / "requirements" / "lock.txt"
    venv = Path(env("RUNNER_TEMP", tempfile.gettempdir())) / "remit-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv_python(venv)
    # PIP_CONSTRAINT also reaches the isolated build environment, so the build backend is the locked one too.
    pip_env = {**os.environ, "PIP_CONSTRAINT": str(lock), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(action)], check=True, env=pip_env)
    bin_dir = python.parent
    if env("GITHUB_PATH"):
        with open(env("GITHUB_PATH"), "a", encoding="utf-8") as out:
            out.write(f"{bin_dir}\n")
    version = subprocess.run([str(bin_dir / "remit"), "--version"], check=True, capture_output=True, text=True)
    set_outputs({"remit-version": version.stdout.strip().removeprefix("remit "), "remit-bin": str(bin_dir)})
    return 0


# ---------------------------------------------------------------------------------------------------- scan


def scan_arguments() -> list[str]:
    """The arguments both scans share: paths, --fail-on, --baseline-ref, then the user's extra arguments."""
    paths = env("REMIT_PATH", ".").split()
    args = [*paths]
    if env("REMIT_FAIL_ON"):
        args += ["--fail-on", env("REMIT_FAIL_ON")]
    if env("REMIT_BASELINE_REF"):
        args += ["--baseline-ref", env("REMIT_BASELINE_REF")]
    return args + config_arguments() + shlex.split(os.environ.get("REMIT_ARGS", ""))


PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


def config_arguments() -> list[str]:
    """The configuration the scan may trust. A pull request's own ``.remit.toml`` is the author's word about how
    their change is judged (it could set ``fail-on = "none"``), so on pull-request events the checkout's file
    is not read (``--no-config``); the ``config`` input (a file the workflow took from the base branch, or its
    own) is used instead. On other events (pushes to your branches) the repository's file is yours."""
    if env("REMIT_CONFIG"):
        return ["--config", env("REMIT_CONFIG")]
    if env("GITHUB_EVENT_NAME") in PULL_REQUEST_EVENTS:
        return ["--no-config"]
    return []


def remit_command() -> list[str]:
    """``remit`` from $REMIT_BIN (the install step's output), else from PATH, else this Python's ``-P -m remit``."""
    found = shutil.which("remit", path=env("REMIT_BIN") or None)
    return [found] if found else [sys.executable, "-P", "-m", "remit"]  # -P: the checkout is not on sys.path


def count_results(sarif: Path) -> tuple[int, int]:
    """Unsuppressed findings and attack paths in a remit SARIF file."""
    document: dict[str, Any] = json.loads(sarif.read_text(encoding="utf-8"))
    findings = paths = 0
    for run in document.get("runs", []):
        for result in run.get("results", []):
            if result.get("suppressions"):
                continue
            if result.get("ruleId") == ATTACK_PATH_RULE:
                paths += 1
            else:
                findings += 1
    return findings, paths


def scan() -> int:
    """Run the scan; exit 0 with findings (the caller gates on the exit-code output), non-zero when remit failed."""
    sarif = Path(env("REMIT_SARIF_FILE", "remit.sarif"))
    shared = scan_arguments()
    remit = remit_command()
    print("remit scan " + shlex.join([*shared, "--format", "sarif", "--output", str(sarif)]), flush=True)
    code = subprocess.run([*remit, "scan", *shared, "--format", "sarif", "--output", str(sarif)],
                          check=False).returncode
    outputs = {"exit-code": str(code), "sarif-file": str(sarif)}
    if code > EXIT_FINDINGS or not sarif.is_file():
        set_outputs(outputs)
        notice("error", f"remit could not scan (exit code {code}); see the log above")
        return code or 1
    findings, attack_paths = count_results(sarif)
    outputs |= {"findings": str(findings), "attack-paths": str(attack_paths)}

    if flag("REMIT_SUMMARY") or flag("REMIT_COMMENT"):
        markdown = Path(env("RUNNER_TEMP", tempfile.gettempdir())) / "remit-report.md"
        done = subprocess.run([*remit, "scan", *shared, "--format", "markdown", "--output", str(markdown)],
                              check=False)
        if done.returncode > EXIT_FINDINGS or not markdown.is_file():
            notice("warning", f"remit could not write the Markdown summary (exit code {done.returncode})")
        else:
            outputs["markdown-file"] = str(markdown)
            if flag("REMIT_SUMMARY") and env("GITHUB_STEP_SUMMARY"):
                with open(env("GITHUB_STEP_SUMMARY"), "a", encoding="utf-8") as summary:
                    summary.write(cut(markdown.read_text(encoding="utf-8"), SUMMARY_LIMIT) + "\n")
    set_outputs(outputs)
    if code == EXIT_FINDINGS:
        notice("warning", f"remit: {findings} findings, some at or above the fail-on severity; "
                          "the exit-code output is 1 for a later step to fail the job")
    return 0


# ---------------------------------------------------------------------------------------------------- comment


def marker() -> str:
    """The hidden line that marks remit's comment, one per scanned path set, so reruns update it."""
    key = " ".join(env("REMIT_PATH", ".").split()).replace("--", "-")
    return f"<!-- remit-scan-comment: {key} -->"


def pull_request_number() -> int | None:
    event_path = env("GITHUB_EVENT_PATH")
    if not event_path or not Path(event_path).is_file():
        return None
    event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    number = (event.get("pull_request") or {}).get("number")
    return number if isinstance(number, int) else None


def json_values(text: str) -> list[Any]:
    """The JSON values in ``gh api --paginate`` output: one array per page, back to back."""
    decoder, values, at = json.JSONDecoder(), [], 0
    text = text.strip()
    while at < len(text):
        value, at = decoder.raw_decode(text, at)
        values.append(value)
        while at < len(text) and text[at].isspace():
            at += 1
    return values


def gh(args: Sequence[str], stdin_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    gh_env = dict(os.environ)
    server = env("GITHUB_SERVER_URL", "https://github.com").split("://", 1)[-1].rstrip("/")
    if server != "github.com":
        gh_env.setdefault("GH_HOST", server)  # GitHub Enterprise Server
    command = ["gh", "api", *args, *(["--input", str(stdin_file)] if stdin_file else [])]
    return subprocess.run(command, check=False, capture_output=True, text=True, env=gh_env)


def skip_comment(reason: str) -> int:
    notice("notice", f"remit: no pull-request comment: {reason}")
    return 0


def comment() -> int:
    """Create or update remit's pull-request comment; every reason not to is a notice, never a failure."""
    if not flag("REMIT_COMMENT"):
        return 0
    number = pull_request_number()
    repository = env("GITHUB_REPOSITORY")
    markdown = Path(env("REMIT_MARKDOWN_FILE") or os.devnull)
    if number is None or not repository:
        return skip_comment("not a pull-request event")
    if not (env("GH_TOKEN") or env("GITHUB_TOKEN")):
        return skip_comment("no github-token")
    if shutil.which("gh") is None:
        return skip_comment("the gh command is not installed")
    if not env("REMIT_MARKDOWN_FILE") or not markdown.is_file():
        return skip_comment("no Markdown report from the scan step")
    listed = gh(["--paginate", f"repos/{repository}/issues/{number}/comments?per_page=100"])
    if listed.returncode != 0:
        notice("warning", f"remit: cannot read the pull request's comments: {listed.stderr.strip()}")
        return 0
    mark = marker()
    previous = [c["id"] for page in json_values(listed.stdout) for c in page
                if isinstance(c, dict) and str(c.get("body", "")).startswith(mark)]
    if not previous and env("REMIT_FINDINGS", "0") == "0":
        notice("notice", "remit: no findings and no earlier comment to update; nothing posted")
        return 0
    body = mark + "\n" + cut(markdown.read_text(encoding="utf-8"), COMMENT_LIMIT - len(mark) - 1)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as payload:
        json.dump({"body": body}, payload)
    try:
        if previous:
            done = gh(["--method", "PATCH", f"repos/{repository}/issues/comments/{previous[-1]}"], Path(payload.name))
        else:
            done = gh(["--method", "POST", f"repos/{repository}/issues/{number}/comments"], Path(payload.name))
    finally:
        Path(payload.name).unlink()
    if done.returncode != 0:
        # a pull request from a fork gets a read-only token: the scan result stands, only the comment is lost
        notice("warning", f"remit: could not post the pull-request comment: {done.stderr.strip()}")
        return 0
    notice("notice", f"remit: {'updated' if previous else 'posted'} the pull-request comment")
    return 0


STEPS = {"install": install, "scan": scan, "comment": comment}


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1 or argv[0] not in STEPS:
        print(f"usage: github_action.py {'|'.join(STEPS)}", file=sys.stderr)
        return 2
    return STEPS[argv[0]]()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
