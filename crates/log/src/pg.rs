//! The evidence log on PostgreSQL: [`PgStore`] implements [`LogStore`] on a database that
//! several frontends share.
//!
//! - **Sequencing in the database.** An append locks the one row of `log_state`
//!   (`SELECT … FOR UPDATE`), writes the deposits at the indices after it, the tree's new
//!   nodes, the lookup keys and the requests seen, advances the size and commits: the index a
//!   deposit is acknowledged with is durable (`synchronous_commit`, PostgreSQL's default)
//!   before the acknowledgement goes out, and a frontend killed mid-append leaves an aborted
//!   transaction — no gap, no index handed out twice.
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

/// The stored nodes among `wanted`, in one query.
fn fetch_nodes(
    c: &mut impl postgres::GenericClient,
    wanted: &[(u32, u64)],
) -> Result<Fetched, Failed> {
    let levels: Vec<i32> = wanted.iter().map(|(l, _)| *l as i32).collect();
    let idxs: Vec<i64> = wanted.iter().map(|(_, i)| i64_of(*i)).collect();
    let rows = c.query(
        "SELECT n.level, n.idx, n.hash FROM nodes n \
         JOIN unnest($1::integer[], $2::bigint[]) AS w(level, idx) \
         ON n.level = w.level AND n.idx = w.idx",
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
    let (mut levels, mut idxs, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
    // Lookup keys new in this batch (the first deposit of each; earlier ones are in the table).
    let mut keys: Vec<(Vec<u8>, i64)> = Vec::new();
    let mut new_keys = std::collections::HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        let index = first + i as u64;
        let new = tree::append(&nodes, index, merkle::leaf_hash(e)).ok_or(Failed::MissingNode)?;
        for (level, at, h) in new {
            levels.push(level as i32);
            idxs.push(i64_of(at));
            hashes.push(h.to_vec());
            nodes.0.insert((level, at), h);
        }
        if let Some(k) = key_of.and_then(|f| f(e))
            && new_keys.insert(k.clone())
        {
            keys.push((k, i64_of(index)));
        }
    }
    let indices: Vec<i64> = (0..entries.len())
        .map(|i| i64_of(first + i as u64))
        .collect();
    tx.execute(
        "INSERT INTO entries (idx, data) SELECT * FROM unnest($1::bigint[], $2::bytea[])",
        &[&indices, &entries],
    )?;
    tx.execute(
        "INSERT INTO nodes (level, idx, hash) \
         SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bytea[])",
        &[&levels, &idxs, &hashes],
    )?;
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
        self.run(move |c| {
            let rows = c.query(
                "SELECT idx, hash FROM nodes WHERE level = $1 AND idx >= $2 AND idx < $3 \
                 ORDER BY idx",
                &[
                    &(level as i32),
                    &i64_of(index),
                    &i64_of(index.saturating_add(count)),
                ],
            )?;
            let mut out = Vec::new();
            for (n, r) in rows.iter().enumerate() {
                let at = index + n as u64;
                // As many as exist from `index`: stop at the first one missing.
                if u64_of(r.get(0)) != at {
                    break;
                }
                out.push(hash_of(level, at, r.get(1))?);
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
