#!/usr/bin/env bash
# The installed package, tested as a user gets it (issue 21): builds the .deb (debug build,
# scripts/package.sh --debug), installs it with apt-get (which must resolve every dependency
# it declares), then with the installed commands only:
#   - `webproof --version`;
#   - an operator identity, a file sealed and the package verified (INTACT or VERIFIED);
#   - the installed app started under Xvfb through tauri-driver, for a user who never ran
#     webproof, to its first screen (the setup wizard), which must have found its engine
#     beside it and made its home in ~/.local/share/webproof; the screenshot is kept in
#     target/app-screens/installed-first-screen.png;
#   - signed updates (docs/updates.md): the package is built with a throwaway update key's
#     public half; 0.1.1 is built and signed; the installed app, pointed in Settings at feeds
#     on 127.0.0.1, refuses an update signed by another key, a tampered one and a signed 0.1.0
#     offered as 0.1.1 (the installed version unchanged), then installs the signed one (dpkg
#     shows 0.1.1); one signature is
#     also checked with minisign, as docs/updates.md tells an expert to.
# It installs system packages, so scripts/test.sh runs it only under CI=true (a throwaway
# machine); run it by hand as root on one.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
# sudo: the updater's way to dpkg when there is no pkexec; minisign: the check by hand.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q sudo minisign >/dev/null
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
tauri=ui/node_modules/.bin/tauri
[ -x "$tauri" ] || (cd ui && npm ci --no-audit --no-fund)
# A throwaway update key (its public half built into the app), and another one.
"$tauri" signer generate --ci -p "" -w "$work/update.key" >/dev/null
"$tauri" signer generate --ci -p "" -w "$work/other.key" >/dev/null
export WEBPROOF_UPDATE_PUBKEY
WEBPROOF_UPDATE_PUBKEY=$(cat "$work/update.key.pub")
WEBPROOF_VERSION=0.1.0 bash scripts/package.sh --debug
deb=target/debug/bundle/deb/webproof_0.1.0_amd64.deb
# (An earlier run may have left another version installed.)
if dpkg-query -W webproof >/dev/null 2>&1; then
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q webproof >/dev/null
fi
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./$deb" >/dev/null
[ -x /usr/bin/webproof-app ] || { echo "/usr/bin/webproof-app is not installed" >&2; exit 1; }
[ -f /usr/share/applications/webproof.desktop ] || { echo "no desktop entry" >&2; exit 1; }
[ -f /usr/share/webproof/capture-profiles/generic.toml ] || { echo "no capture profiles" >&2; exit 1; }
webproof --version

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

# The update, 0.1.1, signed with the key; the same file signed with another key; and a
# tampered copy under the right signature. Served from 127.0.0.1.
mkdir -p "$work/feed"
TAURI_SIGNING_PRIVATE_KEY=$(cat "$work/update.key") WEBPROOF_VERSION=0.1.1 \
  bash scripts/package.sh --debug >/dev/null
new=target/debug/bundle/deb/webproof_0.1.1_amd64.deb
cp "$new" "$new.sig" "$work/feed/"
cp "$new" "$work/feed/other-key.deb"
"$tauri" signer sign -k "$(cat "$work/other.key")" -p "" --app-version 0.1.1 \
  "$work/feed/other-key.deb" >/dev/null
cp "$new" "$work/feed/tampered.deb"
printf 'X' | dd of="$work/feed/tampered.deb" bs=1 seek=$(($(stat -c %s "$new") - 100)) conv=notrunc status=none
cp "$new.sig" "$work/feed/tampered.deb.sig"
# A genuine, signed 0.1.0 offered as 0.1.1 (a feed replaying an old release).
cp "$deb" "$work/feed/replayed.deb"
"$tauri" signer sign -k "$(cat "$work/update.key")" -p "" --app-version 0.1.0 \
  "$work/feed/replayed.deb" >/dev/null
# The signature, checked by hand (docs/updates.md).
pub=$(base64 -d "$work/update.key.pub" | tail -1)
base64 -d "$new.sig" > "$work/update.minisig"
minisign -V -q -m "$new" -x "$work/update.minisig" -P "$pub"
if minisign -V -q -m "$work/feed/tampered.deb" -x "$work/update.minisig" -P "$pub" 2>/dev/null; then
  echo "minisign accepts the tampered package" >&2
  exit 1
fi
feed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
feed="http://127.0.0.1:$feed_port"
for f in latest other-key tampered replayed; do
  file=$f.deb
  [ "$f" = latest ] && file=$(basename "$new")
  python3 -c '
import json, sys
url, sig = sys.argv[1], open(sys.argv[2]).read()
print(json.dumps({"version": "0.1.1", "notes": "package test", "pub_date": "2026-12-06T00:00:00Z",
                  "platforms": {"linux-x86_64-deb": {"signature": sig, "url": url}}}))
' "$feed/$file" "$work/feed/$file.sig" > "$work/feed/$f.json"
done
python3 -m http.server "$feed_port" --bind 127.0.0.1 --directory "$work/feed" >/dev/null 2>&1 &
pids+=($!)

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
  tauri-driver --port "$port" --native-port "$native" >"$work/driver.log" 2>&1 &
