//! `cargo bench -p webproof-log --bench storage`
//!
//! The evidence log's store, chosen by measurement (issue: "measure durability and speed of
//! sled against redb and pick"). For each engine:
//! - group-commit throughput: 200 durable commits of 1,000 deposits (160-byte entries);
//! - single-deposit commits: 300 durable commits of one entry (acknowledgement latency floor);
//! - durability: 20 rounds of a child process committing batches and printing each
//!   acknowledged index, killed with SIGKILL at a random moment; the store is reopened and
//!   every acknowledged entry must be there, intact.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};

use redb::ReadableDatabase as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TABLE: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("entries");

fn value(i: u64) -> Vec<u8> {
    let mut v = vec![0u8; 160];
    for (j, b) in v.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(31).wrapping_add(j as u8);
    }
    v[..8].copy_from_slice(&i.to_be_bytes());
    v
}

trait Store {
    /// Appends `n` entries from `start` and returns once they are durable.
    fn commit(&mut self, start: u64, n: u64);
    /// The entry at `i`, if any.
    fn get(&self, i: u64) -> Option<Vec<u8>>;
}

struct Redb(redb::Database);
struct Sled(sled::Db);

impl Store for Redb {
    fn commit(&mut self, start: u64, n: u64) {
        let tx = self.0.begin_write().unwrap();
        {
            let mut t = tx.open_table(TABLE).unwrap();
            for i in start..start + n {
                t.insert(i, value(i).as_slice()).unwrap();
            }
        }
        tx.commit().unwrap(); // Durability::Immediate by default: fsync before returning
    }
    fn get(&self, i: u64) -> Option<Vec<u8>> {
        let tx = self.0.begin_read().unwrap();
        let t = tx.open_table(TABLE).ok()?;
        t.get(i).unwrap().map(|v| v.value().to_vec())
    }
}

impl Store for Sled {
    fn commit(&mut self, start: u64, n: u64) {
        let mut b = sled::Batch::default();
        for i in start..start + n {
            b.insert(&i.to_be_bytes(), value(i));
        }
        self.0.apply_batch(b).unwrap();
        self.0.flush().unwrap(); // sled's durability point
    }
    fn get(&self, i: u64) -> Option<Vec<u8>> {
        self.0.get(i.to_be_bytes()).unwrap().map(|v| v.to_vec())
    }
}

fn open(engine: &str, dir: &Path) -> Box<dyn Store> {
    match engine {
        "redb" => Box::new(Redb(redb::Database::create(dir.join("log.redb")).unwrap())),
        _ => Box::new(Sled(sled::open(dir.join("log.sled")).unwrap())),
    }
}

/// The child: commits batches of 100 forever, printing each acknowledged last index.
fn child(engine: &str, dir: &Path, start: u64) {
    let mut s = open(engine, dir);
    let mut i = start;
    let out = std::io::stdout();
    loop {
        s.commit(i, 100);
        i += 100;
        let mut o = out.lock();
        writeln!(o, "{}", i - 1).unwrap();
        o.flush().unwrap();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(p) = args.iter().position(|a| a == "child") {
        child(
            &args[p + 1],
            Path::new(&args[p + 2]),
            args[p + 3].parse().unwrap(),
        );
        return;
    }
    for engine in ["redb", "sled"] {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = open(engine, tmp.path());
        let t = Instant::now();
        for b in 0..200u64 {
            s.commit(b * 1000, 1000);
        }
        let group = 200_000.0 / t.elapsed().as_secs_f64();
        let t = Instant::now();
        for i in 0..300u64 {
            s.commit(1_000_000 + i, 1);
        }
        let single = t.elapsed().as_secs_f64() / 300.0;
        drop(s);

        // Durability under SIGKILL.
        let dir = tempfile::tempdir().unwrap();
        let (mut lost, mut rounds_ok, mut acked_total) = (0u64, 0u32, 0u64);
        let mut next = 0u64;
        let mut rng = 0x9e3779b97f4a7c15u64;
        for _ in 0..20 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let wait = Duration::from_millis(50 + rng % 250);
            let mut c = Command::new(std::env::current_exe().unwrap())
                .args([
                    "child",
                    engine,
                    dir.path().to_str().unwrap(),
                    &next.to_string(),
                ])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let stdout = c.stdout.take().unwrap();
            let acks = std::sync::Arc::new(std::sync::Mutex::new(None::<u64>));
            let a2 = acks.clone();
            let reader = std::thread::spawn(move || {
                for l in BufReader::new(stdout).lines() {
                    let Ok(l) = l else { break };
                    if let Ok(v) = l.parse() {
                        *a2.lock().unwrap() = Some(v);
                    }
                }
            });
            std::thread::sleep(wait);
            c.kill().unwrap(); // SIGKILL
            c.wait().unwrap();
            reader.join().unwrap();
            let acked = *acks.lock().unwrap();
            let s = open(engine, dir.path());
            let mut ok = true;
            if let Some(last) = acked {
                for i in 0..=last {
                    if s.get(i) != Some(value(i)) {
                        lost += 1;
                        ok = false;
                    }
                }
                acked_total = last + 1;
                next = last + 1;
                // Entries past the last acknowledgement may or may not be there.
                while s.get(next).is_some() {
                    next += 1;
                }
                next = next.div_ceil(100) * 100;
            }
            if ok {
                rounds_ok += 1;
            }
        }
        println!(
            "{engine:<5} group commit (1,000 per fsync): {group:>9.0} deposits/s; single-deposit commit: {:>6.2} ms; SIGKILL x20: {rounds_ok}/20 rounds with every acknowledged entry intact ({acked_total} acknowledged, {lost} lost)",
            single * 1e3
        );
    }
}
