//! Operator and notary identities: key pairs, encrypted key storage, signatures and the
//! self-description document that a package carries.
//!
//! * Ed25519 (RFC 8032) by default; SM2 (GB/T 32918, with SM3 and the distinguishing ID
//!   [`SM2_DISTID`]) for courts that require national algorithms.
//! * Private keys are stored as PKCS#8 `EncryptedPrivateKeyInfo` (PBES2: PBKDF2-HMAC-SHA256,
//!   AES-256-CBC) in PEM, so `openssl pkey -in key.pem` reads them.
//! * Public keys are SubjectPublicKeyInfo PEM; a key's fingerprint is SHA-256 of its SPKI DER.
//! * Signatures are over raw message bytes: Ed25519 signatures are the 64-byte RFC 8032 form,
//!   SM2 signatures are DER `SEQUENCE { r, s }` — the forms `openssl pkeyutl` reads.

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use serde::{Deserialize, Serialize};
use signature_compat::Signer as _;
use webproof_message::{Explain, Message, msg};
use zeroize::Zeroizing;

use crate::digest::{Hash32, sha256};
use crate::utc::Utc;

mod signature_compat {
    pub use ed25519_dalek::Signer;
}

/// SM2 distinguishing identifier (GB/T 35276-2017 default, also OpenSSL's `distid` for SM2
/// when one is given explicitly).
pub const SM2_DISTID: &str = "1234567812345678";

/// PBKDF2 rounds protecting stored private keys (OWASP 2023 recommendation for SHA-256).
pub const PBKDF2_ROUNDS: u32 = 600_000;

/// Signature algorithm of an identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    Ed25519,
    Sm2,
}

impl Algorithm {
    pub fn as_str(&self) -> &'static str {
        match self {
            Algorithm::Ed25519 => "ed25519",
            Algorithm::Sm2 => "sm2",
        }
    }
}

