//! A capture on disk: a directory with the package layout whose journal grows one durable
//! step at a time, and which [`Capture::seal`] turns into a signed, complete package.
//!
//! Order of durability for a step with artifacts: artifact bytes are written and fsynced
//! first, then the journal record that names their digests. A crash between the two leaves an
//! unjournaled artifact file, which [`Capture::resume`] keeps (as evidence of the crash) by
//! recording it in the `interruption` step.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use webproof_message::{Explain, Message, msg};

use crate::digest::{Digests, digest_bytes, digest_reader_with};
use crate::identity::{IdentityDoc, KeyError, Role};
use crate::journal::{Journal, JournalError, NewStep, Recovery, sync_parent};
use crate::layout;
use crate::manifest::{
    Case, FileEntry, JournalRef, MANIFEST_FORMAT, MANIFEST_VERSION, Manifest, Signer, StepHead,
    Tool,
};
use crate::package::{self, Limits, PackageError, PackageSource};
use crate::record::{Artifact, StepKind, StepRecord};
use crate::utc::Utc;
use crate::wacz;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("cannot encode: {0}")]
    Encode(#[source] crate::canonical::CanonicalError),
    #[error("{0} already exists; a capture directory is never reused")]
    Exists(PathBuf),
    #[error("the capture is already sealed")]
    Sealed,
    #[error("the signer's identity document does not match its key")]
    IdentityMismatch,
    #[error(
        "the capture's seal step names other signers or identities than the keys given: it was sealed by someone else, and only they can finish it"
    )]
    SealedForOthers,
    /// A file to add to the capture is not a regular file.
    #[error("{} is not a regular file", .0.display())]
    NotAFile(PathBuf),
    /// The journal holds no step (not even step 0).
    #[error("empty journal")]
    EmptyJournal,
    /// A notary's statement could not be put into a step.
    #[error(transparent)]
    Supervision(Box<crate::supervision::SupervisionError>),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> CaptureError + '_ {
    move |source| CaptureError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A key and the identity document that describes it.
pub struct SignerKey<'a> {
    /// The key, or (a supervising notary) a signer on another machine.
    pub key: &'a dyn crate::identity::Signing,
    pub identity: &'a IdentityDoc,
    /// The signer's certificate from an operator CA (PEM), when enrolled in an evidence log.
    pub certificate: Option<&'a str>,
}

/// What sealing needs besides the journal.
pub struct SealInput<'a> {
    pub case: Case,
    pub tool_version: String,
    pub operator: SignerKey<'a>,
    pub notary: Option<SignerKey<'a>>,
}

/// An open capture directory.
pub struct Capture {
    dir: PathBuf,
    journal: Journal,
}

impl Capture {
    /// Creates a new capture directory (which must not exist) with a fresh capture id.
    pub fn create(dir: &Path) -> Result<Self, CaptureError> {
        if dir.exists() {
            return Err(CaptureError::Exists(dir.to_owned()));
        }
        for sub in ["evidence", layout::ARTIFACTS_DIR] {
            fs::create_dir_all(dir.join(sub)).map_err(io_err(dir))?;
        }
        sync_parent(dir).map_err(io_err(dir))?;
        let id = uuid::Uuid::new_v4().to_string();
        let journal = Journal::create(&dir.join(layout::JOURNAL), &id)?;
        Ok(Capture {
            dir: dir.to_owned(),
            journal,
        })
    }

