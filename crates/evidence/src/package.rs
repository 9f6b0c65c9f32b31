//! Reading and writing packages, treating every package as hostile.
//!
//! A package is either a `.wacz` ZIP file or a directory with the same layout (an unfinished
//! or unzipped capture). Both are read through [`PackageSource`], which refuses unsafe entry
//! names (absolute, `..`, backslashes, control characters), links, duplicates, encrypted or
//! exotic compression, zip bombs (declared sizes, ratio, overlapping data) and entries that
//! yield more bytes than they declare. Reading never writes anything to disk.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zip::CompressionMethod;
use zip::read::ZipArchive;
use zip::write::{SimpleFileOptions, ZipWriter};

/// Bounds applied when opening a package.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_entries: usize,
    pub max_total_size: u64,
    pub max_entry_size: u64,
    /// Largest uncompressed/compressed ratio accepted for a compressed entry over 1 MiB.
    pub max_ratio: u64,
    /// Largest JSON document read into memory (manifest, datapackage, identity).
    pub max_json: u64,
    /// Largest journal read into memory.
    pub max_journal: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 100_000,
            max_total_size: 1 << 40,
            max_entry_size: 1 << 40,
            max_ratio: 100,
            max_json: 64 << 20,
            max_journal: 1 << 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("not a readable ZIP archive (truncated or corrupt): {0}")]
    NotZip(String),
    #[error("entry {name:?}: unsafe name: {reason}")]
    UnsafeName { name: String, reason: &'static str },
    #[error("entry {0:?} is a symbolic link; packages hold only regular files")]
    Link(String),
    #[error("entry {0:?} is not a regular file")]
    NotAFile(String),
    #[error("entry {0:?} appears more than once")]
    Duplicate(String),
    #[error("entries {0:?} and {1:?} differ only in letter case")]
    CaseCollision(String, String),
    #[error("more than {0} entries")]
    TooManyEntries(usize),
    #[error("entry {name:?} declares {size} bytes, over the limit of {limit}")]
    EntryTooLarge { name: String, size: u64, limit: u64 },
    #[error("entries declare {size} bytes in all, over the limit of {limit}")]
    TotalTooLarge { size: u64, limit: u64 },
    #[error("entry {name:?} expands {ratio}:1, over the limit of {limit}:1 (zip bomb?)")]
    Ratio {
        name: String,
        ratio: u64,
        limit: u64,
    },
    #[error(
        "entries' compressed data add up to more than the archive's size (overlapping entries: zip bomb?)"
    )]
    Overlap,
    #[error("entry {name:?} uses {method}; only stored and deflated entries are accepted")]
    Compression { name: String, method: String },
    #[error("entry {0:?} is encrypted")]
    Encrypted(String),
    #[error("entry {name:?} yields more than the {declared} bytes its header declares")]
    Overrun { name: String, declared: u64 },
    #[error("entry {0:?} not found in the package")]
    Missing(String),
    #[error("entry {name:?} cannot be read: {reason}")]
    Read { name: String, reason: String },
    #[error("entry {name:?} is larger than {limit} bytes, too large to read into memory")]
    TooLargeToRead { name: String, limit: u64 },
}

