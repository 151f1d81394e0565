"""The command line as a terminal citizen: progress on stderr, colour precedence, shell completion, help texts."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from remit.api import scan
from remit.cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, _ProgressDisplay, _show_progress, _use_color, main
from remit.cli import FORMATS as CLI_FORMATS
from remit.options import ScanOptions
from remit.progress import ProgressEvent, Stage

from .conftest import FIXTURES, ROOT

EXAMPLE = ROOT / "examples" / "orders-app"
APP = FIXTURES / "cli" / "app"
ONLY_URL = ["--select", "RMT-LAMBDA-001", "--no-config"]


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal, so the CLI draws its progress into it."""

    def isatty(self) -> bool:
        return True


class FakePipe(io.StringIO):
    def isatty(self) -> bool:
        return False


# --- progress: what the api reports -------------------------------------------------------------------------


def collapsed(events: list[ProgressEvent]) -> list[str]:
    stages: list[str] = []
    for event in events:
        if not stages or stages[-1] != event.stage.value:
            stages.append(event.stage.value)
    return stages


def test_scan_reports_every_stage_in_order_on_the_example() -> None:
    events: list[ProgressEvent] = []
    result = scan([EXAMPLE], ScanOptions(advisories=(EXAMPLE / "advisories",)), progress=events.append)
    assert collapsed(events) == ["discovering", "reading", "building the model", "translating SAM",
                                 "analysing code", "checking dependencies", "running rules", "finding attack paths"]
    assert events[0] == ProgressEvent(Stage.DISCOVER)
    read = [(e.done, e.total) for e in events if e.stage is Stage.READ]
    files = read[0][1]
    assert files is not None
    assert read == [(n, files) for n in range(files + 1)]  # one step per file, from 0 to all of them
    assert [e for e in events if e.stage is Stage.MODEL] == [ProgressEvent(Stage.MODEL, 0, 1, "templates")]
    assert [(e.done, e.total) for e in events if e.stage is Stage.TRANSLATE] == [(0, 1), (1, 1)]
    assert result.application is not None
    functions = len(result.application.functions)
    assert [e for e in events if e.stage in (Stage.CODE, Stage.DEPS)] == [
        ProgressEvent(Stage.CODE, 0, functions, "functions"), ProgressEvent(Stage.DEPS, 0, functions, "functions")]
    rules = [(e.done, e.total) for e in events if e.stage is Stage.RULES]
    assert rules == [(n, len(result.rules)) for n in range(len(result.rules) + 1)]
    assert events[-1] == ProgressEvent(Stage.GRAPH)


def test_scan_without_a_callback_gives_the_same_result() -> None:
    events: list[ProgressEvent] = []
    with_progress = scan([APP], ScanOptions(select=("RMT-LAMBDA-001",)), progress=events.append)
    without = scan([APP], ScanOptions(select=("RMT-LAMBDA-001",)))
    assert with_progress.findings == without.findings
    assert collapsed(events)[-1] == "finding attack paths"


def test_nothing_to_scan_stops_after_reading() -> None:
    events: list[ProgressEvent] = []
    scan([FIXTURES / "cli" / "empty"], progress=events.append)
    assert collapsed(events) == ["discovering", "reading"]


@pytest.mark.parametrize(("event", "text"), [
    (ProgressEvent(Stage.DISCOVER), "discovering"),
    (ProgressEvent(Stage.READ, 3, 12, "files"), "reading 3/12 files"),
    (ProgressEvent(Stage.TRANSLATE, 0, 1, "templates"), "translating SAM 0/1 template"),
    (ProgressEvent(Stage.CODE, 0, 7, "functions"), "analysing code (7 functions)"),
    (ProgressEvent(Stage.RULES, 40, 79, "rules"), "running rules 40/79 rules"),
])
def test_event_text(event: ProgressEvent, text: str) -> None:
    assert event.text() == text


# --- progress: when and how the CLI shows it ----------------------------------------------------------------


@pytest.mark.parametrize(("no_progress", "env", "tty", "shown"), [
    (False, {}, True, True),
    (False, {}, False, False),                          # piped or redirected stderr
    (True, {}, True, False),                            # --no-progress
    (False, {"REMIT_NO_PROGRESS": "1"}, True, False),
    (False, {"REMIT_NO_PROGRESS": ""}, True, True),     # empty means unset
    (False, {"CI": "true"}, True, False),               # CI logs
    (False, {"CI": "false"}, True, True),
    (False, {"TERM": "dumb"}, True, False),
    (False, {"FORCE_COLOR": "1"}, False, False),        # forcing colour does not force progress
])
def test_when_progress_is_shown(no_progress: bool, env: dict[str, str], tty: bool, shown: bool) -> None:
    stream = FakeTerminal() if tty else FakePipe()
    assert _show_progress(no_progress, stream, env) is shown


