//! Where everything lives inside a package (and inside an unfinished capture directory, which
//! has the same layout). Written once, here; see docs/evidence-package.md.
//!
//! Every path is exactly two components deep (`folder/name`) because the WACZ validator
//! identifies files by their last two path components.

use crate::identity::Role;

pub const DATAPACKAGE: &str = "datapackage.json";
pub const DATAPACKAGE_DIGEST: &str = "datapackage-digest.json";
pub const MANIFEST: &str = "evidence/manifest.json";
pub const JOURNAL: &str = "evidence/journal.jsonl";
pub const WARC: &str = "archive/data.warc";
/// The WARC's own file name, as its index lines and its warcinfo record name it.
pub const WARC_NAME: &str = "data.warc";
pub const CDX: &str = "indexes/index.cdx";
pub const PAGES: &str = "pages/pages.jsonl";
/// Folder of step artifacts: `artifacts/<seq, 6 digits>-<safe name>`.
pub const ARTIFACTS_DIR: &str = "artifacts";

/// Screen-recording segments: `video/segment-NNNNNN.mp4`.
pub const VIDEO_DIR: &str = "video";
/// The subtitle track of the step timeline for the screen recording (WebVTT).
pub const SUBTITLES: &str = "video/steps.vtt";

/// RFC 3161 time-stamps of chain heads: `timestamps/<seq>-<k>-<tsa>.tsr` (the TSA's response)
/// and `.tsq` (the request, for its nonce), where `<seq>` is the step whose record digest was
/// stamped (the chain head after it) and `<k>` numbers the TSAs.
pub const TIMESTAMPS_DIR: &str = "timestamps";

/// The path of a time-stamp file (`ext` is `tsr` or `tsq`).
pub fn timestamp_path(seq: u64, k: usize, tsa: &str, ext: &str) -> String {
    let label: String = tsa
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    format!("{TIMESTAMPS_DIR}/{seq:06}-{k}-{label}.{ext}")
}

/// The step a time-stamp file stamps, from its name.
pub fn timestamp_seq(path: &str) -> Option<u64> {
    let name = path.strip_prefix("timestamps/")?;
    name.split('-').next()?.parse().ok()
}

/// Evidence-log receipts: `receipts/<seq>-<k>.json` for the deposit of the chain head after
/// step `<seq>` in log `<k>` (listed in the manifest), and `receipts/refresh-NNN.json`, newer
/// checkpoints added after sealing (outside the manifest, like renewals).
pub const RECEIPTS_DIR: &str = "receipts";

pub fn receipt_path(seq: u64, k: usize) -> String {
    format!("{RECEIPTS_DIR}/{seq:06}-{k}.json")
}

/// The step a receipt file is for, from its name (`None` for refreshes and other names).
pub fn receipt_seq(path: &str) -> Option<u64> {
    let name = path.strip_prefix("receipts/")?.strip_suffix(".json")?;
    let (seq, k) = name.split_once('-')?;
    k.parse::<usize>().ok()?;
    seq.parse().ok()
}

pub fn refresh_path(n: u32) -> String {
    format!("{RECEIPTS_DIR}/refresh-{n:03}.json")
}

/// Renewals added after sealing (outside the manifest, §6b): `renewals/NNN.json` and its
/// tokens, requests and certificates.
pub const RENEWALS_DIR: &str = "renewals";

/// The capture report sealed inside the package (§6d).
pub const REPORT_DIR: &str = "report";
pub const REPORT_HTML: &str = "report/report.html";
pub const REPORT_PDF: &str = "report/report.pdf";

/// A time-stamp token (`timestamps/….tsr`), as opposed to its request.
pub fn is_token(path: &str) -> bool {
    path.starts_with("timestamps/") && path.ends_with(".tsr")
}

/// Any evidence-log receipt file: a deposit's receipt or a refresh.
pub fn is_receipt_file(path: &str) -> bool {
    path.starts_with("receipts/")
}

/// A newer checkpoint added after sealing (`receipts/refresh-NNN.json`).
pub fn is_refresh(path: &str) -> bool {
    path.starts_with("receipts/refresh-")
}

/// Any file of a renewal (`renewals/…`).
pub fn is_renewal(path: &str) -> bool {
    path.starts_with("renewals/")
}

/// Any file of a countersignature after review (`reviews/…`).
pub fn is_review(path: &str) -> bool {
    path.starts_with("reviews/")
}

/// Files that may be added after a renewal and so are not what it must cover (it lists those
/// that came before it): receipt refreshes and reviews.
pub fn is_added_later(path: &str) -> bool {
    is_refresh(path) || is_review(path)
}

/// A screen-recording file (`video/…`) with extension `ext` (`mp4`, `vtt`).
pub fn is_video(path: &str, ext: &str) -> bool {
    path.starts_with("video/") && path.rsplit_once('.').is_some_and(|(_, e)| e == ext)
}

/// A file of the capture report (`report/…`).
pub fn is_report(path: &str) -> bool {
    path.starts_with("report/")
}