    /// Reopens a capture directory left by a process that did not finish.
    pub fn resume(dir: &Path) -> Result<(Self, Recovery), CaptureError> {
        let (journal, recovery) = Journal::recover(&dir.join(layout::JOURNAL))?;
        Ok((
            Capture {
                dir: dir.to_owned(),
                journal,
            },
            recovery,
        ))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn id(&self) -> &str {
        self.journal.capture()
    }

    pub fn records(&self) -> &[StepRecord] {
        self.journal.records()
    }

    pub fn head(&self) -> Option<Digests> {
        self.journal.head()
    }

    pub fn is_sealed(&self) -> bool {
        self.records()
            .last()
            .is_some_and(|r| r.kind == StepKind::Seal)
    }

    fn next_seq(&self) -> u64 {
        self.records().len() as u64
    }

    /// Appends a step (artifacts must already be durable in the directory).
    pub fn append(&mut self, step: NewStep) -> Result<(StepRecord, Digests), CaptureError> {
        if self.is_sealed() {
            return Err(CaptureError::Sealed);
        }
        Ok(self.journal.append(step)?)
    }

    /// Copies `src` into the package as the artifact of a new `file` step, hashing while
    /// copying (one read of the source), fsyncing, then journaling the step.
    pub fn add_file(&mut self, src: &Path) -> Result<StepRecord, CaptureError> {
        if self.is_sealed() {
            return Err(CaptureError::Sealed);
        }
        let started = Utc::now();
        let seq = self.next_seq();
        let original = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rel = layout::artifact_path(seq, &original);
        let dst = self.dir.join(&rel);
        let input = File::open(src).map_err(io_err(src))?;
        let meta = input.metadata().map_err(io_err(src))?;
        if !meta.is_file() {
            return Err(CaptureError::NotAFile(src.to_owned()));
        }
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&dst)
            .map_err(io_err(&dst))?;
        let (digests, size) =
            digest_reader_with(input, |chunk| out.write_all(chunk)).map_err(io_err(&dst))?;
        out.sync_all().map_err(io_err(&dst))?;
        drop(out);
        sync_parent(&dst).map_err(io_err(&dst))?;
        let media_type = mime_guess::from_path(&original)
            .first_raw()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let mut params = Map::new();
        params.insert("original_name".into(), Value::String(original));
        if let Ok(abs) = fs::canonicalize(src) {
            params.insert(
                "source_path".into(),
                Value::String(abs.to_string_lossy().into_owned()),
            );
        }
        if let Ok(m) = meta.modified() {
            params.insert(
                "source_modified".into(),
                Value::String(Utc::from_offset(m.into()).to_string()),
            );
        }
        let step = NewStep {
            kind: StepKind::File,
            started,
            ended: Utc::now(),
            url: None,
            params,
            artifacts: vec![Artifact {
                path: rel,
                media_type,
                size,
                sha256: digests.sha256,
                sm3: digests.sm3,
            }],
        };
        Ok(self.append(step)?.0)
    }

    /// Appends a step whose artifacts are in memory: each is written under
    /// `artifacts/<seq>-<name>` and fsynced, then the record is journaled. Used by browser
    /// steps (screenshots, snapshots, downloads).
    pub fn add_step(
        &mut self,
        kind: StepKind,
        started: Utc,
        url: Option<String>,
        params: Map<String, Value>,
        files: &[(&str, &str, &[u8])],
    ) -> Result<StepRecord, CaptureError> {
        if self.is_sealed() {
            return Err(CaptureError::Sealed);
        }
        let seq = self.next_seq();
        let mut artifacts = Vec::with_capacity(files.len());
        for (name, media_type, bytes) in files {
            let rel = layout::artifact_path(seq, name);
            let dst = self.dir.join(&rel);
            package::write_file(&dst, bytes)?;
            let d = digest_bytes(bytes);
            artifacts.push(Artifact {
                path: rel,
                media_type: (*media_type).to_owned(),
                size: bytes.len() as u64,
                sha256: d.sha256,
                sm3: d.sm3,
            });
        }
        if !files.is_empty() {
            sync_parent(&self.dir.join(layout::ARTIFACTS_DIR).join("x"))
                .map_err(io_err(&self.dir))?;
        }
        let step = NewStep {
            kind,
            started,
            ended: Utc::now(),
            url,
            params,
            artifacts,
        };
        Ok(self.append(step)?.0)
    }

    /// Appends a step whose artifacts are files already inside the capture directory (e.g.
    /// closed video segments under `video/`): each is hashed where it lies, then the record is
    /// journaled.
    pub fn add_step_for_files(
        &mut self,
        step: NewStep,
        files: &[(&str, &str)],
    ) -> Result<StepRecord, CaptureError> {
        let mut step = step;
        for (rel, media_type) in files {
            package::check_name(rel)?;
            step.artifacts.push(self.artifact_of(rel, media_type)?);
        }
        Ok(self.append(step)?.0)
    }

