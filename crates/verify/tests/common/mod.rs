//! Builds real packages in-process with the evidence core, for the verifier's tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use webproof_evidence::capture::{Capture, SealInput, SignerKey};
use webproof_evidence::identity::{Algorithm, IdentityDoc, Role, SecretKey};
use webproof_evidence::manifest::Case;
use webproof_evidence::package::{self, Limits};
use webproof_evidence::{Hash32, Utc};
use webproof_verify::{Policy, Report, verify_path};

pub fn identity(role: Role, alg: Algorithm, name: &str) -> (SecretKey, IdentityDoc) {
    let key = SecretKey::generate(alg).unwrap();
    let pk = key.public_key();
    let doc = IdentityDoc {
        v: 1,
        role,
        name: name.into(),
        organisation: Some("Test Org".into()),
        contact: None,
        id_ref: None,
        algorithm: alg,
        public_key: pk.to_pem().unwrap(),
        fingerprint: pk.fingerprint().unwrap(),
        created: Utc::now(),
    };
    (key, doc)
}

/// Sealing by operator `doc` alone, without a case.
pub fn seal_input<'a>(key: &'a SecretKey, doc: &'a IdentityDoc) -> SealInput<'a> {
    SealInput {
        case: Case {
            id: None,
            note: None,
        },
        tool_version: "test".into(),
        operator: SignerKey {
            key,
            identity: doc,
            certificate: None,
        },
        notary: None,
    }
}

pub struct Built {
    pub dir: PathBuf,
    pub wacz: PathBuf,
    pub operator: Hash32,
    pub notary: Option<Hash32>,
    /// The signers' keys, for tests in which a signer turns dishonest after sealing.
    pub keys: Vec<(Role, SecretKey)>,
}

impl Built {
    pub fn policy(&self) -> Policy {
        Policy {
            trusted_operators: vec![self.operator],
            trusted_notaries: self.notary.into_iter().collect(),
            ..Policy::default()
        }
    }
}

/// A sealed package with three files (one of 3 MB), a note, and optionally a notary.
pub fn build(root: &Path, alg: Algorithm, with_notary: bool) -> Built {
    let src = root.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("contract.txt"), b"contract text\n").unwrap();
    std::fs::write(
        src.join("mail.eml"),
        b"From: a@example.invalid\r\n\r\nhello\r\n",
    )
    .unwrap();
    let big: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(src.join("photo.jpg"), &big).unwrap();

    let dir = root.join("pkg");
    let mut cap = Capture::create(&dir).unwrap();
    for f in ["contract.txt", "mail.eml", "photo.jpg"] {
        cap.add_file(&src.join(f)).unwrap();
    }
    cap.add_note("captured for the test").unwrap();
    let (ok, od) = identity(Role::Operator, alg, "Test Operator");
    let notary = with_notary.then(|| identity(Role::Notary, Algorithm::Ed25519, "Test Notary"));
    let input = SealInput {
        case: Case {
            id: Some("CASE-T".into()),
            note: None,
        },
        tool_version: "test".into(),
        operator: SignerKey {
            key: &ok,
            identity: &od,
            certificate: None,
        },
        notary: notary.as_ref().map(|(k, d)| SignerKey {
            key: k,
            identity: d,
            certificate: None,
        }),
    };
    cap.seal(&input).unwrap();
    let wacz = root.join("pkg.wacz");
    package::write_zip(&dir, &wacz, &Limits::default()).unwrap();
    let mut keys = vec![(Role::Operator, ok.clone())];
    keys.extend(notary.as_ref().map(|(k, _)| (Role::Notary, k.clone())));
    Built {
        dir,
        wacz,
        operator: od.fingerprint,
        notary: notary.map(|(_, d)| d.fingerprint),
        keys,
    }
}

/// What a dishonest signer can do after sealing: change the package directory `dir` (files,
/// and the manifest through `edit`), then list every file in the manifest again with its
/// digests, sign the manifest with `keys` and re-derive the WACZ datapackage files — a package
/// whose signatures and derived files are all in order. Written to `out` as a ZIP.
pub fn resign(
    dir: &Path,
    out: &Path,
    keys: &[(Role, SecretKey)],
    edit: impl FnOnce(&Path, &mut webproof_evidence::manifest::Manifest),
) {
    resign_listing(dir, out, keys, edit, |_| {});
}

