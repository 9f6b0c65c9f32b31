//! Signatures and identities: each signer's key, signature over the manifest, certificate
//! (judged at trusted time), role and subject, and whether the notary is someone else
//! (`signature.*`, `identity.*`).

use webproof_evidence::digest::Hash32;
use webproof_evidence::identity::{IdentityDoc, PublicKey, Role};
use webproof_evidence::layout;
use webproof_evidence::manifest::{Manifest, Signer};
use webproof_evidence::package::PackageSource;
use webproof_message::{key, msg};

use crate::explain::{self, Why};
use crate::{CheckId, Message, Policy, Report, StepTime, Verdict};

pub(crate) fn signature_checks(
    src: &dyn PackageSource,
    m: &Manifest,
    manifest_bytes: &[u8],
    policy: &Policy,
    report: &mut Report,
    at: &TrustedAt,
) {
    if !m.signers.iter().any(|s| s.role == Role::Operator) {
        report.fail(
            CheckId::SignatureOperator,
            layout::MANIFEST,
            Why::new(
                "the manifest names no operator signature",
                msg!("msg-no-operator-signature"),
            ),
        );
    }
    let mut seen = Vec::new();
    for s in &m.signers {
        if seen.contains(&s.role) {
            report.fail(
                ids(s.role).0,
                layout::MANIFEST,
                Why::new("the same role signs twice", msg!("msg-role-twice")),
            );
            continue;
        }
        seen.push(s.role);
        signer_checks(src, s, manifest_bytes, policy, report, at);
    }
    distinct_check(m, report);
}

/// The signature and identity checks of a role.
fn ids(role: Role) -> (CheckId, CheckId) {
    match role {
        Role::Operator => (CheckId::SignatureOperator, CheckId::IdentityOperator),
        Role::Notary => (CheckId::SignatureNotary, CheckId::IdentityNotary),
    }
}

/// One signer: its files, its signature over the manifest, then who it is.
fn signer_checks(
    src: &dyn PackageSource,
    s: &Signer,
    manifest_bytes: &[u8],
    policy: &Policy,
    report: &mut Report,
    at: &TrustedAt,
) {
    let (sig_id, id_id) = ids(s.role);
    if s.identity != layout::identity_path(s.role)
        || s.public_key != layout::public_key_path(s.role)
        || s.signature != layout::signature_path(s.role)
    {
        report.fail(
            sig_id,
            layout::MANIFEST,
            Why::new(
                "signer files are not at their standard paths",
                msg!("msg-signer-paths"),
            ),
        );
        return;
    }
    let (doc, key, fp) = match signer_key(src, s, policy) {
        Ok(k) => k,
        Err((path, why)) => {
            report.fail(id_id, path, why);
            return;
        }
    };
    let sig = match src.read_all(&s.signature, 64 * 1024) {
        Ok(b) => b,
        Err(e) => {
            report.fail(sig_id, s.signature.clone(), Why::of(&e));
            return;
        }
    };
    match key.verify(manifest_bytes, &sig) {
        Ok(()) => report.pass(
            sig_id,
            s.signature.clone(),
            Why::new(
                format!(
                    "{} signature by {} ({}) over {} verifies",
                    s.algorithm.as_str(),
                    doc.name,
                    fp,
                    layout::MANIFEST
                ),
                msg!("msg-signature-ok")
                    .arg("alg", s.algorithm.as_str())
                    .arg("name", &doc.name)
                    .arg("fingerprint", fp),
            ),
        ),
        Err(e) => {
            report.fail(
                sig_id,
                s.signature.clone(),
                Why::new(
                    format!("{e}: {} or {} was altered", s.signature, layout::MANIFEST),
                    msg!("msg-signature-bad").arg("file", &s.signature),
                ),
            );
            return;
        }
    }
    let who = Who {
        id: id_id,
        signer: s,
        certificate: layout::certificate_path(s.role),
    };
    identity_check(src, &who, &doc, fp, policy, report, at);
}

/// A signer as the identity checks judge it: the check that says who it is, the signer's
/// entry (its role, key and files), and where its certificate would be.
pub(crate) struct Who<'a> {
    pub(crate) id: CheckId,
    pub(crate) signer: &'a Signer,
    pub(crate) certificate: String,
}