pids+=($!)
mkdir -p target/app-screens
cat > "$work/drive.py" <<'EOF'
# The installed app, driven through tauri-driver (WebDriver over urllib): its first screen for
# a user who never ran webproof (the setup wizard), then signed updates from a feed on
# loopback: an update signed by another key is refused and nothing is installed; the one
# signed by the key built into the app is installed (dpkg shows its version).
import base64, http.client, json, subprocess, sys, time, urllib.request
port, out, feed = sys.argv[1], sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    # tauri-driver now and then forwards a request on a connection WebKitWebDriver has just
    # closed, and drops it ("connection error", the request never delivered): sent again.
    for attempt in range(4):
        req = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return json.load(r)["value"]
        except http.client.RemoteDisconnected:
            if attempt == 3:
                raise
            print(f"tauri-driver dropped {method} {path}; sent again", file=sys.stderr)
            time.sleep(0.3)
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
def js(script):
    return call("POST", f"/session/{sid}/execute/sync", {"script": script, "args": []})
def count(css):
    return js(f"return document.querySelectorAll({json.dumps(css)}).length")
def wait(css, secs, what):
    deadline = time.time() + secs
    while count(css) == 0:
        if time.time() > deadline:
            sys.exit(f"the installed app never showed {what} ({css})")
        time.sleep(0.25)
def click(css):
    wait(css, 30, css)
    js(f"document.querySelector({json.dumps(css)}).click(); return 0")
def fill(css, text):
    wait(css, 30, css)
    js(f"const e = document.querySelector({json.dumps(css)}); e.value = {json.dumps(text)}; return 0")
def text(css):
    return js(f"const e = document.querySelector({json.dumps(css)}); return e ? e.textContent : ''")
def installed():
    return subprocess.run(["dpkg-query", "-W", "-f=${Version}", "webproof"],
                          capture_output=True, text=True, check=True).stdout

wait("[data-screen=setup]", 60, "its first screen (the setup wizard)")
if count("[data-testid=engine-missing]") != 0:
    sys.exit("the installed app did not find its engine beside it (/usr/bin/webproof)")
png = base64.b64decode(call("GET", f"/session/{sid}/screenshot"))
if not png.startswith(b"\x89PNG"):
    sys.exit("the screenshot is not a PNG")
open(out, "wb").write(png)
print(f"the installed app shows its first screen: {out} ({len(png)} bytes)")

# Updates, in Settings.
click("[data-testid=setup-later]")
wait("[data-screen=cases]", 30, "the cases")
click("[data-testid=nav-settings]")
wait("[data-testid=settings-update]", 30, "the updates section")
if "0.1.0" not in text("[data-testid=settings-update-current]"):
    sys.exit("the installed app is not 0.1.0: " + text("[data-testid=settings-update-current]"))
before = installed()
def offer_and_install(url):
    js("document.querySelectorAll('[data-testid=error-close]').forEach(e => e.click()); return 0")
    fill("[data-testid=settings-update-feed]", url)
    click("[data-testid=settings-update-save]")
    wait("[data-testid=settings-update-check]", 30, "the check button")
    click("[data-testid=settings-update-check]")
    wait("[data-testid=settings-update-offer]", 60, "the update offered")
    if "0.1.1" not in text("[data-testid=settings-update-offer]"):
        sys.exit("the feed's 0.1.1 was not offered: " + text("[data-testid=settings-update-offer]"))
    click("[data-testid=settings-update-install]")
    deadline = time.time() + 180
    while count("[data-testid=settings-update-done]") == 0 and count("[data-testid=error-message]") == 0:
        if time.time() > deadline:
            sys.exit("the update neither installed nor failed")
        time.sleep(0.5)
    return text("[data-testid=error-message]"), text("[data-testid=settings-update-done]")
err, done = offer_and_install(f"{feed}/other-key.json")
if "signature" not in err.lower() or done:
    sys.exit(f"an update signed by another key was not refused: error {err!r}, done {done!r}")
if installed() != before:
    sys.exit(f"a refused update changed the installed version: {installed()}")
print(f"an update signed by another key is refused: {err.strip()}")
err, done = offer_and_install(f"{feed}/tampered.json")
if "signature" not in err.lower() or done or installed() != before:
    sys.exit(f"a tampered update was not refused: error {err!r}, done {done!r}")
print(f"a tampered update is refused: {err.strip()}")
err, done = offer_and_install(f"{feed}/replayed.json")
if "version" not in err.lower() or done or installed() != before:
    sys.exit(f"an old release offered as new was not refused: error {err!r}, done {done!r}")
print(f"an old release offered as new is refused: {err.strip()}")
err, done = offer_and_install(f"{feed}/latest.json")
if err or "0.1.1" not in done:
    sys.exit(f"the signed update was not installed: error {err!r}, done {done!r}")
if installed() != "0.1.1":
    sys.exit(f"dpkg shows {installed()} after the update")
print(f"the signed update is installed: {done.strip()}; dpkg shows {installed()}")
call("DELETE", f"/session/{sid}")
EOF
python3 "$work/drive.py" "$port" target/app-screens/installed-first-screen.png "$feed" || {
  echo "tauri-driver and the app said:" >&2
  mkdir -p target/package && cp "$work/driver.log" target/package/driver.log
  tail -40 "$work/driver.log" >&2
  exit 1
}
# Its data goes to the XDG data directory.
[ -f "$work/user/.local/share/webproof/cases.redb" ] || {
  echo "the installed app did not make its home in ~/.local/share/webproof" >&2
  exit 1
}
echo "package test: installed $deb; webproof, seal, verify, the app's first screen and its signed update all work"
