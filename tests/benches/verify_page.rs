//! The verifier page against the native CLI, in one run: the time to verify the demo capture
//! and a 1 GiB package, `webproof verify` (release build) beside the page in headless
//! Chromium (the WebAssembly build, one thread, reading the file in slices), with the CLI's
//! peak RSS (GNU time) and the page's WebAssembly memory. Both verify the same file under the
//! same trust, and must say the same.
//!
//!   cargo bench -p webproof-e2e --bench verify_page      # WEBPROOF_BENCH_MIB=N: another size
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../e2e/page_browser.rs"]
mod page_browser;
#[path = "../e2e/site.rs"]
mod site;
#[path = "../e2e/util.rs"]
mod util;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use util::*;

/// One package verified both ways.
struct Row {
    what: String,
    mib: f64,
    cli_s: f64,
    cli_rss_mib: f64,
    page_s: f64,
    page_wasm_mib: f64,
}

/// `webproof verify --json` under GNU time: seconds, peak RSS (MiB) and the result.
fn cli(env: &Env, pkg: &Path, fpr: &str) -> (f64, f64, serde_json::Value) {
    let t = Instant::now();
    let o = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(bin())
        .args(["verify", "--json"])
        .arg(pkg.file_name().unwrap())
        .args(["--trust-operator", fpr])
        .env("WEBPROOF_HOME", env.path().join("no-home"))
        .env("WEBPROOF_LANG", "en")
        .current_dir(pkg.parent().unwrap())
        .output()
        .expect("/usr/bin/time (package time)");
    let secs = t.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&o.stderr);
    let kib: f64 = err.lines().last().unwrap().trim().parse().unwrap();
    (
        secs,
        kib / 1024.0,
        serde_json::from_slice(&o.stdout).unwrap(),
    )
}

/// A package of one file of `mib` MiB of pseudo-random bytes, sealed by `env`'s operator.
fn big_package(env: &Env, mib: usize) -> std::path::PathBuf {
    let p = env.path().join("big.bin");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut block = vec![0u8; 1 << 20];
    for _ in 0..mib {
        for b in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes());
        }
        f.write_all(&block).unwrap();
    }
    f.flush().unwrap();
    drop(f);
    env.ok(&["seal", p.to_str().unwrap(), "--out", "big.wacz"], 0);
    std::fs::remove_file(&p).unwrap();
    env.path().join("big.wacz")
}

fn main() {
    let mib: usize = std::env::var("WEBPROOF_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    // The demo capture (scripts/demo.sh captures the same site), and the big package.
    let base = site::serve();
    capture_headless(&env, &format!("{base}/index.html"), "demo.wacz");
    let packages = [
        ("demo capture".to_owned(), env.path().join("demo.wacz")),
        (format!("{mib} MiB file seal"), big_package(&env, mib)),
    ];
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rows: Vec<Row> = rt.block_on(async {
        let b = page_browser::browser().await;
        b.open().await;
        let mut rows = Vec::new();
        for (what, pkg) in &packages {
            let (cli_s, cli_rss_mib, said) = cli(&env, pkg, &fpr);
            let shown = b.verify(pkg, &fpr).await;
            assert_eq!(shown, said, "{what}: the page and the CLI differ");
            let data = |k: &'static str| {
                let c = b.c.clone();
                async move {
                    c.execute(&format!("return Number(document.body.dataset.{k})"), vec![])
                        .await
                        .unwrap()
                        .as_f64()
                        .unwrap()
                }
            };
            rows.push(Row {
                what: what.clone(),
                mib: std::fs::metadata(pkg).unwrap().len() as f64 / 1048576.0,
                cli_s,
                cli_rss_mib,
                page_s: data("ms").await / 1000.0,
                page_wasm_mib: data("memory").await / 1048576.0,
            });
        }
        let _ = b.c.close().await;
        rows
    });
    println!(
        "| package | MiB | CLI s | CLI peak RSS MiB | page s | page WebAssembly memory MiB | page / CLI |"
    );
    println!("|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {:.1} | {:.2} | {:.0} | {:.2} | {:.0} | {:.1} × |",
            r.what,
            r.mib,
            r.cli_s,
            r.cli_rss_mib,
            r.page_s,
            r.page_wasm_mib,
            r.page_s / r.cli_s
        );
    }
}
