//! The package container: the one ZIP form webproof writes, and a reader that accepts nothing
//! else (docs/evidence-package.md §1).
//!
//! A ZIP file can be read in several ways — from the end record back through the central
//! directory (the zip crate, Python's `zipfile`, Info-ZIP), or forwards through the local
//! headers (stream readers, many replay tools) — and a crafted file shows each of them
//! something different: a second end record, a comment, a prepended stub, a local header whose
//! sizes differ from its central entry, a Unicode-path extra field, a duplicate name. No ZIP
//! library refuses such files, so webproof specifies one canonical form and checks it byte for
//! byte: from the list of members (name, size, CRC-32) in name order, the form fixes every
//! other byte of the file, and [`parse`] re-derives each header from that list and compares.
//! Whatever any reader makes of a file that passes, it sees the same members with the same
//! bytes.
//!
//! The form: members in strictly ascending byte order of name (names over `[a-z0-9._-]` and
//! `/`), each a local header followed by its stored (uncompressed) data, contiguous from byte 0;
//! then the central directory; then, only where a count, size or offset does not fit 32 bits,
//! a ZIP64 end record and locator; then the end record, which ends the file (no comment).
//! Fixed fields: version needed 1.0 (4.5 where ZIP64 is used), made by Unix 1.0 (4.5), flags 0,
//! method 0 (stored), DOS time 00:00 of 1980-01-01, Unix mode `-rw-r--r--`, no extra field but
//! the ZIP64 one where a value needs it, no data descriptor, no file comment, one disk.

use std::fs::File;
use std::io::{self, Read, Write};

/// Reads at a position, without a cursor shared between readers: what reading a container
/// needs from where its bytes are — a file (Unix and Windows), bytes in memory, or a browser's
/// `Blob` in the verifier page (wasm32), which implements it outside this crate.
pub trait ReadAt {
    /// Reads up to `buf.len()` bytes at `offset`; 0 only at or past the end.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;

    /// Fills `buf` from `offset`, or fails with `UnexpectedEof`.
    fn read_exact_at(&self, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
        while !buf.is_empty() {
            match self.read_at(buf, offset) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
impl ReadAt for File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }
}

#[cfg(windows)]
impl ReadAt for File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        // Moves the file's cursor, which no reader of a container relies on.
        std::os::windows::fs::FileExt::seek_read(self, buf, offset)
    }
}

/// Elsewhere (wasm32, where a `File` reads nothing): through the file's one cursor.
#[cfg(not(any(unix, windows)))]
impl ReadAt for File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        use std::io::{Seek, SeekFrom};
        let mut f = self;
        f.seek(SeekFrom::Start(offset))?;
        f.read(buf)
    }
}

impl ReadAt for [u8] {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let start = usize::try_from(offset).map_or(self.len(), |o| o.min(self.len()));
        let n = buf.len().min(self.len() - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

impl ReadAt for Vec<u8> {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        self.as_slice().read_at(buf, offset)
    }
}

/// Writes `buf` at `offset` of `file`.
#[cfg(unix)]
fn write_all_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

/// Writes `buf` at `offset` of `file`.
#[cfg(not(unix))]
fn write_all_at(mut file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(buf)
}

use webproof_message::{Explain, Message, key, msg};

/// Where ZIP64 starts: a size, offset or count at or above these needs the ZIP64 fields.
/// [`Form::WEBPROOF`] is the real limit; tests lower it to produce (standard, readable) ZIP64
/// archives without writing 4 GiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Form {
    /// Sizes and offsets at or above this are written in the ZIP64 extra field.
    pub zip64_at: u64,
    /// Entry counts at or above this are written in the ZIP64 end record.
    pub zip64_count_at: u64,
}

impl Form {
    pub const WEBPROOF: Form = Form {
        zip64_at: 0xFFFF_FFFF,
        zip64_count_at: 0xFFFF,
    };
}

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const END_SIG: u32 = 0x0605_4b50;
const ZIP64_END_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const LOCAL_FIXED: u64 = 30;
const CENTRAL_FIXED: u64 = 46;
const END_LEN: u64 = 22;
const ZIP64_END_LEN: u64 = 56;
const ZIP64_LOCATOR_LEN: u64 = 20;
/// DOS date 1980-01-01 (time 00:00:00 is 0).
const DOS_DATE: u16 = 0x0021;
/// `-rw-r--r--` regular file, in the high half of the external attributes.
const UNIX_MODE: u32 = 0o100644 << 16;
/// Longest member name webproof writes.
pub const MAX_NAME: usize = 1024;

/// One member of a canonical container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub size: u64,
    pub crc32: u32,
    /// Offset of its local header.
    pub header: u64,
    /// Offset of its data.
    pub data: u64,
}

/// What is wrong with a container: the byte range (end exclusive) that is not in webproof's
/// form, the member it belongs to where there is one, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bytes {start}..{end}{}: {fault}", member.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
pub struct ContainerError {
    pub start: u64,
    pub end: u64,
    pub member: Option<String>,
    pub fault: Fault,
}

/// Why a byte range is not in webproof's form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    #[error("the file is too short to be a ZIP archive")]
    TooShort,
    #[error(
        "the file does not end with an end-of-central-directory record (an archive comment, trailing bytes, or a truncated file)"
    )]
    NoEnd,
    #[error("the end record is not the one webproof writes for this central directory")]
    EndRecord,
    #[error("ZIP64 end records are missing, malformed, or present where nothing needs them")]
    Zip64,
    #[error("the central directory does not sit between the members and the end records")]
    CentralPlace,
    #[error(
        "the central directory entry is not what webproof writes for this member; it differs in: {0}"
    )]
    CentralEntry(String),
    #[error("the central directory holds more bytes than its entries")]
    CentralTrailing,
    #[error("more than {0} members")]
    TooMany(usize),
    #[error("the local header differs from its central directory entry in: {0}")]
    LocalHeader(String),
    #[error("bytes that belong to no member (prepended, inserted or overlapping data)")]
    Unaccounted,
    #[error("the member's data runs past the central directory")]
    Overrun,
    #[error("the member name is not one webproof writes: {0}")]
    Name(&'static str),
    #[error("member names are not in strictly ascending order (a duplicate, or members reordered)")]
    Order,
}