    /// Appends a step whose one artifact is a file the browser saved elsewhere (a download):
    /// it is moved (or, across file systems, copied) to `artifacts/<seq>-<name>`, fsynced and
    /// hashed where it lies, then the record is journaled.
    pub fn add_step_moving_file(
        &mut self,
        step: NewStep,
        src: &Path,
        name: &str,
        media_type: &str,
    ) -> Result<StepRecord, CaptureError> {
        if self.is_sealed() {
            return Err(CaptureError::Sealed);
        }
        let rel = layout::artifact_path(self.next_seq(), name);
        let dst = self.dir.join(&rel);
        if let Some(parent) = dst.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        if fs::rename(src, &dst).is_err() {
            fs::copy(src, &dst).map_err(io_err(src))?;
            fs::remove_file(src).map_err(io_err(src))?;
        }
        File::open(&dst)
            .and_then(|f| f.sync_all())
            .map_err(io_err(&dst))?;
        sync_parent(&dst).map_err(io_err(&dst))?;
        let mut step = step;
        step.artifacts.push(self.artifact_of(&rel, media_type)?);
        Ok(self.append(step)?.0)
    }

    /// Appends a `note` step with the operator's text.
    pub fn add_note(&mut self, text: &str) -> Result<StepRecord, CaptureError> {
        let mut params = Map::new();
        params.insert("text".into(), Value::String(text.to_owned()));
        Ok(self.append(NewStep::instant(StepKind::Note, params))?.0)
    }

    /// Journals a supervising notary's signed statement as a `supervision` step
    /// (docs/supervision.md); the statement is not checked here — the verifier judges it
    /// against the chain.
    pub fn add_supervision(
        &mut self,
        signed: &crate::supervision::Signed,
        event: crate::supervision::Event,
    ) -> Result<(StepRecord, Digests), CaptureError> {
        let params = signed
            .to_params(event)
            .map_err(|e| CaptureError::Supervision(Box::new(e)))?;
        self.append(NewStep::instant(StepKind::Supervision, params))
    }

    /// Records that the capture was interrupted: appends an `interruption` step that says
    /// what happened, keeping a torn journal tail and any artifact files no step names as
    /// artifacts of this step.
    pub fn record_interruption(
        &mut self,
        reason: &str,
        recovery: &Recovery,
    ) -> Result<StepRecord, CaptureError> {
        let started = Utc::now();
        let seq = self.next_seq();
        let mut artifacts = Vec::new();
        let mut params = Map::new();
        params.insert("reason".into(), Value::String(reason.to_owned()));
        params.insert(
            "steps_before".into(),
            Value::from(self.records().len() as u64),
        );
        if let Some((side, len)) = &recovery.torn_tail {
            let rel = layout::artifact_path(seq, "journal-torn-tail.bin");
            let dst = self.dir.join(&rel);
            fs::rename(side, &dst).map_err(io_err(side))?;
            sync_parent(&dst).map_err(io_err(&dst))?;
            artifacts.push(self.artifact_of(&rel, "application/octet-stream")?);
            params.insert("torn_tail_bytes".into(), Value::from(*len));
        }
        // Artifact files written but never journaled (crash between file and record).
        let named: std::collections::HashSet<&str> = self
            .records()
            .iter()
            .flat_map(|r| r.artifacts.iter().map(|a| a.path.as_str()))
            .collect();
        let mut orphans = Vec::new();
        for folder in [layout::ARTIFACTS_DIR, layout::VIDEO_DIR, "archive"] {
            let dir = self.dir.join(folder);
            if !dir.exists() {
                continue;
            }
            for e in fs::read_dir(&dir).map_err(io_err(&dir))? {
                let e = e.map_err(io_err(&dir))?;
                let name = format!("{folder}/{}", e.file_name().to_string_lossy());
                if !named.contains(name.as_str())
                    && !artifacts.iter().any(|a: &Artifact| a.path == name)
                {
                    orphans.push(name);
                }
            }
        }
        orphans.sort();
        if !orphans.is_empty() {
            params.insert("unjournaled_artifacts".into(), json!(orphans));
        }
        for o in orphans {
            artifacts.push(self.artifact_of(&o, "application/octet-stream")?);
        }
        let step = NewStep {
            kind: StepKind::Interruption,
            started,
            ended: Utc::now(),
            url: None,
            params,
            artifacts,
        };
        Ok(self.append(step)?.0)
    }

    fn artifact_of(&self, rel: &str, media_type: &str) -> Result<Artifact, CaptureError> {
        let path = self.dir.join(rel);
        let f = File::open(&path).map_err(io_err(&path))?;
        let (d, size) = digest_reader_with(f, |_| Ok(())).map_err(io_err(&path))?;
        Ok(Artifact {
            path: rel.to_owned(),
            media_type: media_type.to_owned(),
            size,
            sha256: d.sha256,
            sm3: d.sm3,
        })
    }

