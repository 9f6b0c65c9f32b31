//! The crash-safe, append-only journal of step records.
//!
//! On disk it is `evidence/journal.jsonl`: one record per line, each line exactly the RFC 8785
//! bytes of the record followed by `\n`. [`Journal::append`] writes the line and calls
//! `fdatasync` before it returns, so a step is *acknowledged* only once it is durable.
//!
//! If the process dies mid-write, the file ends in a *torn tail*: bytes after the last `\n`.
//! Those bytes were never acknowledged. [`Journal::recover`] copies them to a side file (they
//! are kept as evidence of the crash, never thrown away) and only then truncates the journal
//! back to its last complete line. Complete lines are never rewritten.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use webproof_message::{Explain, Message, msg};

use crate::digest::Digests;
use crate::record::{ChainBuilder, ChainError, RECORD_VERSION, RecordError, StepRecord};

/// Longest journal line accepted when reading (a record with many artifacts stays far below).
pub const MAX_LINE: usize = 16 << 20;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("journal {path} is in use by another webproof process")]
    Locked { path: PathBuf },
    #[error("journal line {line}: not a step record: {reason}")]
    Parse { line: u64, reason: String },
    #[error("journal line {line}: record is not in canonical (RFC 8785) form")]
    NotCanonical { line: u64 },
    #[error("journal line {line}: longer than {MAX_LINE} bytes")]
    LineTooLong { line: u64 },
    #[error("journal line {line}: {source}")]
    Chain {
        line: u64,
        #[source]
        source: ChainError,
    },
    #[error(transparent)]
    Record(#[from] RecordError),
}

/// A parsed journal: every complete record with its digests, plus any torn tail.
#[derive(Debug, Default)]
pub struct ParsedJournal {
    pub records: Vec<StepRecord>,
    /// `heads[i]` are the digests of `records[i]`: the chain head after step i.
    pub heads: Vec<Digests>,
    /// Bytes after the last newline (an unacknowledged, interrupted write).
    pub torn_tail: Vec<u8>,
}

/// Parses journal bytes, checking that each line is canonical and extends the chain.
pub fn parse(bytes: &[u8]) -> Result<ParsedJournal, JournalError> {
    parse_chain(bytes).map(|(parsed, _)| parsed)
}

/// [`parse`], and the chain as the last complete record left it (to append after).
fn parse_chain(bytes: &[u8]) -> Result<(ParsedJournal, ChainBuilder), JournalError> {
    let mut out = ParsedJournal::default();
    let mut chain = ChainBuilder::new();
    let mut rest = bytes;
    let mut line_no = 0u64;
    while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
        line_no += 1;
        let line = &rest[..nl];
        rest = &rest[nl + 1..];
        if line.len() > MAX_LINE {
            return Err(JournalError::LineTooLong { line: line_no });
        }
        let record: StepRecord = serde_json::from_slice(line).map_err(|e| JournalError::Parse {
            line: line_no,
            reason: e.to_string(),
        })?;
        if record.canonical_bytes()? != line {
            return Err(JournalError::NotCanonical { line: line_no });
        }
        let d = chain.push(&record).map_err(|source| JournalError::Chain {
            line: line_no,
            source,
        })?;
        out.records.push(record);
        out.heads.push(d);
    }
    out.torn_tail = rest.to_vec();
    Ok((out, chain))
}

/// An open journal, positioned for appending, holding an exclusive lock on the file.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    capture: String,
    chain: ChainBuilder,
    records: Vec<StepRecord>,
}

/// What [`Journal::recover`] found.
#[derive(Debug)]
pub struct Recovery {
    /// Where the torn tail was saved, and its length, when there was one.
    pub torn_tail: Option<(PathBuf, u64)>,
}

/// The fields of a step that the caller chooses; the journal fills in the rest.
#[derive(Clone, Debug)]
pub struct NewStep {
    pub kind: crate::record::StepKind,
    pub started: crate::utc::Utc,
    pub ended: crate::utc::Utc,
    pub url: Option<String>,
    pub params: serde_json::Map<String, serde_json::Value>,
    pub artifacts: Vec<crate::record::Artifact>,
}