/// A signer's identity document and public key, read and held to each other and to the
/// manifest; else the file at fault and why.
pub(crate) fn signer_key(
    src: &dyn PackageSource,
    s: &Signer,
    policy: &Policy,
) -> Result<(IdentityDoc, PublicKey, Hash32), (String, Why)> {
    let doc = src
        .read_all(&s.identity, policy.limits.max_json)
        .map_err(|e| Why::of(&e))
        .and_then(|b| {
            serde_json::from_slice::<IdentityDoc>(&b).map_err(|e| {
                Why::of(&e).under(key!("msg-not-identity"), "not an identity document")
            })
        })
        .map_err(|why| (s.identity.clone(), why))?;
    let at_key = |why: Why| (s.public_key.clone(), why);
    let pem = src
        .read_all(&s.public_key, policy.limits.max_json)
        .map_err(|e| Why::of(&e))
        .and_then(|b| String::from_utf8(b).map_err(|_| explain::not_utf8()))
        .map_err(at_key)?;
    let key = PublicKey::from_pem(&pem).map_err(|e| at_key(Why::of(&e)))?;
    let fp = key.fingerprint().map_err(|e| at_key(Why::of(&e)))?;
    if pem != doc.public_key
        || fp != doc.fingerprint
        || fp != s.fingerprint
        || doc.role != s.role
        || key.algorithm() != s.algorithm
        || doc.algorithm != s.algorithm
    {
        return Err((
            s.identity.clone(),
            Why::new(
                format!(
                    "identity document, {} and manifest disagree about the {} key",
                    s.public_key,
                    s.role.as_str()
                ),
                msg!("msg-identity-disagree")
                    .arg("file", &s.public_key)
                    .arg("role", s.role.as_str()),
            ),
        ));
    }
    Ok((doc, key, fp))
}

/// Who signed: certified by a trusted CA at trusted time, a key configured as trusted, or
/// only what the package says of itself.
pub(crate) fn identity_check(
    src: &dyn PackageSource,
    who: &Who<'_>,
    doc: &IdentityDoc,
    fp: Hash32,
    policy: &Policy,
    report: &mut Report,
    at: &TrustedAt,
) {
    let s = who.signer;
    let trusted = match s.role {
        Role::Operator => &policy.trusted_operators,
        Role::Notary => &policy.trusted_notaries,
    };
    let certified = match certificate_check(src, &who.certificate, doc, policy, at) {
        Some(Ok(c)) => Some(c),
        Some(Err(why)) => {
            report.fail(who.id, who.certificate.clone(), why);
            return;
        }
        None => None,
    };
    if let Some(c) = &certified
        && !role_and_subject_checks(s.role, &who.certificate, doc, c, report)
    {
        return;
    }
    let (verdict, subject, why) = identity_verdict(who, doc, fp, trusted, certified, at);
    report.push(who.id, subject, verdict, why);
}

/// What the identity check says once the certificate (if any) names this signer in its
/// role: the verdict, the file it is about and why.
fn identity_verdict(
    who_: &Who<'_>,
    doc: &IdentityDoc,
    fp: Hash32,
    trusted: &[Hash32],
    certified: Option<Certified>,
    at: &TrustedAt,
) -> (Verdict, String, Why) {
    let s = who_.signer;
    let who = doc.who();
    match certified {
        Some(c) if at.is_trusted() => (
            Verdict::Pass,
            who_.certificate.clone(),
            Why::new(c.why.text, c.why.message),
        ),
        // The key is trusted as such (a certificate without trusted time adds a name,
        // not an identity).
        _ if trusted.contains(&fp) => (
            Verdict::Pass,
            s.identity.clone(),
            Why::new(
                format!("{who}: key {fp} is configured as trusted"),
                msg!("msg-identity-trusted")
                    .arg("who", &who)
                    .arg("fingerprint", fp),
            ),
        ),
        Some(c) => (
            Verdict::Untrusted,
            who_.certificate.clone(),
            Why::new(
                format!(
                    "{}; but at the package's claimed sealing time only: no trusted time-stamp or log promise covers the final chain head, so the identity is not verified",
                    c.why.text
                ),
                msg!("msg-certified-claimed-time").because(c.why.message),
            ),
        ),
        None => (
            Verdict::Untrusted,
            s.identity.clone(),
            untrusted_key(s.role, &who, fp, trusted),
        ),
    }
}

