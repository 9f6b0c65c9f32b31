//! "Was this chain head deposited?" asked of an evidence log: its index, the entry, a
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
    let log_key = trust.logs.first().ok_or(LookupError::NoLogKey)?;
    let Some(index) = client.lookup(sha256).await? else {
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
    if deposit.sha256 != sha256 {
        return Ok(Found::OtherHead { index });
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