/// Checks one entry name: relative, `/`-separated, UTF-8, no empty, `.` or `..` component, no
/// backslash, colon or control character, at most 1024 bytes.
pub fn check_name(name: &str) -> Result<(), PackageError> {
    let bad = |reason| {
        Err(PackageError::UnsafeName {
            name: name.chars().take(200).collect(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > 1024 {
        return bad("longer than 1024 bytes");
    }
    if name.starts_with('/') {
        return bad("absolute path");
    }
    if name.contains('\\') {
        return bad("contains a backslash");
    }
    if name.contains(':') {
        return bad("contains a colon (drive letter or stream name)");
    }
    if name.chars().any(|c| c.is_control()) {
        return bad("contains a control character");
    }
    for part in name.split('/') {
        match part {
            "" => return bad("empty path component"),
            "." | ".." => return bad("dot path component (path traversal)"),
            _ => {}
        }
    }
    Ok(())
}

/// One file in a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryInfo {
    pub name: String,
    pub size: u64,
}

/// A package to read: a ZIP file or a directory.
pub trait PackageSource: Send + Sync {
    /// Every file, sorted by name; already checked against the limits.
    fn entries(&self) -> &[EntryInfo];
    /// Streams one entry through `f`. The stream fails if the entry yields more bytes than
    /// declared, or (ZIP) if its CRC-32 does not match.
    fn read_with(
        &self,
        name: &str,
        f: &mut dyn FnMut(&mut dyn Read) -> io::Result<()>,
    ) -> Result<(), PackageError>;
    /// What the package is, for messages.
    fn describe(&self) -> String;
}

impl dyn PackageSource + '_ {
    pub fn entry(&self, name: &str) -> Option<&EntryInfo> {
        let e = self.entries();
        e.binary_search_by(|x| x.name.as_str().cmp(name))
            .ok()
            .map(|i| &e[i])
    }

    /// Reads a whole entry into memory, refusing one over `limit` bytes.
    pub fn read_all(&self, name: &str, limit: u64) -> Result<Vec<u8>, PackageError> {
        let info = self
            .entry(name)
            .ok_or_else(|| PackageError::Missing(name.to_owned()))?;
        if info.size > limit {
            return Err(PackageError::TooLargeToRead {
                name: name.to_owned(),
                limit,
            });
        }
        let mut out = Vec::with_capacity(info.size as usize);
        self.read_with(name, &mut |r| r.read_to_end(&mut out).map(|_| ()))?;
        Ok(out)
    }
}

/// Opens a `.wacz` file or a package directory.
pub fn open(path: &Path, limits: &Limits) -> Result<Box<dyn PackageSource>, PackageError> {
    let meta = fs::symlink_metadata(path).map_err(|source| PackageError::Io {
        path: path.to_owned(),
        source,
    })?;
    if meta.is_dir() {
        Ok(Box::new(DirSource::open(path, limits)?))
    } else {
        Ok(Box::new(ZipSource::open(path, limits)?))
    }
}

fn finish_entries(
    mut entries: Vec<EntryInfo>,
    limits: &Limits,
) -> Result<Vec<EntryInfo>, PackageError> {
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let mut total = 0u64;
    let mut lower = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        if i > 0 && entries[i - 1].name == e.name {
            return Err(PackageError::Duplicate(e.name.clone()));
        }
        if e.size > limits.max_entry_size {
            return Err(PackageError::EntryTooLarge {
                name: e.name.clone(),
                size: e.size,
                limit: limits.max_entry_size,
            });
        }
        total = total.saturating_add(e.size);
        let l = e.name.to_lowercase();
        if !lower.insert(l.clone()) {
            let other = entries
                .iter()
                .find(|x| x.name != e.name && x.name.to_lowercase() == l)
                .map(|x| x.name.clone())
                .unwrap_or_default();
            return Err(PackageError::CaseCollision(other, e.name.clone()));
        }
    }
    if total > limits.max_total_size {
        return Err(PackageError::TotalTooLarge {
            size: total,
            limit: limits.max_total_size,
        });
    }
    Ok(entries)
}

/// The size an entry declares, looked up in a sorted entry list.
fn declared_size(entries: &[EntryInfo], name: &str) -> Result<u64, PackageError> {
    entries
        .binary_search_by(|x| x.name.as_str().cmp(name))
        .map(|i| entries[i].size)
        .map_err(|_| PackageError::Missing(name.to_owned()))
}

/// A reader that fails instead of yielding more than `left` bytes.
struct Bounded<'a> {
    inner: &'a mut dyn Read,
    left: u64,
    name: &'a str,
}

impl Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // Probe: anything more is an overrun.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("entry {:?} yields more bytes than declared", self.name),
                )),
            };
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

// ---- ZIP ----

/// A file handle with its own position, reading with `pread`, so that clones used by several
/// threads do not disturb each other.
#[derive(Clone)]
struct PFile {
    file: Arc<File>,
    pos: u64,
    len: u64,
}

