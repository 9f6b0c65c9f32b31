//! A small certification authority (ECDSA P-256 with SHA-256): the evidence log's operator CA
//! certifies an enrolled operator's key (Ed25519 or SM2) with the name, organisation, tenant
//! and salted ID reference a registrar checked. Standard X.509 v3, so `openssl verify`
//! checks it without webproof.

#[cfg(feature = "issue")]
use std::str::FromStr;

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
#[cfg(feature = "issue")]
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use webproof_message::{Explain, Message, msg};
use x509_cert::Certificate;
#[cfg(feature = "issue")]
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
#[cfg(feature = "issue")]
use x509_cert::name::Name;

#[cfg(feature = "issue")]
use crate::TspError;
#[cfg(feature = "issue")]
use crate::dev::{ext, issue, random_key};

const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const OU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
#[cfg(feature = "issue")]
const ID_CE_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
#[cfg(feature = "issue")]
const ID_CE_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const ID_CE_CERTIFICATE_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");

/// webproof's OID arc: `2.25.69257284516704912422874150880086036780`, an OID formed from a
/// UUID (ITU-T X.667, so it needs no registration). Under it, `.1` holds certificate policies:
/// `.1.1` the operator's, `.1.2` the notary's (docs/evidence-package.md §5).
pub const ARC: &str = "2.25.69257284516704912422874150880086036780";
const ARC_UUID: u128 = 69_257_284_516_704_912_422_874_150_880_086_036_780;

/// The role a certificate of the operator CA is issued for, as its certificate policy says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CertRole {
    Operator,
    Notary,
}

impl CertRole {
    /// The policy's OID in dotted form.
    pub fn policy_oid(self) -> String {
        format!("{ARC}.1.{}", self.arc())
    }

    fn arc(self) -> u8 {
        match self {
            CertRole::Operator => 1,
            CertRole::Notary => 2,
        }
    }

    /// The DER of a certificatePolicies extension value naming only this role's policy:
    /// `SEQUENCE { SEQUENCE { OBJECT IDENTIFIER } }`. Written out here because the arc's
    /// 128-bit component does not fit the `const-oid` crate's 32-bit arcs.
    pub fn policies_der(self) -> Vec<u8> {
        // 2.25 → 2 * 40 + 25 = 105; then the UUID, 1, the role, each base 128.
        let mut oid = vec![105u8];
        let mut uuid = Vec::new();
        let mut v = ARC_UUID;
        loop {
            uuid.push((v & 0x7f) as u8);
            v >>= 7;
            if v == 0 {
                break;
            }
        }
        for (i, b) in uuid.iter().rev().enumerate() {
            oid.push(if i + 1 < uuid.len() { b | 0x80 } else { *b });
        }
        oid.extend_from_slice(&[1, self.arc()]);
        let mut out = vec![
            0x30,
            (oid.len() + 4) as u8,
            0x30,
            (oid.len() + 2) as u8,
            0x06,
        ];
        out.push(oid.len() as u8);
        out.extend_from_slice(&oid);
        out
    }

    /// The role a certificate's policies name: `None` when it carries no certificatePolicies
    /// extension (certificates issued before roles, all of them operators'), `Some(Err)` when
    /// it names something else.
    pub fn of(cert: &Certificate) -> Option<Result<CertRole, CertError>> {
        let ext = cert
            .tbs_certificate()
            .extensions()?
            .iter()
            .find(|e| e.extn_id == ID_CE_CERTIFICATE_POLICIES)?;
        let v = ext.extn_value.as_bytes();
        Some(
            [CertRole::Operator, CertRole::Notary]
                .into_iter()
                .find(|r| r.policies_der() == v)
                .ok_or(CertError::NoRole),
        )
    }
}

/// Who a certificate names (its subject).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Subject {
    pub name: String,
    pub organisation: Option<String>,
    /// The tenant (e.g. the copyright agency) the operator deposits for.
    pub tenant: String,
    /// `sha256:` + hex of SHA-256(salt ‖ ID number), as the operator's identity document has it.
    pub id_ref: Option<String>,
}