/// [`resign`], with the file list changed by `lie` after it is made from the files (a
/// signer listing a file otherwise than it is).
pub fn resign_listing(
    dir: &Path,
    out: &Path,
    keys: &[(Role, SecretKey)],
    edit: impl FnOnce(&Path, &mut webproof_evidence::manifest::Manifest),
    lie: impl FnOnce(&mut Vec<webproof_evidence::manifest::FileEntry>),
) {
    use webproof_evidence::layout;
    use webproof_evidence::manifest::{FileEntry, Manifest};
    use webproof_evidence::package::{DirSource, PackageSource};
    let mut m: Manifest =
        serde_json::from_slice(&std::fs::read(dir.join(layout::MANIFEST)).unwrap()).unwrap();
    edit(dir, &mut m);
    let src = DirSource::open(dir, &Limits::default()).unwrap();
    m.files = src
        .entries()
        .iter()
        .filter(|e| !layout::is_outside_manifest(&e.name))
        .map(|e| {
            let bytes = (&src as &dyn PackageSource)
                .read_all(&e.name, u64::MAX)
                .unwrap();
            let d = webproof_evidence::digest::digest_bytes(&bytes);
            FileEntry {
                path: e.name.clone(),
                size: bytes.len() as u64,
                sha256: d.sha256,
                sm3: d.sm3,
            }
        })
        .collect();
    lie(&mut m.files);
    let bytes = webproof_evidence::canonical::to_jcs(&m).unwrap();
    std::fs::write(dir.join(layout::MANIFEST), &bytes).unwrap();
    for (role, key) in keys {
        std::fs::write(
            dir.join(layout::signature_path(*role)),
            key.sign(&bytes).unwrap(),
        )
        .unwrap();
    }
    let src = DirSource::open(dir, &Limits::default()).unwrap();
    let resources: Vec<_> = src
        .entries()
        .iter()
        .filter(|e| e.name != layout::DATAPACKAGE && e.name != layout::DATAPACKAGE_DIGEST)
        .map(|e| {
            let bytes = (&src as &dyn PackageSource)
                .read_all(&e.name, u64::MAX)
                .unwrap();
            webproof_evidence::wacz::Resource::new(
                &e.name,
                webproof_evidence::digest::sha256(&bytes),
                bytes.len() as u64,
            )
        })
        .collect();
    let dp = webproof_evidence::wacz::datapackage(&m, &resources).unwrap();
    std::fs::write(dir.join(layout::DATAPACKAGE), &dp).unwrap();
    let dd = webproof_evidence::wacz::datapackage_digest(&dp).unwrap();
    std::fs::write(dir.join(layout::DATAPACKAGE_DIGEST), dd).unwrap();
    package::write_zip(dir, out, &Limits::default()).unwrap();
}

/// Verifies, and holds every check to saying itself in the catalogue: a finding whose message
/// (or a cause of it) has no words in a language would reach that reader as a bare key.
pub fn verify(p: &Path, policy: &Policy) -> Report {
    let r = verify_path(p, policy).unwrap();
    if let Some(dir) = std::env::var_os(CORPUS) {
        keep(Path::new(&dir), p, policy);
    }
    let have = [
        webproof_i18n::Catalogue::keys(webproof_i18n::Lang::En),
        webproof_i18n::Catalogue::keys(webproof_i18n::Lang::ZhCn),
    ];
    for c in &r.checks {
        let mut m = Some(&c.message);
        while let Some(said) = m {
            for keys in &have {
                assert!(
                    keys.contains(&said.key),
                    "{} {}: {:?} says {:?}, which the catalogue does not have",
                    c.id,
                    c.subject,
                    c.detail,
                    said.key
                );
            }
            m = said.cause.as_deref();
        }
    }
    r
}

/// docs/verify-by-hand.sh (standard tools only) on a package file or directory: whether it
/// passed, and what it said.
pub fn by_hand(p: &Path) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/verify-by-hand.sh");
    let o = std::process::Command::new("bash")
        .arg(&script)
        .arg(p)
        .output()
        .expect("bash");
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

/// The failed checks, as one string per check, for assertion messages.
pub fn failures(r: &Report) -> Vec<String> {
    r.failures()
        .map(|c| format!("{} {}: {}", c.id, c.subject, c.detail))
        .collect()
}

/// Every entry of a zip, in order, with its bytes.
pub fn read_zip(p: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut a = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().into_owned(), v)
        })
        .collect()
}

