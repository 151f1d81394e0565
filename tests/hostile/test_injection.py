"""Attacker-chosen names cannot become links, images or mentions in Markdown, nor control characters in SARIF."""

from __future__ import annotations

import json
import re
from pathlib import Path

from remit.report import Format, render
from remit.report.neutral import markdown_text, plain

from .conftest import good_finding_survives, make_world, scan_world

EVIL = "Evil![px](https://evil.example/p.png)[click](https://evil.example)@octocat\x1b[31m\u202ewww.evil.example"
TEMPLATE = json.dumps({"Resources": {
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
        "FunctionName": EVIL, "Runtime": "python3.12", "Handler": "index.handler",
        "Role": "arn:aws:iam::123456789012:role/fn", "Code": {"ZipFile": "def handler(e, c): return 1"}}},
    EVIL: {"Type": "AWS::Lambda::Url", "Properties": {"TargetFunctionArn": {"Fn::GetAtt": ["Fn", "Arn"]},
                                                      "AuthType": "NONE"}}}})

# what GitHub would render as a link, an image, an autolink or a mention
RENDERED = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<![\w\\])@[A-Za-z0-9-]+|https?://|(?<!\w)www\.")
CODE_SPAN = re.compile(r"`[^`]*`")  # nothing inside a code span renders


def test_markdown_renders_attacker_names_as_text(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.write("[x](https:evil.example) @team.json", TEMPLATE)
    result = scan_world(world)
    good_finding_survives(result)
    assert any(EVIL in f.resource for f in result.findings)  # the data keeps what the author wrote
    text = render(result, Format.MARKDOWN)
    rows = [line for line in text.splitlines() if "Evil" in line or "@team" in line]
    assert rows
    for row in rows:
        assert RENDERED.search(CODE_SPAN.sub("", row)) is None, row
        assert "\x1b" not in row
        assert "\u202e" not in row


def test_sarif_messages_carry_no_control_characters_and_uris_are_encoded(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.write("sub dir/%41 #x.json", TEMPLATE)
    result = scan_world(world)
    log = render(result, Format.SARIF)
    assert not re.search(r"\\u00[01][0-9a-f]|\\u007f|\u202e|\x1b", log.replace("\\n", "").replace("\\t", ""))
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(log)["runs"][0]["results"]
            for loc in r.get("locations", ())}
    assert "sub%20dir/%2541%20%23x.json" in uris


def test_the_neutralisers() -> None:
    assert plain("a\x00b\x1b[2Jc\u200bd\u202ee\n\tf") == "ab[2Jcde\n\tf"
    assert markdown_text("![i](https://x/y.png) @me [l](u) www.x.io <b>|") == (
        "!\\[i\\](https\u200b://x/y.png) @\u200bme \\[l\\](u) www\u200b.x.io &lt;b&gt;\\|")
