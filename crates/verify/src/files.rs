//! Container and files: every file re-hashed (in parallel) against the manifest, and nothing in
//! the package that nothing checks (`file.digest`, `file.unlisted`).

use std::collections::HashMap;
use std::sync::Mutex;

use webproof_evidence::digest::{Digests, digest_reader};
use webproof_evidence::layout;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::PackageSource;
use webproof_message::{key, msg};

use crate::explain::Why;
use crate::{CheckId, Report};

pub(crate) type HashResult = Result<(Digests, u64), Why>;

pub(crate) fn hash_all(src: &dyn PackageSource, threads: usize) -> HashMap<String, HashResult> {
    let entries = src.entries();
    let next = Mutex::new(0usize);
    let out = Mutex::new(HashMap::with_capacity(entries.len()));
    // Largest first keeps both threads busy to the end.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(entries[i].size));
    let work = || {
        loop {
            let i = {
                let Ok(mut n) = next.lock() else { return };
                if *n >= order.len() {
                    return;
                }
                *n += 1;
                order[*n - 1]
            };
            let name = &entries[i].name;
            let mut res = None;
            let r = src.read_with(name, &mut |r| {
                res = Some(digest_reader(r)?);
                Ok(())
            });
            let value = match (r, res) {
                (Ok(()), Some(d)) => Ok(d),
                (Err(e), _) => Err(Why::of(&e)),
                (Ok(()), None) => Err(Why::new("not read", msg!("err-not-read"))),
            };
            if let Ok(mut o) = out.lock() {
                o.insert(name.clone(), value);
            }
        }
    };
    // A platform without threads (WebAssembly in a browser) hashes on the one it has.
    let threads = if webproof_evidence::digest::THREADS {
        threads.clamp(1, 64)
    } else {
        1
    };
    if threads == 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(work);
            }
        });
    }
    out.into_inner().unwrap_or_default()
}

pub(crate) fn file_checks(
    src: &dyn PackageSource,
    m: &Manifest,
    hashes: &HashMap<String, HashResult>,
    report: &mut Report,
) {
    let mut sorted = true;
    for w in m.files.windows(2) {
        if w[0].path >= w[1].path {
            sorted = false;
        }
    }
    if !sorted {
        report.fail(
            CheckId::ManifestParse,
            layout::MANIFEST,
            Why::new(
                "files are not sorted by path without duplicates",
                msg!("msg-manifest-unsorted"),
            ),
        );
    }
    for f in &m.files {
        if layout::is_outside_manifest(&f.path) {
            report.fail(
                CheckId::FileDigest,
                f.path.clone(),
                Why::new(
                    "the manifest cannot list this file",
                    msg!("msg-file-not-listable"),
                ),
            );
            continue;
        }
        match hashes.get(&f.path) {
            None => {
                report.fail(
                    CheckId::FileDigest,
                    f.path.clone(),
                    Why::new(
                        "listed in the manifest but missing from the package",
                        msg!("msg-file-missing"),
                    ),
                );
            }
            Some(Err(e)) => report.fail(
                CheckId::FileDigest,
                f.path.clone(),
                e.clone().under(key!("msg-cannot-read"), "cannot be read"),
            ),
            Some(Ok((d, size))) => {
                digest_check(f, d, *size, report);
            }
        }
    }
    unlisted_checks(src, m, report);
}

