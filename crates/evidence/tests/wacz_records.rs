//! What the WACZ side of a package says about the capture: the `warcinfo` record that opens
//! the network archive and the data package's title (gaps found by `bash scripts/mutants.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use webproof_evidence::Utc;
use webproof_evidence::capture::Capture;
use webproof_evidence::identity::{Algorithm, Role, SecretKey};
use webproof_evidence::{layout, wacz};

#[test]
fn the_warcinfo_record_is_whole_and_names_capture_case_and_software_cleanly() {
    let date = Utc::parse("2026-12-05T01:02:03.000004Z").unwrap();
    let rec = wacz::warcinfo("cap-1", Some("CASE\n7"), &date, "webproof 1.0\r");
    let text = String::from_utf8(rec).unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    assert_eq!(
        head,
        "WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:cap-1>\r\n\
         WARC-Date: 2026-12-05T01:02:03.000004Z\r\nWARC-Filename: data.warc\r\n\
         Content-Type: application/warc-fields\r\nContent-Length: 196"
    );
    let body = rest.strip_suffix("\r\n\r\n").unwrap();
    assert_eq!(body.len(), 196, "{body:?}");
    assert!(body.starts_with("software: webproof 1.0 \r\nformat: WARC File Format 1.1\r\n"));
    assert!(body.contains("webproof-capture: cap-1\r\n"));
    assert!(body.ends_with("webproof-case: CASE 7\r\n"), "{body:?}");
    // Without a case, no case line.
    let rec = wacz::warcinfo("cap-1", None, &date, "webproof 1.0");
    assert!(!String::from_utf8(rec).unwrap().contains("webproof-case"));
}

fn sealed_title(case: Option<&str>) -> (String, String, String) {
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let identity = common::identity(Role::Operator, &key);
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("capture");
    let mut cap = Capture::create(&dir).unwrap();
    cap.add_note("seen").unwrap();
    let id = cap.id().to_owned();
    let input = common::operator_seal(&key, &identity, case);
    let manifest = cap.seal(&input).unwrap();
    let dp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(layout::DATAPACKAGE)).unwrap()).unwrap();
    assert_eq!(dp["title"].as_str(), Some(wacz::title(&manifest).as_str()));
    let warc = std::fs::read_to_string(dir.join(layout::WARC)).unwrap();
    assert!(
        warc.contains(&format!("webproof-capture: {id}\r\n")),
        "{warc}"
    );
    (wacz::title(&manifest), id, warc)
}

#[test]
fn a_package_is_titled_by_its_case_or_else_its_capture() {
    let (title, _, warc) = sealed_title(Some("(2026)浙0192民初1号"));
    assert_eq!(title, "webproof evidence: (2026)浙0192民初1号");
    assert!(warc.contains("webproof-case: (2026)浙0192民初1号\r\n"));
    let (title, id, _) = sealed_title(None);
    assert_eq!(title, format!("webproof evidence: capture {id}"));
}
