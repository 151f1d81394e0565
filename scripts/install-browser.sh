#!/usr/bin/env bash
# Installs the browser the HTML report test drives: Debian's chromium and chromium-driver (WebDriver).
#
# Used by .ci/run and `make browser` before the tests. Does nothing when both are already on PATH. Needs root
# (or sudo) and apt-get; anywhere else it says why it cannot install and exits 0, and the browser test then
# skips with that reason. Set REMIT_NO_BROWSER_INSTALL=1 to never install anything.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

browser=""
for candidate in chromium chromium-browser google-chrome; do
    if have "$candidate"; then browser="$candidate"; break; fi
done
if [[ -n "$browser" ]] && have chromedriver; then
    echo "install-browser: $browser and chromedriver already installed"
    exit 0
fi
if [[ "${REMIT_NO_BROWSER_INSTALL:-}" == "1" ]]; then
    echo "install-browser: REMIT_NO_BROWSER_INSTALL=1, not installing (the browser test will skip)"
    exit 0
fi
if ! have apt-get; then
    echo "install-browser: no apt-get here; install chromium and chromedriver yourself (the browser test will skip)"
    exit 0
fi
run=()
if [[ "$(id -u)" != "0" ]]; then
    if have sudo && sudo -n true 2>/dev/null; then
        run=(sudo -n)
    else
        echo "install-browser: not root and no password-less sudo; the browser test will skip"
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${run[@]}" apt-get install -y --no-install-recommends chromium chromium-driver; then
    "${run[@]}" apt-get update -qq
    "${run[@]}" apt-get install -y --no-install-recommends chromium chromium-driver
fi
echo "install-browser: installed $(chromium --version 2>/dev/null || echo chromium)"
