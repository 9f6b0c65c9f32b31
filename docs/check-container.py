#!/usr/bin/env python3
"""Checks that a .wacz file is in the one ZIP form webproof writes (docs/evidence-package.md
§1.1), with Python's standard library only: it lists the members as Python's zipfile sees
them, writes that member list again in the form §1.1 fixes, and compares the result with the
file byte for byte. A file that passes shows every ZIP reader the same members with the same
bytes (no comment, stub, gap, second end record, data descriptor, extra field or local header
that differs from the central directory can survive the comparison).

    python3 docs/check-container.py PACKAGE.wacz

Exit 0 when the file is in the form, 1 when it is not (saying where it first differs)."""

import re
import struct
import sys
import zipfile
import zlib

ZIP64_AT = 0xFFFFFFFF
ZIP64_COUNT_AT = 0xFFFF
NAME = re.compile(r"^[a-z0-9._-]+(/[a-z0-9._-]+)*$")


def fail(msg):
    print("FAILED:", msg)
    sys.exit(1)


def version(size, offset):
    return 45 if size >= ZIP64_AT or offset >= ZIP64_AT else 10


def local_header(name, size, crc, offset):
    big = size >= ZIP64_AT
    s32 = 0xFFFFFFFF if big else size
    n = name.encode()
    h = struct.pack("<IHHHHHIIIHH", 0x04034B50, version(size, offset), 0, 0, 0, 0x21, crc,
                    s32, s32, len(n), 20 if big else 0) + n
    if big:
        h += struct.pack("<HHQQ", 1, 16, size, size)
    return h


def central_entry(name, size, crc, offset):
    big, far = size >= ZIP64_AT, offset >= ZIP64_AT
    extra = (struct.pack("<QQ", size, size) if big else b"") + (struct.pack("<Q", offset) if far else b"")
    v = version(size, offset)
    s32 = 0xFFFFFFFF if big else size
    n = name.encode()
    h = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0300 | v, v, 0, 0, 0, 0x21, crc, s32, s32,
                    len(n), len(extra) + 4 if extra else 0, 0, 0, 0, 0x81A40000,
                    0xFFFFFFFF if far else offset) + n
    if extra:
        h += struct.pack("<HH", 1, len(extra)) + extra
    return h


def end_records(count, offset, size):
    h = b""
    if count >= ZIP64_COUNT_AT or offset >= ZIP64_AT or size >= ZIP64_AT:
        h += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x032D, 45, 0, 0, count, count, size, offset)
        h += struct.pack("<IIQI", 0x07064B50, 0, offset + size, 1)
    c16 = 0xFFFF if count >= ZIP64_COUNT_AT else count
    clamp = lambda v: 0xFFFFFFFF if v >= ZIP64_AT else v  # noqa: E731
    return h + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, c16, c16, clamp(size), clamp(offset), 0)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    path = sys.argv[1]
    try:
        with open(path, "rb") as f:
            data = f.read()
        z = zipfile.ZipFile(path)
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    except Exception as e:  # any reader error is a failure of the form, said plainly
        fail(f"{path}: not a ZIP file Python can read: {e}")
    names = [n for n, _ in members]
    for n in names:
        if len(n) > 1024 or not NAME.match(n) or any(p in (".", "..") for p in n.split("/")):
            fail(f"member name {n!r} is not one webproof writes")
    if names != sorted(names, key=lambda n: n.encode()) or len(set(names)) != len(names):
        fail("member names are not in strictly ascending order (a duplicate, or members reordered)")
    out, central = bytearray(), bytearray()
    for name, body in members:
        crc, at = zlib.crc32(body), len(out)
        out += local_header(name, len(body), crc, at) + body
        central += central_entry(name, len(body), crc, at)
    cd_at = len(out)
    out += central + end_records(len(members), cd_at, len(central))
    if bytes(out) != data:
        i = next((k for k in range(min(len(out), len(data))) if out[k] != data[k]), min(len(out), len(data)))
        fail(f"not in the one ZIP form: the file differs from its members written in that form "
             f"at byte {i} (file {len(data)} bytes, the form {len(out)})")
    print(f"ok container: {len(members)} members in the one ZIP form, every byte accounted for")


main()
