# Sourced by the ensure-*.sh scripts: `apt_install PKG...` installs Debian packages with apt-get
# when running as root (refreshing stale package lists once if the first try fails).
# Returns 0 when installed; 1 when it cannot try here (not root, no apt-get), installing
# nothing; 2 when apt-get failed, having said so.
apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then return 1; fi
  echo "bgprobe: installing $* ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1; then return 0; fi
  if apt-get update >/dev/null && apt-get install -y --no-install-recommends "$@" >/dev/null; then return 0; fi
  echo "bgprobe: apt-get install $* failed (see apt-get's message above)." >&2
  return 2
}