impl Read for PFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for PFile {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let new = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before start",
            )),
        }
    }
}

pub struct ZipSource {
    path: PathBuf,
    archive: ZipArchive<PFile>,
    entries: Vec<EntryInfo>,
}

impl ZipSource {
    pub fn open(path: &Path, limits: &Limits) -> Result<Self, PackageError> {
        let io = |source| PackageError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let pf = PFile {
            file: Arc::new(file),
            pos: 0,
            len,
        };
        let mut archive =
            ZipArchive::new(pf.clone()).map_err(|e| PackageError::NotZip(e.to_string()))?;
        // The zip crate keeps only the last of several entries with one name; count the raw
        // central directory so such a package is refused instead of silently shadowed.
        let raw = central_directory_names(&pf, limits.max_entries)?;
        if raw.len() != archive.len() {
            let mut sorted = raw;
            sorted.sort();
            let dup = sorted
                .windows(2)
                .find(|w| w[0] == w[1])
                .map(|w| String::from_utf8_lossy(&w[0]).into_owned())
                .unwrap_or_default();
            return Err(PackageError::Duplicate(dup));
        }
        if archive.len() > limits.max_entries {
            return Err(PackageError::TooManyEntries(limits.max_entries));
        }
        let mut entries = Vec::with_capacity(archive.len());
        let mut compressed_total = 0u64;
        for i in 0..archive.len() {
            let f = archive
                .by_index_raw(i)
                .map_err(|e| PackageError::NotZip(e.to_string()))?;
            let name = match std::str::from_utf8(f.name_raw()) {
                Ok(n) => n.to_owned(),
                Err(_) => {
                    return Err(PackageError::UnsafeName {
                        name: String::from_utf8_lossy(f.name_raw()).into_owned(),
                        reason: "not UTF-8",
                    });
                }
            };
            if f.is_symlink() {
                return Err(PackageError::Link(name));
            }
            if f.encrypted() {
                return Err(PackageError::Encrypted(name));
            }
            if f.is_dir() {
                // Directory entries carry no data; their names must still be safe.
                check_name(name.trim_end_matches('/'))?;
                continue;
            }
            check_name(&name)?;
            let method = f.compression();
            let (size, csize) = (f.size(), f.compressed_size());
            match method {
                CompressionMethod::Stored => {
                    if size != csize {
                        return Err(PackageError::NotZip(format!(
                            "stored entry {name:?} declares {size} bytes but holds {csize}"
                        )));
                    }
                }
                CompressionMethod::Deflated => {
                    let ratio = size / csize.max(1);
                    if size > (1 << 20) && ratio > limits.max_ratio {
                        return Err(PackageError::Ratio {
                            name,
                            ratio,
                            limit: limits.max_ratio,
                        });
                    }
                }
                other => {
                    return Err(PackageError::Compression {
                        name,
                        method: format!("{other:?}"),
                    });
                }
            }
            compressed_total = compressed_total.saturating_add(csize);
            entries.push(EntryInfo { name, size });
        }
        if compressed_total > len {
            return Err(PackageError::Overlap);
        }
        let entries = finish_entries(entries, limits)?;
        Ok(ZipSource {
            path: path.to_owned(),
            archive,
            entries,
        })
    }
}

