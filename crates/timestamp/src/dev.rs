//! A development time-stamp authority: a generated root CA and a TSA certificate (ECDSA
//! P-256, critical timeStamping EKU) that answer RFC 3161 requests with real tokens, so
//! webproof's demo and tests run on a machine with no internet. Its names say what it is:
//! verifiers trust it only when its root is added on purpose.

use std::str::FromStr;

use der::asn1::{Any, GeneralizedTime, Int, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::time::{Time, Validity};

use crate::asn1::*;
use crate::{HashAlg, TspError, malformed};

pub use crate::DEV_MARK;
/// The policy under which the development TSA stamps: under IANA's enterprise number for
/// documentation use (32473, RFC 5612), which no real authority uses.
pub const DEV_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.3161.1");

/// The development TSA's keys and certificates.
pub struct DevTsa {
    key: p256::ecdsa::SigningKey,
    pub cert: Certificate,
    pub root: Certificate,
}

/// What a development TSA is kept as on disk (PEM texts).
pub struct DevTsaFiles {
    pub root_pem: String,
    pub tsa_pem: String,
    /// Unencrypted PKCS#8: a development key guards nothing.
    pub key_pem: String,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Tbs {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial: Int,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Cert {
    tbs: Tbs,
    algorithm: AlgorithmIdentifierOwned,
    signature: der::asn1::BitString,
}

fn ecdsa_sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ECDSA_WITH_SHA256,
        parameters: None,
    }
}

fn sign(key: &p256::ecdsa::SigningKey, msg: &[u8]) -> Result<Vec<u8>, TspError> {
    let sig: p256::ecdsa::DerSignature = key
        .sign_prehash(&HashAlg::Sha256.digest(msg))
        .map_err(crate::issuing("signing"))?;
    Ok(sig.to_bytes().to_vec())
}

pub(crate) fn random_key() -> Result<p256::ecdsa::SigningKey, TspError> {
    for _ in 0..8 {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).map_err(TspError::Random)?;
        if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&b) {
            return Ok(k);
        }
    }
    Err(TspError::NoKey)
}

fn random_serial() -> Result<Int, TspError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(TspError::Random)?;
    b[0] &= 0x7f;
    b[0] |= 0x01;
    Int::new(&b).map_err(malformed("serial"))
}

pub(crate) fn ext(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, TspError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(malformed("extension"))?)
            .map_err(malformed("extension"))?,
    })
}

fn make_cert(
    issuer_key: &p256::ecdsa::SigningKey,
    issuer: &Name,
    subject: &Name,
    subject_key: &p256::ecdsa::VerifyingKey,
    not_before: i64,
    years: i64,
    extensions: Vec<Extension>,
) -> Result<Certificate, TspError> {
    let spki_der = subject_key
        .to_public_key_der()
        .map_err(crate::issuing("the subject's public key"))?;
    issue(
        issuer_key,
        issuer,
        subject,
        spki_der.as_bytes(),
        not_before,
        not_before + years * 366 * 86_400,
        extensions,
    )
}

/// A certificate for the key `spki_der` (any algorithm), signed by `issuer_key` (ECDSA P-256
/// with SHA-256), valid from `not_before` to `not_after` (Unix seconds).
pub(crate) fn issue(
    issuer_key: &p256::ecdsa::SigningKey,
    issuer: &Name,
    subject: &Name,
    spki_der: &[u8],
    not_before: i64,
    not_after: i64,
    extensions: Vec<Extension>,
) -> Result<Certificate, TspError> {
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der).map_err(malformed("key"))?;
    let t = |unix: i64| -> Result<Time, TspError> {
        let d = std::time::Duration::from_secs(unix.max(0) as u64);
        Ok(Time::GeneralTime(
            GeneralizedTime::from_unix_duration(d).map_err(malformed("time"))?,
        ))
    };
    let tbs = Tbs {
        version: 2,
        serial: random_serial()?,
        signature: ecdsa_sha256(),
        issuer: issuer.clone(),
        validity: Validity::new(t(not_before)?, t(not_after)?),
        subject: subject.clone(),
        spki,
        extensions,
    };
    let tbs_der = tbs.to_der().map_err(malformed("certificate"))?;
    let sig = sign(issuer_key, &tbs_der)?;
    let cert = Cert {
        tbs,
        algorithm: ecdsa_sha256(),
        signature: der::asn1::BitString::from_bytes(&sig).map_err(malformed("signature"))?,
    };
    Certificate::from_der(&cert.to_der().map_err(malformed("certificate"))?)
        .map_err(malformed("certificate"))
}

