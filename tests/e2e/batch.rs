//! `webproof batch` (issue 20): many URLs as one durable queue — captures side by side, each
//! URL ending in exactly one package or one recorded failure with its reason, a summary, and a
//! batch killed with `kill -9` that goes on where it stopped when run again.

use crate::site;
use crate::util::*;

/// The rows of DIR/summary.csv (after the header), as (outcome, package, reason).
fn summary(dir: &std::path::Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("n,url,outcome,package,chain_head,reason")
    );
    lines
        .map(|l| {
            // n,"url",outcome,"package",head,"reason"
            let parts: Vec<&str> = l.splitn(6, ',').collect();
            let unq = |s: &str| s.trim_matches('"').replace("\"\"", "\"");
            (parts[2].to_owned(), unq(parts[3]), unq(parts[5]))
        })
        .collect()
}

fn packages(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wacz"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_batch_captures_side_by_side_records_failures_and_summarises() {
    let base = site::serve();
    let env = Env::new();
    let op = env.init_operator("ed25519");
    let list = format!(
        "url,what\n{base}/index.html,listing\n{base}/files/notice.txt,attachment\n# not this one\nhttp://127.0.0.1:9/,nothing listens\n{base}/gallery.html,photos\n"
    );
    env.write("urls.csv", list.as_bytes());
    let o = env.run(&[
        "batch",
        "urls.csv",
        "--out",
        "b",
        "--parallel",
        "2",
        "--case",
        "CASE-7",
        "--",
        "--headless",
        "--no-video",
    ]);
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    // One URL failed: exit 4, said, and the others sealed.
    assert_eq!(
        o.status.code(),
        Some(4),
        "{said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        said.contains("4 URLs — 3 sealed, 0 sealed after an interruption, 1 failed"),
        "{said}"
    );
    let dir = env.path().join("b");
    let rows = summary(&dir);
    let outcomes: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(outcomes, ["sealed", "sealed", "failed", "sealed"]);
    assert!(rows[2].2.contains("cannot be captured"), "{:?}", rows[2]);
    assert_eq!(
        packages(&dir),
        ["0001-127.0.0.1_", "0002-127.0.0.1_", "0004-127.0.0.1_"]
            .iter()
            .map(|p| format!("{p}{}.wacz", base.rsplit(':').next().unwrap()))
            .collect::<Vec<_>>()
    );
    for (_, package, _) in rows.iter().filter(|r| r.0 == "sealed") {
        env.ok(&["verify", package, "--trust-operator", &op], 0);
    }
    // The attachment's package holds the file itself.
    let recs = journal(std::path::Path::new(&rows[1].1));
    let nav = recs.iter().find(|r| r["kind"] == "navigate").unwrap();
    assert_eq!(nav["params"]["file"]["how"], "download", "{nav}");
    // The case's evidence catalogue of the batch: a row per package, as CSV, HTML and PDF.
    let said = env.ok(
        &[
            "catalogue",
            "b",
            "--out",
            "cat.csv",
            "--case",
            "CASE-7",
            "--trust-operator",
            &op,
        ],
        0,
    );
    assert!(said.contains("3 packages"), "{said}");
    let csv = std::fs::read_to_string(env.path().join("cat.csv")).unwrap();
    assert!(
        csv.starts_with('\u{feff}'),
        "a byte-order mark for spreadsheet programs"
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].contains("Trusted capture time"), "{csv}");
    assert!(
        lines[1].contains("/index.html") && lines[1].contains("\"verified\""),
        "{csv}"
    );
    assert!(lines[2].contains("downloaded file"), "{csv}");
    let manifest: serde_json::Value = serde_json::from_slice(&entry(
        std::path::Path::new(&rows[0].1),
        "evidence/manifest.json",
    ))
    .unwrap();
    let chain_head = manifest["journal"]["head"]["sha256"].as_str().unwrap();
    assert!(lines[1].contains(chain_head), "{csv}");
    assert!(
        lines[1..].iter().all(|l| l.ends_with("\"CASE-7\"")),
        "{csv}"
    );
    assert!(
        lines[2].contains("\"notice.txt\""),
        "the file's name as its title: {csv}"
    );
    assert!(lines[0].contains("Capture machine's clock"), "{csv}");
    env.ok(
        &[
            "--lang",
            "both",
            "catalogue",
            "b",
            "--out",
            "cat.pdf",
            "--case",
            "CASE-7",
        ],
        0,
    );
    let text = tool("pdftotext", &["cat.pdf", "-"], env.path());
    // As a workbook: read back with Python's zipfile (an XLSX is a ZIP of XML parts).
    env.ok(
        &[
            "--lang",
            "zh-CN",
            "catalogue",
            "b",
            "--out",
            "cat.xlsx",
            "--trust-operator",
            &op,
        ],
        0,
    );
    let read = tool(
        "python3",
        &[
            "-c",
            "import zipfile; z=zipfile.ZipFile('cat.xlsx'); print(''.join(z.read(n).decode() for n in z.namelist() if n.startswith('xl/')))",
        ],
        env.path(),
    );
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let xml = String::from_utf8_lossy(&read.stdout);
    assert!(
        xml.contains("可信取证时间") && xml.contains("验证通过"),
        "{xml}"
    );
    assert!(
        xml.contains(chain_head) && xml.contains("/index.html"),
        "{xml}"
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("证据目录") && text.contains("Evidence catalogue"),
        "{text}"
    );
    assert!(text.contains("CASE-7"), "{text}");
    // Run again: nothing is captured twice.
    let o = env.run(&[
        "batch",
        "urls.csv",
        "--out",
        "b",
        "--",
        "--headless",
        "--no-video",
    ]);
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(said.contains("0 captured in this run"), "{said}");
    assert_eq!(packages(&dir).len(), 3);
}

