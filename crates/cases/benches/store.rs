//! The case store on this machine: durable creates, package updates, and search over many
//! cases (`cargo bench -p webproof-cases`).

use std::time::Instant;

use webproof_cases::{CaseFields, CaseStore, PackageKind, PackageStatus, PackageUpdate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let d = tempfile::tempdir()?;
    let s = CaseStore::open(&d.path().join("cases.redb"))?;
    let n = 2_000;
    let t = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let c = s.create(CaseFields {
            matter: format!("(2026) 浙0192民初{i}号 photos copied by shop {i}"),
            parties: vec![format!("Agency {}", i % 50), format!("Shop {i}")],
            notes: "pirated product photos".into(),
        })?;
        ids.push(c.id);
    }
    let create = t.elapsed();
    let t = Instant::now();
    for id in ids.iter().take(500) {
        let (_, pid) = s.add_package(
            id,
            PackageKind::Capture,
            "/x.wacz",
            "https://shop.example/item",
            PackageStatus::Running,
        )?;
        s.update_package(
            id,
            &pid,
            PackageUpdate {
                status: Some(PackageStatus::Sealed),
                verdict: Some("PASS".into()),
                ..Default::default()
            },
        )?;
    }
    let update = t.elapsed();
    let t = Instant::now();
    let rounds = 20;
    let mut hits = 0;
    for i in 0..rounds {
        hits += s.list(&format!("shop {}", i * 37))?.len();
    }
    let search = t.elapsed() / rounds;
    println!(
        "{n} durable creates: {:.0}/s ({:.2} ms each); 500 captures recorded (add + seal, 2 commits each): {:.2} ms per capture; search over {n} cases: {:.1} ms ({hits} hits in {rounds} searches)",
        n as f64 / create.as_secs_f64(),
        create.as_secs_f64() * 1e3 / n as f64,
        update.as_secs_f64() * 1e3 / 500.0,
        search.as_secs_f64() * 1e3
    );
    Ok(())
}
