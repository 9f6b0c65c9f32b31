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