/// The raw names in a ZIP central directory, read straight from the end-of-central-directory
/// record (ZIP64 aware), independently of the zip crate's deduplicating index.
fn central_directory_names(f: &PFile, max_entries: usize) -> Result<Vec<Vec<u8>>, PackageError> {
    let bad = |what: &str| PackageError::NotZip(what.to_owned());
    let read = |pos: u64, len: usize| -> Result<Vec<u8>, PackageError> {
        let mut buf = vec![0u8; len];
        f.file
            .read_exact_at(&mut buf, pos)
            .map_err(|e| PackageError::NotZip(format!("reading the central directory: {e}")))?;
        Ok(buf)
    };
    let u16at = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]) as u64;
    let u32at =
        |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as u64;
    let u64at = |b: &[u8], i: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[i..i + 8]);
        u64::from_le_bytes(a)
    };
    let tail_len = f.len.min(22 + 65535);
    let tail = read(f.len - tail_len, tail_len as usize)?;
    let eocd = (0..=tail.len().saturating_sub(22))
        .rev()
        .find(|&i| tail[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or_else(|| bad("no end-of-central-directory record"))?;
    let eocd_pos = f.len - tail_len + eocd as u64;
    let mut count = u16at(&tail, eocd + 10);
    let mut cd_size = u32at(&tail, eocd + 12);
    let mut cd_off = u32at(&tail, eocd + 16);
    if (count == 0xffff || cd_off == 0xffff_ffff || cd_size == 0xffff_ffff) && eocd_pos >= 20 {
        let loc = read(eocd_pos - 20, 20)?;
        if loc[..4] == [0x50, 0x4b, 0x06, 0x07] {
            let rec = read(u64at(&loc, 8), 56)?;
            if rec[..4] != [0x50, 0x4b, 0x06, 0x06] {
                return Err(bad("bad ZIP64 end-of-central-directory record"));
            }
            count = u64at(&rec, 32);
            cd_size = u64at(&rec, 40);
            cd_off = u64at(&rec, 48);
        }
    }
    if count > max_entries as u64 {
        return Err(PackageError::TooManyEntries(max_entries));
    }
    if cd_off.saturating_add(cd_size) > f.len || cd_size > (max_entries as u64) * (46 + 65535 * 3) {
        return Err(bad("central directory lies outside the file"));
    }
    let cd = read(cd_off, cd_size as usize)?;
    let mut names = Vec::with_capacity(count as usize);
    let mut i = 0usize;
    while i + 46 <= cd.len() && cd[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
        let n = u16at(&cd, i + 28) as usize;
        let x = u16at(&cd, i + 30) as usize;
        let c = u16at(&cd, i + 32) as usize;
        let name = cd
            .get(i + 46..i + 46 + n)
            .ok_or_else(|| bad("central directory entry runs past its end"))?;
        // Directory entries (names ending in '/') are not files.
        if !name.ends_with(b"/") {
            names.push(name.to_vec());
        }
        i += 46 + n + x + c;
    }
    Ok(names)
}

impl PackageSource for ZipSource {
    fn entries(&self) -> &[EntryInfo] {
        &self.entries
    }

    fn read_with(
        &self,
        name: &str,
        f: &mut dyn FnMut(&mut dyn Read) -> io::Result<()>,
    ) -> Result<(), PackageError> {
        let declared = declared_size(&self.entries, name)?;
        let mut archive = self.archive.clone();
        let mut zf = archive.by_name(name).map_err(|e| PackageError::Read {
            name: name.to_owned(),
            reason: e.to_string(),
        })?;
        let mut bounded = Bounded {
            inner: &mut zf,
            left: declared,
            name,
        };
        f(&mut bounded).map_err(|e| PackageError::Read {
            name: name.to_owned(),
            reason: e.to_string(),
        })?;
        // Drain what the callback left, so the CRC-32 is always checked.
        io::copy(&mut bounded, &mut io::sink()).map_err(|e| PackageError::Read {
            name: name.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(())
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

// ---- directory ----

pub struct DirSource {
    root: PathBuf,
    entries: Vec<EntryInfo>,
}

const MAX_DEPTH: usize = 8;

impl DirSource {
    pub fn open(root: &Path, limits: &Limits) -> Result<Self, PackageError> {
        let mut entries = Vec::new();
        walk(root, "", 0, limits, &mut entries)?;
        let entries = finish_entries(entries, limits)?;
        Ok(DirSource {
            root: root.to_owned(),
            entries,
        })
    }
}

fn walk(
    dir: &Path,
    prefix: &str,
    depth: usize,
    limits: &Limits,
    out: &mut Vec<EntryInfo>,
) -> Result<(), PackageError> {
    let io = |source| PackageError::Io {
        path: dir.to_owned(),
        source,
    };
    if depth > MAX_DEPTH {
        return Err(PackageError::UnsafeName {
            name: prefix.to_owned(),
            reason: "nested too deeply",
        });
    }
    for item in fs::read_dir(dir).map_err(io)? {
        let item = item.map_err(io)?;
        let fname = item.file_name();
        let Some(fname) = fname.to_str() else {
            return Err(PackageError::UnsafeName {
                name: fname.to_string_lossy().into_owned(),
                reason: "not UTF-8",
            });
        };
        let name = if prefix.is_empty() {
            fname.to_owned()
        } else {
            format!("{prefix}/{fname}")
        };
        check_name(&name)?;
        let meta = fs::symlink_metadata(item.path()).map_err(io)?;
        let ft = meta.file_type();
        if ft.is_symlink() {
            return Err(PackageError::Link(name));
        } else if ft.is_dir() {
            walk(&item.path(), &name, depth + 1, limits, out)?;
        } else if ft.is_file() {
            out.push(EntryInfo {
                name,
                size: meta.len(),
            });
            if out.len() > limits.max_entries {
                return Err(PackageError::TooManyEntries(limits.max_entries));
            }
        } else {
            return Err(PackageError::NotAFile(name));
        }
    }
    Ok(())
}

impl PackageSource for DirSource {
    fn entries(&self) -> &[EntryInfo] {
        &self.entries
    }

    fn read_with(
        &self,
        name: &str,
        f: &mut dyn FnMut(&mut dyn Read) -> io::Result<()>,
    ) -> Result<(), PackageError> {
        let declared = declared_size(&self.entries, name)?;
        let path = self.root.join(name);
        let err = |e: io::Error| PackageError::Read {
            name: name.to_owned(),
            reason: e.to_string(),
        };
        // The listing refused links; refuse one that appeared since.
        if fs::symlink_metadata(&path)
            .map_err(err)?
            .file_type()
            .is_symlink()
        {
            return Err(PackageError::Link(name.to_owned()));
        }
        let mut file = File::open(&path).map_err(err)?;
        let mut bounded = Bounded {
            inner: &mut file,
            left: declared,
            name,
        };
        f(&mut bounded).map_err(err)?;
        io::copy(&mut bounded, &mut io::sink()).map_err(err)?;
        Ok(())
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

// ---- writing ----

/// Zips a sealed package directory into `out` (every entry stored, as WACZ wants for WARCs).
/// Writes `<out>.partial` first and renames it into place after fsync, so `out` is either
/// absent or complete.
pub fn write_zip(dir: &Path, out: &Path, limits: &Limits) -> Result<(), PackageError> {
    let src = DirSource::open(dir, limits)?;
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let io_at = |p: &Path| {
        let p = p.to_owned();
        move |source| PackageError::Io { path: p, source }
    };
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(io_at(&partial))?;
    let result = (|| {
        let mut zw = ZipWriter::new(io::BufWriter::with_capacity(1 << 20, file));
        for e in src.entries() {
            let opts = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Stored)
                .large_file(e.size >= u32::MAX as u64)
                .unix_permissions(0o644);
            zw.start_file(e.name.as_str(), opts)
                .map_err(|err| PackageError::NotZip(err.to_string()))?;
            let mut f = File::open(dir.join(&e.name)).map_err(io_at(&dir.join(&e.name)))?;
            io::copy(&mut f, &mut zw).map_err(io_at(&partial))?;
        }
        let bw = zw
            .finish()
            .map_err(|err| PackageError::NotZip(err.to_string()))?;
        let file = bw.into_inner().map_err(|e| PackageError::Io {
            path: partial.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io_at(&partial))?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&partial);
        return Err(e);
    }
    fs::rename(&partial, out).map_err(io_at(out))?;
    crate::journal::sync_parent(out).map_err(io_at(out))?;
    Ok(())
}

/// Writes `bytes` to `path` and fsyncs it (creating parent folders).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), PackageError> {
    let io = |source| PackageError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).map_err(io)?;
    }
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "artifacts/000001-x.pdf", "a b/c"] {
            check_name(ok).unwrap();
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "a/",
            "c:\\x",
            "a\\b",
            "C:/x",
            "a\u{0}b",
            "a\nb",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