    /// Writes what the seal step names and no earlier step did: the signers' identity
    /// documents, public keys and certificates, and, when the capture archived no network
    /// traffic (a file seal), the WACZ files with nothing in them but their headers. Run again
    /// it writes the same bytes; once the seal step is journaled it does nothing. A caller that
    /// puts a report into the package writes it under `report/` between this and
    /// [`Capture::seal_step`], so the seal step names it too.
    pub fn prepare_seal(&mut self, input: &SealInput<'_>) -> Result<(), CaptureError> {
        if self.is_sealed() {
            return Ok(());
        }
        let signers = signers_of(input)?;
        for role in [Role::Operator, Role::Notary] {
            for p in [
                layout::identity_path(role),
                layout::public_key_path(role),
                layout::certificate_path(role),
            ] {
                remove_if_present(&self.dir.join(p))?;
            }
        }
        for (role, s) in &signers {
            let doc = crate::canonical::to_jcs(s.identity).map_err(CaptureError::Encode)?;
            package::write_file(&self.dir.join(layout::identity_path(*role)), &doc)?;
            package::write_file(
                &self.dir.join(layout::public_key_path(*role)),
                s.identity.public_key.as_bytes(),
            )?;
            if let Some(cert) = s.certificate {
                package::write_file(
                    &self.dir.join(layout::certificate_path(*role)),
                    cert.as_bytes(),
                )?;
            }
        }
        let software = format!("webproof {}", input.tool_version);
        let first = self
            .records()
            .first()
            .map(|r| r.started)
            .ok_or(CaptureError::EmptyJournal)?;
        let warcinfo = wacz::warcinfo(self.id(), input.case.id.as_deref(), &first, &software);
        for (rel, bytes) in [
            (layout::WARC, warcinfo.as_slice()),
            (layout::PAGES, wacz::PAGES_HEADER.as_bytes()),
            (layout::CDX, b"".as_slice()),
        ] {
            let p = self.dir.join(rel);
            if !p.exists() {
                package::write_file(&p, bytes)?;
            }
        }
        Ok(())
    }

    /// Appends the `seal` step (once; again after a crash it is found in place) and returns
    /// its sequence number and the final chain head — what the time-stamp authorities stamp
    /// before [`Capture::seal`] writes the manifest. The seal step records the signers' roles,
    /// the case and the tool, and names as its artifacts every file of the package that no
    /// earlier step named and that is not a proof over the chain (see
    /// [`layout::is_proof_of_chain`]), so the tokens and receipts over its head cover every
    /// byte a later re-signing of the manifest could otherwise change.
    pub fn seal_step(&mut self, input: &SealInput<'_>) -> Result<(u64, Digests), CaptureError> {
        if !self.is_sealed() {
            self.prepare_seal(input)?;
            let named: std::collections::HashSet<String> = self
                .records()
                .iter()
                .flat_map(|r| r.artifacts.iter().map(|a| a.path.clone()))
                .collect();
            let src = package::DirSource::open(&self.dir, &Limits::default())?;
            let mut artifacts = Vec::new();
            for e in src.entries() {
                if layout::is_outside_manifest(&e.name)
                    || layout::is_proof_of_chain(&e.name)
                    || named.contains(&e.name)
                {
                    continue;
                }
                artifacts.push(self.artifact_of(&e.name, layout::media_type(&e.name))?);
            }
            let roles: Vec<&str> = signers_of(input)?.iter().map(|(r, _)| r.as_str()).collect();
            let mut params = Map::new();
            params.insert("signers".into(), json!(roles));
            params.insert("case".into(), json!(input.case));
            params.insert("tool".into(), json!(tool(input)));
            let mut step = NewStep::instant(StepKind::Seal, params);
            step.artifacts = artifacts;
            self.append(step)?;
        }
        let seq = self.records().len() as u64 - 1;
        let head = self.head().ok_or(CaptureError::EmptyJournal)?;
        Ok((seq, head))
    }

    /// Stores the request and response of one time-stamp of the chain head after step `seq`
    /// (`k` numbers the TSA), durably. They are listed in the manifest at seal.
    pub fn add_timestamp(
        &self,
        seq: u64,
        k: usize,
        tsa: &str,
        request: &[u8],
        response: &[u8],
    ) -> Result<(), CaptureError> {
        // A token kept before a crash keeps its name; this one takes the next free number.
        let mut k = k;
        while self
            .dir
            .join(layout::timestamp_path(seq, k, tsa, "tsr"))
            .exists()
            || self
                .dir
                .join(layout::timestamp_path(seq, k, tsa, "tsq"))
                .exists()
        {
            k += 1;
        }
        // The request first: a response without its request still verifies (without the
        // nonce check); a request without a response is ignored by the verifier.
        for (ext, bytes) in [("tsq", request), ("tsr", response)] {
            let rel = layout::timestamp_path(seq, k, tsa, ext);
            package::write_file(&self.dir.join(&rel), bytes)?;
        }
        Ok(())
    }

