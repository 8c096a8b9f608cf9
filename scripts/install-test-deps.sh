#!/usr/bin/env bash
# Installs the Debian packages the tests need (scripts/test-deps.apt) when they
# are missing; `npm test` runs it first, so the README's test line works on a
# fresh Debian machine. Needs root or sudo only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
while read -r pkg probe; do
  case $pkg in ''|'#'*) continue ;; esac
  if [ -n "${probe:-}" ]; then
    case $probe in
      /*) [ -e "$probe" ] && continue ;;
      *) command -v "$probe" >/dev/null 2>&1 && continue ;;
    esac
  else
    dpkg -s "$pkg" >/dev/null 2>&1 && continue
  fi
  need+=("$pkg")
done < scripts/test-deps.apt
# make-vm-image.sh (qemu tests) fetches .debs with apt-get download: it needs package lists
lists=0; ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 && lists=1
[ "${#need[@]}" -eq 0 ] && [ "$lists" -eq 1 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "The tests need these Debian packages: ${need[*]:-(package lists: apt-get update)}" >&2
    echo "Install them as root: apt-get update && apt-get install -y ${need[*]:-}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ "${#need[@]}" -gt 0 ]; then
  echo "install-test-deps: apt-get install ${need[*]}" >&2
  $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