/// Why a key no certificate vouches for is not trusted.
fn untrusted_key(role: Role, who: &str, fp: Hash32, trusted: &[Hash32]) -> Why {
    // Keys are trusted for this role, and this is none of them: say so, and which keys were
    // expected — never suggest trusting the package's own key.
    if !trusted.is_empty() {
        let expected: Vec<String> = trusted.iter().map(|k| k.to_hex()).collect();
        let expected = expected.join(", ");
        return Why::new(
            format!(
                "{who} signed with key {fp}, which is not a key you trust for the {role}: you trust {expected}",
                role = role.as_str()
            ),
            msg!("msg-identity-other-key")
                .arg("who", who)
                .arg("fingerprint", fp)
                .arg("role", role.as_str())
                .arg("expected", expected),
        );
    }
    Why::new(
        format!(
            "{who}: self-asserted identity; key {fp} is not configured as trusted: trust it only if the {role} gave you this fingerprint by other means (--trust-{role}), or verify with the CA that certified them (--trust-operator-ca)",
            role = role.as_str()
        ),
        msg!("msg-identity-untrusted")
            .arg("who", who)
            .arg("fingerprint", fp)
            .arg("role", role.as_str()),
    )
}

/// The notary is someone else: a countersignature by the operator's own key is no
/// supervision at all.
fn distinct_check(m: &Manifest, report: &mut Report) {
    let key_of = |r: Role| {
        m.signers
            .iter()
            .find(|s| s.role == r)
            .map(|s| s.fingerprint)
    };
    if let (Some(op), Some(no)) = (key_of(Role::Operator), key_of(Role::Notary)) {
        if op == no {
            report.fail(CheckId::IdentityDistinct, layout::MANIFEST, Why::new(format!(
                    "the notary's key is the operator's own ({op}): no independent countersignature"
                ), msg!("msg-notary-is-operator").arg("fingerprint", op)));
        } else {
            report.pass(
                CheckId::IdentityDistinct,
                layout::MANIFEST,
                Why::new(
                    "the operator and the notary sign with different keys",
                    msg!("msg-distinct-ok"),
                ),
            );
        }
    }
}

/// When the signers' certificates are judged: the earliest trusted token over the final chain
/// head, else the trusted log's promise for it, else only the package's own claim.
pub(crate) fn trusted_at(m: &Manifest, time: &[StepTime], promised: Option<u64>) -> TrustedAt {
    let last = m.heads.len().saturating_sub(1) as u64;
    if let Some(t) = time.iter().find(|t| t.seq == last)
        && let (Some(unix), Some(tsa)) = (t.not_after_unix, &t.tsa)
    {
        return TrustedAt::Token {
            unix,
            tsa: tsa.clone(),
        };
    }
    if let Some(p) = promised {
        return TrustedAt::Promise {
            unix: i64::try_from(p).unwrap_or(i64::MAX),
        };
    }
    TrustedAt::Claimed {
        unix: m.sealed.as_offset().unix_timestamp(),
    }
}

/// The time at which signers' certificates are judged.
#[derive(Clone, Debug)]
pub(crate) enum TrustedAt {
    /// The earliest trusted RFC 3161 token over the final chain head.
    Token { unix: i64, tsa: String },
    /// The trusted log's signed promise for the final chain head.
    Promise { unix: i64 },
    /// Only the package's own claim (the capture machine's clock at sealing).
    Claimed { unix: i64 },
}

impl TrustedAt {
    fn unix(&self) -> i64 {
        match self {
            TrustedAt::Token { unix, .. }
            | TrustedAt::Promise { unix, .. }
            | TrustedAt::Claimed { unix } => *unix,
        }
    }

    fn is_trusted(&self) -> bool {
        !matches!(self, TrustedAt::Claimed { .. })
    }

