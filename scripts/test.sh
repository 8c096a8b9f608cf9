#!/usr/bin/env bash
# The test command: builds the bundle, type-checks, then runs every test file.
# Usage: scripts/test.sh [test files...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
node scripts/build.mjs
npx --no-install tsc -p tsconfig.json --noEmit
if [ "$#" -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(find packages test -path '*/node_modules' -prune -o -name '*.test.ts' -print | sort)
fi
exec node --import tsx --test --test-reporter=spec "${files[@]}"