impl std::str::FromStr for Algorithm {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        match s {
            "ed25519" => Ok(Algorithm::Ed25519),
            "sm2" => Ok(Algorithm::Sm2),
            other => Err(KeyError::UnknownAlgorithm(other.to_owned())),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("unknown signature algorithm {0:?} (expected ed25519 or sm2)")]
    UnknownAlgorithm(String),
    #[error("the operating system's random number generator failed: {0}")]
    Random(#[source] getrandom::Error),
    #[error("cannot encrypt the private key: {0}")]
    Encrypt(#[source] Cause),
    #[error("cannot decrypt the private key (wrong passphrase, or not a webproof key): {0}")]
    Decrypt(#[source] Cause),
    #[error("not a supported public key (Ed25519 or SM2 SubjectPublicKeyInfo PEM): {0}")]
    PublicKey(#[source] Cause),
    #[error("signing failed: {0}")]
    Sign(#[source] Cause),
}

/// What a cryptography crate said (PKCS#8, SPKI, DER, signature errors: each crate its own
/// type), kept as the source of a [`KeyError`].
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// What signs as a webproof key: the key itself, or a signer elsewhere — a supervising
/// notary's webproof over the supervision channel, which signs on the notary's machine.
pub trait Signing {
    fn public_key(&self) -> PublicKey;
    /// Signs `msg` as [`SecretKey::sign`] does.
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError>;
}

impl Signing for SecretKey {
    fn public_key(&self) -> PublicKey {
        SecretKey::public_key(self)
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        SecretKey::sign(self, msg)
    }
}

/// A signature that does not verify.
#[derive(Debug, thiserror::Error)]
pub enum BadSignature {
    /// Not a signature of the key's form (`Ed25519`, `SM2 DER`).
    #[error("signature does not verify: malformed {0} signature: {1}")]
    Malformed(&'static str, #[source] Cause),
    /// Of the right form, but not over these bytes by this key.
    #[error("signature does not verify: {0}")]
    Invalid(#[source] Cause),
}

/// A private signing key.
#[derive(Clone)]
pub enum SecretKey {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Sm2(Box<sm2::dsa::SigningKey>),
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({}, <redacted>)", self.algorithm().as_str())
    }
}

fn random32() -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let mut b = Zeroizing::new([0u8; 32]);
    getrandom::fill(b.as_mut()).map_err(KeyError::Random)?;
    Ok(b)
}

impl SecretKey {
    pub fn generate(alg: Algorithm) -> Result<Self, KeyError> {
        match alg {
            Algorithm::Ed25519 => Ok(SecretKey::Ed25519(Box::new(
                ed25519_dalek::SigningKey::from_bytes(&*random32()?),
            ))),
            Algorithm::Sm2 => loop {
                // A random 256-bit string is a valid scalar except with negligible probability.
                let bytes = random32()?;
                if let Ok(k) = sm2::dsa::SigningKey::from_slice(SM2_DISTID, bytes.as_ref()) {
                    break Ok(SecretKey::Sm2(Box::new(k)));
                }
            },
        }
    }

    pub fn algorithm(&self) -> Algorithm {
        match self {
            SecretKey::Ed25519(_) => Algorithm::Ed25519,
            SecretKey::Sm2(_) => Algorithm::Sm2,
        }
    }

    pub fn public_key(&self) -> PublicKey {
        match self {
            SecretKey::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
            SecretKey::Sm2(k) => PublicKey::Sm2(Box::new(k.verifying_key().clone())),
        }
    }

    /// Signs `msg`: 64 raw bytes for Ed25519, DER for SM2 (SM3 with [`SM2_DISTID`]).
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        match self {
            SecretKey::Ed25519(k) => Ok(k.sign(msg).to_bytes().to_vec()),
            SecretKey::Sm2(k) => {
                use sm2::dsa::signature::Signer;
                let sig: sm2::dsa::Signature =
                    k.try_sign(msg).map_err(|e| KeyError::Sign(e.into()))?;
                Ok(sig.to_der().to_vec())
            }
        }
    }

    fn pkcs8_der(&self) -> Result<pkcs8::SecretDocument, KeyError> {
        let r = match self {
            // PKCS#8 v1 (no embedded public key): OpenSSL 3.0 cannot read the v2 form.
            SecretKey::Ed25519(k) => ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: k.to_bytes(),
                public_key: None,
            }
            .to_pkcs8_der(),
            SecretKey::Sm2(k) => {
                let sk = sm2::SecretKey::from(k.as_nonzero_scalar());
                sk.to_pkcs8_der()
            }
        };
        r.map_err(|e| KeyError::Encrypt(e.into()))
    }

    /// PKCS#8 `ENCRYPTED PRIVATE KEY` PEM (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC).
    pub fn to_encrypted_pem(
        &self,
        passphrase: &[u8],
        rounds: u32,
    ) -> Result<Zeroizing<String>, KeyError> {
        let der = self.pkcs8_der()?;
        let salt = random32()?;
        let mut iv = [0u8; 16];
        getrandom::fill(&mut iv).map_err(KeyError::Random)?;
        let params = pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(
            rounds,
            &salt[..16],
            iv,
        )
        .map_err(|e| KeyError::Encrypt(e.into()))?;
        let info = pkcs8::PrivateKeyInfoRef::try_from(der.as_bytes())
            .map_err(|e| KeyError::Encrypt(e.into()))?;
        let enc = info
            .encrypt_with_params(params, passphrase)
            .map_err(|e| KeyError::Encrypt(e.into()))?;
        enc.to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
            .map_err(|e| KeyError::Encrypt(e.into()))
    }

    /// Reads an encrypted PKCS#8 PEM of either algorithm.
    pub fn from_encrypted_pem(pem: &str, passphrase: &[u8]) -> Result<Self, KeyError> {
        if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_encrypted_pem(pem, passphrase) {
            return Ok(SecretKey::Ed25519(Box::new(k)));
        }
        match sm2::SecretKey::from_pkcs8_encrypted_pem(pem, passphrase) {
            Ok(sk) => sm2::dsa::SigningKey::new(SM2_DISTID, &sk)
                .map(|k| SecretKey::Sm2(Box::new(k)))
                .map_err(|e| KeyError::Decrypt(e.into())),
            Err(e) => Err(KeyError::Decrypt(e.into())),
        }
    }
}

/// A public verification key.
#[derive(Clone, Debug)]
pub enum PublicKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    Sm2(Box<sm2::dsa::VerifyingKey>),
}

impl PublicKey {
    pub fn algorithm(&self) -> Algorithm {
        match self {
            PublicKey::Ed25519(_) => Algorithm::Ed25519,
            PublicKey::Sm2(_) => Algorithm::Sm2,
        }
    }

    /// SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> Result<Vec<u8>, KeyError> {
        let doc = match self {
            PublicKey::Ed25519(k) => k.to_public_key_der(),
            PublicKey::Sm2(k) => sm2::PublicKey::from(k.as_ref()).to_public_key_der(),
        };
        doc.map(|d| d.as_bytes().to_vec())
            .map_err(|e| KeyError::PublicKey(e.into()))
    }

    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), LF line endings.
    pub fn to_pem(&self) -> Result<String, KeyError> {
        let r = match self {
            PublicKey::Ed25519(k) => k.to_public_key_pem(LineEnding::LF),
            PublicKey::Sm2(k) => sm2::PublicKey::from(k.as_ref()).to_public_key_pem(LineEnding::LF),
        };
        r.map_err(|e| KeyError::PublicKey(e.into()))
    }

    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
            return Ok(PublicKey::Ed25519(k));
        }
        match sm2::PublicKey::from_public_key_pem(pem) {
            Ok(pk) => sm2::dsa::VerifyingKey::new(SM2_DISTID, pk)
                .map(|k| PublicKey::Sm2(Box::new(k)))
                .map_err(|e| KeyError::PublicKey(e.into())),
            Err(e) => Err(KeyError::PublicKey(e.into())),
        }
    }

    /// SHA-256 of the SubjectPublicKeyInfo DER (`openssl pkey -pubin -outform DER | sha256sum`).
    pub fn fingerprint(&self) -> Result<Hash32, KeyError> {
        Ok(sha256(&self.spki_der()?))
    }

    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), BadSignature> {
        match self {
            PublicKey::Ed25519(k) => {
                let sig = ed25519_dalek::Signature::from_slice(sig)
                    .map_err(|e| BadSignature::Malformed("Ed25519", e.into()))?;
                k.verify_strict(msg, &sig)
                    .map_err(|e| BadSignature::Invalid(e.into()))
            }
            PublicKey::Sm2(k) => {
                use sm2::dsa::signature::Verifier;
                let sig = sm2::dsa::Signature::from_der(sig)
                    .map_err(|e| BadSignature::Malformed("SM2 DER", e.into()))?;
                k.verify(msg, &sig)
                    .map_err(|e| BadSignature::Invalid(e.into()))
            }
        }
    }
}