/// Reserved for later capabilities: screen-recording segments and subtitles, RFC 3161 tokens,
/// evidence-log receipts, the human-readable report.
pub const RESERVED_DIRS: &[&str] = &[VIDEO_DIR, TIMESTAMPS_DIR, RECEIPTS_DIR, REPORT_DIR];

pub fn identity_path(role: Role) -> String {
    format!("identity/{}.json", role.as_str())
}

pub fn public_key_path(role: Role) -> String {
    format!("identity/{}.pub.pem", role.as_str())
}

/// The signer's certificate from an evidence log's operator CA, when enrolled.
pub fn certificate_path(role: Role) -> String {
    format!("identity/{}.cert.pem", role.as_str())
}

pub fn signature_path(role: Role) -> String {
    format!("signatures/{}.sig", role.as_str())
}

/// Files that the manifest cannot list (they are derived from it, or sign it).
pub fn is_outside_manifest(path: &str) -> bool {
    path == DATAPACKAGE
        || path == DATAPACKAGE_DIGEST
        || path == MANIFEST
        || (path.starts_with("signatures/") && path.ends_with(".sig"))
        || is_renewal(path)
        || is_refresh(path)
        || is_review(path)
}

/// Files the manifest lists that are not named by a step: the journal itself, and the
/// time-stamps and receipts over its chain heads (each proves something about a head, checked
/// against it, so none can be named inside the chain it covers). Every other listed file is a
/// step's artifact — the seal step names what no earlier step did (identities, the report, the
/// WACZ files of a file seal) — so the final tokens and receipts cover its bytes.
pub fn is_proof_of_chain(path: &str) -> bool {
    path == JOURNAL
        || path.starts_with("timestamps/")
        || (is_receipt_file(path) && !is_refresh(path))
}

/// The media type the seal step gives a file it names, by the file's name.
pub fn media_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("json") => "application/json",
        Some("jsonl") => "application/x-ndjson",
        Some("pem") => "application/x-pem-file",
        Some("html") => "text/html",
        Some("pdf") => "application/pdf",
        Some("warc") => "application/warc",
        Some("cdx") => "application/cdxj",
        Some("vtt") => "text/vtt",
        Some("mp4") => "video/mp4",
        Some("png") => "image/png",
        Some("txt") => "text/plain",
        _ => "application/octet-stream",
    }
}

/// Longest safe-name part of an artifact file name.
const MAX_NAME: usize = 96;