    fn describe(&self) -> String {
        match self {
            TrustedAt::Token { tsa, .. } => format!("at the trusted time {tsa} stamped"),
            TrustedAt::Promise { .. } => {
                "at the time the trusted evidence log promised the final chain head".into()
            }
            TrustedAt::Claimed { .. } => "at the claimed sealing time".into(),
        }
    }
}

/// A certificate a configured CA issued for exactly this key, valid at the time judged.
struct Certified {
    why: Why,
    subject: webproof_timestamp::ca::Subject,
    role: Option<Result<webproof_timestamp::ca::CertRole, webproof_timestamp::ca::CertError>>,
}

/// `identity.role` and `identity.subject` for a signer with a certificate; false when either
/// fails (then the certificate identifies nobody).
fn role_and_subject_checks(
    role: Role,
    path: &str,
    doc: &IdentityDoc,
    c: &Certified,
    report: &mut Report,
) -> bool {
    let mut all = true;
    for (id, outcome) in [
        (CheckId::IdentityRole, role_check(role, c)),
        (CheckId::IdentitySubject, subject_check(doc, c)),
    ] {
        match outcome {
            Ok(why) => report.pass(id, path, why),
            Err(why) => {
                report.fail(id, path, why);
                all = false;
            }
        }
    }
    all
}

/// Whether the certificate is for the role the signature is presented for.
fn role_check(role: Role, c: &Certified) -> Result<Why, Why> {
    use webproof_timestamp::ca::CertRole;
    let want = match role {
        Role::Operator => CertRole::Operator,
        Role::Notary => CertRole::Notary,
    };
    match &c.role {
        Some(Ok(r)) if *r == want => Ok(Why::new(
            format!(
                "certified for the {} role (policy {})",
                role.as_str(),
                want.policy_oid()
            ),
            msg!("msg-role-ok").arg("role", role.as_str()),
        )),
        None if role == Role::Operator => Ok(Why::new(
            "certified before certificates named roles: an operator's certificate",
            msg!("msg-role-legacy"),
        )),
        Some(Ok(r)) => {
            let r = match r {
                CertRole::Operator => "operator",
                CertRole::Notary => "notary",
            };
            Err(Why::new(
                format!(
                    "the certificate is for the {r} role, but it is presented for the {}'s signature",
                    role.as_str()
                ),
                msg!("msg-role-other")
                    .arg("certified", r)
                    .arg("role", role.as_str()),
            ))
        }
        None => Err(Why::new(
            "the certificate names no role, so it is an operator's, but it is presented for the notary's signature",
            msg!("msg-role-none-notary"),
        )),
        Some(Err(e)) => Err(Why::new(
            format!("the certificate names no webproof role: {e}"),
            msg!("msg-role-unknown"),
        )),
    }
}

/// Whether the identity document and the certificate name the same person.
fn subject_check(doc: &IdentityDoc, c: &Certified) -> Result<Why, Why> {
    let named = |n: &str, o: &Option<String>| match o {
        Some(o) => format!("{n:?} ({o:?})"),
        None => format!("{n:?}"),
    };
    let d = named(&doc.name, &doc.organisation);
    if doc.name == c.subject.name && doc.organisation == c.subject.organisation {
        return Ok(Why::new(
            format!("the identity document and the certificate both name {d}"),
            msg!("msg-subject-ok").arg("who", d),
        ));
    }
    let cs = named(&c.subject.name, &c.subject.organisation);
    Err(Why::new(
        format!("the identity document names {d}, the certificate {cs}"),
        msg!("msg-subject-differ")
            .arg("document", d)
            .arg("certificate", cs),
    ))
}