def test_progress_display_draws_each_stage_and_erases_itself() -> None:
    stream = FakeTerminal()
    events = [ProgressEvent(Stage.DISCOVER), ProgressEvent(Stage.READ, 0, 2, "files"),
              ProgressEvent(Stage.READ, 1, 2, "files"), ProgressEvent(Stage.READ, 2, 2, "files"),
              ProgressEvent(Stage.CODE, 0, 3, "functions")]
    with _ProgressDisplay(stream, color=False) as display:
        for event in events:
            display(event)
    out = stream.getvalue()
    drawn = [t for t in ("discovering", "reading 0/2 files", "reading 2/2 files", "analysing code (3 functions)")
             if t in out]
    assert drawn == ["discovering", "reading 0/2 files", "reading 2/2 files", "analysing code (3 functions)"]
    assert [out.index(t) for t in drawn] == sorted(out.index(t) for t in drawn)
    assert out.startswith("\x1b[?25l")  # the cursor is hidden while drawing...
    assert out.endswith("\x1b[2K")  # ...and the line is erased at the end
    assert "\x1b[?25h" in out  # with the cursor shown again
    assert "\x1b[3" not in out  # no colour asked, none given


def test_progress_display_is_erased_on_error() -> None:
    stream = FakeTerminal()

    def fail_midway() -> None:
        with _ProgressDisplay(stream, color=False) as display:
            display(ProgressEvent(Stage.RULES, 1, 5, "rules"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_midway()
    assert "running rules 1/5 rules" in stream.getvalue()
    assert stream.getvalue().endswith("\x1b[2K")


def test_cli_shows_progress_on_a_terminal_only(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REMIT_NO_PROGRESS", "CI", "TERM"):
        monkeypatch.delenv(name, raising=False)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["scan", str(APP), *ONLY_URL, "-f", "json"]) == EXIT_FINDINGS
    report = capsys.readouterr().out
    assert report.startswith("{")
    assert "running rules" not in report  # the report on stdout stays clean
    shown = terminal.getvalue()
    for text in ("discovering", "reading", "running rules 1/1 rule", "finding attack paths"):
        assert text in shown

    for argv, env in ((["--no-progress"], {}), ([], {"REMIT_NO_PROGRESS": "1"}), ([], {"CI": "true"})):
        terminal = FakeTerminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        with monkeypatch.context() as m:
            for name, value in env.items():
                m.setenv(name, value)
            assert main(["scan", str(APP), *ONLY_URL, "-f", "json", *argv]) == EXIT_FINDINGS
        assert terminal.getvalue() == "", (argv, env)


def test_policy_shows_progress_too(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("REMIT_NO_PROGRESS", "CI", "TERM"):
        monkeypatch.delenv(name, raising=False)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["policy", str(EXAMPLE)]) == EXIT_CLEAN
    assert "checking dependencies" in terminal.getvalue()
    assert "running rules" not in terminal.getvalue()
    assert "checking dependencies" not in capsys.readouterr().out


# --- colour ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("choice", "to_file", "env", "tty", "colour"), [
    ("auto", False, {}, True, True),
    ("auto", False, {}, False, False),
    ("auto", False, {"NO_COLOR": "1"}, True, False),
    ("auto", False, {"NO_COLOR": ""}, True, True),                         # empty NO_COLOR is unset
    ("auto", False, {"FORCE_COLOR": "1"}, False, True),                    # through a pipe
    ("auto", False, {"FORCE_COLOR": "0"}, False, True),                    # any non-empty value
    ("auto", False, {"FORCE_COLOR": ""}, False, False),                    # empty FORCE_COLOR is unset
    ("auto", False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, True),   # FORCE_COLOR wins over NO_COLOR
    ("auto", False, {"TERM": "dumb"}, True, False),
    ("auto", True, {"FORCE_COLOR": "1"}, False, False),                    # -o FILE: only --color always
    ("never", False, {"FORCE_COLOR": "1"}, True, False),                   # the flag wins over the environment
    ("always", False, {"NO_COLOR": "1"}, False, True),
    ("always", True, {}, False, True),
])
def test_colour_precedence(choice: str, to_file: bool, env: dict[str, str], tty: bool, colour: bool) -> None:
    stream = FakeTerminal() if tty else FakePipe()
    assert _use_color(choice, stream, to_file, env) is colour


