//! # webproof-log
//!
//! The evidence log at the storage edge: a durable, append-only store of deposits on redb
//! (chosen by `cargo bench -p webproof-log --bench storage`, see ARCHITECTURE.md) that keeps
//! the Merkle tree as its complete subtrees ([`webproof_ledger::tree`]), and a group-commit
//! [`Sequencer`]: deposits that arrive together are written in one durable transaction and
//! each is acknowledged with its index only after that transaction is on disk.

use std::sync::mpsc;
use std::thread::JoinHandle;

pub mod pg;
pub mod ra;
pub mod serve;
pub mod server;
pub mod witness_http;

use redb::{ReadableDatabase as _, ReadableTable as _, TableDefinition};
use webproof_ledger::merkle::{self, Hash};
use webproof_ledger::tree::{self, Nodes};

const ENTRIES: TableDefinition<u64, &[u8]> = TableDefinition::new("entries");
/// Complete-subtree hashes, keyed `level << 64 | index`.
const NODES: TableDefinition<u128, &[u8]> = TableDefinition::new("nodes");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Lookup key (e.g. the deposited chain head) → index of the first deposit with it.
const LOOKUP: TableDefinition<&[u8], u64> = TableDefinition::new("lookup");
/// Published checkpoints by tree size (the signed, cosigned note).
const CHECKPOINTS: TableDefinition<u64, &[u8]> = TableDefinition::new("checkpoints");
/// The registration authority's records (registrars, enrollment codes, operators), as JSON.
const RA: TableDefinition<&str, &[u8]> = TableDefinition::new("ra");
/// Signed requests seen, for the replay check across restarts: key = until (8 bytes,
/// big-endian) ‖ SHA-256 of the signature, so what has expired is one prefix range.
const SEEN: TableDefinition<&[u8], ()> = TableDefinition::new("seen");

/// A signed request the log has accepted: the SHA-256 of its signature, and the Unix time
/// until which a request with that signature would still pass the clock check (so until which
/// it must be refused as a replay). Kept durably with what the request did — in the same
/// transaction as its deposits — so a restart forgets no request it acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    pub digest: [u8; 32],
    pub until: u64,
}

impl Seen {
    fn key(&self) -> [u8; 40] {
        let mut k = [0u8; 40];
        k[..8].copy_from_slice(&self.until.to_be_bytes());
        k[8..].copy_from_slice(&self.digest);
        k
    }
}

/// What a deposit is looked up by: none, one or many keys (each leads to the first entry that
/// has it).
pub type KeyOf = fn(&[u8]) -> Vec<Vec<u8>>;

/// Largest deposit accepted (an entry bundle of c2sp.org/tlog-tiles gives it 16 bits).
pub const MAX_ENTRY: usize = u16::MAX as usize;

/// A request refused, with the HTTP status it is answered with and why (said to the client).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("HTTP {status}: {reason}")]
pub struct Refusal {
    pub status: u16,
    pub reason: String,
}

