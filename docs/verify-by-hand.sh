#!/usr/bin/env bash
# Checks a webproof evidence package with standard tools only: bash, coreutils (sha256sum,
# sed, tr), unzip, OpenSSL >= 3.0 (SM3, Ed25519, SM2, `openssl ts`) and python3's standard
# library (to read JSON, to check the ZIP form: docs/check-container.py, and the receipts:
# docs/verify-receipt.py).
#
#   bash docs/verify-by-hand.sh case.wacz          # the package file: its ZIP form too
#   unzip -q case.wacz -d pkg && bash docs/verify-by-hand.sh pkg
#
# Trust, as with `webproof verify`, is the reader's to give:
#   TSA_ROOTS=root.pem[:root2.pem]   time-stamps verified with `openssl ts -verify` against
#                                    these roots (without: imprint, status and nonce only)
#   LOG_KEY=VKEY WITNESS_KEYS="VKEY VKEY"   receipts checked with these keys (without: with
#                                    the keys the package carries, which proves integrity only)
#
# Every line printed is one check; the script stops at the first failure with exit 1.
# It is the procedure of docs/evidence-package.md, section "Verifying by hand".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*"; exit 1; }
if [ -f "$1" ]; then
  # 0. The package file is in the one ZIP form (§1.1), so every reader sees these members.
  python3 "$here/check-container.py" "$1" || exit 1
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  unzip -q "$1" -d "$work" || fail "unzip cannot extract $1"
  cd "$work"
else
  cd "$1"
fi
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {'d': d}))" "$@"; }

# 1. datapackage-digest.json states the SHA-256 of datapackage.json.
want=$(json datapackage-digest.json 'd["hash"]')
got="sha256:$(sha256sum datapackage.json | cut -d' ' -f1)"
[ "$want" = "$got" ] || fail "datapackage.json: $got, datapackage-digest.json says $want"
echo "ok datapackage.json SHA-256 matches datapackage-digest.json"

# 2. Every signature over evidence/manifest.json verifies with the signer's public key.
for role in $(json evidence/manifest.json '" ".join(s["role"] for s in d["signers"])'); do
  alg=$(json evidence/manifest.json "[s for s in d['signers'] if s['role']=='$role'][0]['algorithm']")
  extra=()
  [ "$alg" = sm2 ] && extra=(-digest sm3 -pkeyopt distid:1234567812345678)
  openssl pkeyutl -verify -pubin -inkey "identity/$role.pub.pem" -rawin \
    -in evidence/manifest.json -sigfile "signatures/$role.sig" "${extra[@]}" >/dev/null \
    || fail "signatures/$role.sig does not verify"
  fpr=$(openssl pkey -pubin -in "identity/$role.pub.pem" -outform DER | sha256sum | cut -d' ' -f1)
  want=$(json evidence/manifest.json "[s for s in d['signers'] if s['role']=='$role'][0]['fingerprint']")
  [ "$fpr" = "$want" ] || fail "$role key fingerprint $fpr, manifest says $want"
  echo "ok $role $alg signature verifies; key fingerprint $fpr"
done

# 3. Every file the manifest lists has the listed SHA-256 and SM3.
json evidence/manifest.json '"\n".join(f["sha256"] + "  " + f["path"] for f in d["files"])' \
  | sha256sum --quiet -c - || fail "SHA-256 mismatch (above)"
echo "ok every listed file's SHA-256 matches the manifest"
while read -r want path; do
  got=$(openssl dgst -sm3 -r "$path" | cut -d' ' -f1)
  [ "$got" = "$want" ] || fail "$path: SM3 $got, manifest says $want"
