//! Hostile packages are refused with a clear reason, and verifying them writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use std::io::Write;
use std::path::Path;

use common::*;
use webproof_evidence::identity::Algorithm;
use webproof_verify::{Policy, Verdict};

/// Verifies `p` and checks that nothing was written beside it (where a naive extractor's
/// `../` names would land) or in the working directory.
fn refused(p: &Path, policy: &Policy, expect: &str) {
    let around = p.parent().unwrap().to_owned();
    let before = (listing(&around), listing(Path::new(".")));
    let r = verify(p, policy);
    assert_eq!(r.verdict(), Verdict::Fail, "{} accepted", p.display());
    let all = failures(&r).join("\n");
    assert!(all.contains(expect), "expected {expect:?} in:\n{all}");
    let after = (listing(&around), listing(Path::new(".")));
    assert_eq!(before, after, "verification wrote files");
}

/// Every path below `dir`, recursively, with its size.
fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut v = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let m = std::fs::symlink_metadata(e.path()).unwrap();
            if m.is_dir() {
                stack.push(e.path());
            }
            v.push((e.path().display().to_string(), m.len()));
        }
    }
    v.sort();
    v
}

fn with_extra(b: &Built, name: &str, bytes: &[u8], out: &Path) {
    let mut e = read_zip(&b.wacz);
    e.push((name.to_owned(), bytes.to_vec()));
    write_zip(out, &e);
}

#[test]
fn path_traversal_and_absolute_names_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    for (name, reason) in [
        ("../../evil.txt", "path traversal"),
        ("artifacts/../../evil.txt", "path traversal"),
        ("/etc/evil.txt", "absolute path"),
        ("artifacts\\..\\evil.txt", "backslash"),
        ("C:/evil.txt", "colon"),
        ("artifacts//x", "empty path component"),
    ] {
        let p = t.path().join("h.wacz");
        with_extra(&b, name, b"evil", &p);
        refused(&p, &b.policy(), reason);
        std::fs::remove_file(&p).unwrap();
    }
    assert!(!t.path().join("evil.txt").exists());
}

#[test]
fn symlink_entries_are_refused_in_zips_and_directories() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let p = t.path().join("link.wacz");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        // In name order, so that the link is all that is out of webproof's form.
        let link = "artifacts/000009-passwd";
        let entries = read_zip(&b.wacz);
        for (n, bytes) in entries.iter().filter(|(n, _)| n.as_str() < link) {
            z.start_file(n.as_str(), o).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.add_symlink(link, "/etc/passwd", o).unwrap();
        for (n, bytes) in entries.iter().filter(|(n, _)| n.as_str() > link) {
            z.start_file(n.as_str(), o).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    // The link's mode sits in the entry's external attributes, which webproof never sets so.
    refused(&p, &b.policy(), "external attributes (file type and mode)");

    std::os::unix::fs::symlink("/etc/passwd", b.dir.join("artifacts/000009-passwd")).unwrap();
    refused(&b.dir, &b.policy(), "symbolic link");
}

#[test]
fn duplicate_entries_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let p = t.path().join("dup.wacz");
    with_extra(&b, "artifacts/zzzzzz-contract.txt", b"second copy", &p);
    // Rename the extra entry, in local and central headers alike, to an existing name.
    let mut bytes = std::fs::read(&p).unwrap();
    let from = b"artifacts/zzzzzz-contract.txt";
    let to = b"artifacts/000000-contract.txt";
    let mut i = 0;
    let mut replaced = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            replaced += 1;
        }
        i += 1;
    }
    assert_eq!(replaced, 2);
    std::fs::write(&p, &bytes).unwrap();
    let r = verify(&p, &b.policy());
    assert_eq!(r.verdict(), Verdict::Fail);
    let all = failures(&r).join("\n");
    assert!(
        all.contains("more than once") || all.to_lowercase().contains("duplicate"),
        "{all}"
    );
}

#[test]
fn case_colliding_names_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let p = t.path().join("case.wacz");
    with_extra(&b, "artifacts/000000-CONTRACT.txt", b"shadow", &p);
    // Upper case is outside webproof's name alphabet, so no two names can fold together.
    refused(&p, &b.policy(), "upper case");
    // In a directory (on a case-sensitive file system) the names are compared folded.
    std::fs::write(b.dir.join("artifacts/000000-CONTRACT.txt"), b"shadow").unwrap();
    refused(&b.dir, &b.policy(), "differ only in letter case");
}

