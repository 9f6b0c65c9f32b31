//! The checks' identities are one list (`CheckId`): every one is named in both catalogues,
//! documented in docs/evidence-package.md §7 (and nothing else is), and its string form is the
//! one JSON carries.

use std::collections::BTreeSet;

use webproof_i18n::{Catalogue, Lang};
use webproof_verify::CheckId;

#[test]
fn every_check_is_named_in_both_languages() {
    for lang in [Lang::En, Lang::ZhCn] {
        let have = Catalogue::keys(lang);
        for id in CheckId::ALL {
            let key = format!("check-{}", id.as_str().replace('.', "-"));
            assert!(have.contains(&key), "{}: no {key}", lang.tag());
        }
    }
    let zh = Catalogue::new(Lang::ZhCn).unwrap();
    assert_eq!(zh.check_name(CheckId::FileDigest.as_str()), "文件摘要");
}

#[test]
fn the_docs_table_lists_exactly_the_checks() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/evidence-package.md"),
    )
    .unwrap();
    let table = doc
        .split("| id | checks |")
        .nth(1)
        .expect("the checks table");
    let mut documented = BTreeSet::new();
    for row in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
        let first = row.split('|').nth(1).unwrap_or("");
        for id in first.split(',') {
            documented.insert(id.trim().trim_matches('`').to_owned());
        }
    }
    let ours: BTreeSet<String> = CheckId::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(documented, ours);
}

#[test]
fn identifiers_are_unique_and_are_what_json_says() {
    let mut seen = BTreeSet::new();
    for id in CheckId::ALL {
        assert!(seen.insert(id.as_str()), "{id} twice");
        let json = serde_json::to_string(id).unwrap();
        assert_eq!(json, format!("\"{}\"", id.as_str()));
        let back: CheckId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, *id);
        assert_eq!(*id, id.as_str());
    }
    assert!(serde_json::from_str::<CheckId>("\"no.such\"").is_err());
    assert_eq!(CheckId::ALL.len(), 38);
}

#[test]
fn an_identifier_honours_width_so_text_reports_line_up() {
    // The text report pads ids into a column (`{:<18}`); a Display that
    // ignored the width broke every reader that matches on that layout.
    assert_eq!(
        format!("{:<18}|", CheckId::ALL[0]),
        format!("{:<18}|", CheckId::ALL[0].as_str())
    );
    assert_eq!(
        format!("{:<18}|", CheckId::FileDigest),
        "file.digest       |"
    );
}

/// The verifier's own error explains itself with its catalogue message.
#[test]
fn a_missing_package_says_which_file() {
    use webproof_message::Explain;
    let e = webproof_verify::verify_path(
        std::path::Path::new("/nonexistent/p.wacz"),
        &webproof_verify::Policy::default(),
    )
    .unwrap_err();
    let m = e.message();
    assert_eq!(m.key, "err-file");
    assert!(
        m.args
            .iter()
            .any(|(k, v)| k == "path" && v.contains("p.wacz")),
        "{m:?}"
    );
}
