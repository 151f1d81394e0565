"""remit org: plan, run (local and Dask engines, retries, timeouts, skips, shards), merge.

Most runs use a stand-in for the remit executable (tests/fixtures/org/stand_in_remit.py), which is also how
account targets are tested: it answers `remit collect aws` and `remit scan --aws`, the command lines of the
live-account collector. One test runs the real remit on fixture repositories on a Dask LocalCluster.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from remit.cli import main
from remit.errors import EngineError, PlanError
from remit.org.merge import merge, write_state
from remit.org.plan import Plan, Target, TargetKind, account_target, build_plan, plan_text, read_plan, tree_digest
from remit.org.render import render
from remit.org.run import config_digest, parse_shard, run_plan
from remit.org.status import Status, read_status, report_path
from remit.org.worker import Job, account_commands

FIXTURES = Path(__file__).parent / "fixtures"
STAND_IN = FIXTURES / "org" / "stand_in_remit.py"
MERGE_FIXTURE = FIXTURES / "org" / "merge"
UPDATE = "REMIT_UPDATE_GOLDEN"


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_stand_in(tmp_path, monkeypatch)


def use_stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stand-in remit's state directory (its call log, the trees it scanned), set for this test."""
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.setenv("STAND_IN_STATE", str(state))
    monkeypatch.setenv("STAND_IN_ACCOUNTS", str(MERGE_FIXTURE / "accounts"))
    return state


def _calls(state: Path) -> list[str]:
    log = state / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def _repos(root: Path, **markers: str) -> Path:
    """Repositories named by the keywords, each with a marker file (or none for '')."""
    for name, marker in markers.items():
        (root / name).mkdir(parents=True)
        (root / name / "template.yaml").write_text(f"# {name}\n")
        if marker:
            (root / name / marker).write_text("")
    return root


def _job(out: Path, retries: int = 2, timeout: float = 60.0) -> Job:
    return Job(out=str(out), config_digest="c1", retries=retries, timeout=timeout,
               remit_command=(sys.executable, str(STAND_IN)))


# -- plan ---------------------------------------------------------------------------------------------------


def test_plan_lists_directories_and_url_lines_with_digests(tmp_path: Path) -> None:
    repos = _repos(tmp_path / "repos", alpha="", beta="")
    listing = tmp_path / "list.txt"
    listing.write_text(f"# comment\nrepos/alpha\nhttps://git.example/team/alpha.git {'0123456789abcdef' * 2}01234567\n")
    plan = build_plan([repos, listing])
    assert [(t.id, t.name, t.commit) for t in plan.targets] == [
        ("alpha", "alpha", ""), ("beta", "beta", ""), ("alpha-2", "alpha", ""),
        ("alpha-3", "alpha@0123456789ab", "0123456789abcdef" * 2 + "01234567")]
    assert plan.targets[0].digest == plan.targets[2].digest == tree_digest(repos / "alpha")
    assert read_plan(_write(tmp_path / "plan.json", plan_text(plan))) == plan


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_digest_changes_with_content_not_with_git_metadata(tmp_path: Path) -> None:
    repo = _repos(tmp_path, app="") / "app"
    before = tree_digest(repo)
    (repo / ".git").mkdir()
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert tree_digest(repo) == before
    (repo / "template.yaml").write_text("# changed\n")
    assert tree_digest(repo) != before
    (repo / "link").symlink_to("../../outside")  # hashed as a link, never followed
    assert tree_digest(repo) != before


@pytest.mark.parametrize("line", ["https://git.example/a.git", "https://git.example/a.git deadbeef",
                                  "repo deadbeef extra", "repo not-a-commit"])
def test_plan_rejects_bad_repository_lines(tmp_path: Path, line: str) -> None:
    with pytest.raises(PlanError):
        build_plan([_write(tmp_path / "list.txt", line + "\n")])


def test_plan_accounts_from_a_file_and_from_organizations(tmp_path: Path) -> None:
    accounts = _write(tmp_path / "accounts.txt", "111111111111 prod\n222222222222\n")
    plan = build_plan(accounts=str(accounts), role_name="RemitAudit", external_id="x-1")
    assert [(t.id, t.role, t.external_id) for t in plan.targets] == [
        ("aws-111111111111", "arn:aws:iam::111111111111:role/RemitAudit", "x-1"),
        ("aws-222222222222", "arn:aws:iam::222222222222:role/RemitAudit", "x-1")]
    with pytest.raises(PlanError, match="role-name"):
        build_plan(accounts=str(accounts))

    class Pages:
        def paginate(self) -> list[dict[str, object]]:
            return [{"Accounts": [{"Id": "333333333333", "Status": "ACTIVE"},
                                  {"Id": "444444444444", "Status": "SUSPENDED"}]}]

    class Organizations:
        def get_paginator(self, name: str) -> Pages:
            assert name == "list_accounts"
            return Pages()

    plan = build_plan(accounts="organizations", role_name="RemitAudit", organizations_client=Organizations())
    assert [t.source for t in plan.targets] == ["333333333333"]