/// The signer's certificate, if the package carries one: `Some(Ok(..))` when a configured
/// operator CA certifies exactly this key at the time judged (`at`); `Some(Err)` when a
/// configured CA issued it but not for this key or that time; `None` when there is none, or no
/// configured CA issued it (then the key's own trust decides).
fn certificate_check(
    src: &dyn PackageSource,
    path: &str,
    doc: &IdentityDoc,
    policy: &Policy,
    at: &TrustedAt,
) -> Option<Result<Certified, Why>> {
    src.entry(path)?;
    if policy.operator_cas.is_empty() {
        return None;
    }
    let check = || -> Result<Option<Certified>, Why> {
        let bytes = src.read_all(path, 64 << 10).map_err(|e| Why::of(&e))?;
        let cert = webproof_timestamp::ca::parse_cert(&bytes).map_err(|e| Why::of(&e))?;
        let spki = webproof_evidence::identity::PublicKey::from_pem(&doc.public_key)
            .and_then(|k| k.spki_der())
            .map_err(|e| Why::of(&e))?;
        let mut why = None;
        for ca in &policy.operator_cas {
            match webproof_timestamp::ca::check_certified(&cert, ca, &spki, at.unix()) {
                Ok(sub) => {
                    return Ok(Some(certified(&cert, ca, sub, doc, at)));
                }
                // Another CA's: it identifies nobody to this verifier.
                Err(
                    webproof_timestamp::ca::CertError::OtherIssuer
                    | webproof_timestamp::ca::CertError::NotSignedByCa(_),
                ) => {}
                // A configured CA issued it, but not for this key or time: a false claim.
                Err(e) => why = Some(e),
            }
        }
        match why {
            Some(e) => Err(Why::of(&e).under(
                key!("msg-certificate-false"),
                "the certificate of a configured operator CA does not hold",
            )),
            None => Ok(None),
        }
    };
    check().transpose()
}

/// What a certificate of a configured CA says of the signer it certifies.
fn certified(
    cert: &x509_cert::Certificate,
    ca: &x509_cert::Certificate,
    sub: webproof_timestamp::ca::Subject,
    doc: &IdentityDoc,
    at: &TrustedAt,
) -> Certified {
    let who = format!(
        "{}{}",
        sub.name,
        sub.organisation
            .as_ref()
            .map(|o| format!(" ({o})"))
            .unwrap_or_default()
    );
    let issuer = ca.tbs_certificate().subject().to_string();
    let text = format!(
        "{who}, tenant {}: key {} certified by {issuer} (valid {}){}",
        sub.tenant,
        doc.fingerprint,
        at.describe(),
        sub.id_ref
            .as_ref()
            .map(|r| format!("; ID reference {r}"))
            .unwrap_or_default()
    );
    let key = match at {
        TrustedAt::Token { .. } => key!("msg-certified"),
        TrustedAt::Promise { .. } => key!("msg-certified-promise"),
        TrustedAt::Claimed { .. } => key!("msg-certified-claimed"),
    };
    let mut message = Message::new(key)
        .arg("who", who)
        .arg("tenant", &sub.tenant)
        .arg("fingerprint", doc.fingerprint)
        .arg("issuer", issuer);
    if let TrustedAt::Token { tsa, .. } = at {
        message = message.arg("tsa", tsa);
    }
    Certified {
        why: Why::new(text, message),
        role: webproof_timestamp::ca::CertRole::of(cert),
        subject: sub,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webproof_timestamp::ca::CertRole;

    fn certified(role: Option<CertRole>) -> Certified {
        Certified {
            why: Why::new("issued", msg!("msg-role-ok")),
            subject: webproof_timestamp::ca::Subject {
                name: "Test Signer".into(),
                organisation: None,
                tenant: "tenant".into(),
                id_ref: None,
            },
            role: role.map(Ok),
        }
    }

    fn key_of(r: Result<Why, Why>) -> (bool, String) {
        match r {
            Ok(w) => (true, w.message.key.to_string()),
            Err(w) => (false, w.message.key.to_string()),
        }
    }

    #[test]
    fn a_certificate_naming_no_role_is_an_operators_and_only_that() {
        // Certified before certificates named roles: good for an operator, not for a notary.
        let legacy = certified(None);
        assert_eq!(
            key_of(role_check(Role::Operator, &legacy)),
            (true, "msg-role-legacy".into())
        );
        assert_eq!(
            key_of(role_check(Role::Notary, &legacy)),
            (false, "msg-role-none-notary".into())
        );
        // Naming its role: that role only.
        let notary = certified(Some(CertRole::Notary));
        assert!(key_of(role_check(Role::Notary, &notary)).0);
        assert_eq!(
            key_of(role_check(Role::Operator, &notary)),
            (false, "msg-role-other".into())
        );
    }
}