def test_force_color_colours_piped_text(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # NO_COLOR=1 is set for every test too: FORCE_COLOR wins
    main(["scan", str(APP), *ONLY_URL])
    assert "\x1b[" in capsys.readouterr().out
    main(["scan", str(APP), *ONLY_URL, "--color", "never"])
    assert "\x1b[" not in capsys.readouterr().out
    target = tmp_path / "report.txt"
    main(["scan", str(APP), *ONLY_URL, "-o", str(target)])
    assert "\x1b[" not in target.read_text()
    assert "RMT-LAMBDA-001" in target.read_text()


# --- shell completion -----------------------------------------------------------------------------------------


SUBCOMMANDS = ("scan", "baseline", "rules", "explain", "policy", "advisories", "completion", "collect", "org")
FORMATS = CLI_FORMATS  # every report format the CLI offers


def completion(capsys: pytest.CaptureFixture[str], shell: str) -> str:
    assert main(["completion", shell]) == EXIT_CLEAN
    return capsys.readouterr().out


def test_completion_rejects_an_unknown_shell(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["completion", "cmd.exe"])
    assert info.value.code == EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_offers_commands_choices_and_files(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    script = tmp_path / "remit.bash"
    script.write_text(completion(capsys, "bash"))
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text()
    assert all(name in text for name in (*SUBCOMMANDS, *FORMATS))
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    (tmp_path / "cache").mkdir()
    probe = tmp_path / "probe.sh"
    probe.write_text(f"""source {script}
complete_words() {{
  COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}
  COMPREPLY=(); _shtab_remit; printf '%s\\n' "${{COMPREPLY[@]}}" | sort | tr '\\n' ' '; echo
}}
complete_words remit ""
complete_words remit scan --format ""
complete_words remit scan --fail-on ""
complete_words remit scan temp
complete_words remit scan --base
complete_words remit explain RMT-LAMBDA-00
complete_words remit advisories --cache-dir ca
""")
    out = subprocess.run(["bash", str(probe)], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0].split() == sorted(SUBCOMMANDS)
    assert lines[1].split() == sorted(FORMATS)
    assert lines[2].split() == ["critical", "high", "low", "medium", "none"]
    assert lines[3].split() == ["template.yaml"]  # PATH completes file names
    assert lines[4].split() == ["--baseline", "--baseline-ref"]
    assert lines[5].split() == [f"RMT-LAMBDA-00{n}" for n in range(1, 10)]
    assert lines[6].split() == ["cache"]  # a DIR completes directory names


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completion_is_valid(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    script = tmp_path / "_remit"
    script.write_text(completion(capsys, "zsh"))
    subprocess.run(["zsh", "-n", str(script)], check=True)
    text = script.read_text()
    assert text.startswith("#compdef remit")
    assert all(name in text for name in (*SUBCOMMANDS, *FORMATS))
    assert "_files" in text


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completion_offers_commands_choices_and_files(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    script = tmp_path / "remit.fish"
    script.write_text(completion(capsys, "fish"))
    subprocess.run(["fish", "--no-execute", str(script)], check=True)
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    probe = (f"source {script}; for line in 'remit ' 'remit scan --format ' 'remit scan --fail-on ' "
             "'remit scan temp'; complete -C $line | string split -f1 \\t | sort | string join ' '; end; true")
    out = subprocess.run(["fish", "--no-config", "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                         check=True, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}).stdout
    assert out.splitlines() == [" ".join(sorted(SUBCOMMANDS)), " ".join(sorted(FORMATS)),
                                "critical high low medium none", "template.yaml"]


def test_tcsh_completion_names_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    text = completion(capsys, "tcsh")
    assert "\ncomplete remit " in text
    assert all(name in text for name in (*SUBCOMMANDS, *FORMATS))


# --- help texts -----------------------------------------------------------------------------------------------


INPUT_FORMATS = ("SAM", "CloudFormation", "Serverless Framework", "serverless.yml", "Terraform", ".tf modules",
                 "terraform show -json", "CDK", "cdk.out")


@pytest.mark.parametrize("argv", [["--help"], ["scan", "--help"]])
def test_help_names_every_input_format(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines anywhere
    missing = [name for name in INPUT_FORMATS if name not in text]
    assert missing == []


@pytest.mark.parametrize(("argv", "lead"), [(["scan"], "nothing to scan"), (["policy"], "nothing to read")])
def test_nothing_found_names_every_input_format(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                lead: str) -> None:
    assert main([*argv, str(FIXTURES / "cli" / "empty")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert re.search(f"remit: {lead}: no SAM, CloudFormation, Serverless Framework, Terraform or CDK input found",
                     err)


def test_version_and_help_import_neither_rich_nor_shtab() -> None:
    probe = ("import sys; import remit.cli as c\n"
             "for argv in (['--version'], ['--help'], ['scan', '--help']):\n"
             "    try:\n        c.main(argv)\n    except SystemExit:\n        pass\n"
             "print([m for m in ('rich', 'shtab', 'yaml', 'remit.api') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