def test_shards_are_disjoint_and_cover_the_plan() -> None:
    plan = Plan(tuple(Target(f"t{i}", TargetKind.REPOSITORY, f"t{i}", f"/r/{i}", "d") for i in range(11)))
    for n in (1, 2, 3, 4, 11, 13):
        shards = [plan.shard(i, n) for i in range(n)]
        ids = [t.id for shard in shards for t in shard]
        assert sorted(ids) == sorted(t.id for t in plan.targets)
        assert len(ids) == len(set(ids))
        assert max(map(len, shards)) - min(map(len, shards)) <= 1
    assert parse_shard("2/4") == (2, 4)
    for bad in ("4/4", "1", "-1/2", "a/b", "0/0"):
        with pytest.raises(PlanError):
            parse_shard(bad)


# -- run ----------------------------------------------------------------------------------------------------


def test_run_retries_a_failure_reports_another_and_a_rerun_does_no_work(tmp_path: Path, stand_in: Path) -> None:
    plan = build_plan([_repos(tmp_path / "repos", good="", flaky="FAIL_ONCE", broken="FAIL", empty="EMPTY")])
    out = tmp_path / "out"
    summary = run_plan(plan, _job(out), "local", 2)
    status = {r.target: (r.status, r.attempt) for r in summary.records}
    assert status == {"good": (Status.OK, 1), "flaky": (Status.OK, 2), "broken": (Status.FAILED, 3),
                      "empty": (Status.EMPTY, 1)}
    assert "internal error in broken" in next(r.error for r in summary.failed)
    assert report_path(out, "flaky").is_file()
    assert not report_path(out, "broken").exists()
    assert not report_path(out, "empty").exists()
    assert not list(out.rglob(".*.tmp"))  # every write was moved into place
    calls = len(_calls(stand_in))

    again = run_plan(plan, _job(out), "local", 2)
    assert [r.target for r in again.records] == ["broken"]  # only what failed runs again
    assert sorted(again.skipped) == ["empty", "flaky", "good"]
    assert len(_calls(stand_in)) == calls + 3

    (tmp_path / "repos" / "good" / "template.yaml").write_text("# edited\n")
    changed = build_plan([tmp_path / "repos"])
    assert [r.target for r in run_plan(changed, _job(out), "local", 2).records] == ["broken", "good"]
    new_config = Job(out=str(out), config_digest="c2", retries=0, remit_command=_job(out).remit_command)
    assert len(run_plan(changed, new_config, "local", 2).records) == 4  # another remit or options: all again


def test_a_timeout_is_retried_then_reported_and_kills_the_scan(tmp_path: Path, stand_in: Path) -> None:
    plan = build_plan([_repos(tmp_path / "repos", slow="SLOW", quick="")])
    summary = run_plan(plan, _job(tmp_path / "out", retries=1, timeout=1.5), "local", 2)
    record = {r.target: r for r in summary.records}
    assert (record["slow"].status, record["slow"].attempt) == (Status.TIMEOUT, 2)
    assert record["slow"].exit_code is None
    assert "timed out" in record["slow"].error
    assert 3.0 <= record["slow"].duration < 20
    assert record["quick"].status is Status.OK
    stored = read_status(tmp_path / "out", "slow")
    assert stored is not None
    assert (stored.status, stored.attempt, stored.error) == (
        Status.TIMEOUT, 2, record["slow"].error)


def test_account_targets_run_the_collector_then_scan_its_snapshot(tmp_path: Path, stand_in: Path) -> None:
    accounts = _write(tmp_path / "accounts.txt", "111111111111\n222222222222\n")
    plan = build_plan(accounts=str(accounts), role_name="RemitAudit", external_id="ext")
    out = tmp_path / "out"
    summary = run_plan(plan, _job(out), "local", 2)
    assert [r.status for r in summary.records] == [Status.OK, Status.OK]
    report = json.loads(report_path(out, "aws-111111111111").read_text())
    assert report["attack_paths"][0]["id"] == "AP-000000000b01"
    calls = sorted(_calls(stand_in))
    assert calls[0].startswith("collect aws --role-arn arn:aws:iam::111111111111:role/RemitAudit -o ")
    assert calls[0].endswith("--external-id ext")
    assert sum(c.startswith("scan ") and "snapshot" in c for c in calls) == 2
    # an unchanged account is scanned again only when its result is older than --max-age
    assert run_plan(plan, _job(out), "local", 2).records == ()
    assert len(run_plan(plan, _job(out), "local", 2, max_age=0.0).records) == 2