    /// Keeps an evidence-log receipt for the chain head after step `seq` (log `k`).
    pub fn add_receipt(&self, seq: u64, k: usize, receipt: &[u8]) -> Result<(), CaptureError> {
        package::write_file(&self.dir.join(layout::receipt_path(seq, k)), receipt)?;
        Ok(())
    }

    /// Seals the capture: appends the `seal` step (unless it is there already, after a crash),
    /// then writes the manifest, its signatures and the WACZ datapackage files, and returns the
    /// manifest. The directory is then a complete package; see [`package::write_zip`].
    pub fn seal(mut self, input: &SealInput<'_>) -> Result<Manifest, CaptureError> {
        let signers = signers_of(input)?;
        self.seal_step(input)?;
        // Sealing outputs are derived; a crash during an earlier seal may have left some.
        let mut derived = vec![
            layout::MANIFEST.to_owned(),
            layout::DATAPACKAGE.to_owned(),
            layout::DATAPACKAGE_DIGEST.to_owned(),
        ];
        derived.extend([Role::Operator, Role::Notary].map(layout::signature_path));
        for p in derived {
            remove_if_present(&self.dir.join(p))?;
        }
        let seal = self
            .records()
            .last()
            .cloned()
            .ok_or(CaptureError::EmptyJournal)?;
        // The seal step (perhaps journaled by an earlier, interrupted run) is what the
        // time-stamps cover: these keys must be the ones it names, with these identities.
        let recorded: Vec<&str> = seal
            .params
            .get("signers")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        let signing: Vec<&str> = signers.iter().map(|(r, _)| r.as_str()).collect();
        if recorded != signing {
            return Err(CaptureError::SealedForOthers);
        }
        let mut manifest_signers = Vec::new();
        for (role, s) in &signers {
            let doc = crate::canonical::to_jcs(s.identity).map_err(CaptureError::Encode)?;
            let named = seal
                .artifacts
                .iter()
                .find(|a| a.path == layout::identity_path(*role));
            if named.is_none_or(|a| a.digests() != digest_bytes(&doc)) {
                return Err(CaptureError::SealedForOthers);
            }
            manifest_signers.push(Signer {
                role: *role,
                algorithm: s.identity.algorithm,
                fingerprint: s.identity.fingerprint,
                identity: layout::identity_path(*role),
                public_key: layout::public_key_path(*role),
                signature: layout::signature_path(*role),
            });
        }
        // Case and tool as the seal step recorded them.
        let case = seal
            .params
            .get("case")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_else(|| input.case.clone());
        let tool = seal
            .params
            .get("tool")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_else(|| tool(input));

        // Digests of every file the manifest lists. Artifacts were hashed when captured.
        let known: std::collections::HashMap<&str, &Artifact> = self
            .records()
            .iter()
            .flat_map(|r| r.artifacts.iter().map(|a| (a.path.as_str(), a)))
            .collect();
        let src = package::DirSource::open(&self.dir, &Limits::default())?;
        let mut files = Vec::new();
        for e in src.entries() {
            if layout::is_outside_manifest(&e.name) {
                continue;
            }
            let (d, size) = match known.get(e.name.as_str()) {
                Some(a) => (a.digests(), a.size),
                None => {
                    let bytes = (&src as &dyn PackageSource).read_all(&e.name, u64::MAX)?;
                    (digest_bytes(&bytes), bytes.len() as u64)
                }
            };
            files.push(FileEntry {
                path: e.name.clone(),
                size,
                sha256: d.sha256,
                sm3: d.sm3,
            });
        }
        let heads = crate::journal::parse(
            &fs::read(self.dir.join(layout::JOURNAL)).map_err(io_err(&self.dir))?,
        )?;
        let manifest = Manifest {
            v: MANIFEST_VERSION,
            format: MANIFEST_FORMAT.into(),
            capture: self.id().to_owned(),
            case,
            tool,
            sealed: seal.ended,
            journal: JournalRef {
                path: layout::JOURNAL.into(),
                records: heads.records.len() as u64,
                head: self.head().ok_or(CaptureError::EmptyJournal)?,
            },
            heads: heads
                .records
                .iter()
                .zip(&heads.heads)
                .map(|(r, h)| StepHead {
                    seq: r.seq,
                    kind: r.kind,
                    head: *h,
                })
                .collect(),
            files,
            signers: manifest_signers,
        };
        let manifest_bytes = crate::canonical::to_jcs(&manifest).map_err(CaptureError::Encode)?;
        package::write_file(&self.dir.join(layout::MANIFEST), &manifest_bytes)?;
        for (role, s) in &signers {
            let sig = s.key.sign(&manifest_bytes)?;
            package::write_file(&self.dir.join(layout::signature_path(*role)), &sig)?;
        }

        write_datapackage(&self.dir, &manifest)?;
        sync_parent(&self.dir.join(layout::DATAPACKAGE)).map_err(io_err(&self.dir))?;
        Ok(manifest)
    }
}

