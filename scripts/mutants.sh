#!/usr/bin/env bash
# Mutation testing of the pure core: does changing the code make a test fail? cargo-mutants
# changes one thing at a time (a return value, a comparison, an arithmetic operator), builds
# and runs the tests; a mutant no test notices is a gap in the tests. Results in
# target/mutants/mutants.out (caught.txt, missed.txt, timeout.txt, unviable.txt).
#
#   bash scripts/mutants.sh                      # evidence, ledger, timestamp and verify,
#                                                # each with the test crates that exercise it
#   bash scripts/mutants.sh --in-diff change.diff   # only the lines a diff touches (for CI)
#   bash scripts/mutants.sh -p webproof-evidence -f crates/evidence/src/journal.rs   # a part
#
# On 2 cores the whole run takes hours; a file or a diff takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked
core=(-p webproof-evidence -p webproof-ledger -p webproof-timestamp -p webproof-verify)
# The tests that exercise the core: its own crates', and the log's (which drives the ledger).
tests=(--test-package webproof-evidence --test-package webproof-ledger
  --test-package webproof-timestamp --test-package webproof-verify --test-package webproof-log)
if [ $# -eq 0 ]; then
  set -- "${core[@]}" "${tests[@]}"
elif [ "$1" = "--in-diff" ]; then
  set -- "${core[@]}" "${tests[@]}" "$@"
fi
exec cargo mutants --timeout 300 --output target/mutants "$@"
