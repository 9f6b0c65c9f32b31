//! Signature checks for CMS signer infos and certificates: RSA PKCS#1 v1.5, RSA-PSS,
//! ECDSA on P-256 and P-384, SM2 with SM3.

use der::Encode;
use der::asn1::ObjectIdentifier;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::signature::Verifier as _;
use spki::{AlgorithmIdentifierOwned, DecodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

use crate::HashAlg;
use crate::asn1::*;

/// Why a signature does not verify (or cannot be checked).
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The public key is not a key of the signature's algorithm.
    #[error("{0}")]
    Key(#[from] spki::Error),
    /// A DER encoding (of the key, or of what was signed).
    #[error("{0}")]
    Der(#[from] der::Error),
    /// The signature is malformed or does not verify.
    #[error("{0}")]
    Signature(#[from] rsa::signature::Error),
    /// An SM2 key without its point.
    #[error("malformed SM2 key")]
    Sm2Key,
    /// A certificate's signature bit string with unused bits.
    #[error("the certificate signature has unused bits")]
    UnusedBits,
    /// RSA (`RSA`, `RSA-PSS`) over SM3.
    #[error("{0} with SM3 is not supported")]
    RsaWithSm3(&'static str),
    #[error("unsupported elliptic curve {0:?}")]
    Curve(Option<ObjectIdentifier>),
    #[error("unsupported signature algorithm {0}")]
    Algorithm(ObjectIdentifier),
}

/// Verifies `sig` over `msg` with the key in `spki`, for signature algorithm `alg` whose
/// digest is `digest` (taken from the algorithm itself when it names one).
pub fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest: HashAlg,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), SignatureError> {
    let key_der = spki.to_der()?;
    let oid = alg.oid;
    if [
        RSA_ENCRYPTION,
        SHA256_WITH_RSA,
        SHA384_WITH_RSA,
        SHA512_WITH_RSA,
    ]
    .contains(&oid)
    {
        let digest = match oid {
            SHA256_WITH_RSA => HashAlg::Sha256,
            SHA384_WITH_RSA => HashAlg::Sha384,
            SHA512_WITH_RSA => HashAlg::Sha512,
            _ => digest,
        };
        let pk = rsa::PublicKey::from_public_key_der(&key_der)?;
        let s = rsa::pkcs1v15::Signature::try_from(sig)?;
        return match digest {
            HashAlg::Sha256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk).verify(msg, &s),
            HashAlg::Sha384 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(pk).verify(msg, &s),
            HashAlg::Sha512 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(pk).verify(msg, &s),
            HashAlg::Sm3 => return Err(SignatureError::RsaWithSm3("RSA")),
        }
        .map_err(SignatureError::from);
    }
    if oid == RSASSA_PSS {
        let pk = rsa::PublicKey::from_public_key_der(&key_der)?;
        let s = rsa::pss::Signature::try_from(sig)?;
        let digest = pss_hash(alg).unwrap_or(digest);
        return match digest {
            HashAlg::Sha256 => {
                rsa::pss::VerifyingKey::<sha2::Sha256>::new_with_auto_salt_len(pk).verify(msg, &s)
            }
            HashAlg::Sha384 => {
                rsa::pss::VerifyingKey::<sha2::Sha384>::new_with_auto_salt_len(pk).verify(msg, &s)
            }
            HashAlg::Sha512 => {
                rsa::pss::VerifyingKey::<sha2::Sha512>::new_with_auto_salt_len(pk).verify(msg, &s)
            }
            HashAlg::Sm3 => return Err(SignatureError::RsaWithSm3("RSA-PSS")),
        }
        .map_err(SignatureError::from);
    }
    if oid == SM2_WITH_SM3 || (oid == ID_EC_PUBLIC_KEY && curve(spki) == Some(SM2_CURVE)) {
        let point = spki
            .subject_public_key
            .as_bytes()
            .ok_or(SignatureError::Sm2Key)?;
        let vk = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, point)?;
        let s = sm2::dsa::Signature::from_der(sig)?;
        use sm2::dsa::signature::Verifier;
        return Ok(vk.verify(msg, &s)?);
    }
    if [
        ID_EC_PUBLIC_KEY,
        ECDSA_WITH_SHA256,
        ECDSA_WITH_SHA384,
        ECDSA_WITH_SHA512,
    ]
    .contains(&oid)
    {
        let digest = match oid {
            ECDSA_WITH_SHA256 => HashAlg::Sha256,
            ECDSA_WITH_SHA384 => HashAlg::Sha384,
            ECDSA_WITH_SHA512 => HashAlg::Sha512,
            _ => digest,
        };
        let prehash = digest.digest(msg);
        return match curve(spki) {
            Some(SECP256R1) => {
                let vk = p256::ecdsa::VerifyingKey::from_public_key_der(&key_der)?;
                let s = p256::ecdsa::Signature::from_der(sig)?;
                Ok(vk.verify_prehash(&prehash, &s)?)
            }
            Some(SECP384R1) => {
                let vk = p384::ecdsa::VerifyingKey::from_public_key_der(&key_der)?;
                let s = p384::ecdsa::Signature::from_der(sig)?;
                Ok(vk.verify_prehash(&prehash, &s)?)
            }
            other => Err(SignatureError::Curve(other)),
        };
    }
    Err(SignatureError::Algorithm(oid))
}

/// The SM2 distinguishing identifier of GB/T 32918 (default user ID), as in the evidence core.
const SM2_DISTID: &str = "1234567812345678";

fn curve(spki: &SubjectPublicKeyInfoOwned) -> Option<ObjectIdentifier> {
    spki.algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
}

/// The hash of RSASSA-PSS parameters (`[0] hashAlgorithm`), if stated.
fn pss_hash(alg: &AlgorithmIdentifierOwned) -> Option<HashAlg> {
    let params = alg.parameters.as_ref()?.to_der().ok()?;
    let fields = children(content(&params)?)?;
    let first = fields.first().filter(|f| f.first() == Some(&0xa0))?;
    let inner = content(first)?;
    let algid = spki::AlgorithmIdentifierOwned::from_der_any(inner)?;
    HashAlg::from_oid(&algid.oid)
}

trait FromDerAny: Sized {
    fn from_der_any(b: &[u8]) -> Option<Self>;
}

impl FromDerAny for AlgorithmIdentifierOwned {
    fn from_der_any(b: &[u8]) -> Option<Self> {
        use der::Decode;
        AlgorithmIdentifierOwned::from_der(b).ok()
    }
}

/// Verifies that `issuer` signed `cert`.
pub fn verify_cert(cert: &Certificate, issuer: &Certificate) -> Result<(), SignatureError> {
    let tbs = cert.tbs_certificate().to_der()?;
    let sig = cert
        .signature()
        .as_bytes()
        .ok_or(SignatureError::UnusedBits)?;
    verify(
        issuer.tbs_certificate().subject_public_key_info(),
        cert.signature_algorithm(),
        HashAlg::Sha256,
        &tbs,
        sig,
    )
}
