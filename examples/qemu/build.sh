#!/usr/bin/env bash
# Builds the tiny fixture image (Debian packages, needs root), then a new image from it with
# the qemu builder: boot command typed over VNC, a file served over HTTP, a shell provisioner.
# Result: examples/qemu/work/output/example.qcow2
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
(cd "$ROOT" && node scripts/build.mjs)
mkdir -p work
[ -f work/base/tiny.qcow2 ] || "$ROOT/test/vm/make-vm-image.sh" work/base --variant tiny
"$ROOT/bin/packer-ts" build -force \
  -var "base_checksum=sha256:$(cut -d' ' -f1 work/base/tiny.qcow2.sha256)" template.json
echo "image: $(pwd)/work/output/example.qcow2"