/// Who a person is in a capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Operator,
    Notary,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Notary => "notary",
        }
    }
}

/// The self-description of an operator or notary, carried in every package they sign.
/// Self-asserted until issue-5 enrollment binds it to a real-name certificate: a verifier
/// trusts it only when its fingerprint is configured as trusted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityDoc {
    pub v: u32,
    pub role: Role,
    pub name: String,
    pub organisation: Option<String>,
    pub contact: Option<String>,
    /// `sha256:` + hex of SHA-256(salt ‖ UTF-8 ID number). The salt stays with the person, who
    /// can reveal salt and ID to a court to prove the link; without the salt the digest does
    /// not give the ID away.
    pub id_ref: Option<String>,
    pub algorithm: Algorithm,
    /// SubjectPublicKeyInfo PEM.
    pub public_key: String,
    /// SHA-256 of the SubjectPublicKeyInfo DER, hex.
    pub fingerprint: Hash32,
    pub created: Utc,
}

impl IdentityDoc {
    /// The person as findings name them: `name (organisation)`, or the name alone.
    pub fn who(&self) -> String {
        who(&self.name, self.organisation.as_deref())
    }
}

/// A person as webproof names them everywhere (findings, enrollment refusals):
/// `name (organisation)`, or the name alone.
pub fn who(name: &str, organisation: Option<&str>) -> String {
    match organisation {
        Some(o) => format!("{name} ({o})"),
        None => name.to_owned(),
    }
}

/// The salted ID reference: `sha256:` + hex(SHA-256(salt ‖ id)).
pub fn id_reference(salt: &[u8], id: &str) -> String {
    let mut buf = salt.to_vec();
    buf.extend_from_slice(id.as_bytes());
    format!("sha256:{}", sha256(&buf))
}