/// The local header webproof writes for a member.
pub fn local_header(name: &str, size: u64, crc32: u32, offset: u64, form: &Form) -> Vec<u8> {
    let big = size >= form.zip64_at;
    let mut h = Vec::with_capacity(LOCAL_FIXED as usize + name.len() + 20);
    put32(&mut h, LOCAL_SIG);
    put16(&mut h, version_needed(size, offset, form));
    put16(&mut h, 0); // flags
    put16(&mut h, 0); // stored
    put16(&mut h, 0); // time
    put16(&mut h, DOS_DATE);
    put32(&mut h, crc32);
    let s32 = if big { 0xFFFF_FFFF } else { size as u32 };
    put32(&mut h, s32); // compressed size
    put32(&mut h, s32); // uncompressed size
    put16(&mut h, name.len() as u16);
    put16(&mut h, if big { 20 } else { 0 });
    h.extend_from_slice(name.as_bytes());
    if big {
        put16(&mut h, 0x0001);
        put16(&mut h, 16);
        put64(&mut h, size);
        put64(&mut h, size);
    }
    h
}

/// The central directory entry webproof writes for a member.
pub fn central_entry(name: &str, size: u64, crc32: u32, offset: u64, form: &Form) -> Vec<u8> {
    let big = size >= form.zip64_at;
    let far = offset >= form.zip64_at;
    let version = version_needed(size, offset, form);
    let mut extra = Vec::new();
    if big {
        put64(&mut extra, size);
        put64(&mut extra, size);
    }
    if far {
        put64(&mut extra, offset);
    }
    let mut h = Vec::with_capacity(CENTRAL_FIXED as usize + name.len() + 28);
    put32(&mut h, CENTRAL_SIG);
    put16(&mut h, 0x0300 | version); // made by: Unix
    put16(&mut h, version);
    put16(&mut h, 0); // flags
    put16(&mut h, 0); // stored
    put16(&mut h, 0); // time
    put16(&mut h, DOS_DATE);
    put32(&mut h, crc32);
    let s32 = if big { 0xFFFF_FFFF } else { size as u32 };
    put32(&mut h, s32);
    put32(&mut h, s32);
    put16(&mut h, name.len() as u16);
    put16(
        &mut h,
        if extra.is_empty() {
            0
        } else {
            extra.len() as u16 + 4
        },
    );
    put16(&mut h, 0); // comment
    put16(&mut h, 0); // disk
    put16(&mut h, 0); // internal attributes
    put32(&mut h, UNIX_MODE);
    put32(&mut h, if far { 0xFFFF_FFFF } else { offset as u32 });
    h.extend_from_slice(name.as_bytes());
    if !extra.is_empty() {
        put16(&mut h, 0x0001);
        put16(&mut h, extra.len() as u16);
        h.extend_from_slice(&extra);
    }
    h
}

/// The records that end the file after a central directory of `count` entries and `size`
/// bytes at `offset`: the ZIP64 end record and locator where a value needs them, then the end
/// record.
pub fn end_records(count: u64, offset: u64, size: u64, form: &Form) -> Vec<u8> {
    let zip64 = count >= form.zip64_count_at || offset >= form.zip64_at || size >= form.zip64_at;
    let mut h = Vec::with_capacity((ZIP64_END_LEN + ZIP64_LOCATOR_LEN + END_LEN) as usize);
    if zip64 {
        let at = offset + size;
        put32(&mut h, ZIP64_END_SIG);
        put64(&mut h, ZIP64_END_LEN - 12);
        put16(&mut h, 0x032d); // made by: Unix, 4.5
        put16(&mut h, 45);
        put32(&mut h, 0); // this disk
        put32(&mut h, 0); // disk of the central directory
        put64(&mut h, count);
        put64(&mut h, count);
        put64(&mut h, size);
        put64(&mut h, offset);
        put32(&mut h, ZIP64_LOCATOR_SIG);
        put32(&mut h, 0);
        put64(&mut h, at);
        put32(&mut h, 1); // disks in all
    }
    let c16 = if count >= form.zip64_count_at {
        0xFFFF
    } else {
        count as u16
    };
    put32(&mut h, END_SIG);
    put16(&mut h, 0);
    put16(&mut h, 0);
    put16(&mut h, c16);
    put16(&mut h, c16);
    put32(&mut h, clamp32(size, form));
    put32(&mut h, clamp32(offset, form));
    put16(&mut h, 0); // no comment
    h
}

fn version_needed(size: u64, offset: u64, form: &Form) -> u16 {
    if size >= form.zip64_at || offset >= form.zip64_at {
        45
    } else {
        10
    }
}

fn clamp32(v: u64, form: &Form) -> u32 {
    if v >= form.zip64_at {
        0xFFFF_FFFF
    } else {
        v as u32
    }
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u16at(b: &[u8], i: usize) -> u64 {
    u16::from_le_bytes([b[i], b[i + 1]]) as u64
}
fn u32at(b: &[u8], i: usize) -> u64 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as u64
}
fn u64at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

/// Whether `name` is a member name webproof writes: `/`-separated components over
/// `[a-z0-9._-]`, none empty, `.` or `..`, at most [`MAX_NAME`] bytes.
pub fn is_canonical_name(name: &str) -> bool {
    name_problem(name.as_bytes()).is_none()
}

/// Why `name` is unsafe as a path inside any package (ZIP or directory), if it is: empty,
/// longer than 1024 bytes, absolute, with a backslash, colon or control character, or with an
/// empty, `.` or `..` component.
pub fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty");
    }
    if name.len() > MAX_NAME {
        return Some("longer than 1024 bytes");
    }
    if name.starts_with('/') {
        return Some("absolute path");
    }
    if name.contains('\\') {
        return Some("contains a backslash");
    }
    if name.contains(':') {
        return Some("contains a colon (drive letter or stream name)");
    }
    if name.chars().any(|c| c.is_control()) {
        return Some("contains a control character");
    }
    for part in name.split('/') {
        match part {
            "" => return Some("empty path component"),
            "." | ".." => return Some("dot path component (path traversal)"),
            _ => {}
        }
    }
    None
}

/// What keeps raw name bytes from being a member name webproof writes, if anything: an
/// [`unsafe_name`], or a name outside the alphabet.
pub fn name_problem(name: &[u8]) -> Option<&'static str> {
    const NOT_ASCII: &str = "not ASCII (names in other scripts or normalisations read differently)";
    let Ok(name) = std::str::from_utf8(name) else {
        return Some(NOT_ASCII);
    };
    if let Some(why) = unsafe_name(name) {
        return Some(why);
    }
    if !name.is_ascii() {
        return Some(NOT_ASCII);
    }
    let alphabet = |b: u8| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_' | b'/')
    };
    if !name.bytes().all(alphabet) {
        return Some("a character outside [a-z0-9._-] (upper case, space or punctuation)");
    }
    None
}

