#!/usr/bin/env bash
# `make engines`: Firefox ESR and WebKitGTK (MiniBrowser, WebKitWebDriver, Xvfb) from Debian's
# packages, installed with apt-get when running as root; otherwise the command to run.
# Nothing is downloaded by bgprobe itself: both engines are driven with what these ship.
# `--optional` (what `make test` uses): when they cannot be installed here, say so and go on:
# the engine tests then skip with that reason.
set -euo pipefail
. "$(dirname "$0")/apt-install.sh"
optional=0
[ "${1:-}" = "--optional" ] && optional=1
missing=()
command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1 || missing+=(firefox-esr)
command -v WebKitWebDriver >/dev/null 2>&1 || missing+=(webkit2gtk-driver)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
ls /usr/lib/*/webkit2gtk-4.1/MiniBrowser >/dev/null 2>&1 || missing+=(libwebkit2gtk-4.1-0)
if [ ${#missing[@]} -eq 0 ]; then
  echo "bgprobe: Firefox ESR and WebKitGTK are installed." >&2
  exit 0
fi
rc=0
apt_install "${missing[@]}" || rc=$?
[ "$rc" = 0 ] && exit 0
[ "$rc" = 2 ] && exit 2
echo "bgprobe: missing ${missing[*]}. Run as root: apt-get install -y firefox-esr webkit2gtk-driver xvfb" >&2
[ "$optional" = "1" ] && exit 0
exit 2
