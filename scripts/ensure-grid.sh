#!/usr/bin/env bash
# What a local Selenium Grid needs besides the npm jar (a dev dependency): Debian's Java
# (openjdk-17-jre-headless) and chromedriver (chromium-driver, the same version as chromium),
# installed with apt-get when running as root; otherwise the command to run.
# `--optional` (what `make test` uses): when they cannot be installed here, say so and go on:
# the Grid tests then skip with that reason.
set -euo pipefail
. "$(dirname "$0")/apt-install.sh"
optional=0
[ "${1:-}" = "--optional" ] && optional=1
missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
[ -x "${BGPROBE_CHROMEDRIVER:-/usr/bin/chromedriver}" ] || missing+=(chromium-driver)
if [ ${#missing[@]} -eq 0 ]; then
  echo "bgprobe: Java and chromedriver (for the local Grid) are installed." >&2
  exit 0
fi
rc=0
apt_install "${missing[@]}" || rc=$?
[ "$rc" = 0 ] && exit 0
[ "$rc" = 2 ] && exit 2
echo "bgprobe: missing ${missing[*]} (for the local Grid). Run as root: apt-get install -y openjdk-17-jre-headless chromium-driver" >&2
[ "$optional" = "1" ] && exit 0
exit 2