/// Reads a byte range, or says it is not there.
fn read_range(
    file: &(impl ReadAt + ?Sized),
    len: u64,
    start: u64,
    n: u64,
) -> Result<Vec<u8>, ContainerError> {
    let end = start.saturating_add(n);
    if end > len {
        return Err(ContainerError {
            start,
            end: len,
            member: None,
            fault: Fault::TooShort,
        });
    }
    let mut buf = vec![0u8; n as usize];
    file.read_exact_at(&mut buf, start)
        .map_err(|_| ContainerError {
            start,
            end,
            member: None,
            fault: Fault::TooShort,
        })?;
    Ok(buf)
}

/// Checks that `file` (of `len` bytes) is a container in webproof's form and returns its
/// members in order. Reads only headers and directories, never member data: the data's
/// CRC-32 is checked as each member is read.
pub fn parse(
    file: &(impl ReadAt + ?Sized),
    len: u64,
    max_entries: usize,
    form: &Form,
) -> Result<Vec<Member>, ContainerError> {
    let err = |start: u64, end: u64, member: Option<&str>, fault: Fault| ContainerError {
        start,
        end,
        member: member.map(str::to_owned),
        fault,
    };
    if len < END_LEN {
        return Err(err(0, len, None, Fault::TooShort));
    }
    // The end record ends the file: no comment, nothing after it.
    let end_at = len - END_LEN;
    let end = read_range(file, len, end_at, END_LEN)?;
    if u32at(&end, 0) != END_SIG as u64 {
        // Say where the last end record is, if there is one, so the bytes after it are named.
        let tail_len = len.min(END_LEN + 0xFFFF);
        let tail = read_range(file, len, len - tail_len, tail_len)?;
        let start = (0..=tail.len() - END_LEN as usize)
            .rev()
            .find(|&i| u32at(&tail, i) == END_SIG as u64)
            .map(|i| len - tail_len + i as u64)
            .unwrap_or(0);
        return Err(err(start, len, None, Fault::NoEnd));
    }
    let mut count = u16at(&end, 10);
    let mut cd_size = u32at(&end, 12);
    let mut cd_off = u32at(&end, 16);
    let mut records_at = end_at;
    let needs64 = count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_off == 0xFFFF_FFFF;
    if needs64 {
        let at = end_at
            .checked_sub(ZIP64_LOCATOR_LEN + ZIP64_END_LEN)
            .ok_or_else(|| err(0, end_at, None, Fault::Zip64))?;
        let z = read_range(file, len, at, ZIP64_END_LEN + ZIP64_LOCATOR_LEN)?;
        if u32at(&z, 0) != ZIP64_END_SIG as u64 {
            return Err(err(at, end_at, None, Fault::Zip64));
        }
        count = u64at(&z, 32);
        cd_size = u64at(&z, 40);
        cd_off = u64at(&z, 48);
        records_at = at;
    }
    if count > max_entries as u64 {
        return Err(err(records_at, len, None, Fault::TooMany(max_entries)));
    }
    // Every end byte must be exactly what webproof writes for these values.
    let expected = end_records(count, cd_off, cd_size, form);
    let actual_start = len.saturating_sub(expected.len() as u64);
    if actual_start != records_at && !needs64 {
        // A ZIP64 record is needed by these values but the file has none.
        return Err(err(records_at, len, None, Fault::Zip64));
    }
    let actual = read_range(file, len, actual_start, expected.len() as u64)?;
    if actual != expected {
        let first = first_difference(&actual, &expected);
        let has64 = expected.len() as u64 > END_LEN;
        let fault = if has64 != needs64 || (has64 && first < expected.len() - END_LEN as usize) {
            Fault::Zip64
        } else {
            Fault::EndRecord
        };
        return Err(err(actual_start, len, None, fault));
    }
    if cd_off.checked_add(cd_size) != Some(records_at) {
        return Err(err(
            cd_off.min(records_at),
            records_at,
            None,
            Fault::CentralPlace,
        ));
    }
    // The central directory: each entry re-derived from its name, size, CRC and offset.
    let cd = read_range(file, len, cd_off, cd_size)?;
    let mut members: Vec<Member> = Vec::with_capacity(count as usize);
    let mut i = 0usize;
    for _ in 0..count {
        let at = cd_off + i as u64;
        if cd.len() < i + CENTRAL_FIXED as usize || u32at(&cd, i) != CENTRAL_SIG as u64 {
            return Err(err(
                at,
                records_at,
                None,
                Fault::CentralEntry("signature".into()),
            ));
        }
        let n = u16at(&cd, i + 28) as usize;
        let x = u16at(&cd, i + 30) as usize;
        let c = u16at(&cd, i + 32) as usize;
        let total = CENTRAL_FIXED as usize + n + x + c;
        let Some(entry) = cd.get(i..i + total) else {
            return Err(err(
                at,
                records_at,
                None,
                Fault::CentralEntry("length".into()),
            ));
        };
        let raw_name = &entry[CENTRAL_FIXED as usize..CENTRAL_FIXED as usize + n];
        if let Some(why) = name_problem(raw_name) {
            let shown: String = String::from_utf8_lossy(raw_name)
                .chars()
                .take(200)
                .collect();
            return Err(err(at, at + total as u64, Some(&shown), Fault::Name(why)));
        }
        // name_problem let only ASCII through.
        let name = String::from_utf8_lossy(raw_name).into_owned();
        if let Some(prev) = members.last()
            && prev.name.as_bytes() >= name.as_bytes()
        {
            return Err(err(at, at + total as u64, Some(&name), Fault::Order));
        }
        let crc32 = u32at(entry, 16) as u32;
        let mut size = u32at(entry, 24);
        let mut offset = u32at(entry, 42);
        // The ZIP64 extra field, if any, gives the values marked 0xFFFFFFFF (size, then offset).
        let extra = &entry[CENTRAL_FIXED as usize + n..CENTRAL_FIXED as usize + n + x];
        if x >= 4 && u16at(extra, 0) == 1 {
            let mut k = 4;
            if size == 0xFFFF_FFFF && extra.len() >= k + 16 {
                size = u64at(extra, k);
                k += 16;
            }
            if offset == 0xFFFF_FFFF && extra.len() >= k + 8 {
                offset = u64at(extra, k);
            }
        }
        let want = central_entry(&name, size, crc32, offset, form);
        if want != entry {
            let field = differing(entry, &want, |i| central_field(i, n));
            return Err(err(
                at,
                at + total as u64,
                Some(&name),
                Fault::CentralEntry(field),
            ));
        }
        members.push(Member {
            name,
            size,
            crc32,
            header: offset,
            data: 0,
        });
        i += total;
    }
    if i != cd.len() {
        return Err(err(
            cd_off + i as u64,
            records_at,
            None,
            Fault::CentralTrailing,
        ));
    }
    // The members: contiguous from byte 0, each local header exactly its entry's.
    let mut pos = 0u64;
    for m in &mut members {
        if m.header != pos {
            let (s, e) = (pos.min(m.header), pos.max(m.header));
            return Err(err(s, e, Some(&m.name), Fault::Unaccounted));
        }
        let want = local_header(&m.name, m.size, m.crc32, m.header, form);
        let got = read_range(file, len, pos, want.len() as u64).map_err(|mut e| {
            e.member = Some(m.name.clone());
            e.fault = Fault::LocalHeader("length".into());
            e
        })?;
        if got != want {
            let h_end = pos + want.len() as u64;
            let field = differing(&got, &want, |i| local_field(i, m.name.len()));
            return Err(err(pos, h_end, Some(&m.name), Fault::LocalHeader(field)));
        }
        m.data = pos + want.len() as u64;
        pos = m
            .data
            .checked_add(m.size)
            .filter(|&e| e <= cd_off)
            .ok_or_else(|| err(m.data, cd_off, Some(&m.name), Fault::Overrun))?;
    }
    if pos != cd_off {
        return Err(err(pos, cd_off, None, Fault::Unaccounted));
    }
    Ok(members)
}