impl DevTsa {
    /// A new root and TSA certificate, valid from `now` (Unix seconds) for ten years.
    pub fn generate(now: i64) -> Result<Self, TspError> {
        let root_key = random_key()?;
        let key = random_key()?;
        let name = |cn: &str| {
            Name::from_str(&format!("CN={cn},O={DEV_MARK}"))
                .map_err(crate::issuing("a development certificate's name"))
        };
        let root_name = name("webproof development root")?;
        let tsa_name = name("webproof development TSA")?;
        let ca = x509_cert::ext::pkix::BasicConstraints {
            ca: true,
            path_len_constraint: Some(0),
        };
        let root = make_cert(
            &root_key,
            &root_name,
            &root_name,
            root_key.verifying_key(),
            now - 3600,
            10,
            vec![ext(ID_CE_BASIC_CONSTRAINTS, true, &ca)?],
        )?;
        let eku = vec![ID_KP_TIME_STAMPING];
        let cert = make_cert(
            &root_key,
            &root_name,
            &tsa_name,
            key.verifying_key(),
            now - 3600,
            10,
            vec![ext(ID_CE_EXT_KEY_USAGE, true, &eku)?],
        )?;
        Ok(DevTsa { key, cert, root })
    }

    pub fn to_files(&self) -> Result<DevTsaFiles, TspError> {
        use der::EncodePem;
        let le = der::pem::LineEnding::LF;
        Ok(DevTsaFiles {
            root_pem: self.root.to_pem(le).map_err(malformed("root"))?,
            tsa_pem: self.cert.to_pem(le).map_err(malformed("certificate"))?,
            key_pem: self
                .key
                .to_pkcs8_pem(le)
                .map_err(crate::issuing("the development TSA key as PEM"))?
                .to_string(),
        })
    }

    pub fn from_files(f: &DevTsaFiles) -> Result<Self, TspError> {
        let one = |pem: &str| -> Result<Certificate, TspError> {
            crate::load_certs(pem.as_bytes())?
                .into_iter()
                .next()
                .ok_or(TspError::NoCertificate("development TSA"))
        };
        Ok(DevTsa {
            key: p256::ecdsa::SigningKey::from_pkcs8_pem(&f.key_pem)
                .map_err(crate::issuing("development TSA key"))?,
            cert: one(&f.tsa_pem)?,
            root: one(&f.root_pem)?,
        })
    }

    /// Answers one DER TimeStampReq at `now` (Unix microseconds): a granted response with a
    /// token, or a rejection naming the failure, as RFC 3161 §2.4.2 says.
    pub fn respond(&self, request: &[u8], now_micros: i64) -> Vec<u8> {
        match self.token(request, now_micros) {
            Ok(token) => response(0, None, Some(token)),
            Err((bit, text)) => response(2, Some((bit, text)), None),
        }
    }