done < <(json evidence/manifest.json '"\n".join(f["sm3"] + " " + f["path"] for f in d["files"])')
echo "ok every listed file's SM3 matches the manifest"
# 3b. No file the manifest does not list, but the derived and signature files and what is
#     added after sealing (renewals, receipt refreshes, reviews).
unlisted=$(python3 - <<'PY'
import json, os, re
m = json.load(open("evidence/manifest.json"))
listed = {f["path"] for f in m["files"]}
for r, _, fs in os.walk("."):
    for f in fs:
        p = os.path.relpath(os.path.join(r, f))
        if p in listed or p in ("datapackage.json", "datapackage-digest.json", "evidence/manifest.json"):
            continue
        if (p.startswith("signatures/") and p.endswith(".sig")) or p.startswith("renewals/") \
                or p.startswith("receipts/refresh-"):
            continue
        # A review's files (docs/evidence-package.md §6e), each of a statement that is there,
        # a request only beside its token.
        rv = re.fullmatch(r"reviews/(\d{3})(\.json|\.sig|-identity\.json|\.pub\.pem|\.cert\.pem|-([1-9]\d*)\.ts[qr])", p)
        if rv and rv.group(1) != "000" and os.path.exists(f"reviews/{rv.group(1)}.json") \
                and not (p.endswith(".tsq") and not os.path.exists(p[:-1] + "r")):
            continue
        print(p)
PY
)
[ -z "$unlisted" ] || fail "in the package but not listed in the signed manifest: $unlisted"
echo "ok no file outside the manifest"
# 3c. datapackage.json is canonical JSON listing every other file with its SHA-256 and size.
python3 - <<'PY' || fail "datapackage.json does not list the package's files as §6 says"
import hashlib, json, os
raw = open("datapackage.json", "rb").read()
d = json.loads(raw)
canon = json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
files = sorted(os.path.relpath(os.path.join(r, f)) for r, _, fs in os.walk(".") for f in fs)
files = [f for f in files if f not in ("datapackage.json", "datapackage-digest.json")]
want = [{"name": f, "path": f, "bytes": os.path.getsize(f),
         "hash": "sha256:" + hashlib.sha256(open(f, "rb").read()).hexdigest()} for f in files]
if raw != canon:
    raise SystemExit("datapackage.json is not canonical JSON")
if d.get("profile") != "data-package" or d.get("wacz_version") != "1.1.1":
    raise SystemExit("datapackage.json is not a WACZ 1.1.1 data package")
got = [{k: r.get(k) for k in ("name", "path", "bytes", "hash")} for r in d["resources"]]
for g, w in zip(got + [None] * len(want), want + [None] * len(got)):
    if g != w:
        raise SystemExit(f"datapackage.json lists {g}, the directory holds {w}")
PY
echo "ok datapackage.json lists every file with its SHA-256 and size"

# 4. The journal is a chain: each line's digests are the next line's "prev", and the last
#    line's digests are the manifest's chain head. (A JCS line never holds a raw newline.)
n=$(wc -l < evidence/journal.jsonl)
prev_sha=null; prev_sm3=null
for i in $(seq 1 "$n"); do
  line=$(sed -n "${i}p" evidence/journal.jsonl)
  p=$(printf '%s' "$line" | python3 -c "import json,sys; p=json.load(sys.stdin)['prev']; print('null null' if p is None else p['sha256']+' '+p['sm3'])")
  [ "$p" = "$prev_sha $prev_sm3" ] || fail "journal line $i: prev is $p, expected $prev_sha $prev_sm3"
  prev_sha=$(printf '%s' "$line" | sha256sum | cut -d' ' -f1)
  prev_sm3=$(printf '%s' "$line" | openssl dgst -sm3 -r | cut -d' ' -f1)
done
head=$(json evidence/manifest.json 'd["journal"]["head"]["sha256"] + " " + d["journal"]["head"]["sm3"]')
[ "$head" = "$prev_sha $prev_sm3" ] || fail "chain head $prev_sha $prev_sm3, manifest says $head"
echo "ok journal: $n records chained; head SHA-256 $prev_sha SM3 $prev_sm3"