def test_account_commands_are_the_documented_integration_point() -> None:
    target = account_target("111111111111", "Audit", "")
    collect, scan = account_commands(target, Job(out="o", config_digest="c", remit_command=("remit",)),
                                     Path("snap"), Path("r.json"))
    assert collect == ["remit", "collect", "aws", "--role-arn", "arn:aws:iam::111111111111:role/Audit", "-o", "snap"]
    assert scan == ["remit", "scan", "snap", "-f", "json", "-o", "r.json", "--fail-on", "none", "--no-progress"]
    job = Job(out="o", config_digest="c", remit_command=("remit",), collect_options=("--regions=eu-west-1",))
    collect, _ = account_commands(account_target("111111111111", "Audit", "x"), job, Path("snap"), Path("r.json"))
    assert collect[-3:] == ["--external-id", "x", "--regions=eu-west-1"]
    assert config_digest(("remit",), (), "none") != config_digest(("remit",), (), "none", ("--regions=eu-west-1",))


def test_dask_local_cluster_runs_real_scans_and_a_forced_failure(tmp_path: Path, stand_in: Path) -> None:
    pytest.importorskip("distributed")
    repos = tmp_path / "repos"
    for name in ("broad-role", "injection-to-table", "deny-wins"):
        shutil.copytree(FIXTURES / "graph" / name, repos / name)
    plan = build_plan([repos])
    out = tmp_path / "out"
    real = Job(out=str(out), config_digest="c1", retries=1, timeout=300)
    summary = run_plan(plan, real, "dask", 2)
    assert {r.target: r.status for r in summary.records} == dict.fromkeys(
        ("broad-role", "deny-wins", "injection-to-table"), Status.OK)
    report = json.loads(report_path(out, "injection-to-table").read_text())
    assert report["schema_version"] == "1"
    assert {f["rule_id"] for f in report["findings"]} >= {"RMT-API-001"}
    assert run_plan(plan, real, "dask", 2).records == ()  # unchanged: no work, not even a cluster task

    flaky = build_plan([_repos(tmp_path / "more", flaky="FAIL_ONCE", broken="FAIL")])
    records = {r.target: r for r in run_plan(flaky, _job(tmp_path / "out2", retries=1), "dask", 2).records}
    assert (records["flaky"].status, records["flaky"].attempt) == (Status.OK, 2)
    assert (records["broken"].status, records["broken"].attempt) == (Status.FAILED, 2)


def test_dask_missing_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    plan = Plan((Target("a", TargetKind.REPOSITORY, "a", str(tmp_path), "d"),))
    with pytest.raises(EngineError, match=r"remit\[dask\]"):
        run_plan(plan, _job(tmp_path / "out"), "dask", 2)


# -- merge --------------------------------------------------------------------------------------------------