/// An RFC 4514 attribute value with its special characters escaped.
#[cfg(feature = "issue")]
fn escape(v: &str) -> String {
    let mut out = String::new();
    for (i, c) in v.chars().enumerate() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && matches!(c, '#' | ' '))
        {
            out.push('\\');
        }
        out.push(c);
    }
    if out.ends_with(' ') {
        out.insert(out.len() - 1, '\\');
    }
    out
}

#[cfg(feature = "issue")]
impl Subject {
    fn to_name(&self) -> Result<Name, TspError> {
        let mut parts = vec![format!("CN={}", escape(&self.name))];
        if let Some(o) = &self.organisation {
            parts.push(format!("O={}", escape(o)));
        }
        parts.push(format!("OU={}", escape(&self.tenant)));
        if let Some(id) = &self.id_ref {
            parts.push(format!("2.5.4.5={}", escape(id)));
        }
        // RFC 4514 lists the most significant RDN last.
        parts.reverse();
        Name::from_str(&parts.join(",")).map_err(crate::issuing("certificate subject"))
    }
}

impl Subject {
    /// The subject a certificate names.
    pub fn of(cert: &Certificate) -> Result<Subject, CertError> {
        let mut s = Subject {
            name: String::new(),
            organisation: None,
            tenant: String::new(),
            id_ref: None,
        };
        for rdn in cert.tbs_certificate().subject().as_ref().iter() {
            for atv in rdn.as_ref().iter() {
                let v = atv
                    .value
                    .decode_as::<der::asn1::Utf8StringRef<'_>>()
                    .map(|v| v.as_str().to_owned())
                    .or_else(|_| {
                        atv.value
                            .decode_as::<der::asn1::PrintableStringRef<'_>>()
                            .map(|v| v.as_str().to_owned())
                    })
                    .map_err(|source| CertError::SubjectAttribute {
                        oid: atv.oid,
                        source,
                    })?;
                match atv.oid {
                    CN => s.name = v,
                    O => s.organisation = Some(v),
                    OU => s.tenant = v,
                    SERIAL_NUMBER => s.id_ref = Some(v),
                    _ => {}
                }
            }
        }
        if s.name.is_empty() || s.tenant.is_empty() {
            return Err(CertError::Unnamed);
        }
        Ok(s)
    }
}

/// The CA: its key and self-signed certificate.
#[cfg(feature = "issue")]
pub struct Ca {
    key: p256::ecdsa::SigningKey,
    pub cert: Certificate,
}

/// A CA as kept on disk (PEM texts).
#[cfg(feature = "issue")]
pub struct CaFiles {
    pub cert_pem: String,
    /// PKCS#8; the caller keeps it private (mode 0600).
    pub key_pem: String,
}