# 5. Every listed file but the journal and the time-stamps and receipts over its heads is
#    named by a step, with the same digests: the chain head (which the tokens and receipts
#    cover) binds its bytes, so nothing was added or changed after sealing. The last step is
#    the seal step, and the manifest's case, tool and time are those it recorded.
named=$(python3 -c '
import json, sys
steps = [json.loads(l) for l in open("evidence/journal.jsonl")]
art = {a["path"]: (a["sha256"], a["sm3"], a["size"]) for s in steps for a in s["artifacts"]}
for f in json.load(open("evidence/manifest.json"))["files"]:
    p = f["path"]
    if p == "evidence/journal.jsonl" or p.startswith("timestamps/") or p.startswith("receipts/"):
        continue
    if art.get(p) != (f["sha256"], f["sm3"], f["size"]):
        print(p)
')
[ -z "$named" ] || fail "named by no step with these digests (outside trusted time): $named"
seal=$(python3 -c '
import json
s = [json.loads(l) for l in open("evidence/journal.jsonl")][-1]
m = json.load(open("evidence/manifest.json"))
p = s["params"]
print("ok" if s["kind"] == "seal" and p.get("case") == m["case"] and p.get("tool") == m["tool"] and s["ended"] == m["sealed"] else "differ")
')
[ "$seal" = ok ] || fail "the manifest's case, tool or sealing time differ from the seal step's"
echo "ok every file is named by a step; the manifest's claims are the seal step's"

# 6. Time-stamps: each token is granted and stamps the chain head its name gives (line
#    seq+1 of the journal); its request's nonce is the token's; with TSA_ROOTS, openssl
#    verifies signature, certificate binding and chain as well.
head_of() { sed -n "$(( 10#$1 + 1 ))p" evidence/journal.jsonl | tr -d '\n' | sha256sum | cut -d' ' -f1; }
roots=()
[ -n "${TSA_ROOTS:-}" ] && IFS=: read -ra roots <<< "$TSA_ROOTS"
n_ts=0
for tsr in timestamps/*.tsr; do
  [ -e "$tsr" ] || continue
  seq=$(basename "$tsr" | cut -d- -f1)
  head=$(head_of "$seq")
  text=$(openssl ts -reply -in "$tsr" -text 2>/dev/null) || fail "$tsr is not a time-stamp response"
  grep -q "Status: Granted" <<< "$text" || fail "$tsr: not granted"
  got=$(python3 -c '
import re, sys
t = sys.stdin.read().split("Message data:", 1)[1]
print("".join(re.findall(r"^\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){0,16})", t, re.M)).replace(" ", "").replace("-", ""))
' <<< "$text")
  [ "$got" = "$head" ] || fail "$tsr stamps $got, not the chain head after step $((10#$seq)) ($head)"
  tsq=${tsr%.tsr}.tsq
  if [ -e "$tsq" ]; then
    nq=$(openssl ts -query -in "$tsq" -text 2>/dev/null | grep -i "Nonce" | tr -d ' ')
    nr=$(grep -i "Nonce" <<< "$text" | tr -d ' ')
    [ "$nq" = "$nr" ] || fail "$tsr does not answer $tsq (nonce)"
  fi
  if [ ${#roots[@]} -gt 0 ]; then
    # One root at a time: OpenSSL finds an issuer by name, and two roots may share one.
    ok=""
    for root in "${roots[@]}"; do
      openssl ts -verify -digest "$head" -in "$tsr" -CAfile "$root" >/dev/null 2>&1 && ok=1 && break
    done
    [ -n "$ok" ] || fail "$tsr does not verify against TSA_ROOTS"
  fi
  n_ts=$((n_ts + 1))
done
if [ ${#roots[@]} -gt 0 ]; then trust="verified against TSA_ROOTS"; else trust="imprints and nonces (no TSA_ROOTS given)"; fi
echo "ok $n_ts time-stamps: $trust"

# 7. Receipts: each is a deposit of this capture's chain head after its step, and
#    docs/verify-receipt.py checks promise, inclusion proof and signatures.
n_r=0
for r in receipts/[0-9]*.json; do
  [ -e "$r" ] || continue
  seq=$(basename "$r" | cut -d- -f1)
  head=$(head_of "$seq")
  python3 - "$r" "$head" <<'PY' || fail "$r is not a deposit of this package's chain head after its step"
import json, sys
r = json.load(open(sys.argv[1]))
e = json.loads(r["entry"])
m = json.load(open("evidence/manifest.json"))
op = [s["fingerprint"] for s in m["signers"] if s["role"] == "operator"]
raise SystemExit(0 if e["sha256"] == sys.argv[2] and e["package"] == m["capture"] and [e["operator"]] == op else 1)
PY
  keys=()
  [ -n "${LOG_KEY:-}" ] && keys+=(--log-key "$LOG_KEY")
  for w in ${WITNESS_KEYS:-}; do keys+=(--witness-key "$w"); done
  python3 "$here/verify-receipt.py" "$r" "${keys[@]}" >/dev/null || fail "$r does not check ($here/verify-receipt.py)"
  n_r=$((n_r + 1))
done
echo "ok $n_r receipts"

# 8. Renewals: every file a renewal lists still has the digest it recorded.
for rec in renewals/[0-9][0-9][0-9].json; do
  [ -e "$rec" ] || continue
  python3 - "$rec" <<'PY' || fail "$rec: a file it covers has changed"
import hashlib, json, subprocess, sys
d = json.load(open(sys.argv[1]))
for f in d["files"]:
    if d["alg"] == "sm3":
        got = subprocess.run(["openssl", "dgst", "-sm3", "-r", f["path"]], capture_output=True, text=True).stdout.split()[0]
    else:
        got = hashlib.new(d["alg"], open(f["path"], "rb").read()).hexdigest()
    if got != f["digest"]:
        raise SystemExit(1)
PY
  echo "ok $rec: every covered file unchanged"
done
# 9. Reviews: each statement names this manifest, its signature verifies with the reviewer's
#    key, and its tokens stamp that signature.
for rec in reviews/[0-9][0-9][0-9].json; do
  [ -e "$rec" ] || continue
  n=$(basename "$rec" .json)
  # The statement: canonical, numbered as its name, of this capture and manifest, a notary's
  # (certified as one, when a certificate is there), not the operator's key, and the identity
  # document naming the key of NNN.pub.pem.
  python3 - "$rec" "$n" <<'PY' || fail "$rec is not a notary's review of this package (above)"
import hashlib, json, subprocess, sys
rec, n = sys.argv[1], sys.argv[2]
raw = open(rec, "rb").read()
d = json.loads(raw)
m = json.load(open("evidence/manifest.json"))
ident = json.load(open(f"reviews/{n}-identity.json"))
pem = open(f"reviews/{n}.pub.pem").read()
problems = []
if json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() != raw:
    problems.append("not canonical")
if d.get("v") != 1 or d.get("format") != "webproof-review" or d.get("n") != int(n):
    problems.append("format, version or number")
if d.get("capture") != m["capture"]:
    problems.append("another capture")
if d["manifest"]["sha256"] != hashlib.sha256(open("evidence/manifest.json", "rb").read()).hexdigest():
    problems.append("another manifest")
if d.get("role") != "notary" or ident.get("role") != "notary":
    problems.append("not a notary's")
if any(s["role"] == "operator" and s["fingerprint"] == d["fingerprint"] for s in m["signers"]):
    problems.append("the operator's own key")
if ident.get("public_key") != pem or ident.get("fingerprint") != d["fingerprint"]:
    problems.append("the identity document names another key")
try:
    cert = open(f"reviews/{n}.cert.pem").read()
except FileNotFoundError:
    cert = None
if cert is not None:
    ext = subprocess.run(["openssl", "x509", "-noout", "-ext", "certificatePolicies"],
                         input=cert, capture_output=True, text=True).stdout
    if "2.25.69257284516704912422874150880086036780.1.2" not in ext:
        problems.append("the certificate is not a notary's")
for p in problems:
    print(f"{rec}: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
  alg=$(json "$rec" 'd["algorithm"]')
  extra=()
  [ "$alg" = sm2 ] && extra=(-digest sm3 -pkeyopt distid:1234567812345678)
  openssl pkeyutl -verify -pubin -inkey "reviews/$n.pub.pem" -rawin \
    -in "$rec" -sigfile "reviews/$n.sig" "${extra[@]}" >/dev/null || fail "reviews/$n.sig does not verify"
  fpr=$(openssl pkey -pubin -in "reviews/$n.pub.pem" -outform DER | sha256sum | cut -d' ' -f1)
  [ "$fpr" = "$(json "$rec" 'd["fingerprint"]')" ] || fail "$rec: the key is not the one it names"
  sig_sha=$(sha256sum "reviews/$n.sig" | cut -d' ' -f1)
  for tsr in reviews/"$n"-*.tsr; do
    [ -e "$tsr" ] || continue
    stamped=$(openssl ts -reply -in "$tsr" -text 2>/dev/null | python3 -c '
import re, sys
t = sys.stdin.read().split("Message data:", 1)[-1]
print("".join(re.findall(r"^\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){0,16})", t, re.M)).replace(" ", "").replace("-", ""))
')
    [ "$stamped" = "$sig_sha" ] || fail "$tsr does not stamp reviews/$n.sig"
    if [ ${#roots[@]} -gt 0 ]; then
      ok=""
      for root in "${roots[@]}"; do
        openssl ts -verify -data "reviews/$n.sig" -in "$tsr" -CAfile "$root" >/dev/null 2>&1 && ok=1 && break
      done
      [ -n "$ok" ] || fail "$tsr does not verify against TSA_ROOTS"
    fi
  done
  echo "ok $rec: $(json "$rec" 'd["role"]') $alg signature over the statement verifies; it names this manifest"
done
# 10. Live supervision: each `supervision` step holds a notary's statement about the chain head
#     after an earlier step, signed with the key of the notary's identity in the step — not
#     the operator's key (docs/supervision.md).
tmp=$(mktemp -d)
python3 - "$tmp" <<'PY' || fail "a supervision step does not hold (above)"
import json, subprocess, sys, hashlib
tmp = sys.argv[1]
lines = open("evidence/journal.jsonl", "rb").read().split(b"\n")
lines = [l for l in lines if l]
m = json.load(open("evidence/manifest.json"))
operator = [s["fingerprint"] for s in m["signers"] if s["role"] == "operator"]
bad = 0
for i, line in enumerate(lines):
    r = json.loads(line)
    if r["kind"] != "supervision":
        continue
    p = r["params"]
    st = json.loads(p["statement"])
    ident = p["identity"]
    open(f"{tmp}/st", "w").write(p["statement"])
    open(f"{tmp}/sig", "wb").write(bytes.fromhex(p["signature"]))
    open(f"{tmp}/key.pem", "w").write(ident["public_key"])
    extra = ["-digest", "sm3", "-pkeyopt", "distid:1234567812345678"] if ident["algorithm"] == "sm2" else []
    ok = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", f"{tmp}/key.pem", "-rawin",
                         "-in", f"{tmp}/st", "-sigfile", f"{tmp}/sig"] + extra, capture_output=True).returncode == 0
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", f"{tmp}/key.pem", "-outform", "DER"], capture_output=True).stdout
    fpr = hashlib.sha256(der).hexdigest()
    problems = []
    if st.get("v") != 1 or st.get("format") != "webproof-supervision": problems.append("not a supervision statement of a known version")
    if not ok: problems.append("the signature does not verify")
    reason = st.get("reason") or ""
    if (st["event"] == "refuse") != bool(reason.strip()) or len(reason.encode()) > 2000: problems.append("a refusal gives a reason, and only a refusal")
    if fpr != st["notary"] or fpr != ident["fingerprint"] or ident["role"] != "notary": problems.append("not the notary's key")
    if fpr in operator: problems.append("signed with the operator's key")
    if st["capture"] != m["capture"] or not (0 <= st["seq"] < r["seq"]): problems.append("another capture or step")
    elif st["head"]["sha256"] != hashlib.sha256(lines[st["seq"]]).hexdigest(): problems.append("another chain head")
    for pr in problems:
        print(f"journal step {r['seq']}: {pr}", file=sys.stderr)
    bad += len(problems)
    if not problems:
        print(f"ok journal step {r['seq']}: notary {st['event']} statement signed by {ident['name']}")
sys.exit(1 if bad else 0)
PY
rm -rf "$tmp"
echo "ALL CHECKS PASSED"
