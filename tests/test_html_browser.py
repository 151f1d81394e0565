"""The HTML report in a real browser: Debian's chromium, driven headless through chromedriver.

Why chromedriver and not Playwright or Selenium: the W3C WebDriver protocol is plain JSON over HTTP, so the
few calls this test needs (open a page, run a script, click, type, take a screenshot) are a small client on
``urllib`` below, with no test dependency to install and no browser download; ``scripts/install-browser.sh``
installs ``chromium`` and ``chromium-driver`` from Debian (``make browser``, ``.ci/run``). Where neither can be
found the test skips and says so.

One browser is started for the whole check (a single test), which loads the bundled example's report, checks
that the attack-path graph renders (boxes with a size on screen, arrows, a path that highlights when clicked)
and that the filters hide and show findings, saves a screenshot to ``artifacts/`` (``$REMIT_ARTIFACTS``
overrides), then loads a report full of hostile strings and checks that none of them ran.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from remit.report import Format, render

from .conftest import ROOT
from .test_html import MARKER, example, hostile_result

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
ARTIFACTS = Path(os.environ.get("REMIT_ARTIFACTS") or ROOT / "artifacts")


def _browser() -> tuple[str, str] | None:
    browser = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p),
                   None)
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class WebDriver:
    """Just enough of W3C WebDriver for this test."""

    def __init__(self, browser: str, driver: str, profile: Path) -> None:
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                if self._call("GET", "/status")["ready"]:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", f"--user-data-dir={profile}", "--no-first-run"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome",
                                                 "goog:chromeOptions": {"binary": browser, "args": args}}}}
        try:
            self.session = self._call("POST", "/session", caps)["sessionId"]
        except Exception:
            self.proc.kill()
            raise

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"WebDriver {method} {path}: {exc.read()[:500]!r}") from None

    def _s(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def get(self, url: str) -> None:
        self._s("POST", "/url", {"url": url})

    def js(self, script: str, *args: Any) -> Any:
        return self._s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css: str) -> str:
        found = self._s("POST", "/element", {"using": "css selector", "value": css})
        if not isinstance(found, dict) or ELEMENT not in found:
            raise AssertionError(f"no element {css!r}: {found!r}")
        return str(found[ELEMENT])

    def click(self, css: str) -> None:
        self._s("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css: str, text: str) -> None:
        self._s("POST", f"/element/{self.find(css)}/value", {"text": text})

    def resize(self, width: int, height: int) -> None:
        self._s("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self._s("GET", "/screenshot")))

    def quit(self) -> None:
        try:
            self._s("DELETE", "")
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


_OVERFLOW = "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
_VISIBLE_ROWS = "return document.querySelectorAll('#findings-table tbody tr:not([hidden])').length"


def test_report_in_a_real_browser(tmp_path: Path) -> None:
    found = _browser()
    if found is None:
        pytest.skip("no chromium + chromedriver on PATH: run scripts/install-browser.sh (needs root and apt-get)")
    browser, driver = found
    report = tmp_path / "example.html"
    report.write_text(render(example(), Format.HTML), encoding="utf-8")
    hostile = tmp_path / "hostile.html"
    hostile.write_text(render(hostile_result(), Format.HTML), encoding="utf-8")

    wd = WebDriver(browser, driver, tmp_path / "profile")
    try:
        wd.resize(1280, 900)
        for page in (report, hostile):  # nothing wider than a 1,280-pixel window: no sideways scrolling
            wd.get(page.as_uri())
            assert wd.js(_OVERFLOW) <= 0, f"{page.name} overflows a 1280 px window"
        wd.resize(1400, 1000)
        wd.get(report.as_uri())
        # the graph renders: boxes with a real size, arrows, one box per node kind on the paths
        boxes = wd.js("return Array.from(document.querySelectorAll('#graph g.node')).map(function (g) {"
                      "var r = g.getBoundingClientRect(); return [r.width, r.height, g.classList[1]]; })")
        assert boxes, "the attack-path graph has no nodes"
        assert all(w > 50 and h > 20 for w, h, _ in boxes)
        drawn = example().attack_paths[:40]
        assert {k for _, _, k in boxes} == {f"kind-{s.kind}" for p in drawn for s in p.steps}
        assert wd.js("return document.querySelectorAll('#graph path.edge').length") >= len(boxes) - 1 - 5
        wd.js("document.getElementById('paths').scrollIntoView()")
        wd.screenshot(ARTIFACTS / "html-report-graph.png")
        # clicking a path highlights its hops and dims the rest
        wd.click("li.path")
        assert wd.js("return document.getElementById('graph').classList.contains('focus')")
        assert wd.js("return document.querySelectorAll('#graph .on').length") >= 2
        wd.js("document.getElementById('paths').scrollIntoView()")
        wd.screenshot(ARTIFACTS / "html-report-path.png")
        wd.click("li.path")  # again: back to all paths
        assert not wd.js("return document.getElementById('graph').classList.contains('focus')")

        # filters: severity checkbox, responsibility, text search, reset
        total = wd.js(_VISIBLE_ROWS)
        assert total == len(example().active) > 0
        wd.click("input[name=sev][value=low]")
        lows = sum(1 for f in example().active if f.severity.value == "low")
        assert wd.js(_VISIBLE_ROWS) == total - lows
        assert wd.js("return document.getElementById('f-count').textContent") == str(total - lows)
        wd.click("#f-reset")
        assert wd.js(_VISIBLE_ROWS) == total
        wd.click("button.pick[data-value=iam]")
        iam = sum(1 for f in example().active if f.responsibility.value == "iam")
        assert wd.js(_VISIBLE_ROWS) == iam
        wd.click("#f-reset")
        wd.type("#f-q", "RMT-IAM-001")
        expected = sum(1 for f in example().active if f.rule_id == "RMT-IAM-001")
        assert wd.js(_VISIBLE_ROWS) == expected > 0
        wd.click("#f-reset")
        wd.click("button.pick[data-value=event-injection]")
        injection = sum(1 for f in example().active if f.category.value == "event-injection")
        assert wd.js(_VISIBLE_ROWS) == injection
        wd.screenshot(ARTIFACTS / "html-report-findings.png")
        wd.click("#f-reset")
        wd.js("window.scrollTo(0, 0)")
        wd.screenshot(ARTIFACTS / "html-report-summary.png")

        # hostile strings: shown as text, nothing runs
        wd.get(hostile.as_uri())
        assert wd.js("return typeof window.__pwned") == "undefined"
        assert wd.js("return typeof parent.__pwned") == "undefined"
        assert wd.js("return document.scripts.length") == 1
        assert wd.js("return document.querySelectorAll('img, iframe').length") == 0
        assert MARKER in wd.js("return document.body.textContent")
        assert "<script>window.__pwned = 1</script>" in wd.js("return document.body.textContent")
        assert wd.js("return document.querySelectorAll('#findings-table tbody tr').length") == \
            len(hostile_result().findings)
        wd.js("document.getElementById('paths').scrollIntoView()")
        wd.screenshot(ARTIFACTS / "html-report-hostile.png")
    finally:
        wd.quit()
