#!/usr/bin/env bash
# `make compat`: the behaviour suite on every installed engine (--browser all), plus WebKitGTK a
# second time with Background Fetch switched on (MiniBrowser --features=+BackgroundFetchAPI)
# when WebKitGTK is installed. One report, in bgprobe-report/ (or $1). All lanes share one pool.
set -euo pipefail
out="${1:-bgprobe-report}"
args=(compat --browser all --out "$out")
# The previous report's times order this run (longest first): the first run orders by the
# declared deadlines, every later one by what each scenario took last time.
if [[ -f "$out/report.json" ]]; then
  args+=(--durations "$out/report.json")
fi
if command -v WebKitWebDriver >/dev/null 2>&1 && command -v Xvfb >/dev/null 2>&1 && ls /usr/lib/*/webkit2gtk-4.1/MiniBrowser >/dev/null 2>&1; then
  args+=(--browser webkit --browser-args= --browser-args=--features=+BackgroundFetchAPI --label= --label=webkit+BackgroundFetchAPI)
fi
exec node dist/cli/main.js "${args[@]}"
