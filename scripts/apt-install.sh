# Sourced by the ensure-*.sh scripts: `apt_install PKG...` installs Debian packages with apt-get
# when running as root (refreshing stale package lists once if the first try fails) and returns
# 0; anywhere else (not root, no apt-get) it returns 1 and installs nothing.
apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then return 1; fi
  echo "bgprobe: installing $* ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "$@" >/dev/null; }
}