    fn token(&self, request: &[u8], now_micros: i64) -> Result<Any, (usize, String)> {
        let bad = |bit: usize| move |e: der::Error| (bit, e.to_string());
        let req = TimeStampReq::from_der(request).map_err(bad(5))?; // badDataFormat
        let alg = HashAlg::from_oid(&req.message_imprint.hash_algorithm.oid)
            .ok_or((0, "unsupported hash algorithm".to_owned()))?; // badAlg
        if req.message_imprint.hashed_message.as_bytes().len() != alg.output_len() {
            return Err((5, "the imprint length does not fit its algorithm".into()));
        }
        if let Some(p) = req.req_policy
            && p != DEV_POLICY
        {
            return Err((15, format!("policy {p} is not offered"))); // unacceptedPolicy
        }
        let tst = TstInfo {
            version: 1,
            policy: DEV_POLICY,
            message_imprint: req.message_imprint.clone(),
            serial_number: random_serial().map_err(|e| (25, e.to_string()))?,
            gen_time: gen_time_any(now_micros).map_err(bad(25))?,
            accuracy: Some(Accuracy {
                seconds: None,
                millis: Some(1),
                micros: None,
            }),
            ordering: false,
            nonce: req.nonce.clone(),
            tsa: Some(x509_cert::ext::pkix::name::GeneralName::DirectoryName(
                self.cert.tbs_certificate().subject().clone(),
            )),
            extensions: None,
        };
        let tst_der = tst.to_der().map_err(bad(25))?;
        self.sign_tst(&tst_der, req.cert_req).map_err(bad(25))
    }

    fn sign_tst(&self, tst_der: &[u8], include_cert: bool) -> Result<Any, der::Error> {
        let cert_der = self.cert.to_der()?;
        let attr = |oid: ObjectIdentifier, v: Any| -> Result<Attribute, der::Error> {
            Ok(Attribute {
                oid,
                values: SetOfVec::try_from(vec![v])?,
            })
        };
        let ess = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None,
                cert_hash: OctetString::new(HashAlg::Sha256.digest(&cert_der))?,
                issuer_serial: None,
            }],
            policies: None,
        };
        let attrs: SetOfVec<Attribute> = SetOfVec::try_from(vec![
            attr(ID_CONTENT_TYPE, Any::encode_from(&ID_CT_TST_INFO)?)?,
            attr(
                ID_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(HashAlg::Sha256.digest(tst_der))?)?,
            )?,
            attr(ID_AA_SIGNING_CERTIFICATE_V2, Any::encode_from(&ess)?)?,
        ])?;
        let signature =
            sign(&self.key, &attrs.to_der()?).map_err(|_| der::Tag::BitString.value_error())?;
        let sha256 = AlgorithmIdentifierOwned {
            oid: ID_SHA256,
            parameters: None,
        };
        let si = cms::signed_data::SignerInfo {
            version: cms::content_info::CmsVersion::V1,
            sid: cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(
                cms::cert::IssuerAndSerialNumber {
                    issuer: self.cert.tbs_certificate().issuer().clone(),
                    serial_number: self.cert.tbs_certificate().serial_number().clone(),
                },
            ),
            digest_alg: sha256.clone(),
            signed_attrs: Some(attrs),
            signature_algorithm: ecdsa_sha256(),
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let certificates = if include_cert {
            Some(cms::signed_data::CertificateSet::try_from(vec![
                cms::cert::CertificateChoices::Certificate(self.cert.clone()),
            ])?)
        } else {
            None
        };
        let sd = cms::signed_data::SignedData {
            version: cms::content_info::CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![sha256])?,
            encap_content_info: cms::signed_data::EncapsulatedContentInfo {
                econtent_type: ID_CT_TST_INFO,
                econtent: Some(Any::encode_from(&OctetString::new(tst_der)?)?),
            },
            certificates,
            crls: None,
            signer_infos: cms::signed_data::SignerInfos(SetOfVec::try_from(vec![si])?),
        };
        let ci = cms::content_info::ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&sd)?,
        };
        Any::encode_from(&ci)
    }
}

