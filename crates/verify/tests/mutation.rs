//! Any single-byte change to any file of a sealed package makes verification fail, and a
//! failing check names that file. Every file, not a sample; zip and directory form.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use common::*;
use webproof_evidence::identity::Algorithm;
use webproof_verify::Verdict;

fn positions(len: usize) -> Vec<usize> {
    let mut p = vec![0, len / 2, len.saturating_sub(1)];
    p.dedup();
    p
}

fn names_file(r: &webproof_verify::Report, name: &str) -> bool {
    r.failures()
        .any(|c| c.subject == name || c.detail.contains(name))
}

#[test]
fn untouched_package_verifies_in_both_forms() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, true);
    for p in [&b.wacz, &b.dir] {
        let r = verify(p, &b.policy());
        assert_eq!(r.verdict(), Verdict::Pass, "{:#?}", failures(&r));
    }
    // Without trust configured: intact but untrusted, never a pass.
    let r = verify(&b.wacz, &webproof_verify::Policy::default());
    assert_eq!(r.verdict(), Verdict::Untrusted);
}

#[test]
fn flipping_any_byte_of_any_file_in_the_zip_fails_naming_it() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, true);
    let entries = read_zip(&b.wacz);
    assert!(entries.len() >= 14, "{}", entries.len());
    let policy = b.policy();
    let mut cases = 0;
    for i in 0..entries.len() {
        let name = entries[i].0.clone();
        let len = entries[i].1.len();
        let mutations: Vec<Vec<u8>> = if len == 0 {
            vec![vec![b'x']] // an empty file has no byte to flip: add one
        } else {
            positions(len)
                .into_iter()
                .map(|pos| {
                    let mut v = entries[i].1.clone();
                    v[pos] ^= 0x01;
                    v
                })
                .collect()
        };
        for m in mutations {
            let mut changed = entries.clone();
            changed[i].1 = m;
            let p = t.path().join(format!("m{cases}.wacz"));
            write_zip(&p, &changed);
            let r = verify(&p, &policy);
            assert_eq!(r.verdict(), Verdict::Fail, "{name} altered but verified");
            assert!(
                names_file(&r, &name),
                "{name}: failures do not name it: {:#?}",
                failures(&r)
            );
            cases += 1;
        }
    }
    assert!(cases >= 30);
}

#[test]
fn flipping_any_byte_of_any_file_in_the_directory_fails_naming_it() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Sm2, false);
    let policy = b.policy();
    let names: Vec<String> = read_zip(&b.wacz).into_iter().map(|(n, _)| n).collect();
    for name in names {
        let path = b.dir.join(&name);
        let orig = std::fs::read(&path).unwrap();
        let mut changed = orig.clone();
        if changed.is_empty() {
            changed.push(b'x');
        } else {
            let mid = changed.len() / 2;
            changed[mid] ^= 0x80;
        }
        std::fs::write(&path, &changed).unwrap();
        let r = verify(&b.dir, &policy);
        std::fs::write(&path, &orig).unwrap();
        assert_eq!(r.verdict(), Verdict::Fail, "{name} altered but verified");
        assert!(names_file(&r, &name), "{name}: {:#?}", failures(&r));
    }
    assert_eq!(verify(&b.dir, &policy).verdict(), Verdict::Pass);
}

#[test]
fn corrupting_stored_bytes_inside_the_zip_fails_naming_the_entry() {
    // Flip a byte of each entry's data in the .wacz file itself (CRC-32 no longer matches).
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let bytes = std::fs::read(&b.wacz).unwrap();
    let mut a = zip::ZipArchive::new(std::fs::File::open(&b.wacz).unwrap()).unwrap();
    let spans: Vec<(String, u64, u64)> = (0..a.len())
        .map(|i| {
            let f = a.by_index_raw(i).unwrap();
            (
                f.name().unwrap().into_owned(),
                f.data_start().unwrap(),
                f.compressed_size(),
            )
        })
        .collect();
    for (name, start, size) in spans {
        if size == 0 {
            continue;
        }
        let mut v = bytes.clone();
        v[(start + size / 2) as usize] ^= 0x01;
        let p = t.path().join("raw.wacz");
        std::fs::write(&p, &v).unwrap();
        let r = verify(&p, &b.policy());
        assert_eq!(r.verdict(), Verdict::Fail, "{name}");
        assert!(names_file(&r, &name), "{name}: {:#?}", failures(&r));
    }
}

#[test]
fn removing_or_adding_a_file_fails() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let entries = read_zip(&b.wacz);
    for i in 0..entries.len() {
        let mut fewer = entries.clone();
        let (name, _) = fewer.remove(i);
        let p = t.path().join("fewer.wacz");
        write_zip(&p, &fewer);
        let r = verify(&p, &b.policy());
        assert_eq!(r.verdict(), Verdict::Fail, "{name} removed but verified");
        assert!(names_file(&r, &name), "{name}: {:#?}", failures(&r));
    }
    let mut more = entries.clone();
    more.push(("artifacts/999999-extra.txt".into(), b"planted".to_vec()));
    let p = t.path().join("more.wacz");
    write_zip(&p, &more);
    let r = verify(&p, &b.policy());
    assert!(
        names_file(&r, "artifacts/999999-extra.txt"),
        "{:#?}",
        failures(&r)
    );
}

#[test]
fn a_notary_countersignature_is_checked_and_trusted_separately() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, true);
    let r = verify(&b.wacz, &b.policy());
    for id in [
        "signature.operator",
        "signature.notary",
        "identity.operator",
        "identity.notary",
    ] {
        assert!(
            r.checks
                .iter()
                .any(|c| c.id == id && c.verdict == Verdict::Pass),
            "{id} missing"
        );
    }
    let only_operator = webproof_verify::Policy {
        trusted_operators: vec![b.operator],
        ..Default::default()
    };
    let r = verify(&b.wacz, &only_operator);
    assert_eq!(r.verdict(), Verdict::Untrusted);
    assert!(
        r.checks
            .iter()
            .any(|c| c.id == "identity.notary" && c.verdict == Verdict::Untrusted)
    );
}
