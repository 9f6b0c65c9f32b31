//! Sealing a capture into a package: what the seal step names is written first (identities,
//! a file seal's WACZ files, the capture report), then the seal step, the final time-stamps
//! and receipts, the manifest and signatures, the ZIP — which is verified before the working
//! copy goes. One session for `seal`, `capture` and `captures resume`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use webproof_evidence::capture::{Capture, CaptureError, SealInput};
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::{self, Limits, PackageError};
use webproof_evidence::record::StepRecord;
use webproof_verify::{Policy, Verdict, VerifyError};

use crate::stamping::{Stamper, Undelivered};
use crate::{AnchorError, Event, Note, Phase};

/// How long sealing waits for the final time-stamps, and then for the log's receipts.
pub const FINAL_WAIT: Duration = Duration::from_secs(30);

/// Who hears what a session does: its events (steps, phases, where trust stands) and what
/// trusted time and the log say.
pub trait Observer {
    fn event(&self, event: Event);
    fn note(&self, note: Note<'_>);
    /// A step, once journaled (as a `step` event unless the observer says more).
    fn step(&self, record: &StepRecord) {
        self.event(Event::Step(record.into()));
    }
}

/// An error of the caller's own work before the seal step.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a capture could not be sealed. What was captured stays in its directory, which
/// `captures resume` seals once the cause is fixed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("reopening {}: {source}", dir.display())]
    Reopen {
        dir: PathBuf,
        #[source]
        source: CaptureError,
    },
    #[error("sealing {}: {source}", dir.display())]
    Capture {
        dir: PathBuf,
        #[source]
        source: CaptureError,
    },
    /// What the caller writes before the seal step (`before_seal`) could not be written.
    #[error(transparent)]
    BeforeSeal(BoxError),
    #[error(transparent)]
    Anchor(#[from] AnchorError),
    #[error("writing {}: {source}", out.display())]
    Write {
        out: PathBuf,
        #[source]
        source: PackageError,
    },
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The package written does not verify (`first`: its first failed check); the capture
    /// directory is kept.
    #[error("the package written does not verify ({first}); the capture is kept in {}", dir.display())]
    WrittenFails { first: String, dir: PathBuf },
    #[error("removing {}: {source}", dir.display())]
    RemoveWork {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A sealed capture.
#[derive(Debug)]
pub struct Sealed {
    pub manifest: Manifest,
    /// What the configured TSAs or log did not deliver for the final chain head (the package
    /// is written either way).
    pub undelivered: Vec<Undelivered>,
    /// The capture directory (removed unless kept).
    pub dir: PathBuf,
}

/// Seals `cap` into the package `out`. Before the seal step, `before_seal` writes what the
/// seal step must name besides identities (the capture report — which may also fail without
/// stopping the seal, the caller saying so and returning `Ok`). With `stamper`, the final chain head is
/// time-stamped and deposited. The package is verified once written; then, unless
/// `keep_work`, the capture directory goes.
pub fn seal(
    mut cap: Capture,
    input: &SealInput<'_>,
    out: &Path,
    keep_work: bool,
    stamper: Option<&mut Stamper>,
    before_seal: &mut dyn FnMut(&Path) -> Result<(), BoxError>,
    obs: &dyn Observer,
) -> Result<Sealed, SealError> {
    let dir = cap.dir().to_owned();
    let sealing = |source| SealError::Capture {
        dir: dir.clone(),
        source,
    };
    // What the seal step names is written first. After a crash past the seal step all of it
    // is in place, named, and left alone.
    if !cap.is_sealed() {
        cap.prepare_seal(input).map_err(sealing)?;
        before_seal(&dir).map_err(SealError::BeforeSeal)?;
    }
    // The final chain head (after the seal step) is what the TSAs stamp last.
    let (seq, head) = cap.seal_step(input).map_err(sealing)?;
    if let Some(r) = cap.records().last() {
        obs.step(r);
    }
    let undelivered = match stamper {
        Some(st) => anchor_final_head(st, &cap, seq, &head, obs)?,
        None => Vec::new(),
    };
    obs.event(Event::Phase {
        phase: Phase::Hashing,
    });
    let manifest = cap.seal(input).map_err(sealing)?;
    obs.event(Event::Phase {
        phase: Phase::Packaging,
    });
    package::write_zip(&dir, out, &Limits::default()).map_err(|source| SealError::Write {
        out: out.to_owned(),
        source,
    })?;
    // Check what was written before the working copy goes. Untrusted is fine here: the TSAs'
    // roots and the log's keys are the verifier's to choose.
    obs.event(Event::Phase {
        phase: Phase::Verifying,
    });
    if let Some(first) = written_fails(out, input)? {
        return Err(SealError::WrittenFails { first, dir });
    }
    // The working copy goes before the caller says anything, so a reader that has gone away
    // (a closed stdout) cannot leave a duplicate to resume.
    if !keep_work {
        std::fs::remove_dir_all(&dir).map_err(|source| SealError::RemoveWork {
            dir: dir.clone(),
            source,
        })?;
    }
    Ok(Sealed {
        manifest,
        undelivered,
        dir,
    })
}

/// The final chain head (after the seal step `seq`) time-stamped and deposited, with the
/// tokens and receipts of the steps before it collected; what the log did not take.
fn anchor_final_head(
    st: &mut Stamper,
    cap: &Capture,
    seq: u64,
    head: &webproof_evidence::digest::Digests,
    obs: &dyn Observer,
) -> Result<Vec<Undelivered>, SealError> {
    let note = |n: Note<'_>| obs.note(n);
    st.collect(cap, &note)?;
    obs.event(Event::Phase {
        phase: Phase::Timestamping,
    });
    st.start(cap, seq, head)?;
    st.finish_tokens(cap, FINAL_WAIT, &note)?;
    obs.event(Event::Phase {
        phase: Phase::Depositing,
    });
    st.finish_log(cap, FINAL_WAIT, &note)?;
    obs.event(Event::Trust(st.status()));
    Ok(st.undelivered(cap.dir(), seq))
}

/// The written package's first failure, if it fails verification (untrusted is fine here:
/// the TSAs' roots and the log's keys are the verifier's to choose; the signers' keys are
/// the ones that just signed).
fn written_fails(out: &Path, input: &SealInput<'_>) -> Result<Option<String>, SealError> {
    let policy = Policy {
        trusted_operators: vec![input.operator.identity.fingerprint],
        trusted_notaries: input
            .notary
            .iter()
            .map(|n| n.identity.fingerprint)
            .collect(),
        ..Policy::default()
    };
    let report = webproof_verify::verify_path(out, &policy)?;
    Ok((report.verdict() == Verdict::Fail).then(|| report.first_failure().unwrap_or_default()))
}

/// A capture directory left unsealed (the capture process ended: a crash, a kill, a closed
/// window), reopened for sealing: its torn tail kept as an artifact and an `interruption` step
/// saying so, unless it was sealed already (then it is finished as it stands).
pub struct Reopened {
    pub cap: Capture,
    /// The `interruption` step recorded on reopening, if one was.
    pub interruption: Option<u64>,
}

/// Reopens the capture directory `dir` for [`seal`] (`captures resume`).
pub fn reopen(dir: &Path) -> Result<Reopened, SealError> {
    let reopening = |source| SealError::Reopen {
        dir: dir.to_owned(),
        source,
    };
    let (mut cap, recovery) = Capture::resume(dir).map_err(reopening)?;
    if cap.is_sealed() {
        return Ok(Reopened {
            cap,
            interruption: None,
        });
    }
    let mut reason = String::from(
        "the capture process ended without sealing; reopened by `webproof captures resume`",
    );
    if let Some((_, n)) = &recovery.torn_tail {
        reason.push_str(&format!(
            "; the journal ended in an incomplete record of {n} bytes, kept as an artifact"
        ));
    }
    let r = cap
        .record_interruption(&reason, &recovery)
        .map_err(reopening)?;
    Ok(Reopened {
        cap,
        interruption: Some(r.seq),
    })
}
