#!/usr/bin/env bash
# The installed package, tested as a user gets it (issue 21): builds the .deb (debug build,
# scripts/package.sh --debug), installs it with apt-get (which must resolve every dependency
# it declares), then with the installed commands only:
#   - `webproof --version`;
#   - an operator identity, a file sealed and the package verified (INTACT or VERIFIED);
#   - the installed app started under Xvfb through tauri-driver, for a user who never ran
#     webproof, to its first screen (the setup wizard), which must have found its engine
#     beside it and made its home in ~/.local/share/webproof; the screenshot is kept in
#     target/app-screens/installed-first-screen.png.
# It installs system packages, so scripts/test.sh runs it only under CI=true (a throwaway
# machine); run it by hand as root on one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/package.sh --debug
deb=$(ls target/debug/bundle/deb/webproof_*_amd64.deb)
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./$deb" >/dev/null
[ "$(command -v webproof)" = /usr/bin/webproof ] || { echo "webproof is not /usr/bin/webproof" >&2; exit 1; }
[ -x /usr/bin/webproof-app ] || { echo "/usr/bin/webproof-app is not installed" >&2; exit 1; }
[ -f /usr/share/applications/webproof.desktop ] || { echo "no desktop entry" >&2; exit 1; }
[ -f /usr/share/webproof/capture-profiles/generic.toml ] || { echo "no capture profiles" >&2; exit 1; }
webproof --version

work=$(mktemp -d)
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
pids=()
export WEBPROOF_HOME="$work/home" WEBPROOF_PASSPHRASE="installed-package-test" WEBPROOF_LANG=en
webproof operator init --name "Package Test" --org "CI" --id-number 110101199003071234 \
  --algorithm ed25519 >/dev/null
echo "sealed by the installed webproof" > "$work/file.txt"
webproof seal "$work/file.txt" --out "$work/file.wacz" >/dev/null
set +e
verdict=$(webproof verify "$work/file.wacz")
code=$?
set -e
# 0 verified; 3 intact under a key this fresh home does not trust yet; anything else fails.
case "$code" in
  0 | 3) echo "$verdict" | tail -1 ;;
  *) echo "$verdict" >&2; echo "the installed webproof does not verify its own package ($code)" >&2; exit 1 ;;
esac

# The installed app, under a private X display, driven through tauri-driver.
display=":$((90 + RANDOM % 400))"
Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
native=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
# A user who never ran webproof: no WEBPROOF_HOME, a fresh HOME.
mkdir -p "$work/user"
env -u WEBPROOF_HOME -u XDG_DATA_HOME HOME="$work/user" DISPLAY="$display" \
  tauri-driver --port "$port" --native-port "$native" >/dev/null 2>&1 &
pids+=($!)
mkdir -p target/app-screens
python3 - "$port" target/app-screens/installed-first-screen.png <<'EOF'
import base64, json, sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)["value"]
deadline = time.time() + 30
while True:
    try:
        s = call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "tauri:options": {"application": "/usr/bin/webproof-app"}}}})
        break
    except Exception as e:
        if time.time() > deadline:
            sys.exit(f"tauri-driver did not start the installed app: {e}")
        time.sleep(0.5)
sid = s["sessionId"]
def count(css):
    return len(call("POST", f"/session/{sid}/elements", {"using": "css selector", "value": css}))
deadline = time.time() + 60
while count("[data-screen=setup]") == 0:
    if time.time() > deadline:
        sys.exit("the installed app never showed its first screen (the setup wizard)")
    time.sleep(0.25)
if count("[data-testid=engine-missing]") != 0:
    sys.exit("the installed app did not find its engine beside it (/usr/bin/webproof)")
png = base64.b64decode(call("GET", f"/session/{sid}/screenshot"))
if not png.startswith(b"\x89PNG"):
    sys.exit("the screenshot is not a PNG")
open(out, "wb").write(png)
call("DELETE", f"/session/{sid}")
print(f"the installed app shows its first screen: {out} ({len(png)} bytes)")
EOF
# Its data goes to the XDG data directory.
[ -f "$work/user/.local/share/webproof/cases.redb" ] || {
  echo "the installed app did not make its home in ~/.local/share/webproof" >&2
  exit 1
}
echo "package test: installed $deb; webproof, seal, verify and the app's first screen all work"
