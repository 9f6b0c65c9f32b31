#!/usr/bin/env bash
# The desktop app as an installable package: a .deb (and an .rpm) holding the app
# (/usr/bin/webproof-app, its desktop entry and icons), the `webproof` command beside it
# (/usr/bin/webproof, which the app runs as its engine) and the capture profiles
# (/usr/share/webproof/capture-profiles), depending on what they run: Chromium and chromedriver,
# Xvfb, fonts-noto-cjk, and the shared libraries the two binaries are linked with (FFmpeg's,
# WebKitGTK's), found from the binaries themselves.
#
#   bash scripts/package.sh            # release build; packages in target/release/bundle/
#   bash scripts/package.sh --debug    # the debug build (what the test suite built already)
#
# Signed updates (docs/updates.md): WEBPROOF_UPDATE_PUBKEY (the update key's public half, as
# `tauri signer generate` wrote it) is built into the app, which then has an updater; with
# TAURI_SIGNING_PRIVATE_KEY (and _PASSWORD), each package is signed (a .sig beside it) with its
# version in the signed comment. WEBPROOF_VERSION overrides the version (tauri.conf.json's).
#
# Needs what scripts/install-deps.sh installs, and the tauri command (ui's devDependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
tauri_flags=()
cargo_flags=(--release)
if [ "${1:-}" = "--debug" ]; then
  profile=debug
  tauri_flags=(--debug)
  cargo_flags=()
fi
(cd ui && { [ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund; } && npm run build >/dev/null)
cargo build --locked "${cargo_flags[@]}" --bin webproof --bin webproof-app
stage=target/package
mkdir -p "$stage"

# The Debian packages that hold the libraries a binary names (its NEEDED entries).
needs() {
  objdump -p "$1" | awk '/NEEDED/ {print $2}' | while read -r lib; do
    p=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
    [ -n "$p" ] || { echo "package.sh: $1 needs $lib, which is not installed" >&2; exit 1; }
    dpkg -S "$p" 2>/dev/null || dpkg -S "/usr$p" 2>/dev/null || dpkg -S "$(readlink -f "$p")"
  done | cut -d: -f1 | sort -u
}
# (tauri adds WebKitGTK and GTK itself.)
libs=$({ needs "target/$profile/webproof"; needs "target/$profile/webproof-app"; } |
  grep -vx -e libwebkit2gtk-4.1-0 -e libgtk-3-0)
# What the engine runs, and the fonts the reports use.
runs="chromium chromium-driver xvfb fonts-noto-cjk"
depends=$(printf '%s\n' $libs $runs | sort -u | python3 -c 'import json,sys; print(json.dumps([l.strip() for l in sys.stdin if l.strip()]))')

# tauri.conf.json's bundle, completed with what only a build knows (merged by `tauri build`).
version=${WEBPROOF_VERSION:-$(python3 -c 'import json; print(json.load(open("src-tauri/tauri.conf.json"))["version"])')}
python3 - "$profile" "$depends" "$version" "${WEBPROOF_UPDATE_PUBKEY:-}" > "$stage/tauri.package.json" <<'EOF'
import json, sys
profile, depends, version, pubkey = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4].strip()
files = {
    "/usr/bin/webproof": f"../target/{profile}/webproof",
    "/usr/share/webproof/capture-profiles": "../capture-profiles",
    "/usr/share/doc/webproof/README.md": "../README.md",
}
conf = {
    "version": version,
    # The app's binary keeps its name: /usr/bin/webproof is the engine.
    "mainBinaryName": "webproof-app",
    "bundle": {
        "active": True,
        "targets": ["deb", "rpm"],
        "category": "Utility",
        "shortDescription": "Notarized web capture: evidence packages anyone can verify",
        "longDescription": "webproof captures web pages as court evidence: step 0 proves the machine clean, Chromium is driven and screen-recorded, every step is hashed (SHA-256, SM3), signed, time-stamped (RFC 3161) and deposited in a witnessed Merkle log, into one WACZ package that anyone can verify offline. The package holds the desktop app (webproof-app) and the command line (webproof).",
        "linux": {
            "deb": {"depends": depends, "files": files, "section": "utils"},
            "rpm": {"files": files},
        },
    }
}
if pubkey:
    # The feed is the user's (Settings); the signature's comment must name the version.
    conf["plugins"] = {"updater": {"pubkey": pubkey, "endpoints": [], "requireSignedVersion": True}}
print(json.dumps(conf, indent=2))
EOF
conf="$PWD/$stage/tauri.package.json"
(cd src-tauri && env -u TAURI_SIGNING_PRIVATE_KEY ../ui/node_modules/.bin/tauri build \
  "${tauri_flags[@]}" --bundles deb,rpm --config "$conf")
packages=("target/$profile/bundle/deb/webproof_${version}_amd64.deb"
  "target/$profile/bundle/rpm/webproof-${version}-1.x86_64.rpm")
if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  for p in "${packages[@]}"; do
    rm -f "$p.sig"
    ui/node_modules/.bin/tauri signer sign -k "$TAURI_SIGNING_PRIVATE_KEY" \
      -p "${TAURI_SIGNING_PRIVATE_KEY_PASSWORD:-}" --app-version "$version" "$p" >/dev/null
    [ -s "$p.sig" ] || { echo "package.sh: $p was not signed" >&2; exit 1; }
  done
fi
ls "${packages[@]}"
