//! The two WACZ files derived from the manifest and the files, byte for byte (`wacz.*`).

use std::collections::{BTreeMap, HashMap};

use webproof_evidence::layout;
use webproof_evidence::manifest::Manifest;
use webproof_evidence::package::PackageSource;
use webproof_evidence::wacz;
use webproof_message::msg;

use crate::explain::Why;
use crate::files::HashResult;
use crate::{CheckId, Report};

pub(crate) fn wacz_checks(
    src: &dyn PackageSource,
    m: Option<&Manifest>,
    hashes: &HashMap<String, HashResult>,
    report: &mut Report,
) {
    // datapackage.json: re-derived from the manifest and the files, byte for byte.
    let dp = src.read_all(layout::DATAPACKAGE, 64 << 20);
    match (&dp, m) {
        (Err(e), _) => report.fail(CheckId::WaczDatapackage, layout::DATAPACKAGE, Why::of(e)),
        (Ok(_), None) => report.fail(
            CheckId::WaczDatapackage,
            layout::DATAPACKAGE,
            Why::new(
                "cannot be checked without a valid manifest",
                msg!("msg-needs-manifest"),
            ),
        ),
        (Ok(bytes), Some(m)) => {
            let mut resources = Vec::new();
            let mut unreadable = None;
            let files: BTreeMap<&str, u64> = src
                .entries()
                .iter()
                .map(|e| (e.name.as_str(), e.size))
                .collect();
            for (name, size) in files {
                if name == layout::DATAPACKAGE || name == layout::DATAPACKAGE_DIGEST {
                    continue;
                }
                match hashes.get(name) {
                    Some(Ok((d, _))) => resources.push(wacz::Resource::new(name, d.sha256, size)),
                    _ => unreadable = Some(name.to_owned()),
                }
            }
            match (unreadable, wacz::datapackage(m, &resources)) {
                (Some(n), _) => report.fail(CheckId::WaczDatapackage, layout::DATAPACKAGE, Why::new(format!("cannot be checked: {n} is unreadable"), msg!("msg-unreadable-file").arg("file", n))),
                (None, Err(e)) => report.fail(CheckId::WaczDatapackage, layout::DATAPACKAGE, Why::of(&e)),
                (None, Ok(expected)) if &expected == bytes => {
                    report.pass(CheckId::WaczDatapackage, layout::DATAPACKAGE, Why::new(format!("lists all {} files with their SHA-256 and size (WACZ {})", resources.len(), wacz::WACZ_VERSION), msg!("msg-datapackage-ok").arg("count", resources.len())));
                }
                (None, Ok(_)) => report.fail(CheckId::WaczDatapackage, layout::DATAPACKAGE, Why::new("differs from the datapackage derived from the manifest and the files (altered, or a file's hash or size changed)", msg!("msg-datapackage-differs"))),
            }
        }
    }
    match (src.read_all(layout::DATAPACKAGE_DIGEST, 1 << 20), dp) {
        (Err(e), _) => report.fail(CheckId::WaczDigest, layout::DATAPACKAGE_DIGEST, Why::of(&e)),
        (Ok(_), Err(_)) => report.fail(
            CheckId::WaczDigest,
            layout::DATAPACKAGE_DIGEST,
            Why::new(
                "datapackage.json is unreadable",
                msg!("msg-datapackage-unreadable"),
            ),
        ),
        (Ok(got), Ok(dp)) => match wacz::datapackage_digest(&dp) {
            Ok(expected) if expected == got => {
                let d = webproof_evidence::digest::sha256(&dp);
                report.pass(
                    CheckId::WaczDigest,
                    layout::DATAPACKAGE_DIGEST,
                    Why::new(
                        format!("SHA-256 of datapackage.json is {d}"),
                        msg!("msg-wacz-digest-ok").arg("sha256", d),
                    ),
                );
            }
            _ => report.fail(
                CheckId::WaczDigest,
                layout::DATAPACKAGE_DIGEST,
                Why::new(
                    "does not state the SHA-256 of datapackage.json in the expected form",
                    msg!("msg-wacz-digest-bad"),
                ),
            ),
        },
    }
}
