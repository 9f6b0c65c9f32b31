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

/// The page list and the network index are written and read through one type each; their
/// lines are what replay tools read (field names, `status` a string, offsets as numbers).
#[test]
fn pages_and_index_lines_are_the_documented_json_and_read_back() {
    let page = wacz::Page {
        id: "step-2".into(),
        url: "https://shop.example/item?id=7".into(),
        ts: "2026-12-05T01:02:03.000004Z".into(),
        title: "商品 \"7\"".into(),
    };
    assert_eq!(
        page.line(),
        "{\"id\":\"step-2\",\"url\":\"https://shop.example/item?id=7\",\
         \"ts\":\"2026-12-05T01:02:03.000004Z\",\"title\":\"商品 \\\"7\\\"\"}\n"
    );
    // The header is no page; a page without a title has an empty one; a broken line is none.
    let text = format!(
        "{}{}{{\"id\":\"step-3\",\"url\":\"https://a.example/\",\"ts\":\"t\"}}\nnot json\n",
        wacz::PAGES_HEADER,
        page.line()
    );
    let pages = wacz::Page::parse_all(&text);
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert_eq!(pages[0], page);
    assert_eq!(
        (pages[1].url.as_str(), pages[1].title.as_str()),
        ("https://a.example/", "")
    );

    let rec = wacz::CdxJson {
        url: "https://shop.example/a.png".into(),
        mime: "image/png".into(),
        status: "200".into(),
        digest: format!("sha256:{}", "ab".repeat(32)),
        filename: layout::WARC_NAME.into(),
        offset: 9_007_199_254_740_993,
        length: 1234,
    };
    let line = rec.line("example,shop)/a.png", "20261205010203");
    assert_eq!(
        line,
        format!(
            "example,shop)/a.png 20261205010203 {{\"url\":\"https://shop.example/a.png\",\
             \"mime\":\"image/png\",\"status\":\"200\",\"digest\":\"sha256:{}\",\
             \"filename\":\"data.warc\",\"offset\":9007199254740993,\"length\":1234}}",
            "ab".repeat(32)
        )
    );
    // Read back with the timestamp of each; lines without the fields replay needs are none.
    let index = format!(
        "{line}\nexample,b)/ 20261205010204 {{\"url\":\"https://b.example/\",\"status\":\"404\",\"offset\":5,\"length\":6}}\n\
         example,c)/ 20261205010205 {{\"url\":\"https://c.example/\",\"status\":\"200\"}}\nshort line\n"
    );
    let read = wacz::CdxJson::parse_all(&index);
    assert_eq!(read.len(), 2, "{read:?}");
    assert_eq!(read[0], ("20261205010203".to_owned(), rec));
    assert_eq!(read[1].0, "20261205010204");
    assert_eq!(
        (
            read[1].1.status.as_str(),
            read[1].1.mime.as_str(),
            read[1].1.offset,
            read[1].1.length
        ),
        ("404", "", 5, 6)
    );
}
