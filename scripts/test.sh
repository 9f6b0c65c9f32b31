#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: system packages, format, lints, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cargo fmt --all --check
cargo clippy --all-targets --locked -- -D warnings
cargo build --workspace --bins --locked
cargo test --workspace --locked