/// GeneralizedTime with milliseconds, trailing zeros dropped (RFC 3161 §2.4.2).
fn gen_time_any(now_micros: i64) -> Result<Any, der::Error> {
    let secs = now_micros.div_euclid(1_000_000);
    let millis = now_micros.rem_euclid(1_000_000) / 1000;
    let dt = time::OffsetDateTime::from_unix_timestamp(secs)
        .map_err(|_| der::Tag::GeneralizedTime.value_error())?;
    let mut s = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    if millis > 0 {
        let f = format!("{millis:03}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s.push('Z');
    Any::new(der::Tag::GeneralizedTime, s.into_bytes())
}

fn response(status: u8, fail: Option<(usize, String)>, token: Option<Any>) -> Vec<u8> {
    let (fail_info, text) = match fail {
        Some((bit, text)) => {
            let mut bytes = vec![0u8; bit / 8 + 1];
            bytes[bit / 8] |= 0x80 >> (bit % 8);
            let unused = (7 - (bit % 8)) as u8;
            (
                der::asn1::BitString::new(unused, bytes).ok(),
                der::asn1::Utf8StringRef::new(&text)
                    .ok()
                    .and_then(|s| Any::encode_from(&s).ok())
                    .map(|a| vec![a]),
            )
        }
        None => (None, None),
    };
    let resp = TimeStampResp {
        status: PkiStatusInfo {
            status,
            status_string: text,
            fail_info,
        },
        time_stamp_token: token,
    };
    // Encoding our own structures cannot fail short of memory; an empty answer is then what a
    // client gets, and reports as malformed.
    resp.to_der().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Expect, Trust, Verdict};

    #[test]
    fn dev_tokens_verify_and_are_untrusted_without_their_root() {
        let now = 1_790_000_000i64;
        let tsa = DevTsa::generate(now).unwrap();
        for alg in [HashAlg::Sha256, HashAlg::Sm3, HashAlg::Sha512] {
            let digest = alg.digest(b"chain head");
            let req =
                crate::request(alg, &digest, Some(crate::random_nonce().unwrap()), None).unwrap();
            let resp = tsa.respond(&req.der, now * 1_000_000 + 123_000);
            let token = crate::parse_response(&resp).unwrap();
            assert_eq!(token.info.gen_time, "2026-09-21T14:13:20.123Z");
            let trusted = Trust {
                anchors: vec![tsa.root.clone()],
                ..Trust::default()
            };
            let v = crate::verify(&token, &Expect::from_request(&req), &trusted);
            assert_eq!(v.verdict, Verdict::Trusted, "{}", v.reason);
            let v = crate::verify(&token, &Expect::from_request(&req), &Trust::default());
            assert_eq!(v.verdict, Verdict::Untrusted, "{}", v.reason);
            assert!(v.signer.unwrap().contains(DEV_MARK));
        }
        // Round trip through its files.
        let again = DevTsa::from_files(&tsa.to_files().unwrap()).unwrap();
        assert_eq!(again.cert, tsa.cert);
    }

    #[test]
    fn bad_requests_get_rejections_that_say_why() {
        let tsa = DevTsa::generate(1_790_000_000).unwrap();
        match crate::parse_response(&tsa.respond(b"\x30\x03\x02\x01\x01", 0)) {
            Err(TspError::Rejected {
                status: 2,
                failures,
                ..
            }) => {
                assert!(failures.contains("badDataFormat"), "{failures}")
            }
            other => panic!("{other:?}"),
        }
        let mut req = crate::request(HashAlg::Sha256, &[7u8; 32], None, None).unwrap();
        // Swap SHA-256's OID for SHA-224's (2.16.840.1.101.3.4.2.4): not offered.
        let pos = req
            .der
            .windows(9)
            .position(|w| w == [0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, 1])
            .unwrap();
        req.der[pos + 8] = 4;
        match crate::parse_response(&tsa.respond(&req.der, 0)) {
            Err(TspError::Rejected { failures, .. }) => {
                assert!(failures.contains("badAlg"), "{failures}")
            }
            other => panic!("{other:?}"),
        }
    }
}