impl Refusal {
    pub fn new(status: u16, reason: String) -> Self {
        Refusal { status, reason }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    #[error("log store: {0}")]
    Store(#[source] Box<redb::Error>),
    #[error("log directory {path}: {source}")]
    Dir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("log database: {0}")]
    Database(#[source] postgres::Error),
    #[error("log database schema: {0}")]
    Migration(#[source] Box<refinery::Error>),
    #[error("the HTTP client for the witnesses: {0}")]
    Client(#[source] reqwest::Error),
    #[error("operator CA: {0}")]
    OperatorCa(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error(
        "this frontend's operator CA ({0}) is not the one the log's other frontends issue \
         certificates under (recorded in the log's store): every frontend of one log needs the \
         same operator-ca.pem and operator-ca.key — copy them from the first frontend \
         (docs/deploy-alliance.md)"
    )]
    OtherOperatorCa(std::path::PathBuf),
    #[error("the log's tree node ({0}, {1}) is not a hash: the store is damaged")]
    BadNode(u32, u64),
    /// The sequencer's answer to one of the deposits of a batch it could not commit.
    #[error(transparent)]
    Batch(std::sync::Arc<LogError>),
    #[error("a deposit of {0} bytes is over the {MAX_ENTRY}-byte limit")]
    TooLarge(usize),
    #[error("the log's tree is missing node ({0}, {1}): the store is damaged")]
    MissingNode(u32, u64),
    #[error("the sequencer has stopped")]
    Stopped,
}

impl LogError {
    /// Whether the same request may succeed later: the database could not be reached, or
    /// refused for the moment (SQLSTATE classes 08 connection, 40 rollback, 53 resources,
    /// 57 operator intervention such as a restart). Such failures are answered 503 with
    /// Retry-After, never with an index.
    pub fn is_retryable(&self) -> bool {
        match self {
            LogError::Database(e) => e.as_db_error().is_none_or(|db| {
                matches!(db.code().code().get(..2), Some("08" | "40" | "53" | "57"))
            }),
            LogError::Batch(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// The HTTP status a request that met this error is answered with.
    pub fn status(&self) -> u16 {
        if self.is_retryable() { 503 } else { 500 }
    }
}

impl Refusal {
    /// A request refused because of `e`: 503 when it may be retried, else 500.
    pub fn of(e: &LogError) -> Refusal {
        Refusal::new(e.status(), format!("{e}\n"))
    }
}

fn store_err(e: impl Into<redb::Error>) -> LogError {
    LogError::Store(Box::new(e.into()))
}

fn key(level: u32, index: u64) -> u128 {
    (u128::from(level) << 64) | u128::from(index)
}

/// A registration-authority record change: gets the current value, returns the new one
/// (`None`: leave it) or a refusal (nothing written).
pub type RaChange<'a> = Box<dyn FnOnce(Option<&[u8]>) -> Result<Option<Vec<u8>>, Refusal> + 'a>;

/// What the log needs from its storage: the deposits and the tree as complete subtrees (one
/// durable transaction per append), lookup by chain head, published checkpoints and the
/// registration authority's records (read-modify-write in one transaction). [`Store`] is the
/// embedded redb implementation; a PostgreSQL one for deployments that outgrow a machine
/// implements the same trait.
pub trait LogStore: Send + Sync {
    fn size(&self) -> Result<u64, LogError>;
    /// Appends in one durable transaction; returns the index of the first.
    fn append(&self, entries: &[&[u8]]) -> Result<u64, LogError>;
    /// [`LogStore::append`], remembering the requests that brought the entries in the same
    /// durable transaction (and forgetting those expired before `now`).
    fn append_seen(&self, entries: &[&[u8]], seen: &[Seen], now: u64) -> Result<u64, LogError>;
    /// Remembers accepted requests durably (forgetting those expired before `now`).
    fn remember(&self, seen: &[Seen], now: u64) -> Result<(), LogError>;
    /// The remembered requests that have not expired at `now`.
    fn seen(&self, now: u64) -> Result<Vec<Seen>, LogError>;
    fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, LogError>;
    fn entries(&self, index: u64, count: u64) -> Result<Vec<Vec<u8>>, LogError>;
    fn nodes(&self, level: u32, index: u64, count: u64) -> Result<Vec<Hash>, LogError>;
    fn root(&self, size: u64) -> Result<Hash, LogError>;
    fn inclusion(&self, index: u64, size: u64) -> Result<Option<Vec<Hash>>, LogError>;
    fn consistency(&self, size1: u64, size2: u64) -> Result<Option<Vec<Hash>>, LogError>;
    fn lookup(&self, key: &[u8]) -> Result<Option<u64>, LogError>;
    fn put_checkpoint(&self, size: u64, note: &str) -> Result<(), LogError>;
    fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, LogError>;
    fn ra_get(&self, key: &str) -> Result<Option<Vec<u8>>, LogError>;
    fn ra_list(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, LogError>;
    fn ra_update(&self, key: &str, change: RaChange<'_>) -> Result<Result<(), Refusal>, LogError>;
    /// Whether this process is the one that signs checkpoints and sends them to the
    /// witnesses, so that each is signed and sent once however many frontends serve the log.
    /// An embedded store has one process: it always leads.
    fn leads(&self) -> bool {
        true
    }
}

impl LogStore for Store {
    fn size(&self) -> Result<u64, LogError> {
        Store::size(self)
    }
    fn append(&self, entries: &[&[u8]]) -> Result<u64, LogError> {
        Store::append(self, entries)
    }
    fn append_seen(&self, entries: &[&[u8]], seen: &[Seen], now: u64) -> Result<u64, LogError> {
        Store::append_seen(self, entries, seen, now)
    }
    fn remember(&self, seen: &[Seen], now: u64) -> Result<(), LogError> {
        Store::remember(self, seen, now)
    }
    fn seen(&self, now: u64) -> Result<Vec<Seen>, LogError> {
        Store::seen(self, now)
    }
    fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, LogError> {
        Store::entry(self, index)
    }
    fn entries(&self, index: u64, count: u64) -> Result<Vec<Vec<u8>>, LogError> {
        Store::entries(self, index, count)
    }
    fn nodes(&self, level: u32, index: u64, count: u64) -> Result<Vec<Hash>, LogError> {
        Store::nodes(self, level, index, count)
    }
    fn root(&self, size: u64) -> Result<Hash, LogError> {
        Store::root(self, size)
    }
    fn inclusion(&self, index: u64, size: u64) -> Result<Option<Vec<Hash>>, LogError> {
        Store::inclusion(self, index, size)
    }
    fn consistency(&self, size1: u64, size2: u64) -> Result<Option<Vec<Hash>>, LogError> {
        Store::consistency(self, size1, size2)
    }
    fn lookup(&self, key: &[u8]) -> Result<Option<u64>, LogError> {
        Store::lookup(self, key)
    }
    fn put_checkpoint(&self, size: u64, note: &str) -> Result<(), LogError> {
        Store::put_checkpoint(self, size, note)
    }
    fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, LogError> {
        Store::latest_checkpoint(self)
    }
    fn ra_get(&self, key: &str) -> Result<Option<Vec<u8>>, LogError> {
        Store::ra_get(self, key)
    }
    fn ra_list(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, LogError> {
        Store::ra_list(self, prefix)
    }
    fn ra_update(&self, key: &str, change: RaChange<'_>) -> Result<Result<(), Refusal>, LogError> {
        Store::ra_update(self, key, change)
    }
}

/// The durable store.
pub struct Store {
    db: redb::Database,
    key_of: Option<KeyOf>,
}

/// Reads nodes from a table (inside a read or a write transaction).
struct TableNodes<'t, T: redb::ReadableTable<u128, &'static [u8]>>(&'t T);

impl<T: redb::ReadableTable<u128, &'static [u8]>> Nodes for TableNodes<'_, T> {
    fn node(&self, level: u32, index: u64) -> Option<Hash> {
        let v = self.0.get(key(level, index)).ok()??;
        v.value().try_into().ok()
    }
}

/// Writes `seen` and removes what expired before `now`, inside `tx`.
fn write_seen(tx: &redb::WriteTransaction, seen: &[Seen], now: u64) -> Result<(), LogError> {
    let mut t = tx.open_table(SEEN).map_err(store_err)?;
    let before = now.to_be_bytes();
    let expired: Vec<Vec<u8>> = t
        .range(..before.as_slice())
        .map_err(store_err)?
        .map(|r| r.map(|(k, _)| k.value().to_vec()))
        .collect::<Result<_, _>>()
        .map_err(store_err)?;
    for k in expired {
        t.remove(k.as_slice()).map_err(store_err)?;
    }
    for s in seen {
        t.insert(s.key().as_slice(), ()).map_err(store_err)?;
    }
    Ok(())
}

impl Store {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &std::path::Path) -> Result<Self, LogError> {
        Self::open_with_lookup(path, None)
    }

    /// Opens the store, indexing each deposit under `key_of(deposit)` for [`Store::lookup`].
    pub fn open_with_lookup(
        path: &std::path::Path,
        key_of: Option<KeyOf>,
    ) -> Result<Self, LogError> {
        let db = redb::Database::create(path).map_err(store_err)?;
        let tx = db.begin_write().map_err(store_err)?;
        {
            tx.open_table(ENTRIES).map_err(store_err)?;
            tx.open_table(NODES).map_err(store_err)?;
            tx.open_table(META).map_err(store_err)?;
            tx.open_table(LOOKUP).map_err(store_err)?;
            tx.open_table(CHECKPOINTS).map_err(store_err)?;
            tx.open_table(RA).map_err(store_err)?;
            tx.open_table(SEEN).map_err(store_err)?;
        }
        tx.commit().map_err(store_err)?;
        Ok(Store { db, key_of })
    }

    /// A registration-authority record.
    pub fn ra_get(&self, key: &str) -> Result<Option<Vec<u8>>, LogError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(RA).map_err(store_err)?;
        Ok(t.get(key).map_err(store_err)?.map(|v| v.value().to_vec()))
    }

    /// The registration-authority records whose keys start with `prefix`.
    pub fn ra_list(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, LogError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(RA).map_err(store_err)?;
        let mut out = Vec::new();
        for r in t.range(prefix..).map_err(store_err)? {
            let (k, v) = r.map_err(store_err)?;
            if !k.value().starts_with(prefix) {
                break;
            }
            out.push((k.value().to_owned(), v.value().to_vec()));
        }
        Ok(out)
    }

    /// Reads, changes and writes one record in one durable transaction: `change` gets the
    /// current value and returns the new one (`None`: leave it) or an error (nothing written).
    pub fn ra_update<E>(
        &self,
        key: &str,
        change: impl FnOnce(Option<&[u8]>) -> Result<Option<Vec<u8>>, E>,
    ) -> Result<Result<(), E>, LogError> {
        let tx = self.db.begin_write().map_err(store_err)?;
        {
            let mut t = tx.open_table(RA).map_err(store_err)?;
            let old = t.get(key).map_err(store_err)?.map(|v| v.value().to_vec());
            match change(old.as_deref()) {
                Ok(Some(new)) => {
                    t.insert(key, new.as_slice()).map_err(store_err)?;
                }
                Ok(None) => {}
                Err(e) => return Ok(Err(e)),
            }
        }
        tx.commit().map_err(store_err)?;
        Ok(Ok(()))
    }

    /// The index of the first deposit whose lookup key is `key`.
    pub fn lookup(&self, key: &[u8]) -> Result<Option<u64>, LogError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(LOOKUP).map_err(store_err)?;
        Ok(t.get(key).map_err(store_err)?.map(|v| v.value()))
    }

    /// Keeps a published checkpoint note (tree size `size`).
    pub fn put_checkpoint(&self, size: u64, note: &str) -> Result<(), LogError> {
        let tx = self.db.begin_write().map_err(store_err)?;
        {
            let mut t = tx.open_table(CHECKPOINTS).map_err(store_err)?;
            t.insert(size, note.as_bytes()).map_err(store_err)?;
        }
        tx.commit().map_err(store_err)
    }

    /// The published checkpoint with the largest tree.
    pub fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, LogError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(CHECKPOINTS).map_err(store_err)?;
        let last = t.last().map_err(store_err)?;
        Ok(last.map(|(k, v)| (k.value(), String::from_utf8_lossy(v.value()).into_owned())))
    }

    /// How many deposits are durable.
    pub fn size(&self) -> Result<u64, LogError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(META).map_err(store_err)?;
        Ok(t.get("size").map_err(store_err)?.map_or(0, |v| v.value()))
    }

    /// Appends `entries` in one durable transaction; returns the index of the first.
    pub fn append<E: AsRef<[u8]>>(&self, entries: &[E]) -> Result<u64, LogError> {
        self.append_seen(entries, &[], 0)
    }

    /// Remembers accepted requests in one durable transaction.
    pub fn remember(&self, seen: &[Seen], now: u64) -> Result<(), LogError> {
        let tx = self.db.begin_write().map_err(store_err)?;
        write_seen(&tx, seen, now)?;
        tx.commit().map_err(store_err)
    }

    /// The remembered requests that have not expired at `now`.
    pub fn seen(&self, now: u64) -> Result<Vec<Seen>, LogError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(SEEN).map_err(store_err)?;
        let from = now.to_be_bytes();
        let mut out = Vec::new();
        for r in t.range(from.as_slice()..).map_err(store_err)? {
            let (k, _) = r.map_err(store_err)?;
            let k = k.value();
            if let (Ok(until), Ok(digest)) = (k[..8].try_into(), k[8..].try_into()) {
                out.push(Seen {
                    digest,
                    until: u64::from_be_bytes(until),
                });
            }
        }
        Ok(out)
    }

    /// Appends `entries` and remembers the requests that brought them, in one durable
    /// transaction; returns the index of the first.
    pub fn append_seen<E: AsRef<[u8]>>(
        &self,
        entries: &[E],
        seen: &[Seen],
        now: u64,
    ) -> Result<u64, LogError> {
        if let Some(e) = entries.iter().find(|e| e.as_ref().len() > MAX_ENTRY) {
            return Err(LogError::TooLarge(e.as_ref().len()));
        }
        let tx = self.db.begin_write().map_err(store_err)?;
        if !seen.is_empty() {
            write_seen(&tx, seen, now)?;
        }
        let first;
        {
            let mut meta = tx.open_table(META).map_err(store_err)?;
            let mut ent = tx.open_table(ENTRIES).map_err(store_err)?;
            let mut nodes = tx.open_table(NODES).map_err(store_err)?;
            let mut lookup = tx.open_table(LOOKUP).map_err(store_err)?;
            first = meta
                .get("size")
                .map_err(store_err)?
                .map_or(0, |v| v.value());
            for (i, e) in entries.iter().enumerate() {
                let e = e.as_ref();
                let index = first + i as u64;
                ent.insert(index, e).map_err(store_err)?;
                for k in self.key_of.map(|f| f(e)).unwrap_or_default() {
                    if lookup.get(k.as_slice()).map_err(store_err)?.is_none() {
                        lookup.insert(k.as_slice(), index).map_err(store_err)?;
                    }
                }
                let new = tree::append(&TableNodes(&nodes), index, merkle::leaf_hash(e))
                    .ok_or(LogError::MissingNode(0, index.saturating_sub(1)))?;
                for (level, at, h) in new {
                    nodes
                        .insert(key(level, at), h.as_slice())
                        .map_err(store_err)?;
                }
            }
            meta.insert("size", first + entries.len() as u64)
                .map_err(store_err)?;
        }
        // Durability::Immediate (redb's default): fsync'd when commit returns.
        tx.commit().map_err(store_err)?;
        Ok(first)
    }

    /// The stored complete-subtree hashes of tree `level` from `index` (as many as exist, at
    /// most `count`).
    pub fn nodes(&self, level: u32, index: u64, count: u64) -> Result<Vec<Hash>, LogError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(NODES).map_err(store_err)?;
        let mut out = Vec::new();
        for i in index..index.saturating_add(count) {
            match t.get(key(level, i)).map_err(store_err)? {
                Some(v) => out.push(
                    v.value()
                        .try_into()
                        .map_err(|_| LogError::BadNode(level, i))?,
                ),
                None => break,
            }
        }
        Ok(out)
    }

    /// The deposits from `index` (as many as exist, at most `count`).
    pub fn entries(&self, index: u64, count: u64) -> Result<Vec<Vec<u8>>, LogError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(ENTRIES).map_err(store_err)?;
        let end = index.saturating_add(count);
        let mut out = Vec::new();
        for e in t.range(index..end).map_err(store_err)? {
            out.push(e.map_err(store_err)?.1.value().to_vec());
        }
        Ok(out)
    }

    /// The deposit at `index`.
    pub fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, LogError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(ENTRIES).map_err(store_err)?;
        Ok(t.get(index).map_err(store_err)?.map(|v| v.value().to_vec()))
    }

    /// The tree head of the first `size` deposits.
    pub fn root(&self, size: u64) -> Result<Hash, LogError> {
        self.with_nodes(|n| tree::root(n, size))
    }

    /// The inclusion proof of deposit `index` in the tree of `size`.
    pub fn inclusion(&self, index: u64, size: u64) -> Result<Option<Vec<Hash>>, LogError> {
        self.with_nodes(|n| Some(tree::inclusion(n, index, size)))
    }

    /// The consistency proof from `size1` to `size2`.
    pub fn consistency(&self, size1: u64, size2: u64) -> Result<Option<Vec<Hash>>, LogError> {
        self.with_nodes(|n| Some(tree::consistency(n, size1, size2)))
    }

    fn with_nodes<R>(&self, f: impl FnOnce(&dyn Nodes) -> Option<R>) -> Result<R, LogError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(NODES).map_err(store_err)?;
        f(&TableNodes(&t)).ok_or(LogError::MissingNode(0, 0))
    }
}

/// What a commit group's deposits are acknowledged with besides their indices: one signed
/// promise over the whole group (see `webproof_ledger::receipt::promise_text`) and each
/// deposit's path in the group's tree.
#[derive(Debug)]
pub struct Group {
    pub first: u64,
    /// The signed promise note.
    pub promise: String,
    /// The audit path of each deposit of the group, by `index - first`.
    pub paths: Vec<Vec<Hash>>,
}

/// Signs a group's promise: `(first index, count, RFC 9162 head of the group's leaves)`.
pub type GroupSigner = Box<dyn Fn(u64, u64, &Hash) -> String + Send>;

/// A commit's answer to one request: the first index and the group's promise, or why not.
type Committed = Result<(u64, Option<std::sync::Arc<Group>>), std::sync::Arc<LogError>>;
type Reply = tokio::sync::oneshot::Sender<Committed>;
/// One request to the sequencer: its deposits, the signed request that brought them (to be
/// remembered with them), and where the answer goes.
type Request = (Vec<Vec<u8>>, Option<Seen>, Reply);

/// Group commit: whatever deposits are waiting when the previous commit ends go into the
/// next one; each caller gets its index once its transaction is durable (and, with a
/// [`GroupSigner`], the group's promise — one signature per commit, not per deposit).
pub struct Sequencer {
    tx: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<()>>,
}

/// Most deposits in one transaction (a single request may bring more; it is never split).
pub const MAX_BATCH: usize = 8192;

impl Sequencer {
    pub fn start(store: std::sync::Arc<dyn LogStore>) -> Self {
        Self::start_with(store, None)
    }