impl NewStep {
    /// A step that happens at one instant (now), on no URL, with no artifacts yet.
    pub fn instant(
        kind: crate::record::StepKind,
        params: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        let t = crate::utc::Utc::now();
        NewStep {
            kind,
            started: t,
            ended: t,
            url: None,
            params,
            artifacts: vec![],
        }
    }
}

impl Journal {
    /// Creates a new, empty journal for capture `capture`. Fails if the file exists.
    pub fn create(path: &Path, capture: &str) -> Result<Self, JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_owned(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create_new(true)
            .open(path)
            .map_err(io)?;
        lock(&file, path)?;
        sync_parent(path).map_err(io)?;
        Ok(Journal {
            path: path.to_owned(),
            file,
            capture: capture.to_owned(),
            chain: ChainBuilder::new(),
            records: Vec::new(),
        })
    }

    /// Reopens an existing journal after a crash or for continuing. A torn tail is saved next
    /// to the journal as `<journal>.torn-<offset>` (fsynced) before the journal is truncated
    /// to its last complete line; a corrupt *complete* line is an error and nothing is changed.
    pub fn recover(path: &Path) -> Result<(Self, Recovery), JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io)?;
        lock(&file, path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let (parsed, chain) = parse_chain(&bytes)?;
        let mut recovery = Recovery { torn_tail: None };
        if !parsed.torn_tail.is_empty() {
            let offset = (bytes.len() - parsed.torn_tail.len()) as u64;
            let side = side_path(path, offset);
            write_durably(&side, &parsed.torn_tail).map_err(|source| JournalError::Io {
                path: side.clone(),
                source,
            })?;
            file.set_len(offset).map_err(io)?;
            file.sync_all().map_err(io)?;
            recovery.torn_tail = Some((side, parsed.torn_tail.len() as u64));
        }
        file.seek(SeekFrom::End(0)).map_err(io)?;
        let capture = match parsed.records.first() {
            Some(r) => r.capture.clone(),
            None => {
                return Err(JournalError::Parse {
                    line: 1,
                    reason: "the journal holds no complete record, so its capture is unknown"
                        .into(),
                });
            }
        };
        Ok((
            Journal {
                path: path.to_owned(),
                file,
                capture,
                chain,
                records: parsed.records,
            },
            recovery,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn capture(&self) -> &str {
        &self.capture
    }

    pub fn records(&self) -> &[StepRecord] {
        &self.records
    }

    /// The chain head: digests of the last durable record.
    pub fn head(&self) -> Option<Digests> {
        self.chain.head()
    }

    /// Appends one step and makes it durable. When this returns `Ok`, the record is on disk.
    pub fn append(&mut self, step: NewStep) -> Result<(StepRecord, Digests), JournalError> {
        let record = StepRecord {
            v: RECORD_VERSION,
            capture: self.capture.clone(),
            seq: self.chain.next_seq(),
            kind: step.kind,
            started: step.started,
            ended: step.ended,
            url: step.url,
            params: step.params,
            artifacts: step.artifacts,
            prev: self.chain.head(),
        };
        let mut line = record.canonical_bytes()?;
        // Check the link before touching the disk.
        let mut next = self.chain.clone();
        let digests = next.push(&record).map_err(|source| JournalError::Chain {
            line: record.seq + 1,
            source,
        })?;
        line.push(b'\n');
        let io = |source| JournalError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&line).map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.chain = next;
        self.records.push(record.clone());
        Ok((record, digests))
    }
}

fn side_path(path: &Path, offset: u64) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".torn-{offset}"));
    path.with_file_name(name)
}

