#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: system packages, format, lints, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The front end: type check and unit tests (Vitest); install-deps.sh has built ui/dist.
( cd ui && npm test --silent )
cargo fmt --all --check
cargo clippy --all-targets --locked -- -D warnings
cargo build --workspace --bins --locked
mkdir -p target
cargo test --workspace --locked 2>&1 | tee target/test-output.log
# One closing line for the whole suite (cargo prints one line per test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "workspace: %d passed, %d failed\n", p, f }' target/test-output.log
