#!/usr/bin/env bash
# Starts a private Docker daemon for tests and prints the environment to use, e.g.
#   eval "$(test/docker/start-dockerd.sh /tmp/dk [DOCKERD-ARGS...])"   # sets DOCKER_HOST and DOCKERD_PID
# Everything lives under DIR (data root, exec root with its own containerd, socket, log). The
# daemon has no bridge network and no iptables rules: containers must run with --network=none,
# and nothing can be pulled. Extra arguments go to dockerd (e.g. --insecure-registry
# 127.0.0.1:5000). Needs root and `apt-get install -y docker.io`. Stop it with
# `kill "$DOCKERD_PID"` and wait for it to exit; then DIR can be removed.
set -euo pipefail
dir=${1:?usage: start-dockerd.sh DIR [DOCKERD-ARGS...]}
shift
command -v dockerd >/dev/null || { echo "dockerd not found: apt-get install -y docker.io" >&2; exit 1; }
mkdir -p "$dir"
sock="$dir/docker.sock"
dockerd --data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" -H "unix://$sock" \
  --bridge=none --iptables=false --ip-forward=false --ip-masq=false "$@" >"$dir/dockerd.log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 150); do
  if DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1; then
    echo "export DOCKER_HOST=unix://$sock DOCKERD_PID=$pid"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || { echo "dockerd exited; see $dir/dockerd.log" >&2; exit 1; }
  sleep 0.2
done
echo "dockerd did not answer in 30 s; see $dir/dockerd.log" >&2
kill "$pid" 2>/dev/null || true
exit 1