fn lock(file: &File, path: &Path) -> Result<(), JournalError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(fs::TryLockError::WouldBlock) => Err(JournalError::Locked {
            path: path.to_owned(),
        }),
        Err(fs::TryLockError::Error(source)) => Err(JournalError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Writes a new file and makes it and its directory entry durable.
pub fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    sync_parent(path)
}

/// fsyncs the directory holding `path`, so a newly created name survives a crash.
#[cfg(unix)]
pub fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => File::open(p)?.sync_all(),
        _ => File::open(".")?.sync_all(),
    }
}

/// Windows has no directory to fsync (a directory opens only with backup semantics, and
/// NTFS journals the names it holds): the file's own flush is what there is.
#[cfg(not(unix))]
pub fn sync_parent(_: &Path) -> io::Result<()> {
    Ok(())
}

impl Explain for JournalError {
    fn message(&self) -> Message {
        use JournalError as E;
        match self {
            E::Io { path, source } => msg!("err-file")
                .arg("path", path.display())
                .because(source.message()),
            E::Locked { path } => msg!("err-journal-locked").arg("path", path.display()),
            E::Parse { line, reason } => msg!("err-journal-parse")
                .arg("line", line)
                .arg("reason", reason),
            E::NotCanonical { line } => msg!("err-journal-canonical").arg("line", line),
            E::LineTooLong { line } => msg!("err-journal-long").arg("line", line),
            E::Chain { line, source } => msg!("err-journal-line")
                .arg("line", line)
                .because(source.message()),
            E::Record(r) => r.message(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::StepKind;

    fn note(text: &str) -> NewStep {
        let mut params = serde_json::Map::new();
        params.insert("text".into(), text.into());
        NewStep::instant(StepKind::Note, params)
    }

    #[test]
    fn append_then_recover_keeps_every_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut j = Journal::create(&path, "cap").unwrap();
        assert_eq!(j.head(), None, "an empty journal has no head");
        for i in 0..5 {
            j.append(note(&format!("n{i}"))).unwrap();
        }
        let head = j.head().expect("a journal with records has a head");
        assert_eq!(head, j.records()[4].digests().unwrap());
        drop(j);
        let (j, rec) = Journal::recover(&path).unwrap();
        assert!(rec.torn_tail.is_none());
        assert_eq!(j.records().len(), 5);
        assert_eq!(j.head(), Some(head));
    }

    #[test]
    fn torn_tail_is_saved_then_cut_and_complete_lines_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut j = Journal::create(&path, "cap").unwrap();
        j.append(note("a")).unwrap();
        j.append(note("b")).unwrap();
        drop(j);
        let good = fs::read(&path).unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"artifacts\":[],\"capt").unwrap();
        drop(f);
        let (mut j, rec) = Journal::recover(&path).unwrap();
        let (side, len) = rec.torn_tail.unwrap();
        assert_eq!(fs::read(&side).unwrap(), b"{\"artifacts\":[],\"capt");
        assert_eq!(len, 21);
        assert_eq!(fs::read(&path).unwrap(), good);
        j.append(note("c")).unwrap();
        let parsed = parse(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(parsed.records.len(), 3);
        assert!(parsed.torn_tail.is_empty());
    }

    #[test]
    fn corrupt_complete_line_is_refused_and_file_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut j = Journal::create(&path, "cap").unwrap();
        j.append(note("a")).unwrap();
        j.append(note("b")).unwrap();
        drop(j);
        let mut bytes = fs::read(&path).unwrap();
        let pos = bytes.iter().position(|&b| b == b'a').unwrap();
        bytes[pos] = b'A'; // "artifacts" -> "Artifacts"
        fs::write(&path, &bytes).unwrap();
        assert!(Journal::recover(&path).is_err());
        assert_eq!(fs::read(&path).unwrap(), bytes);
    }

    #[test]
    fn second_writer_is_locked_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut j = Journal::create(&path, "cap").unwrap();
        j.append(note("a")).unwrap();
        assert!(matches!(
            Journal::recover(&path),
            Err(JournalError::Locked { .. })
        ));
    }
}
