//! The evidence log on PostgreSQL: [`PgStore`] implements [`LogStore`] on a database that
//! several frontends share.
//!
//! - **Sequencing in the database.** An append locks the one row of `log_state`
//!   (`SELECT … FOR UPDATE`), writes the deposits at the indices after it (`COPY`), the
//!   tree's new nodes (in runs of 32 hashes per row, as tlog tiles group them: an append of
//!   1,000 deposits writes about 70 rows of nodes, not 2,000), the lookup keys and the
//!   requests seen, advances the size and commits: the index a deposit is acknowledged with
//!   is durable (`synchronous_commit`, PostgreSQL's default) before the acknowledgement goes
//!   out, and a frontend killed mid-append leaves an aborted transaction — no gap, no index
//!   handed out twice.
//! - **One operator CA**: the first frontend with a registration authority records its CA's
//!   certificate; one with another CA refuses to start ([`crate::LogError::OtherOperatorCa`]).
//! - **Integration by one frontend at a time**: the row lock serialises appends across
//!   frontends; when its holder dies, PostgreSQL aborts its transaction and releases the lock.
//! - **One frontend signs checkpoints**: the one holding a session advisory lock
//!   ([`LogStore::leads`]); when it dies its session ends, the lock is free, and another
//!   frontend's leader thread takes it within [`LEAD_POLL`].
//! - **The schema** is created and migrated by the versioned migrations in `migrations/`
//!   (refinery), under an advisory lock so that frontends starting together migrate once.
//!
//! The driver is the synchronous `postgres` crate, whose client runs its own small runtime and
//! so must not be called from inside tokio. The store therefore keeps its connections on
//! worker threads of its own and hands them jobs; a caller (an HTTP handler, the sequencer's
//! thread) waits for the answer as it waits for redb's disk.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;
use postgres::{Client, NoTls, Transaction};
use webproof_ledger::merkle::{self, Hash};
use webproof_ledger::tree::{self, Nodes};

use crate::{KeyOf, LogError, LogStore, MAX_ENTRY, RaChange, Refusal, Seen};

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Advisory lock key under which the schema is migrated ("webproof" in ASCII, as an i64).
const MIGRATION_LOCK: i64 = 0x7765_6270_726f_6f66;
/// Advisory lock key held, for as long as its session lives, by the frontend that signs
/// checkpoints ("wp-lead!").
const LEADER_LOCK: i64 = 0x7770_2d6c_6561_6421;
/// How often a frontend's leader thread tries to take the lead, or checks that it still has it.
pub const LEAD_POLL: Duration = Duration::from_millis(200);

type Job = Box<dyn FnOnce(&mut Conn) + Send>;

/// A worker's connection, made when first needed and again after it broke.
struct Conn {
    config: postgres::Config,
    client: Option<Client>,
}

impl Conn {
    fn client(&mut self) -> Result<&mut Client, LogError> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = None;
            let c = self.config.connect(NoTls).map_err(LogError::Database)?;
            self.client = Some(c);
        }
        self.client.as_mut().ok_or(LogError::Stopped)
    }
}

/// The log's storage on PostgreSQL.
pub struct PgStore {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    workers: Vec<std::thread::JoinHandle<()>>,
    key_of: Option<KeyOf>,
    leading: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

/// The leader thread: takes the leader lock when it is free and keeps its session alive;
/// `leading` says whether it holds it. Dropping the client ends the session and frees it.
fn lead(config: postgres::Config, leading: &AtomicBool, stop: &AtomicBool) {
    let mut client: Option<Client> = None;
    while !stop.load(Ordering::Relaxed) {
        let held = (|| -> Result<bool, postgres::Error> {
            let c = match &mut client {
                Some(c) if !c.is_closed() => c,
                _ => {
                    leading.store(false, Ordering::Relaxed);
                    client.insert(config.connect(NoTls)?)
                }
            };
            if leading.load(Ordering::Relaxed) {
                c.simple_query("SELECT 1")?;
                return Ok(true);
            }
            c.query_one("SELECT pg_try_advisory_lock($1)", &[&LEADER_LOCK])
                .map(|r| r.get(0))
        })();
        match held {
            Ok(h) => leading.store(h, Ordering::Relaxed),
            Err(_) => {
                leading.store(false, Ordering::Relaxed);
                client = None;
            }
        }
        let mut waited = Duration::ZERO;
        while waited < LEAD_POLL && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
            waited += Duration::from_millis(20);
        }
    }
    leading.store(false, Ordering::Relaxed);
}

