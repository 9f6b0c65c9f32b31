//! Limits (issue 20): a capture's disk quota and page limit, and a batch's disk quota. A
//! capture that reaches one stops cleanly — what it captured is sealed, the reason is in its
//! interruption step — and a batch skips what its quota leaves no room for, to be captured
//! when it is run again with more.

use crate::site;
use crate::util::*;

/// The reason the package's interruption step records.
fn interruption(package: &std::path::Path) -> String {
    let recs = journal(package);
    let r = recs
        .iter()
        .find(|r| r["kind"] == "interruption")
        .unwrap_or_else(|| panic!("no interruption step: {:?}", kinds(package)));
    r["params"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_capture_stops_at_its_disk_quota_and_the_package_says_why() {
    let base = site::serve();
    let env = Env::new();
    let op = env.init_operator("ed25519");
    let url = format!("{base}/files/large.bin");
    let o = env.run(&[
        "capture",
        &url,
        "--out",
        "q.wacz",
        "--headless",
        "--no-video",
        "--max-mb",
        "1",
    ]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(err.contains("disk quota of 1.0 MiB was reached"), "{err}");
    let package = env.path().join("q.wacz");
    let why = interruption(&package);
    assert!(why.contains("disk quota of 1.0 MiB was reached"), "{why}");
    // The download was stopped long before its 8 MiB; what was captured verifies, as an
    // interrupted capture.
    assert!(std::fs::metadata(&package).unwrap().len() < site::LARGE as u64 / 2);
    // The partial download of the abandoned step is not left behind.
    let left: Vec<_> = std::fs::read_dir(env.home().join("captures"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    env.ok(&["verify", "q.wacz", "--trust-operator", &op], 4);
}

#[test]
fn a_capture_stops_before_a_page_past_its_page_limit() {
    let base = site::serve();
    let env = Env::new();
    let op = env.init_operator("ed25519");
    let profile = format!(
        "name = \"three-pages\"\ndescription = \"three pages\"\nmatch = [\"*\"]\n\n[[steps]]\naction = \"navigate\"\n\n[[steps]]\naction = \"navigate\"\nurl = \"{base}/gallery.html\"\n\n[[steps]]\naction = \"screenshot\"\n\n[[steps]]\naction = \"navigate\"\nurl = \"{base}/zh.html\"\n"
    );
    env.write("three-pages.toml", profile.as_bytes());
    let profile_path = env.path().join("three-pages.toml");
    let url = format!("{base}/index.html");
    let o = env.run(&[
        "capture",
        &url,
        "--out",
        "p.wacz",
        "--headless",
        "--no-video",
        "--profile",
        profile_path.to_str().unwrap(),
        "--max-pages",
        "2",
    ]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(4), "{err}");
    let package = env.path().join("p.wacz");
    let recs = journal(&package);
    let pages: Vec<&str> = recs
        .iter()
        .filter(|r| r["kind"] == "navigate")
        .map(|r| r["params"]["requested_url"].as_str().unwrap())
        .collect();
    assert_eq!(
        pages,
        [url.clone(), format!("{base}/gallery.html")],
        "{:?}",
        kinds(&package)
    );
    // The second page's screenshot was still taken: the limit stops before a third page.
    assert!(
        recs.iter().any(|r| r["kind"] == "screenshot"
            && r["url"].as_str().unwrap_or("").ends_with("/gallery.html")),
        "{:?}",
        kinds(&package)
    );
    assert_eq!(
        interruption(&package),
        "the capture's page limit of 2 pages was reached"
    );
    env.ok(&["verify", "p.wacz", "--trust-operator", &op], 4);
}

#[test]
fn a_batch_skips_what_its_disk_quota_leaves_no_room_for_and_captures_it_when_run_with_more() {
    let base = site::serve();
    let env = Env::new();
    env.init_operator("ed25519");
    let list = format!("{base}/files/big.bin\n{base}/index.html\n{base}/gallery.html\n");
    env.write("urls.txt", list.as_bytes());
    let run = |quota: &str| {
        env.run(&[
            "batch",
            "urls.txt",
            "--out",
            "b",
            "--max-total-mb",
            quota,
            "--",
            "--headless",
            "--no-video",
        ])
    };
    // The first capture may write all 4 MiB and writes some 3.2 (the 1.5 MiB file twice: the
    // artifact, and its response in the WARC); less than a MiB left is no room for the others.
    let o = run("4");
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(4), "{said}");
    assert!(
        said.contains("2 URLs skipped for the batch's disk quota"),
        "{said}"
    );
    let csv = std::fs::read_to_string(env.path().join("b/summary.csv")).unwrap();
    let outcomes: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(outcomes, ["sealed", "skipped", "skipped"], "{csv}");
    assert!(csv.contains("disk quota of 4 MiB is used up"), "{csv}");
    // Again with room: the skipped URLs are captured, the first is not captured twice.
    let o = run("100");
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{said}");
    assert!(said.contains("3 URLs — 3 sealed"), "{said}");
    assert!(said.contains("2 captured in this run"), "{said}");
}
