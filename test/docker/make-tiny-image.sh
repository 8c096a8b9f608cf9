#!/usr/bin/env bash
# Imports a ~2 MB image NAME (default tiny:1) into the daemon at $DOCKER_HOST: /bin/busybox of
# Debian's busybox-static package (installed: `apt-get install -y busybox-static`; nothing is
# downloaded) with its applets as links, /etc/passwd and /etc/group with root, /root, /tmp (1777).
# The docker builder starts it with "pull": false and run_command [... "--network=none" ...].
set -euo pipefail
name=${1:-tiny:1}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "$busybox not found: apt-get install -y busybox-static" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root"
cp "$busybox" "$root/bin/busybox"
for c in $("$root/bin/busybox" --list); do [ "$c" = busybox ] || ln -sf busybox "$root/bin/$c"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
chmod 1777 "$root/tmp"
tar -C "$root" -c . | docker import - "$name" >/dev/null
echo "$name"