#[cfg(feature = "issue")]
impl Ca {
    /// A new CA named `cn`, valid from `now` (Unix seconds) for ten years.
    pub fn generate(cn: &str, now: i64) -> Result<Ca, TspError> {
        let key = random_key()?;
        let name = Name::from_str(&format!("CN={}", escape(cn)))
            .map_err(crate::issuing("the CA's name"))?;
        let spki = p256::pkcs8::EncodePublicKey::to_public_key_der(key.verifying_key())
            .map_err(crate::issuing("the CA's public key"))?;
        let ca = BasicConstraints {
            ca: true,
            path_len_constraint: Some(0),
        };
        let usage = KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign);
        let cert = issue(
            &key,
            &name,
            &name,
            spki.as_bytes(),
            now - 3600,
            now + 10 * 366 * 86_400,
            vec![
                ext(ID_CE_BASIC_CONSTRAINTS, true, &ca)?,
                ext(ID_CE_KEY_USAGE, true, &usage)?,
            ],
        )?;
        Ok(Ca { key, cert })
    }

    pub fn to_files(&self) -> Result<CaFiles, TspError> {
        use der::EncodePem;
        let le = der::pem::LineEnding::LF;
        Ok(CaFiles {
            cert_pem: self
                .cert
                .to_pem(le)
                .map_err(crate::issuing("the CA certificate as PEM"))?,
            key_pem: self
                .key
                .to_pkcs8_pem(le)
                .map_err(crate::issuing("the CA key as PEM"))?
                .to_string(),
        })
    }

    pub fn from_files(f: &CaFiles) -> Result<Ca, TspError> {
        let cert = crate::load_certs(f.cert_pem.as_bytes())?
            .into_iter()
            .next()
            .ok_or(TspError::NoCertificate("CA"))?;
        let key = p256::ecdsa::SigningKey::from_pkcs8_pem(&f.key_pem)
            .map_err(crate::issuing("CA key"))?;
        Ok(Ca { key, cert })
    }

    /// Certifies the key `spki_der` for `subject` from `now` for `days` days: an end-entity
    /// certificate (not a CA) for digital signatures in `role` (its certificate policy).
    pub fn certify(
        &self,
        subject: &Subject,
        spki_der: &[u8],
        now: i64,
        days: i64,
        role: CertRole,
    ) -> Result<Certificate, TspError> {
        let end = BasicConstraints {
            ca: false,
            path_len_constraint: None,
        };
        let usage = KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation);
        issue(
            &self.key,
            self.cert.tbs_certificate().subject(),
            &subject.to_name()?,
            spki_der,
            now - 300,
            now + days * 86_400,
            vec![
                ext(ID_CE_BASIC_CONSTRAINTS, true, &end)?,
                ext(ID_CE_KEY_USAGE, true, &usage)?,
                x509_cert::ext::Extension {
                    extn_id: ID_CE_CERTIFICATE_POLICIES,
                    critical: false,
                    extn_value: der::asn1::OctetString::new(role.policies_der())
                        .map_err(crate::issuing("the certificate policies"))?,
                },
            ],
        )
    }
}

/// Checks that `cert` was issued by `ca` (name and signature), certifies exactly the key
/// `spki_der`, and was valid at `at` (Unix seconds); returns whom it names.
pub fn check_certified(
    cert: &Certificate,
    ca: &Certificate,
    spki_der: &[u8],
    at: i64,
) -> Result<Subject, CertError> {
    let tbs = cert.tbs_certificate();
    if tbs.issuer() != ca.tbs_certificate().subject() {
        return Err(CertError::OtherIssuer);
    }
    crate::verify_cert(cert, ca).map_err(CertError::NotSignedByCa)?;
    let key = tbs.subject_public_key_info().to_der()?;
    if key != spki_der {
        return Err(CertError::OtherKey);
    }
    let v = tbs.validity();
    let secs = |t: &x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
    if at < secs(&v.not_before) || at > secs(&v.not_after) {
        return Err(CertError::NotValidAt);
    }
    Subject::of(cert)
}