/// The package path for an artifact of step `seq` whose original name was `original`.
/// Names are reduced to `[a-z0-9._-]` (the WACZ datapackage's resource-name alphabet); the
/// original name is kept in the step's parameters.
pub fn artifact_path(seq: u64, original: &str) -> String {
    let mut safe: String = original
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    while safe.starts_with('.') {
        safe.remove(0);
    }
    if safe.len() > MAX_NAME {
        // Keep the extension, which tells a reader what the file is.
        let ext = safe
            .rfind('.')
            .filter(|&i| safe.len() - i <= 16)
            .map(|i| safe[i..].to_owned())
            .unwrap_or_default();
        safe.truncate(MAX_NAME - ext.len());
        safe.push_str(&ext);
    }
    if safe.is_empty() {
        safe.push_str("file");
    }
    format!("{ARTIFACTS_DIR}/{seq:06}-{safe}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_names_say_their_step() {
        assert_eq!(receipt_path(12, 1), "receipts/000012-1.json");
        assert_eq!(receipt_seq("receipts/000012-1.json"), Some(12));
        assert_eq!(receipt_seq(&refresh_path(1)), None);
        assert!(is_outside_manifest(&refresh_path(1)));
        assert!(!is_outside_manifest(&receipt_path(12, 1)));
    }

    #[test]
    fn artifact_names_are_safe_and_stable() {
        assert_eq!(
            artifact_path(1, "Contract.PDF"),
            "artifacts/000001-contract.pdf"
        );
        assert_eq!(
            artifact_path(2, "../../etc/passwd"),
            "artifacts/000002-_.._etc_passwd"
        );
        assert_eq!(artifact_path(3, "合同.pdf"), "artifacts/000003-__.pdf");
        // Hyphens, underscores and dots inside the name are kept as they are.
        assert_eq!(
            artifact_path(6, "Invoice-2026_v2.final.PNG"),
            "artifacts/000006-invoice-2026_v2.final.png"
        );
        assert_eq!(artifact_path(4, ""), "artifacts/000004-file");
        let long = format!("{}.jpeg", "x".repeat(300));
        let p = artifact_path(5, &long);
        assert!(p.ends_with(".jpeg") && p.len() == "artifacts/000005-".len() + MAX_NAME);
    }

    #[test]
    fn members_are_classified_by_their_paths() {
        let token = timestamp_path(4, 1, "tsa.example:3180", "tsr");
        assert!(is_token(&token) && !is_token(&timestamp_path(4, 1, "t", "tsq")));
        assert!(!is_token("renewals/001-1.tsr"));
        let receipt = receipt_path(9, 1);
        assert!(is_receipt_file(&receipt) && !is_refresh(&receipt));
        assert!(is_receipt_file(&refresh_path(2)) && is_refresh(&refresh_path(2)));
        assert!(is_proof_of_chain(&receipt) && !is_proof_of_chain(&refresh_path(2)));
        assert!(is_renewal("renewals/001.json") && !is_renewal("receipts/renewals.json"));
        assert!(is_outside_manifest("renewals/001-1.tsr") && is_outside_manifest(&refresh_path(1)));
        assert!(is_video("video/segment-000001.mp4", "mp4"));
        assert!(
            !is_video("video/segment-000001.mp4", "vtt") && !is_video("artifacts/x.mp4", "mp4")
        );
        assert!(is_report(REPORT_HTML) && is_report(REPORT_PDF) && !is_report(MANIFEST));
        assert!(REPORT_HTML.starts_with(REPORT_DIR) && RESERVED_DIRS.contains(&REPORT_DIR));
    }

    /// Every path and class of docs/evidence-package.md §1, spelled out.
    #[test]
    fn the_layout_is_the_documented_one() {
        assert_eq!(
            timestamp_path(7, 2, "TSA.Example:3180/x y", "tsq"),
            "timestamps/000007-2-tsa_example_3180_x_y.tsq"
        );
        assert_eq!(
            timestamp_path(1, 1, &"a".repeat(60), "tsr").len(),
            "timestamps/000001-1-.tsr".len() + 48
        );
        assert_eq!(timestamp_seq("timestamps/000012-1-tsa.tsr"), Some(12));
        assert_eq!(timestamp_seq("timestamps/000003-2-a-b.tsq"), Some(3));
        assert_eq!(timestamp_seq("renewals/000012-1-tsa.tsr"), None);
        assert_eq!(timestamp_seq("timestamps/x-1-tsa.tsr"), None);
        assert!(is_review("reviews/001.json") && !is_review("report/reviews.json"));
        assert!(is_added_later("reviews/001.json") && is_added_later(&refresh_path(1)));
        assert!(!is_added_later("renewals/001.json"));
        for (role, who) in [(Role::Operator, "operator"), (Role::Notary, "notary")] {
            assert_eq!(identity_path(role), format!("identity/{who}.json"));
            assert_eq!(public_key_path(role), format!("identity/{who}.pub.pem"));
            assert_eq!(certificate_path(role), format!("identity/{who}.cert.pem"));
            assert_eq!(signature_path(role), format!("signatures/{who}.sig"));
            assert!(is_outside_manifest(&signature_path(role)));
            assert!(!is_outside_manifest(&identity_path(role)));
        }
        for p in [
            DATAPACKAGE,
            DATAPACKAGE_DIGEST,
            MANIFEST,
            "renewals/001.json",
            "reviews/001.json",
        ] {
            assert!(is_outside_manifest(p), "{p}");
        }
        for p in [JOURNAL, WARC, "signatures/operator.pem", "artifacts/x.sig"] {
            assert!(!is_outside_manifest(p), "{p}");
        }
        assert_eq!(WARC.rsplit('/').next(), Some(WARC_NAME));
        for p in [
            JOURNAL,
            "timestamps/000001-1-t.tsr",
            "timestamps/000001-1-t.tsq",
        ] {
            assert!(is_proof_of_chain(p), "{p}");
        }
        for p in [MANIFEST, WARC, "artifacts/000001-a.png", "reviews/001.json"] {
            assert!(!is_proof_of_chain(p), "{p}");
        }
        for (p, t) in [
            ("a.json", "application/json"),
            ("a.jsonl", "application/x-ndjson"),
            ("a.pem", "application/x-pem-file"),
            ("a.html", "text/html"),
            ("a.pdf", "application/pdf"),
            ("a.warc", "application/warc"),
            ("a.cdx", "application/cdxj"),
            ("a.vtt", "text/vtt"),
            ("a.mp4", "video/mp4"),
            ("a.png", "image/png"),
            ("a.txt", "text/plain"),
            ("a.bin", "application/octet-stream"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(media_type(p), t, "{p}");
        }
        // A long name keeps an extension of up to 16 bytes (dot included), not a longer one.
        let keep = format!("{}.{}", "x".repeat(200), "e".repeat(15));
        assert!(artifact_path(1, &keep).ends_with(&format!(".{}", "e".repeat(15))));
        let lose = format!("{}.{}", "x".repeat(200), "e".repeat(16));
        let p = artifact_path(1, &lose);
        assert_eq!(p.len(), "artifacts/000001-".len() + MAX_NAME);
        assert!(!p.contains('.'), "{p}");
        // Exactly MAX_NAME bytes are kept as they are; leading dots go.
        let exact = "y".repeat(MAX_NAME);
        assert_eq!(
            artifact_path(1, &exact),
            format!("artifacts/000001-{exact}")
        );
        assert_eq!(artifact_path(2, "..hidden"), "artifacts/000002-hidden");
        assert_eq!(artifact_path(3, "..."), "artifacts/000003-file");
        // The alphabet's punctuation is kept as it is; the rest becomes `_`.
        assert_eq!(artifact_path(4, "a-b_c.d e"), "artifacts/000004-a-b_c.d_e");
    }
}