#[test]
fn zip_bombs_are_refused_before_inflating() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let p = t.path().join("bomb.wacz");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        // In name order, so that the compression is all that is out of webproof's form.
        let bomb = "artifacts/000010-zeros.bin";
        let entries = read_zip(&b.wacz);
        for (n, bytes) in entries.iter().filter(|(n, _)| n.as_str() < bomb) {
            z.start_file(n.as_str(), stored).unwrap();
            z.write_all(bytes).unwrap();
        }
        let deflate = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file(bomb, deflate).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            z.write_all(&zeros).unwrap();
        }
        for (n, bytes) in entries.iter().filter(|(n, _)| n.as_str() > bomb) {
            z.start_file(n.as_str(), stored).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    assert!(std::fs::metadata(&p).unwrap().len() < 4 << 20);
    // Nothing is ever inflated: webproof stores every member, and a compressed one is refused.
    refused(&p, &b.policy(), "compression method");

    // And a declared total over the configured limit.
    let small = Policy {
        limits: webproof_evidence::package::Limits {
            max_total_size: 1 << 20,
            ..Default::default()
        },
        ..b.policy()
    };
    refused(&b.wacz, &small, "over the limit");
}

#[test]
fn oversized_json_is_refused_not_read() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let tight = Policy {
        limits: webproof_evidence::package::Limits {
            max_json: 256,
            ..Default::default()
        },
        ..b.policy()
    };
    refused(&b.wacz, &tight, "too large to read into memory");
}

#[test]
fn truncated_and_non_zip_files_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    let bytes = std::fs::read(&b.wacz).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 10, 100, 0] {
        let p = t.path().join("cut.wacz");
        std::fs::write(&p, &bytes[..cut]).unwrap();
        refused(&p, &b.policy(), "not in the one ZIP form webproof writes");
    }
    let p = t.path().join("text.wacz");
    std::fs::write(&p, b"this is not a zip file at all").unwrap();
    refused(&p, &b.policy(), "not in the one ZIP form webproof writes");
}

#[test]
fn garbage_json_documents_fail_cleanly() {
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    for (name, bytes) in [
        (
            "evidence/manifest.json",
            b"{\"v\":1,\"format\":[[[[[[[[[[[[".to_vec(),
        ),
        ("evidence/manifest.json", vec![0xff; 40]),
        ("evidence/journal.jsonl", b"{}\n{\"a\":1}\n".to_vec()),
        ("identity/operator.json", b"null".to_vec()),
        ("datapackage.json", b"[]".to_vec()),
    ] {
        let mut e = read_zip(&b.wacz);
        for x in e.iter_mut() {
            if x.0 == name {
                x.1 = bytes.clone();
            }
        }
        let p = t.path().join("g.wacz");
        write_zip(&p, &e);
        let r = verify(&p, &b.policy());
        assert_eq!(r.verdict(), Verdict::Fail, "{name}");
        assert!(
            r.failures()
                .any(|c| c.subject == name || c.detail.contains(name)),
            "{name}: {:#?}",
            failures(&r)
        );
    }
}

#[test]
fn missing_package_is_an_input_error_not_a_report() {
    assert!(
        webproof_verify::verify_path(Path::new("/nonexistent/x.wacz"), &Policy::default()).is_err()
    );
}

#[test]
fn files_under_exempt_names_that_belong_to_no_record_fail() {
    // Renewals and receipt refreshes are added after sealing, so the manifest cannot list
    // them; each must belong to a record that is checked, or it is an orphan nobody checks.
    let t = tempfile::tempdir().unwrap();
    let b = build(t.path(), Algorithm::Ed25519, false);
    for (name, why) in [
        ("renewals/009-1.tsr", "belongs to no renewal record"),
        ("renewals/001-1.tsq", "belongs to no renewal record"),
        ("renewals/001-certs.pem", "belongs to no renewal record"),
        (
            "renewals/notes.txt",
            "not one of the file names a renewal has",
        ),
        ("receipts/refresh-001.json.old", "refresh"),
    ] {
        let p = t.path().join("orphan.wacz");
        with_extra(&b, name, b"planted after sealing", &p);
        let r = verify(&p, &b.policy());
        assert_eq!(r.verdict(), Verdict::Fail, "{name} planted, still verified");
        let all = failures(&r).join("\n");
        assert!(
            r.failures().any(|c| c.subject == name) && all.contains(why),
            "{name}: {all}"
        );
        std::fs::remove_file(&p).unwrap();
    }
}
