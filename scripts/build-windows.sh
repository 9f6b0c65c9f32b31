#!/usr/bin/env bash
# Builds webproof.exe: the command-line tool for Windows (x86_64-pc-windows-gnu, linked by
# Debian's mingw-w64), which seals, verifies, reports, checks time-stamps and looks deposits
# up; capturing needs Linux for now (it says so). Needs what scripts/install-deps.sh installs
# (the Rust target, mingw-w64; wine to run it here).
#
#   bash scripts/build-windows.sh [--release] [--wine]
#       → target/x86_64-pc-windows-gnu/<debug|release>/webproof.exe
#   --wine: also puts beside it the bcryptprimitives.dll that Debian 12's wine lacks and every
#   Rust program for Windows 10+ needs (tests/fixtures/wine/; for running it under wine only,
#   never shipped: Windows has its own).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=debug release=() wine=false
for a in "$@"; do
  case "$a" in
    --release) profile=release release=(--release) ;;
    --wine) wine=true ;;
    *) echo "usage: $0 [--release] [--wine]" >&2; exit 2 ;;
  esac
done
cargo build --quiet --locked --target x86_64-pc-windows-gnu -p webproof --bin webproof "${release[@]}"
dir=target/x86_64-pc-windows-gnu/$profile
if $wine; then
  x86_64-w64-mingw32-gcc -shared -O2 -o "$dir/bcryptprimitives.dll" \
    tests/fixtures/wine/bcryptprimitives.c tests/fixtures/wine/bcryptprimitives.def -ladvapi32
fi
echo "$dir/webproof.exe ($(( $(stat -c %s "$dir/webproof.exe") / 1024 )) KiB)"
