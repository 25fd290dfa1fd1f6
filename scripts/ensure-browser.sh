#!/usr/bin/env bash
# Make sure a full Chromium is available. Debian's `chromium` is installed with apt-get when
# running as root and none is found; otherwise say how to point bgprobe at a Chrome.
set -euo pipefail
if [ -n "${BGPROBE_BROWSER:-}" ] && [ -x "${BGPROBE_BROWSER}" ]; then exit 0; fi
for b in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$b" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "bgprobe: no Chromium found; installing Debian's chromium package..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
  command -v chromium >/dev/null && exit 0
fi
echo "bgprobe: no Chromium/Chrome found. Install one (Debian/Ubuntu: sudo apt-get install chromium) or set BGPROBE_BROWSER=/path/to/chrome." >&2
exit 2