/// Fresh random salt for [`id_reference`].
pub fn new_salt() -> Result<[u8; 16], KeyError> {
    let mut s = [0u8; 16];
    getrandom::fill(&mut s).map_err(KeyError::Random)?;
    Ok(s)
}

impl Explain for KeyError {
    fn message(&self) -> Message {
        use KeyError as E;
        match self {
            E::UnknownAlgorithm(a) => msg!("err-key-algorithm").arg("alg", a),
            E::Random(d) => msg!("err-key-random").arg("detail", d),
            E::Encrypt(d) => msg!("err-key-encrypt").arg("detail", d),
            E::Decrypt(d) => msg!("err-key-decrypt").arg("detail", d),
            E::PublicKey(d) => msg!("err-key-public").arg("detail", d),
            E::Sign(d) => msg!("err-key-sign").arg("detail", d),
        }
    }
}

impl Explain for BadSignature {
    fn message(&self) -> Message {
        let detail = match self {
            BadSignature::Malformed(form, e) => format!("malformed {form} signature: {e}"),
            BadSignature::Invalid(e) => e.to_string(),
        };
        msg!("err-bad-signature").arg("detail", detail)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn salts_are_fresh_so_an_id_reference_does_not_give_the_id_away() {
        let salts: Vec<[u8; 16]> = (0..4).filter_map(|_| super::new_salt().ok()).collect();
        assert_eq!(salts.len(), 4);
        for (i, a) in salts.iter().enumerate() {
            for b in &salts[i + 1..] {
                assert_ne!(a, b, "the same salt twice");
            }
        }
        // The same ID under two salts: two references.
        assert_ne!(
            super::id_reference(&salts[0], "110101199001011234"),
            super::id_reference(&salts[1], "110101199001011234")
        );
    }

    #[test]
    fn algorithms_have_their_names_and_a_secret_key_shows_only_its() {
        for (alg, name) in [(Algorithm::Ed25519, "ed25519"), (Algorithm::Sm2, "sm2")] {
            assert_eq!(alg.as_str(), name);
            assert_eq!(name.parse::<Algorithm>().unwrap(), alg);
            let k = SecretKey::generate(alg).unwrap();
            assert_eq!(format!("{k:?}"), format!("SecretKey({name}, <redacted>)"));
        }
    }

    use super::*;

    #[test]
    fn sign_verify_both_algorithms_and_reject_tampering() {
        for alg in [Algorithm::Ed25519, Algorithm::Sm2] {
            let k = SecretKey::generate(alg).unwrap();
            let pk = k.public_key();
            let sig = k.sign(b"manifest").unwrap();
            pk.verify(b"manifest", &sig).unwrap();
            assert!(pk.verify(b"manifesT", &sig).is_err(), "{alg:?}");
            let mut bad = sig.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(pk.verify(b"manifest", &bad).is_err(), "{alg:?}");
            let pem = pk.to_pem().unwrap();
            let back = PublicKey::from_pem(&pem).unwrap();
            assert_eq!(back.algorithm(), alg);
            assert_eq!(back.fingerprint().unwrap(), pk.fingerprint().unwrap());
        }
    }

    #[test]
    fn encrypted_pem_round_trip_and_wrong_passphrase() {
        for alg in [Algorithm::Ed25519, Algorithm::Sm2] {
            let k = SecretKey::generate(alg).unwrap();
            let pem = k.to_encrypted_pem(b"correct horse", 1000).unwrap();
            assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
            let back = SecretKey::from_encrypted_pem(&pem, b"correct horse").unwrap();
            assert_eq!(back.algorithm(), alg);
            assert_eq!(
                back.public_key().fingerprint().unwrap(),
                k.public_key().fingerprint().unwrap()
            );
            assert!(SecretKey::from_encrypted_pem(&pem, b"wrong").is_err());
        }
    }

    #[test]
    fn id_reference_is_salted() {
        let a = id_reference(b"salt-one", "110101199003071234");
        let b = id_reference(b"salt-two", "110101199003071234");
        assert_ne!(a, b);
        assert!(a.starts_with("sha256:") && a.len() == 71);
    }
}
