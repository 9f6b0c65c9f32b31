//! Reading and writing packages, treating every package as hostile.
//!
//! A package is either a `.wacz` ZIP file or a directory with the same layout (an unfinished
//! or unzipped capture). Both are read through [`PackageSource`]. A ZIP file is accepted only
//! in the one form webproof writes ([`container`]: every byte accounted for, so every ZIP
//! reader sees the same members); both kinds refuse unsafe entry names (absolute, `..`,
//! backslashes, control characters), links, duplicates, oversized entries and entries that
//! yield more or fewer bytes than they declare. Reading never writes anything to disk.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use webproof_message::{Explain, Message, msg};

use crate::container::{self, ContainerError, Form, Member, MemberReader, ReadAt};

/// Bounds applied when opening a package.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_entries: usize,
    pub max_total_size: u64,
    pub max_entry_size: u64,
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
    #[error("cannot write the ZIP archive: {0}")]
    Write(#[source] container::WriteError),
    #[error("not in the one ZIP form webproof writes: {0}")]
    Container(#[from] ContainerError),
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
    match container::unsafe_name(name) {
        Some(reason) => Err(PackageError::UnsafeName {
            name: name.chars().take(200).collect(),
            reason,
        }),
        None => Ok(()),
    }
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

pub struct ZipSource {
    /// What the package is called (its path, or the name a browser gave its file).
    name: String,
    file: Box<dyn ReadAt + Send + Sync>,
    members: Vec<Member>,
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
        ZipSource::read(path.display().to_string(), Box::new(file), len, limits)
    }

    /// A package of `len` bytes read through `bytes` (a file, memory, a browser's `Blob`),
    /// called `name` in what is said of it.
    pub fn read(
        name: String,
        bytes: Box<dyn ReadAt + Send + Sync>,
        len: u64,
        limits: &Limits,
    ) -> Result<Self, PackageError> {
        let members = container::parse(&*bytes, len, limits.max_entries, &Form::WEBPROOF)?;
        let mut entries = Vec::with_capacity(members.len());
        // The container's names are already safe (and in its narrower alphabet).
        for m in &members {
            entries.push(EntryInfo {
                name: m.name.clone(),
                size: m.size,
            });
        }
        let entries = finish_entries(entries, limits)?;
        Ok(ZipSource {
            name,
            file: bytes,
            members,
            entries,
        })
    }

    /// Where each member lies in the file (for tests and tools that compare readers).
    pub fn members(&self) -> &[Member] {
        &self.members
    }
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
        // Members are in name order (the container's form), entries too: one search.
        let m = self
            .members
            .binary_search_by(|m| m.name.as_str().cmp(name))
            .map(|i| &self.members[i])
            .map_err(|_| PackageError::Missing(name.to_owned()))?;
        let err = |e: io::Error| PackageError::Read {
            name: name.to_owned(),
            reason: e.to_string(),
        };
        let mut r = MemberReader::new(&*self.file, m);
        f(&mut r).map_err(err)?;
        // Drain what the callback left, so the CRC-32 is always checked.
        io::copy(&mut r, &mut io::sink()).map_err(err)?;
        Ok(())
    }

    fn describe(&self) -> String {
        self.name.clone()
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

/// Moves the complete `partial` to `out` without ever replacing a file at `out` (a package is
/// never overwritten): `link` (a hard link) fails if `out` exists; where links are not
/// supported, a rename after a check.
fn place(
    partial: &Path,
    out: &Path,
    link: impl FnOnce(&Path, &Path) -> io::Result<()>,
) -> io::Result<()> {
    match link(partial, out) {
        Ok(()) => {
            // In place and complete; a leftover `.partial` name is only untidy.
            let _ = fs::remove_file(partial);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if fs::symlink_metadata(out).is_ok() => {
            Err(io::Error::from(io::ErrorKind::AlreadyExists))
        }
        Err(_) => fs::rename(partial, out),
    }
}

/// Zips a sealed package directory into `out`, in the one form webproof writes
/// ([`container`]: members stored, in name order, every byte accounted for). Writes
/// `<out>.partial` first and moves it into place after fsync, so `out` is either absent or
/// complete; an existing `out` is never replaced (an `AlreadyExists` error).
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
        .read(true)
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(io_at(&partial))?;
    let result = (|| {
        let write_err = |e: container::WriteError| match e {
            container::WriteError::Io(source) => PackageError::Io {
                path: partial.clone(),
                source,
            },
            other => PackageError::Write(other),
        };
        let mut zw = container::Writer::new(file);
        for e in src.entries() {
            let path = dir.join(&e.name);
            let mut f = File::open(&path).map_err(io_at(&path))?;
            zw.add(&e.name, e.size, &mut f).map_err(write_err)?;
        }
        let file = zw.finish().map_err(write_err)?;
        file.sync_all().map_err(io_at(&partial))?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&partial);
        return Err(e);
    }
    if let Err(e) = place(&partial, out, |a, b| fs::hard_link(a, b)) {
        let _ = fs::remove_file(&partial);
        return Err(io_at(out)(e));
    }
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

impl Explain for PackageError {
    fn message(&self) -> Message {
        use PackageError as E;
        match self {
            E::Io { path, source } => msg!("err-file")
                .arg("path", path.display())
                .because(source.message()),
            E::Write(e) => msg!("err-pkg-write").arg("detail", e.to_string()),
            E::Container(c) => c.message(),
            E::UnsafeName { name, reason } => msg!("err-pkg-unsafe-name")
                .arg("name", name)
                .arg("reason", reason),
            E::Link(n) => msg!("err-pkg-link").arg("name", n),
            E::NotAFile(n) => msg!("err-pkg-not-file").arg("name", n),
            E::Duplicate(n) => msg!("err-pkg-duplicate").arg("name", n),
            E::CaseCollision(a, b) => msg!("err-pkg-case").arg("a", a).arg("b", b),
            E::TooManyEntries(n) => msg!("err-pkg-too-many").arg("limit", n),
            E::EntryTooLarge { name, size, limit } => msg!("err-pkg-entry-large")
                .arg("name", name)
                .arg("size", size)
                .arg("limit", limit),
            E::TotalTooLarge { size, limit } => msg!("err-pkg-total-large")
                .arg("size", size)
                .arg("limit", limit),
            E::Overrun { name, declared } => msg!("err-pkg-overrun")
                .arg("name", name)
                .arg("declared", declared),
            E::Missing(n) => msg!("err-pkg-missing").arg("name", n),
            E::Read { name, reason } => {
                msg!("err-pkg-read").arg("name", name).arg("reason", reason)
            }
            E::TooLargeToRead { name, limit } => msg!("err-pkg-too-large-to-read")
                .arg("name", name)
                .arg("limit", limit),
        }
    }
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

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_package_is_written_whole_and_never_over_another() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("pkg");
        fs::create_dir_all(dir.join("a")).unwrap();
        fs::write(dir.join("a/x.txt"), b"evidence").unwrap();
        let out = t.path().join("p.wacz");
        write_zip(&dir, &out, &Limits::default()).unwrap();
        let first = fs::read(&out).unwrap();
        let src = open(&out, &Limits::default()).unwrap();
        assert_eq!(src.read_all("a/x.txt", 100).unwrap(), b"evidence");
        // A second write to the same name fails and leaves the first package as it was.
        fs::write(dir.join("a/x.txt"), b"changed!").unwrap();
        let e = write_zip(&dir, &out, &Limits::default()).unwrap_err();
        assert!(
            matches!(&e, PackageError::Io { path, source }
                if path == &out && source.kind() == std::io::ErrorKind::AlreadyExists),
            "{e}"
        );
        assert_eq!(fs::read(&out).unwrap(), first);
        let left: Vec<_> = fs::read_dir(t.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 2, "no .partial left: {left:?}");
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn where_hard_links_fail_a_package_is_renamed_into_place_but_never_over_another() {
        let t = tempfile::tempdir().unwrap();
        let (partial, out) = (t.path().join("p.partial"), t.path().join("p.wacz"));
        let unsupported = |_: &Path, _: &Path| Err(io::Error::from(io::ErrorKind::Unsupported));
        fs::write(&partial, b"new").unwrap();
        place(&partial, &out, unsupported).unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"new");
        assert!(!partial.exists());
        // `out` exists now: whatever the link said, it is not replaced.
        fs::write(&partial, b"newer").unwrap();
        for link_says in [io::ErrorKind::Unsupported, io::ErrorKind::AlreadyExists] {
            let e = place(&partial, &out, |_, _| Err(io::Error::from(link_says))).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{link_says:?}");
            assert_eq!(fs::read(&out).unwrap(), b"new");
        }
        // A link that reports `out` exists is believed, even if no file is there (yet).
        fs::remove_file(&out).unwrap();
        let e = place(&partial, &out, |_, _| {
            Err(io::Error::from(io::ErrorKind::AlreadyExists))
        })
        .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert!(!out.exists() && partial.exists());
        // A link that worked: the partial name goes.
        place(&partial, &out, |a, b| fs::hard_link(a, b)).unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"newer");
        assert!(!partial.exists());
    }

    fn entries(list: &[(&str, u64)]) -> Vec<EntryInfo> {
        list.iter()
            .map(|(name, size)| EntryInfo {
                name: (*name).to_owned(),
                size: *size,
            })
            .collect()
    }

    #[test]
    fn entry_lists_are_refused_at_each_limit_and_not_one_before() {
        let limits = Limits {
            max_entry_size: 10,
            max_total_size: 15,
            ..Limits::default()
        };
        let ok = finish_entries(entries(&[("b", 10), ("a", 5)]), &limits);
        assert_eq!(
            ok.ok()
                .map(|e| e.into_iter().map(|e| e.name).collect::<Vec<_>>()),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        match finish_entries(entries(&[("a", 11)]), &limits) {
            Err(PackageError::EntryTooLarge { name, size, limit }) => {
                assert_eq!((name.as_str(), size, limit), ("a", 11, 10))
            }
            other => panic!("{other:?}"),
        }
        match finish_entries(entries(&[("a", 10), ("b", 6)]), &limits) {
            Err(PackageError::TotalTooLarge { size, limit }) => assert_eq!((size, limit), (16, 15)),
            other => panic!("{other:?}"),
        }
        match finish_entries(entries(&[("x", 1), ("a", 1), ("x", 1)]), &limits) {
            Err(PackageError::Duplicate(n)) => assert_eq!(n, "x"),
            other => panic!("{other:?}"),
        }
        match finish_entries(
            entries(&[("m/A.txt", 1), ("b", 1), ("m/a.txt", 1)]),
            &limits,
        ) {
            Err(PackageError::CaseCollision(a, b)) => {
                assert_eq!((a.as_str(), b.as_str()), ("m/A.txt", "m/a.txt"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_directory_is_refused_past_its_depth_and_entry_limits_and_not_before() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("pkg");
        // MAX_DEPTH directories below the root are read…
        let deep: PathBuf = (0..MAX_DEPTH).map(|i| format!("d{i}")).collect();
        fs::create_dir_all(root.join(&deep)).unwrap();
        fs::write(root.join(&deep).join("f"), b"x").unwrap();
        let src = DirSource::open(&root, &Limits::default()).unwrap();
        assert_eq!(src.entries().len(), 1);
        assert_eq!(
            (&src as &dyn PackageSource).describe(),
            root.display().to_string()
        );
        // …one more is not.
        fs::create_dir_all(root.join(&deep).join("too-deep")).unwrap();
        fs::write(root.join(&deep).join("too-deep/f"), b"x").unwrap();
        assert!(matches!(
            DirSource::open(&root, &Limits::default()),
            Err(PackageError::UnsafeName {
                reason: "nested too deeply",
                ..
            })
        ));
        fs::remove_dir_all(root.join("d0")).unwrap();
        for i in 0..3 {
            fs::write(root.join(format!("f{i}")), b"x").unwrap();
        }
        let at = |n| Limits {
            max_entries: n,
            ..Limits::default()
        };
        assert_eq!(DirSource::open(&root, &at(3)).unwrap().entries().len(), 3);
        assert!(matches!(
            DirSource::open(&root, &at(2)),
            Err(PackageError::TooManyEntries(2))
        ));
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn reads_stop_at_the_size_declared_and_the_limit_asked() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("pkg");
        fs::create_dir_all(&root).unwrap();
        fs::write(root.join("a"), b"12345").unwrap();
        let dir = DirSource::open(&root, &Limits::default()).unwrap();
        let src: &dyn PackageSource = &dir;
        assert_eq!(src.read_all("a", 5).unwrap(), b"12345");
        assert!(matches!(
            src.read_all("a", 4),
            Err(PackageError::TooLargeToRead { limit: 4, .. })
        ));
        // The file grew after it was listed: reading it is refused, not cut or extended.
        fs::write(root.join("a"), b"123456").unwrap();
        match src.read_all("a", 100) {
            Err(PackageError::Read { name, reason }) => {
                assert_eq!(name, "a");
                assert!(reason.contains("more bytes than declared"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // A ZIP: its members are where its entries are, and it names its file.
        fs::write(root.join("a"), b"12345").unwrap();
        let out = t.path().join("p.wacz");
        write_zip(&root, &out, &Limits::default()).unwrap();
        let zip = ZipSource::open(&out, &Limits::default()).unwrap();
        assert_eq!(zip.members().len(), 1);
        assert_eq!(zip.members()[0].name, "a");
        assert_eq!(
            (&zip as &dyn PackageSource).describe(),
            out.display().to_string()
        );
        // The same package read from memory: the same members, the same bytes, its own name.
        let bytes = fs::read(&out).unwrap();
        let len = bytes.len() as u64;
        let mem = ZipSource::read(
            "dropped.wacz".into(),
            Box::new(bytes),
            len,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(mem.members(), zip.members());
        let mem: &dyn PackageSource = &mem;
        assert_eq!(mem.read_all("a", 5).unwrap(), b"12345");
        assert_eq!(mem.describe(), "dropped.wacz");
        // Cut short, it is no package.
        let cut = fs::read(&out).unwrap()[..len as usize - 1].to_vec();
        assert!(matches!(
            ZipSource::read(
                "cut.wacz".into(),
                Box::new(cut),
                len - 1,
                &Limits::default()
            ),
            Err(PackageError::Container(_))
        ));
    }
}