/// `file.digest` of a listed file read as `d` (`size` bytes): the manifest's size, SHA-256
/// and SM3.
fn digest_check(
    f: &webproof_evidence::manifest::FileEntry,
    d: &webproof_evidence::digest::Digests,
    size: u64,
    report: &mut Report,
) {
    let mut wrong = Vec::new();
    if size != f.size {
        wrong.push(format!("size is {size}, manifest says {}", f.size));
    }
    if d.sha256 != f.sha256 {
        wrong.push(format!(
            "SHA-256 is {}, manifest says {}",
            d.sha256, f.sha256
        ));
    }
    if d.sm3 != f.sm3 {
        wrong.push(format!("SM3 is {}, manifest says {}", d.sm3, f.sm3));
    }
    if wrong.is_empty() {
        report.pass(
            CheckId::FileDigest,
            f.path.clone(),
            Why::new(
                format!("{} bytes, SHA-256 {}, SM3 {}", size, d.sha256, d.sm3),
                msg!("msg-file-ok")
                    .arg("size", size)
                    .arg("sha256", d.sha256)
                    .arg("sm3", d.sm3),
            ),
        );
    } else {
        report.fail(
            CheckId::FileDigest,
            f.path.clone(),
            Why::new(
                format!("altered: {}", wrong.join("; ")),
                msg!("msg-file-altered")
                    .arg("sha256", d.sha256)
                    .arg("expected", f.sha256),
            ),
        );
    }
}

/// A file under `reviews/`: one of the names a review has, of a review statement that is
/// there (a request beside its token), else nothing checks it.
fn review_part_check(src: &dyn PackageSource, name: &str, report: &mut Report) {
    use webproof_evidence::review::{self, Part};
    let why = match review::classify(name) {
        None => Why::new(
            "not one of the file names a review has",
            msg!("msg-review-name"),
        ),
        Some((n, _)) if src.entry(&review::json_path(n)).is_none() => Why::new(
            "belongs to no review statement (an orphan nothing checks)",
            msg!("msg-review-orphan"),
        ),
        Some((n, Part::Request(k))) if src.entry(&review::token_path(n, k, "tsr")).is_none() => {
            Why::new(
                "a time-stamp request with no token beside it (an orphan nothing checks)",
                msg!("msg-request-orphan"),
            )
        }
        Some(_) => return,
    };
    report.fail(CheckId::FileUnlisted, name, why);
}

/// `file.unlisted`: every member of the package is listed in the manifest, or is one of
/// the files outside it that something else checks.
fn unlisted_checks(src: &dyn PackageSource, m: &Manifest, report: &mut Report) {
    for e in src.entries() {
        if layout::is_outside_manifest(&e.name) {
            let expected = e.name == layout::DATAPACKAGE
                || e.name == layout::DATAPACKAGE_DIGEST
                || e.name == layout::MANIFEST
                || m.signers.iter().any(|s| s.signature == e.name);
            if layout::is_renewal(&e.name) {
                use webproof_evidence::renewal::{self, Part};
                match renewal::classify(&e.name) {
                    None => report.fail(CheckId::FileUnlisted, e.name.clone(), Why::new("not one of the file names a renewal has", msg!("msg-renewal-name"))),
                    // Every part belongs to a renewal record that is checked…
                    Some((n, _)) if src.entry(&renewal::json_path(n)).is_none() => report.fail(CheckId::FileUnlisted, e.name.clone(), Why::new("belongs to no renewal record (an orphan nothing checks)", msg!("msg-renewal-orphan"))),
                    // …and a request to the token it asked for (checked against it).
                    Some((n, Part::Request(k)))
                        if src.entry(&renewal::token_path(n, k, "tsr")).is_none() =>
                    {
                        report.fail(CheckId::FileUnlisted, e.name.clone(), Why::new("a time-stamp request with no token beside it (an orphan nothing checks)", msg!("msg-request-orphan")))
                    }
                    Some(_) => {}
                }
            } else if layout::is_review(&e.name) {
                review_part_check(src, &e.name, report);
            } else if layout::is_refresh(&e.name) {
                // Checked as receipt.refresh (its name and number included).
            } else if !expected {
                report.fail(
                    CheckId::FileUnlisted,
                    e.name.clone(),
                    Why::new(
                        "a signature file no signer in the manifest names",
                        msg!("msg-signature-unnamed"),
                    ),
                );
            }
        } else if m.file(&e.name).is_none() {
            report.fail(
                CheckId::FileUnlisted,
                e.name.clone(),
                Why::new(
                    "in the package but not listed in the signed manifest",
                    msg!("msg-file-unlisted"),
                ),
            );
        }
    }
}
