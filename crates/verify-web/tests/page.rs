//! The page's engine natively: trust settings read as the CLI reads them, refused with a
//! message when wrong, and the page's words present in both languages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use webproof_verify_web::{PageError, explain, page_texts, policy};

#[test]
fn trust_settings_become_the_policy_or_a_clear_refusal() {
    let fpr = "AB".repeat(32);
    let p = policy(&format!(r#"{{"operators": [" {fpr} "], "notaries": []}}"#)).unwrap();
    assert_eq!(p.trusted_operators[0].to_hex(), "ab".repeat(32));
    assert_eq!(p.threads, 1, "the page has one thread");
    let bundle = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../verify/tests/vectors/trust-bundle.json"
    ))
    .unwrap();
    let trust = serde_json::json!({ "bundles": [bundle] }).to_string();
    let p = policy(&trust).unwrap();
    assert!(!p.log.logs.is_empty() && !p.trusted_tsa.is_empty());
    assert!(policy("").unwrap().trusted_operators.is_empty());

    let e = policy(r#"{"operators": ["abc"]}"#).unwrap_err();
    assert!(
        matches!(e, PageError::Fingerprint(ref v) if v == "abc"),
        "{e}"
    );
    assert_eq!(
        explain(&e, "en"),
        "abc is not a key fingerprint (64 hex digits)"
    );
    let e = policy(r#"{"bundles": ["{}"]}"#).unwrap_err();
    assert!(matches!(e, PageError::Bundle { index: 0, .. }), "{e}");
    assert!(
        explain(&e, "zh-CN").starts_with("信任包 1"),
        "{}",
        explain(&e, "zh-CN")
    );
    assert!(matches!(
        policy(r#"{"operator": []}"#).unwrap_err(),
        PageError::Trust(_)
    ));
}

#[test]
fn the_pages_words_are_there_in_both_languages() {
    for lang in ["en", "zh-CN"] {
        let t: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&page_texts(lang).unwrap()).unwrap();
        assert!(t.len() >= 20);
        for (k, v) in &t {
            let v = v.as_str().unwrap();
            assert!(!v.is_empty() && v != k, "{lang} {k}: {v:?}");
        }
    }
    let en: serde_json::Value = serde_json::from_str(&page_texts("en").unwrap()).unwrap();
    let zh: serde_json::Value = serde_json::from_str(&page_texts("zh").unwrap()).unwrap();
    assert_ne!(en["page-verify"], zh["page-verify"]);
    assert!(matches!(page_texts("fr"), Err(PageError::Lang(_))));
}

#[test]
fn the_words_about_the_reports_digest_leave_the_page_a_place_for_it() {
    for lang in ["en", "zh-CN"] {
        let t: serde_json::Value = serde_json::from_str(&page_texts(lang).unwrap()).unwrap();
        for k in ["page-expected", "page-digest-same", "page-digest-different"] {
            let v = t[k].as_str().unwrap();
            assert_eq!(v.matches("{sha256}").count(), 1, "{lang} {k}: {v:?}");
        }
    }
}

/// A file read in slices, as the page reads the dropped package, that says how it was read.
struct Slices {
    bytes: Vec<u8>,
    largest: std::cell::Cell<usize>,
}

impl webproof_evidence::container::ReadAt for Slices {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        self.largest.set(self.largest.get().max(buf.len()));
        let at = (offset as usize).min(self.bytes.len());
        // A short read, as a Blob slice at the end of a file gives.
        let n = buf.len().min(self.bytes.len() - at).min(700_000);
        buf[..n].copy_from_slice(&self.bytes[at..at + n]);
        Ok(n)
    }
}

#[test]
fn the_package_digest_is_the_whole_files_read_in_slices() {
    let bytes: Vec<u8> = (0..5_000_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
    let want = webproof_evidence::digest::sha256(&bytes).to_string();
    let f = Slices {
        bytes,
        largest: Default::default(),
    };
    let len = f.bytes.len() as u64;
    assert_eq!(webproof_verify_web::package_sha256(&f, len).unwrap(), want);
    // In slices, never the whole file at once.
    assert!(f.largest.get() <= 4 << 20, "{}", f.largest.get());
    // A file shorter than it said it was is an error, not the digest of what was there.
    let e = webproof_verify_web::package_sha256(&f, len + 1).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
    // And a prefix is the prefix's digest.
    let head = webproof_evidence::digest::sha256(&f.bytes[..1000]).to_string();
    assert_eq!(webproof_verify_web::package_sha256(&f, 1000).unwrap(), head);
}

#[test]
fn anchors_entered_by_hand_are_read_as_a_bundle_is() {
    // The example bundle's anchors, entered field by field instead of as a file.
    let b: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../verify/tests/vectors/trust-bundle.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let hand = serde_json::json!({
        "logs": b["logs"], "witnesses": b["witnesses"], "quorum": 2,
        "operator_cas": b["operator_cas"], "tsa_roots": b["tsa_roots"],
    });
    let p = policy(&hand.to_string()).unwrap();
    let from_file = policy(&serde_json::json!({ "bundles": [b.to_string()] }).to_string()).unwrap();
    assert_eq!(p.log.logs, from_file.log.logs);
    assert_eq!(p.log.witnesses, from_file.log.witnesses);
    assert_eq!(p.log.quorum, 2);
    assert_eq!(p.operator_cas, from_file.operator_cas);
    assert_eq!(p.trusted_tsa, from_file.trusted_tsa);
    // Witnesses without a quorum: one must have cosigned, as the CLI's default.
    let one = serde_json::json!({ "logs": b["logs"], "witnesses": b["witnesses"] });
    assert_eq!(policy(&one.to_string()).unwrap().log.quorum, 1);
    // A key that is not one, a quorum out of reach: refused, saying where.
    let e = policy(r#"{"logs": ["not a key"]}"#).unwrap_err();
    assert!(matches!(e, PageError::Hand(_)), "{e}");
    assert!(
        explain(&e, "en").starts_with("the keys and certificates entered by hand"),
        "{}",
        explain(&e, "en")
    );
    let e = policy(&serde_json::json!({ "witnesses": b["witnesses"], "quorum": 9 }).to_string())
        .unwrap_err();
    assert!(matches!(e, PageError::Hand(_)), "{e}");
}
