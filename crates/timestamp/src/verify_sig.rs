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

/// Verifies `sig` over `msg` with the key in `spki`, for signature algorithm `alg` whose
/// digest is `digest` (taken from the algorithm itself when it names one).
pub fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest: HashAlg,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), String> {
    let key_der = spki.to_der().map_err(|e| e.to_string())?;
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
        let pk = rsa::PublicKey::from_public_key_der(&key_der).map_err(|e| e.to_string())?;
        let s = rsa::pkcs1v15::Signature::try_from(sig).map_err(|e| e.to_string())?;
        return match digest {
            HashAlg::Sha256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk).verify(msg, &s),
            HashAlg::Sha384 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(pk).verify(msg, &s),
            HashAlg::Sha512 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(pk).verify(msg, &s),
            HashAlg::Sm3 => return Err("RSA with SM3 is not supported".into()),
        }
        .map_err(|e| e.to_string());
    }
    if oid == RSASSA_PSS {
        let pk = rsa::PublicKey::from_public_key_der(&key_der).map_err(|e| e.to_string())?;
        let s = rsa::pss::Signature::try_from(sig).map_err(|e| e.to_string())?;
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
            HashAlg::Sm3 => return Err("RSA-PSS with SM3 is not supported".into()),
        }
        .map_err(|e| e.to_string());
    }
    if oid == SM2_WITH_SM3 || (oid == ID_EC_PUBLIC_KEY && curve(spki) == Some(SM2_CURVE)) {
        let point = spki
            .subject_public_key
            .as_bytes()
            .ok_or("malformed SM2 key")?;
        let vk = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, point)
            .map_err(|e| e.to_string())?;
        let s = sm2::dsa::Signature::from_der(sig).map_err(|e| e.to_string())?;
        use sm2::dsa::signature::Verifier;
        return vk.verify(msg, &s).map_err(|e| e.to_string());
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
                let vk = p256::ecdsa::VerifyingKey::from_public_key_der(&key_der)
                    .map_err(|e| e.to_string())?;
                let s = p256::ecdsa::Signature::from_der(sig).map_err(|e| e.to_string())?;
                vk.verify_prehash(&prehash, &s).map_err(|e| e.to_string())
            }
            Some(SECP384R1) => {
                let vk = p384::ecdsa::VerifyingKey::from_public_key_der(&key_der)
                    .map_err(|e| e.to_string())?;
                let s = p384::ecdsa::Signature::from_der(sig).map_err(|e| e.to_string())?;
                vk.verify_prehash(&prehash, &s).map_err(|e| e.to_string())
            }
            other => Err(format!("unsupported elliptic curve {other:?}")),
        };
    }
    Err(format!("unsupported signature algorithm {oid}"))
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
pub fn verify_cert(cert: &Certificate, issuer: &Certificate) -> Result<(), crate::ca::CertError> {
    use crate::ca::CertError;
    let tbs = cert
        .tbs_certificate()
        .to_der()
        .map_err(|e| CertError::Invalid(e.to_string()))?;
    let sig = cert
        .signature()
        .as_bytes()
        .ok_or_else(|| CertError::Invalid("the certificate signature has unused bits".into()))?;
    verify(
        issuer.tbs_certificate().subject_public_key_info(),
        cert.signature_algorithm(),
        HashAlg::Sha256,
        &tbs,
        sig,
    )
    .map_err(CertError::Signature)
}