/// The name of the central directory field at byte `i` of an entry whose name is `n` bytes.
fn central_field(i: usize, n: usize) -> &'static str {
    match i {
        0..=3 => "signature",
        4..=5 => "version made by",
        6..=7 => "version needed",
        8..=9 => "flags (encryption, data descriptor or name encoding)",
        10..=11 => "compression method",
        12..=15 => "modification time",
        16..=19 => "CRC-32",
        20..=27 => "sizes",
        28..=29 => "name length",
        30..=31 => "extra field length",
        32..=33 => "comment length",
        34..=35 => "disk number",
        36..=37 => "internal attributes",
        38..=41 => "external attributes (file type and mode)",
        42..=45 => "local header offset",
        _ if i < 46 + n => "name",
        _ => "extra field",
    }
}

/// The name of the local header field at byte `i` of a header whose name is `n` bytes.
fn local_field(i: usize, n: usize) -> &'static str {
    match i {
        0..=3 => "signature",
        4..=5 => "version needed",
        6..=7 => "flags (encryption, data descriptor or name encoding)",
        8..=9 => "compression method",
        10..=13 => "modification time",
        14..=17 => "CRC-32",
        18..=25 => "sizes",
        26..=27 => "name length",
        28..=29 => "extra field length",
        _ if i < 30 + n => "name",
        _ => "extra field",
    }
}

/// The fields in which two headers differ, named by `field`, in order and once each.
fn differing(a: &[u8], b: &[u8], field: impl Fn(usize) -> &'static str) -> String {
    let mut names: Vec<&'static str> = Vec::new();
    for i in 0..a.len().max(b.len()) {
        if a.get(i) != b.get(i) {
            let f = field(i);
            if !names.contains(&f) {
                names.push(f);
            }
        }
    }
    names.join(", ")
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

/// Errors while writing a container.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("member name {0:?} is not in webproof's alphabet")]
    Name(String),
    #[error("member {0:?} does not follow the previous member in name order")]
    Order(String),
    #[error(
        "member {name:?} yielded {got} bytes, {declared} were declared (did it change while being written?)"
    )]
    Size {
        name: String,
        declared: u64,
        got: u64,
    },
}

/// Writes a container in webproof's form, member by member, into a file (which it patches in
/// place: each member's CRC-32 is known only after its data).
pub struct Writer {
    file: File,
    form: Form,
    pos: u64,
    members: Vec<Member>,
    buf: Vec<u8>,
}

impl Writer {
    pub fn new(file: File) -> Writer {
        Writer::with_form(file, Form::WEBPROOF)
    }

    pub fn with_form(file: File, form: Form) -> Writer {
        Writer {
            file,
            form,
            pos: 0,
            members: Vec::new(),
            buf: vec![0u8; 1 << 20],
        }
    }

    /// Adds a member of `size` bytes read from `data`; names must come in ascending order.
    pub fn add(&mut self, name: &str, size: u64, data: &mut dyn Read) -> Result<(), WriteError> {
        if !is_canonical_name(name) {
            return Err(WriteError::Name(name.to_owned()));
        }
        if let Some(prev) = self.members.last()
            && prev.name.as_bytes() >= name.as_bytes()
        {
            return Err(WriteError::Order(name.to_owned()));
        }
        let header = local_header(name, size, 0, self.pos, &self.form);
        write_all_at(&self.file, &header, self.pos)?;
        let data_at = self.pos + header.len() as u64;
        let mut crc = crc32fast::Hasher::new();
        let buf = &mut self.buf;
        let mut got = 0u64;
        loop {
            let n = match data.read(buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if got + n as u64 > size {
                return Err(WriteError::Size {
                    name: name.to_owned(),
                    declared: size,
                    got: got + n as u64,
                });
            }
            write_all_at(&self.file, &buf[..n], data_at + got)?;
            crc.update(&buf[..n]);
            got += n as u64;
        }
        if got != size {
            return Err(WriteError::Size {
                name: name.to_owned(),
                declared: size,
                got,
            });
        }
        let crc32 = crc.finalize();
        // The CRC-32 field sits at byte 14 of the local header.
        write_all_at(&self.file, &crc32.to_le_bytes(), self.pos + 14)?;
        self.members.push(Member {
            name: name.to_owned(),
            size,
            crc32,
            header: self.pos,
            data: data_at,
        });
        self.pos = data_at + size;
        Ok(())
    }

    /// Writes the central directory and end records; returns the file (not yet synced).
    pub fn finish(self) -> Result<File, WriteError> {
        let mut cd = Vec::new();
        for m in &self.members {
            cd.extend_from_slice(&central_entry(
                &m.name, m.size, m.crc32, m.header, &self.form,
            ));
        }
        let tail = end_records(
            self.members.len() as u64,
            self.pos,
            cd.len() as u64,
            &self.form,
        );
        cd.extend_from_slice(&tail);
        write_all_at(&self.file, &cd, self.pos)?;
        self.file.set_len(self.pos + cd.len() as u64)?;
        let mut file = self.file;
        file.flush()?;
        Ok(file)
    }
}

/// Writes a whole container to `out` from members held in memory (tests and small packages).
pub fn write_all(out: File, members: &[(&str, &[u8])], form: Form) -> Result<File, WriteError> {
    let mut w = Writer::with_form(out, form);
    for (name, mut bytes) in members.iter().copied() {
        w.add(name, bytes.len() as u64, &mut bytes)?;
    }
    w.finish()
}

/// A reader over one member's data that checks its CRC-32 when the data ends.
pub struct MemberReader<'a> {
    file: &'a dyn ReadAt,
    pos: u64,
    left: u64,
    crc: crc32fast::Hasher,
    expected: u32,
}