    pub fn start_with(store: std::sync::Arc<dyn LogStore>, sign: Option<GroupSigner>) -> Self {
        let (tx, rx) = mpsc::channel::<Request>();
        let thread = std::thread::spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut total = first.0.len();
                let mut batch = vec![first];
                while total < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(x) => {
                            total += x.0.len();
                            batch.push(x);
                        }
                        Err(_) => break,
                    }
                }
                // A request with an oversized deposit is refused alone; the others commit.
                let (ok, bad): (Vec<_>, Vec<_>) = batch.into_iter().partition(|(es, _, _)| {
                    !es.is_empty() && es.iter().all(|e| e.len() <= MAX_ENTRY)
                });
                for (es, _, reply) in bad {
                    let n = es.iter().map(Vec::len).max().unwrap_or(0);
                    let _ = reply.send(Err(std::sync::Arc::new(LogError::TooLarge(n))));
                }
                if ok.is_empty() {
                    continue;
                }
                let entries: Vec<&[u8]> = ok
                    .iter()
                    .flat_map(|(es, _, _)| es.iter().map(Vec::as_slice))
                    .collect();
                let seen: Vec<Seen> = ok.iter().filter_map(|(_, s, _)| *s).collect();
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                match store.append_seen(&entries, &seen, now) {
                    Ok(first) => {
                        let group = sign.as_ref().map(|sign| {
                            let leaves: Vec<Hash> =
                                entries.iter().map(|e| merkle::leaf_hash(e)).collect();
                            let (root, paths) = merkle::all_inclusion_proofs(&leaves);
                            std::sync::Arc::new(Group {
                                first,
                                promise: sign(first, leaves.len() as u64, &root),
                                paths,
                            })
                        });
                        let mut at = first;
                        for (es, _, reply) in ok {
                            let _ = reply.send(Ok((at, group.clone())));
                            at += es.len() as u64;
                        }
                    }
                    Err(e) => {
                        let e = std::sync::Arc::new(e);
                        for (_, _, reply) in ok {
                            let _ = reply.send(Err(e.clone()));
                        }
                    }
                }
            }
        });
        Sequencer {
            tx: Some(tx),
            thread: Some(thread),
        }
    }

    /// Deposits `entry`; returns its index once it is durable.
    pub fn deposit(&self, entry: Vec<u8>) -> Result<u64, LogError> {
        self.deposit_all(vec![entry]).map(|(i, _)| i)
    }

    /// Deposits `entries` together (consecutive indices, one commit); returns the first index
    /// once they are durable, and the group's promise when the sequencer signs.
    pub fn deposit_all(
        &self,
        entries: Vec<Vec<u8>>,
    ) -> Result<(u64, Option<std::sync::Arc<Group>>), LogError> {
        self.submit(entries, None)?
            .blocking_recv()
            .map_err(|_| LogError::Stopped)?
            .map_err(LogError::Batch)
    }

    /// [`Sequencer::deposit_all`] for async callers: waits without holding a thread.
    pub async fn deposit_all_async(
        &self,
        entries: Vec<Vec<u8>>,
    ) -> Result<(u64, Option<std::sync::Arc<Group>>), LogError> {
        self.deposit_seen_async(entries, None).await
    }

    /// [`Sequencer::deposit_all_async`] for deposits a signed request brought: the request is
    /// remembered (for the replay check) in the same durable transaction as its deposits.
    pub async fn deposit_seen_async(
        &self,
        entries: Vec<Vec<u8>>,
        seen: Option<Seen>,
    ) -> Result<(u64, Option<std::sync::Arc<Group>>), LogError> {
        self.submit(entries, seen)?
            .await
            .map_err(|_| LogError::Stopped)?
            .map_err(LogError::Batch)
    }

    fn submit(
        &self,
        entries: Vec<Vec<u8>>,
        seen: Option<Seen>,
    ) -> Result<tokio::sync::oneshot::Receiver<Committed>, LogError> {
        let (reply, rx) = tokio::sync::oneshot::channel();
        self.tx
            .as_ref()
            .ok_or(LogError::Stopped)?
            .send((entries, seen, reply))
            .map_err(|_| LogError::Stopped)?;
        Ok(rx)
    }
}

