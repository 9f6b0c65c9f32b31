#!/usr/bin/env bash
# Mutation testing of the pure core: does changing the code make a test fail? cargo-mutants
# changes one thing at a time (a return value, a comparison, an arithmetic operator), builds
# and runs the tests; a mutant no test notices is a gap in the tests. Results in
# target/mutants/mutants.out (caught.txt, missed.txt, timeout.txt, unviable.txt).
#
#   bash scripts/mutants.sh                      # evidence, ledger, timestamp and verify,
#                                                # each with the test crates that exercise it
#   bash scripts/mutants.sh --in-diff change.diff   # only the lines a diff touches (for CI)
#   bash scripts/mutants.sh evidence             # one part of the core, with the test crates
#                                                # that exercise it (also ledger, timestamp,
#                                                # verify); more arguments go to cargo mutants
#   bash scripts/mutants.sh evidence --shard 0/4 # a quarter of it
#   bash scripts/mutants.sh -p webproof-evidence -f crates/evidence/src/journal.rs   # a part
#
# MUTANTS_OUT=DIR puts the results in DIR/mutants.out instead (to keep several runs).
# Settings (nextest, what is excluded) are in .cargo/mutants.toml. On 2 cores the whole run
# takes many hours (a viable mutant of evidence costs about a minute, the core has some two
# thousand mutants); one part runs in a few hours and can be sharded; a file or a diff takes
# minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked
command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
core=(-p webproof-evidence -p webproof-ledger -p webproof-timestamp -p webproof-verify)
# The tests that exercise the core: its own crates', and the log's (which drives the ledger).
tests=(--test-package webproof-evidence --test-package webproof-ledger
  --test-package webproof-timestamp --test-package webproof-verify --test-package webproof-log)
part() { # the crate, then the test crates that exercise it
  case "$1" in
    evidence) echo webproof-evidence webproof-evidence webproof-verify ;;
    ledger) echo webproof-ledger webproof-ledger webproof-log webproof-verify ;;
    timestamp) echo webproof-timestamp webproof-timestamp webproof-verify ;;
    verify) echo webproof-verify webproof-verify ;;
  esac
}
if [ $# -eq 0 ]; then
  set -- "${core[@]}" "${tests[@]}"
elif [ -n "$(part "$1")" ]; then
  read -r crate users <<<"$(part "$1")"
  shift
  args=(-p "$crate")
  for u in $users; do args+=(--test-package "$u"); done
  set -- "${args[@]}" "$@"
elif [ "$1" = "--in-diff" ]; then
  set -- "${core[@]}" "${tests[@]}" "$@"
fi
exec cargo mutants --timeout 300 --output "${MUTANTS_OUT:-target/mutants}" "$@"