/// Writes the WACZ `datapackage.json` and `datapackage-digest.json` of the package directory
/// `dir` sealed by `manifest` (at seal, and again when a renewal or refresh adds files): every
/// other file is a resource, its SHA-256 the manifest's where the manifest lists the file,
/// else hashed here. Neither file may exist yet.
pub fn write_datapackage(dir: &Path, manifest: &Manifest) -> Result<(), CaptureError> {
    let src = package::DirSource::open(dir, &Limits::default())?;
    let mut resources = Vec::new();
    for e in src.entries() {
        if e.name == layout::DATAPACKAGE || e.name == layout::DATAPACKAGE_DIGEST {
            continue;
        }
        let sha = match manifest.file(&e.name) {
            Some(f) => f.sha256,
            None => {
                crate::digest::sha256(&(&src as &dyn PackageSource).read_all(&e.name, u64::MAX)?)
            }
        };
        resources.push(wacz::Resource::new(&e.name, sha, e.size));
    }
    let dp = wacz::datapackage(manifest, &resources).map_err(CaptureError::Encode)?;
    package::write_file(&dir.join(layout::DATAPACKAGE), &dp)?;
    let dd = wacz::datapackage_digest(&dp).map_err(CaptureError::Encode)?;
    package::write_file(&dir.join(layout::DATAPACKAGE_DIGEST), &dd)?;
    Ok(())
}

/// The signers of a seal, operator first, each checked against its identity document.
fn signers_of<'a, 'b>(
    input: &'a SealInput<'b>,
) -> Result<Vec<(Role, &'a SignerKey<'b>)>, CaptureError> {
    let mut signers = vec![(Role::Operator, &input.operator)];
    if let Some(n) = &input.notary {
        signers.push((Role::Notary, n));
    }
    for (role, s) in &signers {
        let fp = s.key.public_key().fingerprint()?;
        if s.identity.fingerprint != fp || s.identity.role != *role {
            return Err(CaptureError::IdentityMismatch);
        }
    }
    Ok(signers)
}

fn tool(input: &SealInput<'_>) -> Tool {
    Tool {
        name: "webproof".into(),
        version: input.tool_version.clone(),
    }
}

fn remove_if_present(p: &Path) -> Result<(), CaptureError> {
    match fs::remove_file(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CaptureError::Io {
            path: p.to_owned(),
            source: e,
        }),
    }
}

/// Reads a whole small file (for callers that hold paths, not sources).
pub fn read_file(path: &Path) -> Result<Vec<u8>, CaptureError> {
    let mut v = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut v))
        .map_err(io_err(path))?;
    Ok(v)
}

impl Explain for CaptureError {
    fn message(&self) -> Message {
        use CaptureError as E;
        match self {
            E::Io { path, source } => msg!("err-file")
                .arg("path", path.display())
                .because(source.message()),
            E::Journal(j) => j.message(),
            E::Package(p) => p.message(),
            E::Key(k) => k.message(),
            E::Encode(d) => msg!("err-encode").arg("detail", d.to_string()),
            E::Exists(p) => msg!("err-capture-exists").arg("path", p.display()),
            E::Sealed => msg!("err-capture-sealed"),
            E::IdentityMismatch => msg!("err-identity-mismatch"),
            E::SealedForOthers => msg!("err-sealed-for-others"),
            E::NotAFile(p) => msg!("err-capture-not-file").arg("path", p.display()),
            E::EmptyJournal => msg!("err-capture-empty-journal"),
            E::Supervision(e) => e.message(),
        }
    }
}
