//! "Was this chain head deposited?" — or "was this exact file?" — asked of an evidence log: its index, the entry, a
//! witnessed checkpoint covering it and the inclusion proof — each checked here, offline,
//! against the log's and the witnesses' keys, so the answer does not rest on the log's word.

use webproof_ledger::deposit::{Deposit, DepositError};
use webproof_ledger::note::{Checkpoint, Note as SignedNote};
use webproof_ledger::receipt::LogTrust;
use webproof_ledger::witness::{self, DepositProofError};
use webproof_net::{LogClient, NetError};

/// What the log answered about a chain head.
#[derive(Debug)]
pub enum Found {
    /// The log holds no deposit of it.
    NotDeposited,
    /// Deposited at `index`, but the newest witnessed checkpoint (of a tree of `size`) does not
    /// cover it yet.
    Unwitnessed { index: u64, size: u64 },
    /// The log's entry at `index` is of another chain head (the log answered wrongly).
    OtherHead { index: u64 },
    /// The log's entry at `index` does not name the file with both its digests (the log
    /// answered wrongly).
    OtherFile { index: u64 },
    /// Proven: entry `index` of the witnessed tree of `size`, cosigned by `cosigners`
    /// (witness name, Unix time).
    Proven {
        index: u64,
        size: u64,
        deposit: Box<Deposit>,
        cosigners: Vec<(String, u64)>,
    },
    /// The log's checkpoint or inclusion proof does not verify under the keys given.
    Refuted {
        index: u64,
        error: DepositProofError,
    },
}

/// Why the log could not be asked, or did not give what a proof needs.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("no key for the log is configured: its answers could not be checked")]
    NoLogKey,
    #[error(transparent)]
    Net(#[from] NetError),
    #[error("the log has published no checkpoint")]
    NoCheckpoint,
    #[error("the log does not serve entry {index}")]
    NoEntry { index: u64 },
    #[error("the log gave no inclusion proof for entry {index}")]
    NoInclusion { index: u64 },
    #[error("the log's entry {index}: {source}")]
    Entry {
        index: u64,
        #[source]
        source: DepositError,
    },
}

/// Looks up the chain head `sha256` (lowercase hex) in the log `client` serves, checked
/// under `trust` (its first log key, its witnesses and quorum).
pub async fn lookup(
    client: &LogClient,
    sha256: &str,
    trust: &LogTrust,
) -> Result<Found, LookupError> {
    let index = client.lookup(sha256).await?;
    prove(
        client,
        index,
        trust,
        |d| d.sha256 == sha256,
        |index| Found::OtherHead { index },
    )
    .await
}

/// A file's digests (lowercase hex), as a deposit names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDigests {
    pub sha256: String,
    pub sm3: String,
}

/// Looks up the file of digests `file` in the log `client` serves, by its SHA-256, checked
/// under `trust`: proven only when the deposit found names the file by both its SHA-256 and
/// its SM3 (the step that recorded it is the matching entry of [`Deposit::files`]).
pub async fn lookup_file(
    client: &LogClient,
    file: &FileDigests,
    trust: &LogTrust,
) -> Result<Found, LookupError> {
    let index = client.lookup_file("sha256", &file.sha256).await?;
    let names = |d: &Deposit| {
        d.files
            .iter()
            .any(|f| f.sha256 == file.sha256 && f.sm3 == file.sm3)
    };
    prove(client, index, trust, names, |index| Found::OtherFile {
        index,
    })
    .await
}

/// The entry at `index` (as the log's lookup answered), a witnessed checkpoint covering it and
/// its inclusion proof, checked under `trust`; `other` when the entry is not what was asked
/// (`asked` says whether it is).
async fn prove(
    client: &LogClient,
    index: Option<u64>,
    trust: &LogTrust,
    asked: impl Fn(&Deposit) -> bool,
    other: fn(u64) -> Found,
) -> Result<Found, LookupError> {
    let log_key = trust.logs.first().ok_or(LookupError::NoLogKey)?;
    let Some(index) = index else {
        return Ok(Found::NotDeposited);
    };
    let checkpoint = client
        .checkpoint()
        .await?
        .ok_or(LookupError::NoCheckpoint)?;
    let entry = client
        .entry(index)
        .await?
        .ok_or(LookupError::NoEntry { index })?;
    // The size the log claims; what it proves is checked below.
    let size = SignedNote::parse(&checkpoint)
        .ok()
        .and_then(|n| Checkpoint::parse(&n.text).ok())
        .map_or(0, |c| c.size);
    if index >= size {
        return Ok(Found::Unwitnessed { index, size });
    }
    let proof = client
        .inclusion(index, size)
        .await?
        .and_then(|t| witness::parse_proof(&t))
        .ok_or(LookupError::NoInclusion { index })?;
    let deposit = Deposit::parse(&entry).map_err(|source| LookupError::Entry { index, source })?;
    if !asked(&deposit) {
        return Ok(other(index));
    }
    Ok(
        match witness::verify_deposit(
            &checkpoint,
            log_key,
            &trust.witnesses,
            trust.quorum,
            index,
            &entry,
            &proof,
        ) {
            Ok(w) => Found::Proven {
                index,
                size,
                deposit: Box::new(deposit),
                cosigners: w.cosigners,
            },
            Err(error) => Found::Refuted { index, error },
        },
    )
}
