#!/usr/bin/env bash
# Checks an unzipped webproof evidence package with standard tools only:
# bash, coreutils (sha256sum, sed, tr), OpenSSL >= 3.0 (SM3, Ed25519, SM2) and python3's json
# module (only to read fields out of JSON; `jq` would do as well).
#
#   unzip -q case.wacz -d pkg && bash docs/verify-by-hand.sh pkg
#
# Every line printed is one check; the script stops at the first failure with exit 1.
# It is the procedure of docs/evidence-package.md, section "Verifying by hand".
set -euo pipefail
cd "$1"
fail() { echo "FAIL: $*"; exit 1; }
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
echo "ALL CHECKS PASSED"
