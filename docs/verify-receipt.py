#!/usr/bin/env python3
"""Checks a webproof evidence-log receipt (docs/evidence-package.md §6c) without webproof:
Python's standard library for the Merkle inclusion proof (RFC 9162 §2.1.3.2), and OpenSSL
(`openssl pkeyutl -verify -rawin`) for the Ed25519 note signatures of the log and witnesses.

    python3 docs/verify-receipt.py RECEIPT.json [--log-key VKEY] [--witness-key VKEY ...]

Without keys it uses the ones the receipt carries (which proves integrity, not trust).
Exit 0 when every check holds, 1 otherwise."""

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def fail(msg):
    print("FAILED:", msg)
    sys.exit(1)


def split_note(note):
    """(text, [(name, raw signature bytes)]) of a C2SP signed note."""
    i = note.rfind("\n\n")
    if i < 0:
        fail("a note has no blank line before its signatures")
    text, sigs = note[: i + 1], []
    for line in note[i + 2 :].splitlines():
        if not line.startswith("\u2014 "):
            fail("a signature line does not start with an em dash")
        name, b64 = line[2:].split(" ", 1)
        sigs.append((name, base64.b64decode(b64)))
    return text, sigs


def parse_vkey(vkey):
    """(name, key id, algorithm, key) of a verifier key `name+hexid+base64` (or of the key in
    the file of that name)."""
    if os.path.isfile(vkey):
        with open(vkey, encoding="utf-8") as f:
            vkey = f.read().strip()
    try:
        name, key_id, b64 = vkey.split("+", 2)
        raw = base64.b64decode(b64, validate=True)
        return name, bytes.fromhex(key_id), raw[0], raw[1:]
    except (ValueError, IndexError) as e:
        fail(f"not a verifier key (name+id+key): {vkey[:60]!r} ({e})")


def ed25519_verify(pub, msg, sig):
    """OpenSSL checks one Ed25519 signature (key as SubjectPublicKeyInfo PEM)."""
    spki = bytes.fromhex("302a300506032b6570032100") + pub
    pem = "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(spki).decode() + "\n-----END PUBLIC KEY-----\n"
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for n, data in (("key.pem", pem.encode()), ("msg", msg), ("sig", sig)):
            paths[n] = os.path.join(d, n)
            with open(paths[n], "wb") as f:
                f.write(data)
        r = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", paths["key.pem"],
             "-rawin", "-in", paths["msg"], "-sigfile", paths["sig"]],
            capture_output=True, text=True)
        return r.returncode == 0 and "Signature Verified Successfully" in r.stdout


def signed_by(note, vkey, cosignature=False):
    """The signature time (cosignatures) or True, if `vkey` signed `note`; None if it did not."""
    name, key_id, alg, pub = parse_vkey(vkey)
    text, sigs = split_note(note)
    for n, raw in sigs:
        if n != name or raw[:4] != key_id:
            continue
        if cosignature:
            t = int.from_bytes(raw[4:12], "big")
            msg = f"cosignature/v1\ntime {t}\n{text}".encode()
            ok = alg == 4 and ed25519_verify(pub, msg, raw[12:])
            return t if ok else fail(f"the cosignature of {name} does not verify")
        ok = alg == 1 and ed25519_verify(pub, text.encode(), raw[4:])
        return True if ok else fail(f"the signature of {name} does not verify")
    return None


def h(b):
    return hashlib.sha256(b).digest()


def root_from_inclusion(index, size, leaf, proof):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        fail("index beyond the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            fail("the inclusion proof is too long")
        if fn % 2 == 1 or fn == sn:
            r = h(b"\x01" + p + r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = h(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        fail("the inclusion proof is too short")
    return r


def main():
    args = sys.argv[1:]
    if not args or len(args) % 2 != 1 or any(a not in ("--log-key", "--witness-key") for a in args[1::2]):
        print(__doc__)
        sys.exit(2)
    try:
        with open(args[0], encoding="utf-8") as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{args[0]}: not a readable receipt: {e}")
    log_key, witness_keys = r["log_key"], list(r["witness_keys"])
    given_witnesses = []
    i = 1
    while i < len(args):
        if args[i] == "--log-key":
            log_key = args[i + 1]
        elif args[i] == "--witness-key":
            given_witnesses.append(args[i + 1])
        i += 2
    if given_witnesses:
        witness_keys = given_witnesses
    entry = r["entry"].encode()
    deposit = json.loads(entry)
    leaf = h(b"\x00" + entry)
    # The checkpoint: origin, size, root; signed by the log.
    text, _ = split_note(r["checkpoint"])
    origin, size, root_b64 = text.split("\n")[:3]
    if origin != r["log"] or not signed_by(r["checkpoint"], log_key):
        fail("the checkpoint is not signed by the log's key")
    print(f"checkpoint: {origin}, size {size}, signed by the log")
    # The promise: the log's signature over the head of the entry's commit group (deposits
    # first..first+count-1); the entry's path in that group leads to it.
    ptext, _ = split_note(r["promise"])
    lines = ptext.split("\n")
    if lines[0] != "webproof-log promise/v2" or lines[1] != r["log"]:
        fail("the promise is not a promise of this log")
    first, count = int(lines[2]), int(lines[3])
    if not first <= r["index"] < first + count:
        fail("the promise does not cover the entry's index")
    group = [base64.b64decode(p) for p in r["promise_proof"]]
    if root_from_inclusion(r["index"] - first, count, leaf, group) != base64.b64decode(lines[4]):
        fail("the entry is not in the promised group")
    if not signed_by(r["promise"], log_key):
        fail("the promise is not signed by the log's key")
    print(f"promise: index {r['index']} (group {first}..{first + count - 1}), log time {lines[5]}, signed by the log")
    # The inclusion proof.
    proof = [base64.b64decode(p) for p in r["inclusion"]]
    if root_from_inclusion(r["index"], int(size), leaf, proof) != base64.b64decode(root_b64):
        fail("the inclusion proof does not lead to the checkpoint's root")
    print(f"inclusion: the entry (chain head SHA-256 {deposit['sha256']}) is leaf {r['index']} of the tree")
    cosigners = 0
    for w in witness_keys:
        t = signed_by(r["checkpoint"], w, cosignature=True)
        if t is not None:
            cosigners += 1
            print(f"cosigned by {w.split('+')[0]} at Unix time {t}")
    print(f"OK: {cosigners} witness cosignature(s) verify")


try:
    main()
except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
    # A malformed receipt: a message, not a traceback.
    fail(f"a malformed receipt: {type(e).__name__}: {e}")
