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
    let dp = src.read_all(layout::DATAPACKAGE, 64 << 20);
    let outcome = match (&dp, m) {
        (Err(e), _) => Err(Why::of(e)),
        (Ok(_), None) => Err(Why::new(
            "cannot be checked without a valid manifest",
            msg!("msg-needs-manifest"),
        )),
        (Ok(bytes), Some(m)) => datapackage_check(src, m, hashes, bytes),
    };
    match outcome {
        Ok(why) => report.pass(CheckId::WaczDatapackage, layout::DATAPACKAGE, why),
        Err(why) => report.fail(CheckId::WaczDatapackage, layout::DATAPACKAGE, why),
    }
    match digest_check(src, dp) {
        Ok(why) => report.pass(CheckId::WaczDigest, layout::DATAPACKAGE_DIGEST, why),
        Err(why) => report.fail(CheckId::WaczDigest, layout::DATAPACKAGE_DIGEST, why),
    }
}

/// `wacz.datapackage`: datapackage.json is the one derived from the manifest and the files,
/// byte for byte.
fn datapackage_check(
    src: &dyn PackageSource,
    m: &Manifest,
    hashes: &HashMap<String, HashResult>,
    bytes: &[u8],
) -> Result<Why, Why> {
    let mut resources = Vec::new();
    let files: BTreeMap<&str, u64> = src
        .entries()
        .iter()
        .map(|e| (e.name.as_str(), e.size))
        .collect();
    let mut unreadable = None;
    for (name, size) in files {
        if name == layout::DATAPACKAGE || name == layout::DATAPACKAGE_DIGEST {
            continue;
        }
        match hashes.get(name) {
            Some(Ok((d, _))) => resources.push(wacz::Resource::new(name, d.sha256, size)),
            _ => unreadable = Some(name.to_owned()),
        }
    }
    if let Some(n) = unreadable {
        return Err(Why::new(
            format!("cannot be checked: {n} is unreadable"),
            msg!("msg-unreadable-file").arg("file", n),
        ));
    }
    let expected = wacz::datapackage(m, &resources).map_err(|e| Why::of(&e))?;
    if expected != bytes {
        return Err(Why::new(
            "differs from the datapackage derived from the manifest and the files (altered, or a file's hash or size changed)",
            msg!("msg-datapackage-differs"),
        ));
    }
    Ok(Why::new(
        format!(
            "lists all {} files with their SHA-256 and size (WACZ {})",
            resources.len(),
            wacz::WACZ_VERSION
        ),
        msg!("msg-datapackage-ok").arg("count", resources.len()),
    ))
}

/// `wacz.digest`: datapackage-digest.json states the SHA-256 of datapackage.json.
fn digest_check<E>(src: &dyn PackageSource, dp: Result<Vec<u8>, E>) -> Result<Why, Why> {
    let got = src
        .read_all(layout::DATAPACKAGE_DIGEST, 1 << 20)
        .map_err(|e| Why::of(&e))?;
    let dp = dp.map_err(|_| {
        Why::new(
            "datapackage.json is unreadable",
            msg!("msg-datapackage-unreadable"),
        )
    })?;
    match wacz::datapackage_digest(&dp) {
        Ok(expected) if expected == got => {
            let d = webproof_evidence::digest::sha256(&dp);
            Ok(Why::new(
                format!("SHA-256 of datapackage.json is {d}"),
                msg!("msg-wacz-digest-ok").arg("sha256", d),
            ))
        }
        _ => Err(Why::new(
            "does not state the SHA-256 of datapackage.json in the expected form",
            msg!("msg-wacz-digest-bad"),
        )),
    }
}
