#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: system packages, format, lints, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The front end: type check and unit tests (Vitest); install-deps.sh has built ui/dist.
( cd ui && npm test --silent )
# A CI run builds once from clean: incremental caches would only take disk (~2 GB) it may lack.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi
disk() {
  local used; used=$(du -sh target 2>/dev/null | cut -f1) || true
  echo "disk: $(df -h --output=avail . | tail -1 | tr -d ' ') free, target/ ${used:-empty} ($1)"
}
disk "before the build"
cargo fmt --all --check
cargo clippy --all-targets --locked -- -D warnings
disk "after clippy"
cargo build --workspace --bins --locked
mkdir -p target
cargo test --workspace --locked 2>&1 | tee target/test-output.log
# One closing line for the whole suite (cargo prints one line per test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "workspace: %d passed, %d failed\n", p, f }' target/test-output.log
disk "after the tests"
# The desktop app as users install it (issue 21): the .deb built, installed with apt-get and
# used. It installs system packages, so only on a throwaway CI machine.
if [ "${CI:-}" = "true" ]; then
  bash scripts/package-test.sh
fi