impl<'a> MemberReader<'a> {
    pub fn new(file: &'a dyn ReadAt, m: &Member) -> MemberReader<'a> {
        MemberReader {
            file,
            pos: m.data,
            left: m.size,
            crc: crc32fast::Hasher::new(),
            expected: m.crc32,
        }
    }
}

impl Read for MemberReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            if self.left == 0 {
                let got = self.crc.clone().finalize();
                if got != self.expected {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "CRC-32 is {got:08x}, the central directory says {:08x}",
                            self.expected
                        ),
                    ));
                }
            }
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.file.read_at(&mut buf[..max], self.pos)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the member's data ends early",
            ));
        }
        self.crc.update(&buf[..n]);
        self.pos += n as u64;
        self.left -= n as u64;
        Ok(n)
    }
}

impl Explain for ContainerError {
    fn message(&self) -> Message {
        use crate::container::Fault as F;
        let fault = match &self.fault {
            F::TooShort => msg!("err-zip-too-short"),
            F::NoEnd => msg!("err-zip-no-end"),
            F::EndRecord => msg!("err-zip-end-record"),
            F::Zip64 => msg!("err-zip-zip64"),
            F::CentralPlace => msg!("err-zip-central-place"),
            F::CentralEntry(field) => msg!("err-zip-central-entry").arg("field", field),
            F::CentralTrailing => msg!("err-zip-central-trailing"),
            F::TooMany(n) => msg!("err-pkg-too-many").arg("limit", n),
            F::LocalHeader(field) => msg!("err-zip-local-header").arg("field", field),
            F::Unaccounted => msg!("err-zip-unaccounted"),
            F::Overrun => msg!("err-zip-overrun"),
            F::Name(why) => msg!("err-zip-name").arg("reason", why),
            F::Order => msg!("err-zip-order"),
        };
        let key = if self.member.is_some() {
            key!("err-zip-range-member")
        } else {
            key!("err-zip-range")
        };
        Message::new(key)
            .arg("start", self.start)
            .arg("end", self.end)
            .arg("member", self.member.as_deref().unwrap_or(""))
            .because(fault)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A source that hands out at most 3 bytes a read, and is interrupted every other call.
    struct Stingy {
        bytes: Vec<u8>,
        calls: std::cell::Cell<u32>,
    }

    impl ReadAt for Stingy {
        fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
            let n = self.calls.get();
            self.calls.set(n + 1);
            if n % 2 == 1 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let start = (offset as usize).min(self.bytes.len());
            let k = buf.len().min(3).min(self.bytes.len() - start);
            buf[..k].copy_from_slice(&self.bytes[start..start + k]);
            Ok(k)
        }
    }

    #[test]
    fn read_exact_at_goes_on_after_short_and_interrupted_reads_and_stops_at_the_end() {
        let src = Stingy {
            bytes: (0u8..20).collect(),
            calls: std::cell::Cell::new(0),
        };
        let mut buf = [0u8; 10];
        src.read_exact_at(&mut buf, 5).unwrap();
        assert_eq!(buf, [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
        // Past the end: an error, not a short buffer.
        let e = src.read_exact_at(&mut buf, 15).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        // Another error is passed on as it is (not retried: the next read would say end).
        struct Broken(std::cell::Cell<bool>);
        impl ReadAt for Broken {
            fn read_at(&self, _: &mut [u8], _: u64) -> io::Result<usize> {
                if self.0.replace(true) {
                    return Ok(0);
                }
                Err(io::ErrorKind::PermissionDenied.into())
            }
        }
        let e = Broken(std::cell::Cell::new(false))
            .read_exact_at(&mut buf, 0)
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
    }

    #[test]
    fn a_file_reads_at_an_offset_without_a_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bytes");
        std::fs::write(&path, b"0123456789").unwrap();
        let f = File::open(&path).unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(ReadAt::read_at(&f, &mut buf, 3).unwrap(), 4);
        assert_eq!(&buf, b"3456");
        f.read_exact_at(&mut buf, 6).unwrap();
        assert_eq!(&buf, b"6789");
        assert_eq!(ReadAt::read_at(&f, &mut buf, 10).unwrap(), 0);
    }

    #[test]
    fn bytes_in_memory_read_at_a_position_as_a_file_does() {
        let bytes = b"0123456789".to_vec();
        let mut buf = [0u8; 4];
        assert_eq!(bytes.read_at(&mut buf, 3).unwrap(), 4);
        assert_eq!(&buf, b"3456");
        assert_eq!(bytes.read_at(&mut buf, 8).unwrap(), 2);
        assert_eq!(&buf[..2], b"89");
        for past in [10, 11, u64::MAX] {
            assert_eq!(bytes.read_at(&mut buf, past).unwrap(), 0, "{past}");
        }
        bytes.read_exact_at(&mut buf, 6).unwrap();
        assert_eq!(&buf, b"6789");
        let e = bytes.read_exact_at(&mut buf, 7).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        // A file reads the same.
        let mut t = tempfile::NamedTempFile::new().unwrap();
        t.write_all(&bytes).unwrap();
        let f = File::open(t.path()).unwrap();
        f.read_exact_at(&mut buf, 6).unwrap();
        assert_eq!(&buf, b"6789");
        assert_eq!(ReadAt::read_at(&f, &mut buf, 10).unwrap(), 0);
    }

    fn build(members: &[(&str, &[u8])], form: Form) -> (tempfile::NamedTempFile, Vec<u8>) {
        let t = tempfile::NamedTempFile::new().unwrap();
        write_all(t.reopen().unwrap(), members, form).unwrap();
        let bytes = std::fs::read(t.path()).unwrap();
        (t, bytes)
    }

    fn parse_bytes(bytes: &[u8], form: Form) -> Result<Vec<Member>, ContainerError> {
        let t = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(t.path(), bytes).unwrap();
        let f = File::open(t.path()).unwrap();
        parse(&f, bytes.len() as u64, 1000, &form)
    }

    fn read(bytes: &[u8], m: &Member) -> Vec<u8> {
        bytes[m.data as usize..(m.data + m.size) as usize].to_vec()
    }

    /// A member read a few bytes at a time gives its data in order; an empty buffer reads
    /// nothing without ending it; its CRC-32 is checked when its end is reached.
    #[test]
    fn a_member_is_read_piece_by_piece_and_its_crc_checked_at_its_end() {
        let data: Vec<u8> = (0u8..=250).collect();
        let (_t, bytes) = build(&[("a/x", &data), ("b/y", b"after")], Form::WEBPROOF);
        let got = parse_bytes(&bytes, Form::WEBPROOF).unwrap();
        let read_in_pieces = |bytes: &Vec<u8>| -> io::Result<Vec<u8>> {
            let mut r = MemberReader::new(bytes, &got[0]);
            let (mut out, mut buf) = (Vec::new(), [0u8; 7]);
            assert_eq!(r.read(&mut buf[..0])?, 0);
            loop {
                let n = r.read(&mut buf)?;
                if n == 0 {
                    return Ok(out);
                }
                out.extend_from_slice(&buf[..n]);
                // Mid-member, an empty buffer is no end and no CRC error.
                assert_eq!(r.read(&mut buf[..0])?, 0);
            }
        };
        assert_eq!(read_in_pieces(&bytes).unwrap(), data);
        // One byte of the data changed, its size the same: refused at the end.
        let mut bad = bytes.clone();
        bad[got[0].data as usize + 100] ^= 0x20;
        let e = read_in_pieces(&bad).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().starts_with("CRC-32 is "), "{e}");
    }

