//! `cargo bench -p webproof-log --bench deposits`
//!
//! Durable deposits per second through the group-commit sequencer, in-process (no HTTP yet):
//! 64 client threads, each depositing 160-byte entries one at a time and waiting for its
//! durable acknowledgement; prints throughput and p50/p99 acknowledgement latency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use webproof_log::{Sequencer, Store};

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("log.redb")).unwrap());
    let seq = Arc::new(Sequencer::start(store.clone()));
    let (threads, each) = (64u32, 4000u32);
    let t0 = Instant::now();
    let hs: Vec<_> = (0..threads)
        .map(|t| {
            let seq = seq.clone();
            std::thread::spawn(move || {
                let mut lat = Vec::with_capacity(each as usize);
                for i in 0..each {
                    let mut e = vec![0u8; 160];
                    e[..8].copy_from_slice(&(u64::from(t) << 32 | u64::from(i)).to_be_bytes());
                    let s = Instant::now();
                    seq.deposit(e).unwrap();
                    lat.push(s.elapsed());
                }
                lat
            })
        })
        .collect();
    let mut lat: Vec<_> = hs.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let secs = t0.elapsed().as_secs_f64();
    lat.sort();
    let n = lat.len();
    let p = |q: f64| lat[((n as f64 - 1.0) * q) as usize].as_secs_f64() * 1e3;
    println!(
        "{n} durable deposits from {threads} threads in {secs:.2} s: {:.0} deposits/s; ack latency p50 {:.2} ms, p99 {:.2} ms",
        n as f64 / secs,
        p(0.5),
        p(0.99)
    );
    assert_eq!(store.size().unwrap(), n as u64);
}
