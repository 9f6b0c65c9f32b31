//! `cargo bench -p webproof-verify --bench verify`
//!
//! Verifies a package holding 1 GiB of artifacts (8 files of 128 MiB) and compares with
//! `sha256sum` over the same files (both from the page cache). Goal: verify <= 1.3x sha256sum.
//! `WEBPROOF_BENCH_MIB` changes the total size.

use std::process::Command;
use std::time::{Duration, Instant};

use webproof_evidence::capture::{Capture, SealInput, SignerKey};
use webproof_evidence::identity::{Algorithm, IdentityDoc, Role, SecretKey};
use webproof_evidence::manifest::Case;
use webproof_evidence::package::{self, Limits};
use webproof_evidence::{Utc, digest::Hash32};
use webproof_verify::{Policy, Verdict, verify_path};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: usize = std::env::var("WEBPROOF_BENCH_MIB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    let files = 8;
    let each = (mib << 20) / files;
    let tmp = tempfile::tempdir()?;
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src)?;
    let mut names = Vec::new();
    for i in 0..files {
        let data: Vec<u8> = (0..each)
            .map(|j| ((j ^ (i * 7919)).wrapping_mul(2654435761) >> 9) as u8)
            .collect();
        let p = src.join(format!("artifact{i}.bin"));
        std::fs::write(&p, &data)?;
        names.push(p);
    }
    let key = SecretKey::generate(Algorithm::Ed25519)?;
    let pk = key.public_key();
    let doc = IdentityDoc {
        v: 1,
        role: Role::Operator,
        name: "bench".into(),
        organisation: None,
        contact: None,
        id_ref: None,
        algorithm: Algorithm::Ed25519,
        public_key: pk.to_pem()?,
        fingerprint: pk.fingerprint()?,
        created: Utc::now(),
    };
    let dir = tmp.path().join("pkg");
    let mut cap = Capture::create(&dir)?;
    let t = Instant::now();
    for p in &names {
        cap.add_file(p)?;
    }
    let t_add = t.elapsed();
    cap.seal(&SealInput {
        case: Case {
            id: None,
            note: None,
        },
        tool_version: "bench".into(),
        operator: SignerKey {
            key: &key,
            identity: &doc,
            certificate: None,
        },
        notary: None,
    })?;
    let wacz = tmp.path().join("bench.wacz");
    package::write_zip(&dir, &wacz, &Limits::default())?;
    let fpr: Hash32 = doc.fingerprint;
    let policy = Policy {
        trusted_operators: vec![fpr],
        ..Policy::default()
    };

    // Warm the page cache for both, then take the best of 3.
    let verify_once = || -> Result<Duration, Box<dyn std::error::Error>> {
        let t = Instant::now();
        let r = verify_path(&wacz, &policy)?;
        let d = t.elapsed();
        if r.verdict() != Verdict::Pass {
            return Err("bench package did not verify".into());
        }
        Ok(d)
    };
    let artifacts: Vec<String> = std::fs::read_dir(dir.join("artifacts"))?
        .filter_map(|e| e.ok().map(|e| e.path().display().to_string()))
        .collect();
    let sha_once = || -> Result<Duration, Box<dyn std::error::Error>> {
        let t = Instant::now();
        let st = Command::new("sha256sum")
            .args(&artifacts)
            .stdout(std::process::Stdio::null())
            .status()?;
        let d = t.elapsed();
        if !st.success() {
            return Err("sha256sum failed".into());
        }
        Ok(d)
    };
    verify_once()?;
    sha_once()?;
    let mut tv = Duration::MAX;
    let mut ts = Duration::MAX;
    for _ in 0..3 {
        tv = tv.min(verify_once()?);
        ts = ts.min(sha_once()?);
    }
    let mb = (each * files) as f64 / 1e6;
    println!(
        "package with {} MiB of artifacts ({files} files), best of 3:",
        mib
    );
    println!(
        "  seal: add files (copy + SHA-256 + SM3)   {:>8.0} ms  {:>7.1} MB/s",
        t_add.as_secs_f64() * 1e3,
        mb / t_add.as_secs_f64()
    );
    println!(
        "  webproof verify (SHA-256 + SM3, all checks) {:>8.0} ms  {:>7.1} MB/s",
        tv.as_secs_f64() * 1e3,
        mb / tv.as_secs_f64()
    );
    println!(
        "  sha256sum over the same artifacts        {:>8.0} ms  {:>7.1} MB/s",
        ts.as_secs_f64() * 1e3,
        mb / ts.as_secs_f64()
    );
    println!(
        "  verify / sha256sum = {:.3} (goal <= 1.30)",
        tv.as_secs_f64() / ts.as_secs_f64()
    );
    Ok(())
}