    #[test]
    fn round_trip_and_every_byte_is_accounted_for() {
        let members: &[(&str, &[u8])] = &[("a/b", b"hello"), ("a/c", b""), ("d.json", b"{}")];
        for form in [
            Form::WEBPROOF,
            Form {
                zip64_at: 1,
                zip64_count_at: 1,
            },
        ] {
            let (_t, bytes) = build(members, form);
            let got = parse_bytes(&bytes, form).unwrap();
            assert_eq!(got.len(), 3);
            for (m, (n, b)) in got.iter().zip(members) {
                assert_eq!((m.name.as_str(), read(&bytes, m)), (*n, b.to_vec()));
            }
            // Any single byte changed outside the data is refused, or changes nothing a
            // reader sees (the data and CRC are checked on reading).
            let data: Vec<(u64, u64)> = got.iter().map(|m| (m.data, m.data + m.size)).collect();
            for i in 0..bytes.len() {
                if data.iter().any(|&(s, e)| (i as u64) >= s && (i as u64) < e) {
                    continue;
                }
                let mut b = bytes.clone();
                b[i] ^= 0x01;
                let crc_field = got.iter().any(|m| {
                    let h = m.header as usize;
                    (h + 14..h + 18).contains(&i)
                });
                let r = parse_bytes(&b, form);
                assert!(
                    r.is_err() || crc_field,
                    "byte {i} flipped and still accepted"
                );
            }
        }
    }

    #[test]
    fn the_form_is_byte_for_byte_what_earlier_webproof_wrote() {
        // tests/fixtures/example-0.1.wacz was written by webproof 0.1 through the zip crate; its
        // members rewritten by this writer give the very same file.
        let fixture = include_bytes!("../../../tests/fixtures/example-0.1.wacz");
        let members = parse_bytes(fixture, Form::WEBPROOF).unwrap();
        assert_eq!(members.len(), 11);
        let owned: Vec<(String, Vec<u8>)> = members
            .iter()
            .map(|m| (m.name.clone(), read(fixture, m)))
            .collect();
        let refs: Vec<(&str, &[u8])> = owned
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let (_t, again) = build(&refs, Form::WEBPROOF);
        assert!(
            again == fixture.as_slice(),
            "the writer's bytes differ from the fixture's"
        );
        // And the fields, spelled out (docs/evidence-package.md §1).
        let c = central_entry("archive/data.warc", 459, 0xb2ea_f0a7, 0, &Form::WEBPROOF);
        assert_eq!(
            hex::encode(&c[..46]),
            "504b01020a030a000000000000002100a7f0eab2cb010000cb010000110000000000000000000000a48100000000"
        );
        let e = end_records(11, 6712, 735, &Form::WEBPROOF);
        assert_eq!(
            hex::encode(e),
            "504b0506000000000b000b00df020000381a00000000"
        );
    }

    /// The fields of ZIP64 end records as APPNOTE 6.3.10 §4.3.14–4.3.15 define them, read back
    /// from what [`end_records`] wrote: (count, size, offset) of the record, the record's own
    /// size field, and the locator's offset of the record.
    fn zip64_fields(e: &[u8]) -> Option<(u64, u64, u64, u64, u64)> {
        if u32at(e, 0) != ZIP64_END_SIG as u64 {
            return None;
        }
        let loc = ZIP64_END_LEN as usize;
        assert_eq!(u32at(e, loc), ZIP64_LOCATOR_SIG as u64);
        assert_eq!(e.len() as u64, ZIP64_END_LEN + ZIP64_LOCATOR_LEN + END_LEN);
        assert_eq!(u32at(e, loc + 16), 1, "total number of disks");
        Some((
            u64at(e, 32),
            u64at(e, 40),
            u64at(e, 48),
            u64at(e, 4),
            u64at(e, loc + 8),
        ))
    }

    #[test]
    fn zip64_end_records_are_written_when_any_one_value_needs_them() {
        let f = Form {
            zip64_at: 1000,
            zip64_count_at: 10,
        };
        // Nothing needs them: only the 22-byte end record.
        let plain = end_records(9, 999, 999, &f);
        assert_eq!(plain.len() as u64, END_LEN);
        assert!(zip64_fields(&plain).is_none());
        assert_eq!((u16at(&plain, 10), u32at(&plain, 12)), (9, 999));
        assert_eq!(u32at(&plain, 16), 999);
        // Each value alone at its limit needs them; the record is 44 bytes after its size field
        // (56 - 12) and the locator points at the record, which starts where the central
        // directory ends.
        for (count, offset, size) in [(10, 5, 7), (3, 1000, 7), (3, 5, 1000)] {
            let e = end_records(count, offset, size, &f);
            assert_eq!(
                zip64_fields(&e),
                Some((count, size, offset, 44, offset + size)),
                "count {count}, offset {offset}, size {size}"
            );
            let end = &e[e.len() - END_LEN as usize..];
            assert_eq!(u32at(end, 0), END_SIG as u64);
            let c16 = if count >= 10 { 0xFFFF } else { count };
            assert_eq!((u16at(end, 8), u16at(end, 10)), (c16, c16));
            let s32 = if size >= 1000 { 0xFFFF_FFFF } else { size };
            let o32 = if offset >= 1000 { 0xFFFF_FFFF } else { offset };
            assert_eq!((u32at(end, 12), u32at(end, 16)), (s32, o32));
        }
    }