/// Writes entries in webproof's container form, sorted by name, without checking the names
/// (tests write hostile ones): each header as `container` derives it.
pub fn write_zip(p: &Path, entries: &[(String, Vec<u8>)]) {
    use webproof_evidence::container::{Form, central_entry, end_records, local_header};
    let mut sorted: Vec<&(String, Vec<u8>)> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let form = Form::WEBPROOF;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, bytes) in sorted {
        let crc = crc32fast::hash(bytes);
        let at = out.len() as u64;
        out.extend_from_slice(&local_header(name, bytes.len() as u64, crc, at, &form));
        out.extend_from_slice(bytes);
        central.extend_from_slice(&central_entry(name, bytes.len() as u64, crc, at, &form));
    }
    let cd_at = out.len() as u64;
    let tail = end_records(entries.len() as u64, cd_at, central.len() as u64, &form);
    out.extend_from_slice(&central);
    out.extend_from_slice(&tail);
    std::fs::write(p, out).unwrap();
}

/// Runs `check` on every item, each on its own thread: the checks spend most of their time
/// waiting for child processes (bash, openssl, python). A panic in any fails the test.
pub fn each_in_parallel<T: Sync>(items: &[T], check: impl Fn(&T) + Sync) {
    let check = &check;
    std::thread::scope(|s| {
        let running: Vec<_> = items.iter().map(|i| s.spawn(move || check(i))).collect();
        for r in running {
            r.join().expect("a check failed (its message is above)");
        }
    });
}

/// Set to a directory, [`verify`] keeps there every package file it verifies (named by its
/// SHA-256) with what the reader trusted: the corpus the verifier page is compared with
/// `webproof verify --json` on (tests/e2e/verify_page.rs).
pub const CORPUS: &str = "WEBPROOF_PACKAGE_CORPUS";

/// Keeps package file `p` in the corpus `dir`: `H.wacz`, and `H.trust.json` with the trust
/// the page and the CLI are given — the operator and notary fingerprints, and a trust bundle
/// (docs/trust-bundle.md) when the policy trusts logs, operator CAs or TSAs. A policy neither
/// can be given (revocations, other limits) keeps nothing.
fn keep(dir: &Path, p: &Path, policy: &Policy) {
    use x509_cert::der::EncodePem;
    let d = Limits::default();
    let l = &policy.limits;
    let same_limits = (l.max_entries, l.max_total_size, l.max_entry_size)
        == (d.max_entries, d.max_total_size, d.max_entry_size)
        && (l.max_json, l.max_journal) == (d.max_json, d.max_journal);
    if !p.is_file() || !policy.revoked.is_empty() || !same_limits {
        return;
    }
    let bytes = std::fs::read(p).unwrap();
    let pem = |c: &x509_cert::Certificate| c.to_pem(x509_cert::der::pem::LineEnding::LF).unwrap();
    let t = &policy.log;
    let bundle = (!t.logs.is_empty()
        || !t.witnesses.is_empty()
        || !policy.operator_cas.is_empty()
        || !policy.trusted_tsa.is_empty())
    .then(|| webproof_verify::bundle::TrustBundle {
        format: webproof_verify::bundle::FORMAT.into(),
        v: webproof_verify::bundle::VERSION,
        alliance: "the verifier's tests".into(),
        development: true,
        logs: t.logs.iter().map(|k| k.vkey()).collect(),
        witnesses: t.witnesses.iter().map(|k| k.vkey()).collect(),
        quorum: t.quorum,
        operator_cas: policy.operator_cas.iter().map(pem).collect(),
        tsa_roots: policy.trusted_tsa.iter().map(pem).collect(),
    });
    // A policy a bundle cannot carry (a key the bundle format refuses) is not kept either.
    if let Some(b) = &bundle
        && webproof_verify::bundle::read(&serde_json::to_vec(b).unwrap()).is_err()
    {
        return;
    }
    let fprs =
        |v: &[webproof_evidence::Hash32]| v.iter().map(|f| f.to_string()).collect::<Vec<_>>();
    let trust = serde_json::json!({
        "operators": fprs(&policy.trusted_operators),
        "notaries": fprs(&policy.trusted_notaries),
        "bundle": bundle,
        "test": std::thread::current().name().unwrap_or("").to_owned(),
    });
    let name = webproof_evidence::digest::sha256(&bytes).to_string();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(format!("{name}.wacz")), &bytes).unwrap();
    std::fs::write(
        dir.join(format!("{name}.trust.json")),
        serde_json::to_vec_pretty(&trust).unwrap(),
    )
    .unwrap();
}
