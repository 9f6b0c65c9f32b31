//! What the log's HTTP tests share.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use webproof_ledger::deposit::Deposit;

/// A canonical deposit of a made-up chain head, the `i`-th.
pub fn deposit(i: u8) -> Vec<u8> {
    deposit_of(
        hex::encode([i; 32]),
        hex::encode([i ^ 0x55; 32]),
        u32::from(i),
    )
}

/// A canonical deposit of the `i`-th made-up chain head, for any number of them.
pub fn deposit_n(i: u32) -> Vec<u8> {
    deposit_of(
        format!("{i:064x}"),
        format!("{:064x}", u64::from(i) << 8),
        i,
    )
}

fn deposit_of(sha256: String, sm3: String, i: u32) -> Vec<u8> {
    Deposit {
        v: 1,
        sha256,
        sm3,
        package: format!("capture-{i}"),
        operator: hex::encode([7u8; 32]),
        claimed_time: "2026-11-23T12:00:00Z".into(),
        label: None,
        label_commitment: None,
        // Every third names a file (every sixth the same one), looked up by its digests too.
        files: i
            .is_multiple_of(3)
            .then(|| webproof_ledger::deposit::DepositFile {
                seq: u64::from(i),
                sha256: format!("{:064x}", u64::from(i % 2) + 0xf11e),
                sm3: format!("{:064x}", u64::from(i % 2) + 0x5e3),
            })
            .into_iter()
            .collect(),
    }
    .to_bytes()
    .unwrap()
}
pub mod pg_server;

/// Where a test's log keeps its deposits: the embedded store in its directory, or a
/// PostgreSQL database (common/pg_server.rs starts the server).
#[derive(Clone, Debug)]
pub enum Backend {
    Redb,
    Postgres(String),
}

/// The log service on `backend` (opened anew on each call, as a restarted frontend would be).
pub fn open_log(
    backend: &Backend,
    dir: &std::path::Path,
    signer: webproof_ledger::note::NoteSigner,
    peers: Vec<webproof_log::server::WitnessPeer>,
    quorum: usize,
    access: webproof_log::server::Access,
) -> Result<std::sync::Arc<webproof_log::server::LogService>, webproof_log::LogError> {
    use webproof_log::server::LogService;
    match backend {
        Backend::Redb => LogService::open_with(dir, signer, peers, quorum, access),
        Backend::Postgres(url) => {
            let store = webproof_log::pg::PgStore::connect(
                url,
                4,
                Some(webproof_log::server::lookup_keys),
            )?;
            LogService::open_on(
                dir,
                std::sync::Arc::new(store),
                signer,
                peers,
                quorum,
                access,
            )
        }
    }
}