    #[test]
    fn version_needed_is_4_5_where_the_size_or_the_offset_alone_needs_zip64() {
        let f = Form {
            zip64_at: 1000,
            zip64_count_at: 10,
        };
        // (size, offset) → version needed, and whether the extra field holds each.
        for (size, offset, version, extra) in [
            (999, 999, 10u64, 0usize),
            (1000, 5, 45, 16),
            (5, 1000, 45, 8),
            (1000, 1000, 45, 24),
        ] {
            let c = central_entry("a", size, 7, offset, &f);
            assert_eq!(u16at(&c, 4), 0x0300 | version, "made by");
            assert_eq!(u16at(&c, 6), version, "version needed");
            let x = u16at(&c, 30) as usize;
            assert_eq!(x, if extra == 0 { 0 } else { extra + 4 });
            let l = local_header("a", size, 7, offset, &f);
            assert_eq!(u16at(&l, 4), version, "local version needed");
        }
    }

    /// Flips one bit of byte `i` of a copy of `bytes`.
    fn flipped(bytes: &[u8], i: usize) -> Vec<u8> {
        let mut b = bytes.to_vec();
        b[i] ^= 0x01;
        b
    }

    #[test]
    fn a_changed_header_field_is_named_with_its_byte_range() {
        let members: &[(&str, &[u8])] = &[("a", b"hello"), ("bc", b"x")];
        let (_t, bytes) = build(members, Form::WEBPROOF);
        let got = parse_bytes(&bytes, Form::WEBPROOF).unwrap();
        let second = &got[1];
        // The second member's central entry: 46 fixed bytes and its 2-byte name.
        let cd_at = (second.data + second.size) as usize;
        let entry = cd_at + 46 + 1;
        // (byte within the entry, the field APPNOTE 4.3.12 puts there)
        for (i, field) in [
            (4, "version made by"),
            (5, "version made by"),
            (6, "version needed"),
            (8, "flags (encryption, data descriptor or name encoding)"),
            (10, "compression method"),
            (12, "modification time"),
            (15, "modification time"),
            (20, "sizes"),
            (24, "sizes"),
            (34, "disk number"),
            (36, "internal attributes"),
            (38, "external attributes (file type and mode)"),
            (41, "external attributes (file type and mode)"),
        ] {
            let e = parse_bytes(&flipped(&bytes, entry + i), Form::WEBPROOF).unwrap_err();
            assert_eq!(
                (e.start, e.end, e.member.as_deref()),
                (entry as u64, entry as u64 + 48, Some("bc")),
                "byte {i}"
            );
            assert_eq!(e.fault, Fault::CentralEntry(field.into()), "byte {i}");
        }
        // Two fields changed: both named, in order, each once.
        let mut b = flipped(&bytes, entry + 10);
        b[entry + 4] ^= 1;
        b[entry + 11] ^= 1;
        let e = parse_bytes(&b, Form::WEBPROOF).unwrap_err();
        assert_eq!(
            e.fault,
            Fault::CentralEntry("version made by, compression method".into())
        );
        // The second member's local header: 30 fixed bytes and its name (APPNOTE 4.3.7).
        let h = second.header as usize;
        for (i, field) in [
            (0, "signature"),
            (4, "version needed"),
            (6, "flags (encryption, data descriptor or name encoding)"),
            (8, "compression method"),
            (10, "modification time"),
            (13, "modification time"),
            (14, "CRC-32"),
            (18, "sizes"),
            (25, "sizes"),
            (26, "name length"),
            (28, "extra field length"),
            (30, "name"),
            (31, "name"),
        ] {
            let e = parse_bytes(&flipped(&bytes, h + i), Form::WEBPROOF).unwrap_err();
            assert_eq!(
                (e.start, e.end, e.member.as_deref()),
                (h as u64, h as u64 + 32, Some("bc")),
                "byte {i}"
            );
            assert_eq!(e.fault, Fault::LocalHeader(field.into()), "byte {i}");
        }
        // In the ZIP64 form, headers carry an extra field.
        let z64 = Form {
            zip64_at: 1,
            zip64_count_at: 0xFFFF,
        };
        let (_t, bytes) = build(members, z64);
        let got = parse_bytes(&bytes, z64).unwrap();
        let h = got[1].header as usize;
        let e = parse_bytes(&flipped(&bytes, h + 30 + 2 + 4), z64).unwrap_err();
        assert_eq!(e.fault, Fault::LocalHeader("extra field".into()));
        assert_eq!((e.start, e.end), (h as u64, h as u64 + 52));
        let cd_at = (got[1].data + got[1].size) as usize;
        // The first entry's extra field (a 4-byte header, then the size twice: its offset 0
        // needs no ZIP64 field); the size is read from the first copy, so a changed second
        // copy is a changed extra field.
        let e = parse_bytes(&flipped(&bytes, cd_at + 46 + 1 + 12), z64).unwrap_err();
        assert_eq!(e.fault, Fault::CentralEntry("extra field".into()), "{e}");
    }

    #[test]
    fn what_ends_the_file_is_checked_and_placed() {
        let f = Form::WEBPROOF;
        let (_t, good) = build(&[("a", b"1"), ("b", b"22")], f);
        let len = good.len() as u64;
        let end = len - 22;
        // Too short to hold an end record; 22 bytes of anything else have none.
        assert_eq!(
            parse_bytes(&good[..21], f).unwrap_err().fault,
            Fault::TooShort
        );
        let e = parse_bytes(&[0u8; 22], f).unwrap_err();
        assert_eq!((e.start, e.end, e.fault), (0, 22, Fault::NoEnd));
        // Bytes after the end record: the range named starts at the end record.
        let mut b = good.clone();
        b.extend_from_slice(b"xyz");
        let e = parse_bytes(&b, f).unwrap_err();
        assert_eq!((e.start, e.end, e.fault), (end, len + 3, Fault::NoEnd));
        // A field of the end record that no value read from it explains (the disk number).
        let e = parse_bytes(&flipped(&good, end as usize + 4), f).unwrap_err();
        assert_eq!((e.start, e.end, e.fault), (end, len, Fault::EndRecord));
        // The central directory's offset moved: it no longer ends where the end record starts.
        let cd_off = u32at(&good, end as usize + 16);
        let e = parse_bytes(&flipped(&good, end as usize + 16), f).unwrap_err();
        assert_eq!(e.fault, Fault::CentralPlace);
        assert_eq!((e.start, e.end), ((cd_off ^ 1).min(end), end));
        // Exactly as many members as allowed, or one too many.
        let t = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(t.path(), &good).unwrap();
        let file = File::open(t.path()).unwrap();
        assert_eq!(parse(&file, len, 2, &f).unwrap().len(), 2);
        let e = parse(&file, len, 1, &f).unwrap_err();
        assert_eq!((e.start, e.fault), (end, Fault::TooMany(1)));
        // ZIP64 records: a change inside them is a ZIP64 fault, one in the end record after
        // them an end record fault; and ZIP64 values with the records cut away are missed.
        let z = Form {
            zip64_at: 0xFFFF_FFFF,
            zip64_count_at: 2,
        };
        let (_t, big) = build(&[("a", b"1"), ("b", b"22")], z);
        let blen = big.len() as u64;
        let records = blen - 22 - 20 - 56;
        assert_eq!(parse_bytes(&big, z).unwrap().len(), 2);
        let e = parse_bytes(&flipped(&big, records as usize + 12), z).unwrap_err();
        assert_eq!((e.start, e.end, e.fault), (records, blen, Fault::Zip64));
        let e = parse_bytes(&flipped(&big, blen as usize - 22 + 4), z).unwrap_err();
        assert_eq!((e.start, e.end, e.fault), (records, blen, Fault::EndRecord));
        let e = parse_bytes(&flipped(&big, records as usize), z).unwrap_err();
        assert_eq!(
            (e.start, e.end, e.fault),
            (records, blen - 22, Fault::Zip64)
        );
        // The plain file read with ZIP64 limits: its end record says 2 members, which needs
        // ZIP64 records it does not have.
        let e = parse_bytes(&good, z).unwrap_err();
        assert_eq!((e.start, e.end, &e.fault), (end, len, &Fault::Zip64));
        // ZIP64 records needed by the central directory's size alone, or its offset alone.
        for (members, zip64_at) in [
            (&[("a", &b""[..]), ("b", b""), ("c", b"")][..], 100),
            (&[("a", &[7u8; 200][..])][..], 150),
        ] {
            let form = Form {
                zip64_at,
                zip64_count_at: 0xFFFF,
            };
            let (_t, b) = build(members, form);
            let got = parse_bytes(&b, form).unwrap();
            assert_eq!(got.len(), members.len());
            assert_eq!(u32at(&b, b.len() - 22 - 20 - 56), ZIP64_END_SIG as u64);
        }
    }