/// Why a certificate does not certify a key.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// Not issued by this CA: it names another issuer.
    #[error("issued by another CA")]
    OtherIssuer,
    /// Under this CA's name, but not signed by its key (another CA of the same name).
    #[error("not signed by this CA's key: the issuer's signature does not verify: {0}")]
    NotSignedByCa(#[source] crate::SignatureError),
    /// Issued by this CA, but not for this key.
    #[error("it certifies another key")]
    OtherKey,
    /// Issued by this CA for this key, but not valid at the time in question.
    #[error("not valid at the time in question")]
    NotValidAt,
    /// Its key or a part of it cannot be encoded.
    #[error("{0}")]
    Encoding(#[from] der::Error),
    /// A subject attribute that is neither UTF8String nor PrintableString.
    #[error("subject attribute {oid}: {source}")]
    SubjectAttribute {
        oid: ObjectIdentifier,
        #[source]
        source: der::Error,
    },
    /// It names no person or no tenant.
    #[error("the certificate names no person or no tenant")]
    Unnamed,
    /// Not a certificate (PEM or DER) at all.
    #[error("{0}")]
    Unreadable(#[source] crate::TspError),
    /// Bytes that hold no certificate.
    #[error("no certificate")]
    NoCertificate,
    /// Its certificate policies name no webproof role.
    #[error("its certificate policies name no webproof role")]
    NoRole,
}

/// A certificate from PEM or DER.
pub fn parse_cert(bytes: &[u8]) -> Result<Certificate, CertError> {
    crate::load_certs(bytes)
        .map_err(CertError::Unreadable)?
        .into_iter()
        .next()
        .or_else(|| Certificate::from_der(bytes).ok())
        .ok_or(CertError::NoCertificate)
}

impl Explain for CertError {
    fn message(&self) -> Message {
        match self {
            CertError::OtherKey => msg!("err-cert-other-key"),
            CertError::NotValidAt => msg!("err-cert-not-valid"),
            CertError::OtherIssuer
            | CertError::NotSignedByCa(_)
            | CertError::Encoding(_)
            | CertError::SubjectAttribute { .. }
            | CertError::Unnamed
            | CertError::Unreadable(_)
            | CertError::NoCertificate
            | CertError::NoRole => msg!("err-cert-invalid").arg("detail", self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operator_key_is_certified_and_checked() {
        let ca = Ca::generate("webproof operator CA log.test", 1_795_000_000).unwrap();
        let ca = Ca::from_files(&ca.to_files().unwrap()).unwrap();
        // An Ed25519 SubjectPublicKeyInfo (RFC 8410 prefix + 32 bytes).
        let mut spki = hex::decode("302a300506032b6570032100").unwrap();
        spki.extend_from_slice(&[9u8; 32]);
        let subject = Subject {
            name: "Zhang San, Jr.".into(),
            organisation: Some("Acme IP Agency".into()),
            tenant: "acme".into(),
            id_ref: Some(format!("sha256:{}", "ab".repeat(32))),
        };
        let cert = ca
            .certify(&subject, &spki, 1_795_000_000, 730, CertRole::Operator)
            .unwrap();
        assert_eq!(
            check_certified(&cert, &ca.cert, &spki, 1_795_000_100).unwrap(),
            subject
        );
        assert!(matches!(CertRole::of(&cert), Some(Ok(CertRole::Operator))));
        let notary = ca
            .certify(&subject, &spki, 1_795_000_000, 730, CertRole::Notary)
            .unwrap();
        assert!(matches!(CertRole::of(&notary), Some(Ok(CertRole::Notary))));
        // The extension values docs/evidence-package.md §5 gives (checked there with
        // `openssl asn1parse`: 2.25.69257284516704912422874150880086036780.1.2).
        assert_eq!(
            hex::encode(CertRole::Operator.policies_der()),
            "30193017061569e89abbf0d0b0faa7d19b9b85a3e7c3dea22c0101"
        );
        assert_eq!(
            hex::encode(CertRole::Notary.policies_der()),
            "30193017061569e89abbf0d0b0faa7d19b9b85a3e7c3dea22c0102"
        );
        assert_eq!(CertRole::Notary.policy_oid(), format!("{ARC}.1.2"));
        // Another key, another time, another CA: refused.
        let mut other = spki.clone();
        other[20] ^= 1;
        // Issued by this CA but for another key or time: a false claim.
        assert!(matches!(
            check_certified(&cert, &ca.cert, &other, 1_795_000_100),
            Err(CertError::OtherKey)
        ));
        assert!(matches!(
            check_certified(&cert, &ca.cert, &spki, 1_700_000_000),
            Err(CertError::NotValidAt)
        ));
        // Another CA of the same name: not this CA's certificate at all.
        let ca2 = Ca::generate("webproof operator CA log.test", 1_795_000_000).unwrap();
        assert!(matches!(
            check_certified(&cert, &ca2.cert, &spki, 1_795_000_100),
            Err(CertError::NotSignedByCa(_))
        ));
    }
}