def _merged_copy(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(MERGE_FIXTURE / "out", out)
    return out


@pytest.mark.parametrize(("fmt", "expected"), [("json", "expected.json"), ("markdown", "expected.md")])
def test_merged_report_equals_the_stored_one(tmp_path: Path, fmt: str, expected: str) -> None:
    merged = merge(_merged_copy(tmp_path), join_accounts=True)
    text = render(merged.report, fmt)
    golden = MERGE_FIXTURE / expected
    if os.environ.get(UPDATE):  # refresh on purpose, then inspect the diff
        golden.write_text(text)
    assert text == golden.read_text()


def test_merge_marks_new_against_the_previous_merge_and_keeps_failed_targets_state(tmp_path: Path) -> None:
    out = _merged_copy(tmp_path)
    (out / "merge-state.json").unlink()
    first = merge(out)
    assert first.report["summary"]["previous_merge"] is False
    assert first.report["new"] == {"findings": [], "attack_paths": []}
    write_state(out, first)
    second = merge(out)  # the same run again: the same answer
    assert second.report == first.report
    assert second.state == first.state
    record = json.loads((out / "status" / "injection-to-table.json").read_text())
    record["finished"] = "2030-01-01T00:00:00+00:00"  # the next run
    (out / "status" / "injection-to-table.json").write_text(json.dumps(record))
    third = merge(out)
    assert third.report["summary"]["previous_merge"] is True
    assert third.report["new"] == {"findings": [], "attack_paths": []}


def test_merge_treats_a_broken_report_as_a_failed_target(tmp_path: Path) -> None:
    out = _merged_copy(tmp_path)
    report_path(out, "injection-to-table").write_text('{"schema_version": "1", "findings": 3}')
    failed = {f["target"]: f for f in merge(out).report["failed"]}
    assert "not a remit JSON report" in failed["injection-to-table"]["error"]


def test_html_and_sarif_escape_and_carry_every_finding(tmp_path: Path) -> None:
    merged = merge(_merged_copy(tmp_path), join_accounts=True)
    page = render(merged.report, "html")
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    sarif = json.loads(render(merged.report, "sarif"))
    results = [r for run in sarif["runs"] for r in run["results"]]
    assert len(results) == merged.report["summary"]["findings"]
    assert {r["baselineState"] for r in results} == {"new", "unchanged"}


# -- command line -------------------------------------------------------------------------------------------


def test_cli_plan_run_shards_merge(tmp_path: Path, stand_in: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _repos(tmp_path / "repos", a="", b="", c="FAIL", d="")
    plan, out = tmp_path / "plan.json", tmp_path / "out"
    assert main(["org", "plan", "--repos", str(tmp_path / "repos"), "-o", str(plan)]) == 0
    command = f"{sys.executable} {STAND_IN}"
    codes = [main(["org", "run", str(plan), "--out", str(out), "--shard", f"{i}/2", "--workers", "1",
                   "--retries", "0", "--remit-command", command]) for i in range(2)]
    assert codes == [1, 0]  # shard 0 (a, c) holds the failing target
    # the two shards ran disjoint halves that together are the plan: each target scanned once, one record each
    scanned = sorted(Path(call.split()[1]).name for call in _calls(stand_in))
    assert scanned == ["a", "b", "c", "d"]
    assert sorted(p.stem for p in (out / "status").glob("*.json")) == ["a", "b", "c", "d"]
    err = capsys.readouterr().err
    assert "remit: c: failed (attempt 1" in err
    assert "shard 0/2: 2 run, 0 unchanged (skipped), 1 failed" in err
    assert main(["org", "merge", str(out), "-f", "markdown", "-o", str(tmp_path / "org.md")]) == 0
    assert "## Targets that failed (1)" in (tmp_path / "org.md").read_text()
    with pytest.raises(SystemExit, match="2"):
        main(["org", "run", str(plan), "--out", str(out), "--engine", "nope"])
    assert main(["org", "merge", str(tmp_path / "nowhere")]) == 2


def test_merging_one_run_again_in_another_format_says_the_same_new(tmp_path: Path) -> None:
    """The second merge of the same run (say HTML after JSON) compares with the state before that run, not
    with the first merge's own state: every format of one night reports the same new findings."""
    out = _merged_copy(tmp_path)
    first = merge(out)
    new = first.report["new"]
    assert new["findings"]  # the fixture's stored state predates some findings
    write_state(out, first)
    again = merge(out)
    assert again.report["new"] == new
    write_state(out, again)
    assert merge(out).report["new"] == new
    # the next run (a target's report written again) compares with this run's state: nothing is new any more
    record = json.loads((out / "status" / "injection-to-table.json").read_text())
    record["finished"] = "2030-01-01T00:00:00+00:00"
    (out / "status" / "injection-to-table.json").write_text(json.dumps(record))
    assert merge(out).report["new"] == {"findings": [], "attack_paths": []}


def test_merge_with_the_plan_leaves_out_targets_it_no_longer_holds(tmp_path: Path) -> None:
    out = _merged_copy(tmp_path)
    everyone = {t["target"] for t in merge(out).report["findings"]} | {f["target"] for f in merge(out).report["failed"]}
    kept = sorted(everyone)[:1]
    merged = merge(out, only=frozenset(kept))
    assert {f["target"] for f in merged.report["findings"]} <= set(kept)
    assert merged.report["summary"]["targets"] == 1
    assert set(merged.state["targets"]) <= set(kept)


def test_a_malformed_earlier_state_is_dropped_not_carried(tmp_path: Path) -> None:
    out = _merged_copy(tmp_path)
    first = merge(out)
    state = dict(first.state, before="x" * 10_000)  # hand-edited or truncated: not a state
    (out / "merge-state.json").write_text(json.dumps(state))
    again = merge(out)
    assert again.report["summary"]["previous_merge"] is False
    assert again.state["before"] is None