    /// `bytes` with the end record's two member counts set to `count`.
    fn with_count(bytes: &[u8], count: u16) -> Vec<u8> {
        let mut b = bytes.to_vec();
        let end = b.len() - 22;
        b[end + 8..end + 10].copy_from_slice(&count.to_le_bytes());
        b[end + 10..end + 12].copy_from_slice(&count.to_le_bytes());
        b
    }

    #[test]
    fn the_central_directory_holds_exactly_its_entries_in_name_order() {
        let f = Form::WEBPROOF;
        let (_t, good) = build(&[("a", b"1"), ("b", b"22")], f);
        let end = good.len() as u64 - 22;
        let got = parse_bytes(&good, f).unwrap();
        let cd_off = got[1].data + got[1].size;
        // One entry fewer than the directory holds: the second is left over.
        let e = parse_bytes(&with_count(&good, 1), f).unwrap_err();
        assert_eq!(
            (e.start, e.end, e.fault),
            (cd_off + 47, end, Fault::CentralTrailing)
        );
        // One more than it holds: the third is missing where it would start.
        let e = parse_bytes(&with_count(&good, 3), f).unwrap_err();
        assert_eq!(
            (e.start, e.end, e.fault),
            (end, end, Fault::CentralEntry("signature".into()))
        );
        // The second member renamed "a" (in its entry and its header): a duplicate.
        let second = (cd_off + 47) as usize;
        let mut b = good.clone();
        b[second + 46] = b'a';
        b[got[1].header as usize + 30] = b'a';
        let e = parse_bytes(&b, f).unwrap_err();
        assert_eq!(
            (e.start, e.end, e.member.as_deref(), e.fault),
            (cd_off + 47, cd_off + 94, Some("a"), Fault::Order)
        );
        // Renamed "B": outside webproof's alphabet.
        b[second + 46] = b'B';
        let e = parse_bytes(&b, f).unwrap_err();
        assert_eq!((e.start, e.end), (cd_off + 47, cd_off + 94));
        assert!(matches!(e.fault, Fault::Name(_)), "{e}");
    }

    #[test]
    fn a_member_larger_than_the_buffer_is_written_whole_and_a_wrong_size_is_said() {
        // 1 MiB + 3 of varying bytes, read in many pieces.
        let data: Vec<u8> = (0..(1u32 << 20) + 3).map(|i| (i % 251) as u8).collect();
        let (_t, bytes) = build(&[("a", b"x"), ("big", &data)], Form::WEBPROOF);
        let got = parse_bytes(&bytes, Form::WEBPROOF).unwrap();
        assert_eq!(read(&bytes, &got[1]), data);
        let t = tempfile::NamedTempFile::new().unwrap();
        let mut w = Writer::new(t.reopen().unwrap());
        let e = w.add("a", 10, &mut &data[..11]).unwrap_err();
        assert!(
            matches!(
                &e,
                WriteError::Size {
                    declared: 10,
                    got: 11,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn non_canonical_forms_are_named() {
        let (_t, good) = build(&[("a", b"1"), ("b", b"2")], Form::WEBPROOF);
        let f = Form::WEBPROOF;
        // An archive comment.
        let mut b = good.clone();
        let n = b.len();
        b[n - 2] = 3;
        b.extend_from_slice(b"abc");
        let e = parse_bytes(&b, f).unwrap_err();
        assert_eq!(e.fault, Fault::NoEnd);
        // Trailing bytes.
        let mut b = good.clone();
        b.extend_from_slice(b"x");
        assert_eq!(parse_bytes(&b, f).unwrap_err().fault, Fault::NoEnd);
        // A prepended stub.
        let mut b = b"MZ-stub".to_vec();
        b.extend_from_slice(&good);
        assert!(parse_bytes(&b, f).is_err());
        // Names out of order or outside the alphabet.
        let t = tempfile::NamedTempFile::new().unwrap();
        assert!(write_all(t.reopen().unwrap(), &[("b", b""), ("a", b"")], f).is_err());
        assert!(write_all(t.reopen().unwrap(), &[("A", b"")], f).is_err());
        // A needless ZIP64 form.
        let (_t, forced) = build(
            &[("a", b"1")],
            Form {
                zip64_at: 0,
                zip64_count_at: 0,
            },
        );
        assert!(parse_bytes(&forced, f).is_err());
    }

    #[test]
    fn names() {
        // The longest name allowed, and one byte more.
        assert_eq!(unsafe_name(&"a".repeat(MAX_NAME)), None);
        assert!(unsafe_name(&"a".repeat(MAX_NAME + 1)).is_some());
        for ok in ["a", "artifacts/000001-x.pdf", "a_b/c-d.e"] {
            assert!(is_canonical_name(ok), "{ok}");
        }
        for bad in [
            "", "A", "a/", "/a", "a//b", "./a", "a/../b", "a b", "a\\b", "é", "a\0",
        ] {
            assert!(!is_canonical_name(bad), "{bad:?}");
        }
    }
}