/// Brings the schema of the database at `url` up to migration `version` of `migrations/`
/// (never down), without opening a store: for upgrading in steps, and for testing each
/// migration on data written by the one before it. [`PgStore::connect`] migrates to the
/// newest. Not to be called from inside a tokio runtime (the driver runs its own).
pub fn migrate_to(url: &str, version: i32) -> Result<(), LogError> {
    let mut c = Client::connect(url, NoTls).map_err(LogError::Database)?;
    c.query_one("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(LogError::Database)?;
    let migrated = embedded::migrations::runner()
        .set_target(refinery::Target::Version(version))
        .run(&mut c);
    c.query_one("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .map_err(LogError::Database)?;
    migrated
        .map(|_| ())
        .map_err(|e| LogError::Migration(Box::new(e)))
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`) with `connections`
    /// worker connections, and creates or migrates its schema.
    pub fn connect(url: &str, connections: usize, key_of: Option<KeyOf>) -> Result<Self, LogError> {
        let mut config: postgres::Config = url.parse().map_err(LogError::Database)?;
        config.application_name("webproof-log");
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut workers = (0..connections.max(1))
            .map(|_| {
                let rx = Arc::clone(&rx);
                let mut conn = Conn {
                    config: config.clone(),
                    client: None,
                };
                std::thread::spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut conn),
                            Err(_) => return,
                        }
                    }
                })
            })
            .collect::<Vec<_>>();
        let leading = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        workers.push({
            let (leading, stop) = (Arc::clone(&leading), Arc::clone(&stop));
            std::thread::spawn(move || lead(config, &leading, &stop))
        });
        let store = PgStore {
            jobs: Mutex::new(Some(tx)),
            workers,
            key_of,
            leading,
            stop,
        };
        store.run(|c| {
            c.query_one("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
            let migrated = embedded::migrations::runner().run(c);
            c.query_one("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
            migrated
                .map(|_| ())
                .map_err(|e| Failed::Migration(Box::new(e)))
        })?;
        Ok(store)
    }

    /// Runs `f` on a worker's connection and waits for its answer.
    fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<R, Failed> + Send + 'static,
    ) -> Result<R, LogError> {
        let (tx, rx) = mpsc::channel();
        let job: Job = Box::new(move |conn: &mut Conn| {
            let r = conn.client().and_then(|c| f(c).map_err(LogError::from));
            let _ = tx.send(r);
        });
        self.send(job)?;
        rx.recv().map_err(|_| LogError::Stopped)?
    }

    fn send(&self, job: Job) -> Result<(), LogError> {
        let jobs = self.jobs.lock().map_err(|_| LogError::Stopped)?;
        jobs.as_ref()
            .ok_or(LogError::Stopped)?
            .send(job)
            .map_err(|_| LogError::Stopped)
    }

    /// The nodes `f` needs, fetched in one query, then `f` on them: the tree's functions ask
    /// for the same nodes whatever their hashes are, so a first run on placeholder hashes
    /// says which.
    fn with_nodes<R: Send + 'static>(
        &self,
        f: impl Fn(&dyn Nodes) -> Option<R> + Send + 'static,
    ) -> Result<R, LogError> {
        let wanted = Wanted::default();
        f(&wanted);
        let wanted = wanted.0.into_inner();
        self.run(move |c| {
            let got = fetch_nodes(c, &wanted)?;
            f(&got).ok_or(Failed::MissingNode)
        })
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// What went wrong inside a job.
#[derive(Debug)]
enum Failed {
    Db(postgres::Error),
    Migration(Box<refinery::Error>),
    MissingNode,
    BadNode(u32, u64),
}

impl From<postgres::Error> for Failed {
    fn from(e: postgres::Error) -> Self {
        Failed::Db(e)
    }
}

impl From<Failed> for LogError {
    fn from(f: Failed) -> Self {
        match f {
            Failed::Db(e) => LogError::Database(e),
            Failed::Migration(e) => LogError::Migration(e),
            Failed::MissingNode => LogError::MissingNode(0, 0),
            Failed::BadNode(l, i) => LogError::BadNode(l, i),
        }
    }
}

/// Records which nodes a tree function asks for (answering every one with zeros).
#[derive(Default)]
struct Wanted(std::cell::RefCell<Vec<(u32, u64)>>);

impl Nodes for Wanted {
    fn node(&self, level: u32, index: u64) -> Option<Hash> {
        self.0.borrow_mut().push((level, index));
        Some([0; 32])
    }
}

/// Nodes in memory: fetched, and written by the append under way.
#[derive(Default)]
struct Fetched(HashMap<(u32, u64), Hash>);

impl Nodes for Fetched {
    fn node(&self, level: u32, index: u64) -> Option<Hash> {
        self.0.get(&(level, index)).copied()
    }
}

fn i64_of(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn u64_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn hash_of(level: u32, index: u64, bytes: &[u8]) -> Result<Hash, Failed> {
    bytes.try_into().map_err(|_| Failed::BadNode(level, index))
}

/// Nodes per row of `node_runs` (migrations/V2__node_runs.sql): a run of 32 hashes is 1,024
/// bytes, small enough to stay in its row.
const RUN: u64 = 32;

/// The stored nodes among `wanted`, in one query (each cut from its run by the database).
fn fetch_nodes(
    c: &mut impl postgres::GenericClient,
    wanted: &[(u32, u64)],
) -> Result<Fetched, Failed> {
    let levels: Vec<i32> = wanted.iter().map(|(l, _)| *l as i32).collect();
    let idxs: Vec<i64> = wanted.iter().map(|(_, i)| i64_of(*i)).collect();
    // 32 is RUN.
    let rows = c.query(
        "SELECT w.level, w.idx, substring(r.hashes FROM ((w.idx % 32) * 32 + 1)::integer FOR 32) \
         FROM unnest($1::integer[], $2::bigint[]) AS w(level, idx) \
         JOIN node_runs r ON r.level = w.level AND r.run = w.idx / 32 \
         WHERE length(r.hashes) >= (w.idx % 32 + 1) * 32",
        &[&levels, &idxs],
    )?;
    let mut got = Fetched::default();
    for r in rows {
        let (level, idx): (i32, i64) = (r.get(0), r.get(1));
        let (level, idx) = (level as u32, u64_of(idx));
        got.0.insert((level, idx), hash_of(level, idx, r.get(2))?);
    }
    Ok(got)
}

/// New nodes (in the order the tree made them: consecutive within each level) as the runs
/// they extend: `(level, run, offset of the first new hash in the run, hashes)`.
fn runs_of(new: &[(u32, u64, Hash)]) -> Vec<(i32, i64, usize, Vec<u8>)> {
    let mut at: HashMap<(u32, u64), usize> = HashMap::new();
    let mut runs: Vec<(i32, i64, usize, Vec<u8>)> = Vec::new();
    for (level, idx, hash) in new {
        let key = (*level, idx / RUN);
        let i = *at.entry(key).or_insert_with(|| {
            runs.push((
                *level as i32,
                i64_of(idx / RUN),
                (idx % RUN) as usize,
                Vec::new(),
            ));
            runs.len() - 1
        });
        runs[i].3.extend_from_slice(hash);
    }
    runs
}

/// Writes `new` nodes into their runs in `tx`: a run begun here is inserted, one begun before
/// has the new hashes appended. Every run must end up exactly as long as its offset plus what
/// was added (the append holds the `log_state` lock, so no one else writes runs meanwhile).
fn write_runs(tx: &mut Transaction<'_>, new: &[(u32, u64, Hash)]) -> Result<(), Failed> {
    let runs = runs_of(new);
    let levels: Vec<i32> = runs.iter().map(|r| r.0).collect();
    let ids: Vec<i64> = runs.iter().map(|r| r.1).collect();
    let hashes: Vec<&[u8]> = runs.iter().map(|r| r.3.as_slice()).collect();
    let rows = tx.query(
        "INSERT INTO node_runs (level, run, hashes) \
         SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bytea[]) \
         ON CONFLICT (level, run) DO UPDATE SET hashes = node_runs.hashes || EXCLUDED.hashes \
         RETURNING level, run, length(hashes)",
        &[&levels, &ids, &hashes],
    )?;
    let lengths: HashMap<(i32, i64), i32> = rows
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect();
    for (level, run, offset, hashes) in &runs {
        if lengths.get(&(*level, *run)).map(|&n| n as usize) != Some(offset * 32 + hashes.len()) {
            return Err(Failed::BadNode(
                *level as u32,
                u64_of(*run) * RUN + *offset as u64,
            ));
        }
    }
    Ok(())
}

/// The right edge of the tree of `size` leaves: the complete subtrees an append builds on.
fn frontier(size: u64) -> Vec<(u32, u64)> {
    (0..64)
        .filter(|l| size >> l & 1 == 1)
        .map(|l| (l, (size >> l) - 1))
        .collect()
}

/// Appends `entries` in `tx` (which holds the `log_state` row); returns the first index.
fn append_in(
    tx: &mut Transaction<'_>,
    entries: &[Vec<u8>],
    key_of: Option<KeyOf>,
) -> Result<u64, Failed> {
    let first = u64_of(
        tx.query_one("SELECT size FROM log_state WHERE id = 1 FOR UPDATE", &[])?
            .get(0),
    );
    let mut nodes = fetch_nodes(tx, &frontier(first))?;
    let mut made = Vec::new();
    // Lookup keys new in this batch (the first deposit of each; earlier ones are in the table).
    let mut keys: Vec<(Vec<u8>, i64)> = Vec::new();
    let mut new_keys = std::collections::HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        let index = first + i as u64;
        let new = tree::append(&nodes, index, merkle::leaf_hash(e)).ok_or(Failed::MissingNode)?;
        for (level, at, h) in new {
            made.push((level, at, h));
            nodes.0.insert((level, at), h);
        }
        for k in key_of.map(|f| f(e)).unwrap_or_default() {
            if new_keys.insert(k.clone()) {
                keys.push((k, i64_of(index)));
            }
        }
    }
    // COPY, as Trillian's PostgreSQL backend loads: faster than INSERT … unnest.
    let mut copy = BinaryCopyInWriter::new(
        tx.copy_in("COPY entries (idx, data) FROM STDIN BINARY")?,
        &[Type::INT8, Type::BYTEA],
    );
    for (i, e) in entries.iter().enumerate() {
        copy.write(&[&i64_of(first + i as u64), e])?;
    }
    copy.finish()?;
    write_runs(tx, &made)?;
    if !keys.is_empty() {
        let (ks, is): (Vec<Vec<u8>>, Vec<i64>) = keys.into_iter().unzip();
        tx.execute(
            "INSERT INTO lookup (key, idx) SELECT * FROM unnest($1::bytea[], $2::bigint[]) \
             ON CONFLICT (key) DO NOTHING",
            &[&ks, &is],
        )?;
    }
    tx.execute(
        "UPDATE log_state SET size = $1 WHERE id = 1",
        &[&i64_of(first + entries.len() as u64)],
    )?;
    Ok(first)
}

/// Remembers `seen` and forgets what expired before `now`, in `tx`.
fn seen_in(tx: &mut Transaction<'_>, seen: &[Seen], now: u64) -> Result<(), Failed> {
    tx.execute("DELETE FROM seen WHERE until < $1", &[&i64_of(now)])?;
    let until: Vec<i64> = seen.iter().map(|s| i64_of(s.until)).collect();
    let digests: Vec<Vec<u8>> = seen.iter().map(|s| s.digest.to_vec()).collect();
    tx.execute(
        "INSERT INTO seen (until, digest) SELECT * FROM unnest($1::bigint[], $2::bytea[]) \
         ON CONFLICT DO NOTHING",
        &[&until, &digests],
    )?;
    Ok(())
}

impl LogStore for PgStore {
    fn leads(&self) -> bool {
        self.leading.load(Ordering::Relaxed)
    }

    fn size(&self) -> Result<u64, LogError> {
        self.run(|c| {
            let size: i64 = c
                .query_one("SELECT size FROM log_state WHERE id = 1", &[])?
                .get(0);
            Ok(u64_of(size))
        })
    }

    fn append(&self, entries: &[&[u8]]) -> Result<u64, LogError> {
        self.append_seen(entries, &[], 0)
    }

    fn append_seen(&self, entries: &[&[u8]], seen: &[Seen], now: u64) -> Result<u64, LogError> {
        if let Some(e) = entries.iter().find(|e| e.len() > MAX_ENTRY) {
            return Err(LogError::TooLarge(e.len()));
        }
        let entries: Vec<Vec<u8>> = entries.iter().map(|e| e.to_vec()).collect();
        let seen = seen.to_vec();
        let key_of = self.key_of;
        self.run(move |c| {
            let mut tx = c.transaction()?;
            if !seen.is_empty() {
                seen_in(&mut tx, &seen, now)?;
            }
            let first = append_in(&mut tx, &entries, key_of)?;
            tx.commit()?;
            Ok(first)
        })
    }

    fn remember(&self, seen: &[Seen], now: u64) -> Result<(), LogError> {
        let seen = seen.to_vec();
        self.run(move |c| {
            let mut tx = c.transaction()?;
            seen_in(&mut tx, &seen, now)?;
            Ok(tx.commit()?)
        })
    }

    fn seen(&self, now: u64) -> Result<Vec<Seen>, LogError> {
        self.run(move |c| {
            let rows = c.query(
                "SELECT until, digest FROM seen WHERE until >= $1 ORDER BY until, digest",
                &[&i64_of(now)],
            )?;
            Ok(rows
                .iter()
                .filter_map(|r| {
                    let digest: &[u8] = r.get(1);
                    Some(Seen {
                        digest: digest.try_into().ok()?,
                        until: u64_of(r.get(0)),
                    })
                })
                .collect())
        })
    }

    fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, LogError> {
        self.run(move |c| {
            let row = c.query_opt("SELECT data FROM entries WHERE idx = $1", &[&i64_of(index)])?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn entries(&self, index: u64, count: u64) -> Result<Vec<Vec<u8>>, LogError> {
        self.run(move |c| {
            let rows = c.query(
                "SELECT data FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
                &[&i64_of(index), &i64_of(index.saturating_add(count))],
            )?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }

    fn nodes(&self, level: u32, index: u64, count: u64) -> Result<Vec<Hash>, LogError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        self.run(move |c| {
            let end = index.saturating_add(count);
            let rows = c.query(
                "SELECT run, hashes FROM node_runs WHERE level = $1 AND run >= $2 AND run <= $3 \
                 ORDER BY run",
                &[
                    &(level as i32),
                    &i64_of(index / RUN),
                    &i64_of((end - 1) / RUN),
                ],
            )?;
            let mut out = Vec::new();
            for r in rows {
                let run = u64_of(r.get(0));
                let bytes: &[u8] = r.get(1);
                for (k, h) in bytes.chunks(32).enumerate() {
                    let at = run * RUN + k as u64;
                    if at < index || at >= end {
                        continue;
                    }
                    // As many as exist from `index`: stop at the first one missing.
                    if at != index + out.len() as u64 {
                        return Ok(out);
                    }
                    out.push(hash_of(level, at, h)?);
                }
            }
            Ok(out)
        })
    }

    fn root(&self, size: u64) -> Result<Hash, LogError> {
        self.with_nodes(move |n| tree::root(n, size))
    }

    fn inclusion(&self, index: u64, size: u64) -> Result<Option<Vec<Hash>>, LogError> {
        self.with_nodes(move |n| Some(tree::inclusion(n, index, size)))
    }

    fn consistency(&self, size1: u64, size2: u64) -> Result<Option<Vec<Hash>>, LogError> {
        self.with_nodes(move |n| Some(tree::consistency(n, size1, size2)))
    }

    fn lookup(&self, key: &[u8]) -> Result<Option<u64>, LogError> {
        let key = key.to_vec();
        self.run(move |c| {
            let row = c.query_opt("SELECT idx FROM lookup WHERE key = $1", &[&key])?;
            Ok(row.map(|r| u64_of(r.get(0))))
        })
    }

    fn put_checkpoint(&self, size: u64, note: &str) -> Result<(), LogError> {
        let note = note.to_owned();
        self.run(move |c| {
            c.execute(
                "INSERT INTO checkpoints (size, note) VALUES ($1, $2) \
                 ON CONFLICT (size) DO UPDATE SET note = EXCLUDED.note",
                &[&i64_of(size), &note],
            )?;
            Ok(())
        })
    }

    fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, LogError> {
        self.run(|c| {
            let row = c.query_opt(
                "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
                &[],
            )?;
            Ok(row.map(|r| (u64_of(r.get(0)), r.get(1))))
        })
    }

    fn ra_get(&self, key: &str) -> Result<Option<Vec<u8>>, LogError> {
        let key = key.to_owned();
        self.run(move |c| {
            let row = c.query_opt("SELECT value FROM ra WHERE key = $1", &[&key])?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn ra_list(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, LogError> {
        let prefix = prefix.to_owned();
        self.run(move |c| {
            let rows = c.query(
                "SELECT key, value FROM ra WHERE starts_with(key, $1) ORDER BY key",
                &[&prefix],
            )?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }

    /// Reads the record and locks it (a transaction-scoped advisory lock on its key, which
    /// holds for records that do not exist yet too), lets `change` decide here, on the
    /// caller's thread, and writes what it decided in the same transaction.
    fn ra_update(&self, key: &str, change: RaChange<'_>) -> Result<Result<(), Refusal>, LogError> {
        let key = key.to_owned();
        let (old_tx, old_rx) = mpsc::channel::<Result<Option<Vec<u8>>, LogError>>();
        let (new_tx, new_rx) = mpsc::channel::<Option<Vec<u8>>>();
        let (done_tx, done_rx) = mpsc::channel::<Result<(), LogError>>();
        let job: Job = Box::new(move |conn: &mut Conn| {
            let c = match conn.client() {
                Ok(c) => c,
                Err(e) => {
                    let _ = old_tx.send(Err(e));
                    return;
                }
            };
            let mut tx = match c.transaction() {
                Ok(tx) => tx,
                Err(e) => {
                    let _ = old_tx.send(Err(LogError::Database(e)));
                    return;
                }
            };
            let read = (|| -> Result<Option<Vec<u8>>, postgres::Error> {
                tx.query_one("SELECT pg_advisory_xact_lock(hashtext($1))", &[&key])?;
                let row = tx.query_opt("SELECT value FROM ra WHERE key = $1", &[&key])?;
                Ok(row.map(|r| r.get(0)))
            })();
            match read {
                Ok(old) => {
                    let _ = old_tx.send(Ok(old));
                }
                Err(e) => {
                    let _ = old_tx.send(Err(LogError::Database(e)));
                    return;
                }
            }
            // The caller's decision; none (it went away) leaves the record as it was.
            let written = (move || {
                if let Ok(Some(new)) = new_rx.recv() {
                    tx.execute(
                        "INSERT INTO ra (key, value) VALUES ($1, $2) \
                         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                        &[&key, &new],
                    )?;
                }
                tx.commit()
            })();
            let _ = done_tx.send(written.map_err(LogError::Database));
        });
        self.send(job)?;
        let old = old_rx.recv().map_err(|_| LogError::Stopped)??;
        let decided = change(old.as_deref());
        let _ = new_tx.send(decided.as_ref().ok().cloned().flatten());
        done_rx.recv().map_err(|_| LogError::Stopped)??;
        Ok(decided.map(|_| ()))
    }
}
