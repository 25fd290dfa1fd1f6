#!/usr/bin/env bash
# Make sure a full Chromium is available. Debian's `chromium` is installed with apt-get when
# running as root and none is found; otherwise say how to point bgprobe at a Chrome.
set -euo pipefail
. "$(dirname "$0")/apt-install.sh"
if [ -n "${BGPROBE_BROWSER:-}" ] && [ -x "${BGPROBE_BROWSER}" ]; then exit 0; fi
for b in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$b" >/dev/null 2>&1; then exit 0; fi
done
rc=0
apt_install chromium || rc=$?
[ "$rc" = 0 ] && command -v chromium >/dev/null && exit 0
[ "$rc" = 2 ] && exit 2
echo "bgprobe: no Chromium/Chrome found. Install one (Debian/Ubuntu: sudo apt-get install chromium) or set BGPROBE_BROWSER=/path/to/chrome." >&2
exit 2