impl Drop for Sequencer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn concurrent_deposits_get_unique_indices_and_the_tree_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.redb");
        let store = Arc::new(Store::open(&path).unwrap());
        let seq = Arc::new(Sequencer::start(store.clone()));
        let mut handles = Vec::new();
        for t in 0..8u32 {
            let seq = seq.clone();
            handles.push(std::thread::spawn(move || {
                (0..500u32)
                    .map(|i| {
                        let e = format!("deposit {t}-{i}").into_bytes();
                        (seq.deposit(e.clone()).unwrap(), e)
                    })
                    .collect::<Vec<_>>()
            }));
        }
        let mut got: Vec<(u64, Vec<u8>)> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        got.sort();
        let indices: Vec<u64> = got.iter().map(|(i, _)| *i).collect();
        assert_eq!(indices, (0..4000).collect::<Vec<_>>());
        assert!(seq.deposit(vec![0; MAX_ENTRY + 1]).is_err());
        drop(seq);
        let leaves: Vec<Hash> = got.iter().map(|(_, e)| merkle::leaf_hash(e)).collect();
        let want = merkle::root(&leaves);
        assert_eq!(store.root(4000).unwrap(), want);
        drop(store);
        // Reopened: the same deposits, the same tree, proofs that verify.
        let store = Store::open(&path).unwrap();
        assert_eq!(store.size().unwrap(), 4000);
        assert_eq!(store.root(4000).unwrap(), want);
        for i in [0u64, 1, 1234, 3999] {
            assert_eq!(store.entry(i).unwrap().unwrap(), got[i as usize].1);
            let p = store.inclusion(i, 4000).unwrap().unwrap();
            merkle::verify_inclusion(i, 4000, &leaves[i as usize], &p, &want).unwrap();
        }
        let r1000 = store.root(1000).unwrap();
        let p = store.consistency(1000, 4000).unwrap().unwrap();
        merkle::verify_consistency(1000, 4000, &r1000, &want, &p).unwrap();
    }
}
