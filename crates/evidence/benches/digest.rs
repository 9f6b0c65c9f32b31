//! `cargo bench -p webproof-evidence --bench digest`
//!
//! SHA-256 alone, SM3 alone and the dual streaming digest over the same 256 MiB buffer.
//! Goal: the pair costs <= 1.1x the slower single hash.

use std::hint::black_box;
use std::time::{Duration, Instant};

use webproof_evidence::digest::{digest_reader, sha256, sm3};

const SIZE: usize = 256 << 20;
const ROUNDS: usize = 5;

fn best<F: FnMut()>(mut f: F) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn mbps(d: Duration) -> f64 {
    SIZE as f64 / 1e6 / d.as_secs_f64()
}

fn main() {
    let data: Vec<u8> = (0..SIZE)
        .map(|i| (i.wrapping_mul(2654435761) >> 7) as u8)
        .collect();
    let t_sha = best(|| {
        black_box(sha256(black_box(&data)));
    });
    let t_sm3 = best(|| {
        black_box(sm3(black_box(&data)));
    });
    let t_dual = best(|| {
        let r = digest_reader(std::io::Cursor::new(black_box(&data[..])));
        black_box(r.ok());
    });
    let slower = t_sha.max(t_sm3);
    println!("digest over {} MiB (best of {ROUNDS}):", SIZE >> 20);
    println!(
        "  SHA-256 alone     {:>8.1} ms  {:>7.1} MB/s",
        t_sha.as_secs_f64() * 1e3,
        mbps(t_sha)
    );
    println!(
        "  SM3 alone         {:>8.1} ms  {:>7.1} MB/s",
        t_sm3.as_secs_f64() * 1e3,
        mbps(t_sm3)
    );
    println!(
        "  SHA-256 + SM3     {:>8.1} ms  {:>7.1} MB/s",
        t_dual.as_secs_f64() * 1e3,
        mbps(t_dual)
    );
    println!(
        "  dual / slower single = {:.3} (goal <= 1.10)",
        t_dual.as_secs_f64() / slower.as_secs_f64()
    );
}