#[test]
fn a_batch_killed_with_kill_9_goes_on_where_it_stopped() {
    let base = site::serve();
    let env = Env::new();
    env.init_operator("ed25519");
    let list: String = ["index.html", "gallery.html", "zh.html"]
        .iter()
        .map(|p| format!("{base}/{p}\n"))
        .collect();
    env.write("urls.txt", list.as_bytes());
    let args = [
        "batch",
        "urls.txt",
        "--out",
        "b",
        "--",
        "--headless",
        "--no-video",
    ];
    let mut first = env
        .cmd()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once the first capture is sealed and the second is under way.
    let queue = env.path().join("b/queue.jsonl");
    let t = std::time::Instant::now();
    loop {
        let q = std::fs::read_to_string(&queue).unwrap_or_default();
        if q.contains("\"event\":\"started\",\"n\":2") {
            break;
        }
        assert!(
            t.elapsed() < std::time::Duration::from_secs(180),
            "the second capture did not start: {q}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    first.kill().unwrap();
    let _ = first.wait();
    // Again: the capture that outlived the batch is waited for and kept, the rest captured.
    let o = env.run(&args);
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(said.contains("3 URLs — 3 sealed"), "{said}");
    let dir = env.path().join("b");
    let rows = summary(&dir);
    assert!(rows.iter().all(|r| r.0 == "sealed"), "{rows:?}");
    // Exactly one package per URL, each whole.
    assert_eq!(packages(&dir).len(), 3, "{:?}", packages(&dir));
    for (_, package, _) in &rows {
        let o = env.run(&["verify", package]);
        assert_ne!(o.status.code(), Some(1), "{package}");
    }
}

#[test]
fn a_batchs_captures_deposit_their_chain_heads_through_the_logs_add_batch() {
    let base = site::serve();
    let env = Env::new();
    let op = env.init_operator("ed25519");
    let _dev = crate::alliance::DevUp::start(&env);
    let list: String = ["index.html", "gallery.html", "zh.html"]
        .iter()
        .map(|p| format!("{base}/{p}\n"))
        .collect();
    env.write("urls.txt", list.as_bytes());
    let said = env.ok(
        &[
            "batch",
            "urls.txt",
            "--out",
            "b",
            "--parallel",
            "2",
            "--case",
            "CASE-9",
            "--",
            "--headless",
            "--no-video",
            "--stamp-every",
            "1",
        ],
        0,
    );
    // "evidence log: N chain heads deposited in R requests to its /add-batch"
    let counts: Vec<u64> = said
        .lines()
        .find(|l| l.contains("requests to its /add-batch"))
        .unwrap_or_else(|| panic!("{said}"))
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let (deposits, requests) = (counts[0], counts[1]);
    assert!(requests >= 1 && requests <= deposits, "{said}");
    // Every deposit the relay passed on came back as a receipt in its package, checked by
    // verify against the log's and the witnesses' keys.
    let dir = env.path().join("b");
    let mut receipts = 0;
    for p in packages(&dir) {
        let path = dir.join(&p);
        let z = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let names: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
        let here = names.iter().filter(|n| n.starts_with("receipts/")).count();
        assert!(here >= 2, "{p}: {names:?}");
        receipts += here as u64;
        let o = env.run(&[
            "verify",
            path.to_str().unwrap(),
            "--trust-operator",
            &op,
            "--json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["verdict"], "pass", "{p}");
        let receipt_checks: Vec<&serde_json::Value> = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"].as_str().unwrap().starts_with("receipt."))
            .collect();
        assert!(!receipt_checks.is_empty(), "{p}");
        assert!(
            receipt_checks.iter().all(|c| c["verdict"] == "pass"),
            "{p}: {receipt_checks:?}"
        );
    }
    assert_eq!(receipts, deposits, "{said}");
}
