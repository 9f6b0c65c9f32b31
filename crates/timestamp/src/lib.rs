//! # webproof-timestamp
//!
//! RFC 3161 time-stamp tokens (with RFC 5816's ESS signing-certificate-v2): building
//! requests, reading responses, and verifying tokens offline **as of their genTime** against
//! trust anchors the user chose. With the feature `issue`, also a development TSA (`dev`)
//! that issues real tokens and the issuing half of the operator CA (`ca::Ca`); without it
//! (the verifier's build) the crate only checks.
//!
//! Pure: no network, no clock except where a caller passes one. The HTTP client lives at the
//! edge (`webproof-net`).
//!
//! Verification (see [`verify`]) finds the signer by the SignerInfo's `sid` (issuer+serial or
//! subject key identifier) — never by position or name — checks the ESS binding of that
//! certificate, the content-type and message-digest attributes, the CMS signature (RSA
//! PKCS#1 v1.5, RSA-PSS, ECDSA P-256/P-384, SM2), the critical timeStamping EKU, and a chain
//! to an anchor with every certificate valid at genTime.

pub mod asn1;
pub mod ca;
#[cfg(feature = "issue")]
pub mod dev;
mod verify_sig;

/// Marks every name of the development TSA ([`dev`], feature `issue`), so a verifier can say
/// that a token came from it.
pub const DEV_MARK: &str = "webproof development TSA - not trusted";

pub use verify_sig::{SignatureError, verify_cert};

use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Tagged};
use sha2::Digest as _;
use spki::AlgorithmIdentifierOwned;
use webproof_message::{Explain, Message, msg};
use x509_cert::Certificate;

use crate::asn1::*;

/// Digest algorithms for message imprints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
    /// GB/T 32905 (OID 1.2.156.10197.1.401), for TSAs that accept it.
    Sm3,
}

impl HashAlg {
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            HashAlg::Sha256 => ID_SHA256,
            HashAlg::Sha384 => ID_SHA384,
            HashAlg::Sha512 => ID_SHA512,
            HashAlg::Sm3 => ID_SM3,
        }
    }

    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        [
            HashAlg::Sha256,
            HashAlg::Sha384,
            HashAlg::Sha512,
            HashAlg::Sm3,
        ]
        .into_iter()
        .find(|h| h.oid() == *oid)
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlg::Sha512 => sha2::Sha512::digest(data).to_vec(),
            HashAlg::Sm3 => sm3::Sm3::digest(data).to_vec(),
        }
    }

    pub fn output_len(self) -> usize {
        match self {
            HashAlg::Sha256 | HashAlg::Sm3 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
            HashAlg::Sm3 => "SM3",
        }
    }
}

fn alg_id(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TspError {
    #[error("malformed {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("the TSA refused: status {status} ({text}){failures}")]
    Rejected {
        status: u8,
        text: String,
        failures: String,
    },
    /// An imprint whose length is not its algorithm's.
    #[error("a {alg} imprint has {expected} bytes, not {found}")]
    ImprintLength {
        alg: &'static str,
        expected: usize,
        found: usize,
    },
    /// A request for an imprint algorithm webproof does not know.
    #[error("unsupported imprint algorithm {0}")]
    ImprintAlgorithm(ObjectIdentifier),
    /// A token that is not CMS SignedData.
    #[error("the token is {0} content, not SignedData")]
    NotSignedData(ObjectIdentifier),
    /// A token that signs something else than a TSTInfo.
    #[error("the signed content is {0}, not TSTInfo")]
    NotTstInfo(ObjectIdentifier),
    #[error("the token carries no TSTInfo")]
    NoTstInfo,
    /// A TSTInfo of another version than 1.
    #[error("TSTInfo version {0}")]
    TstVersion(i64),
    #[error("genTime is not a UTC GeneralizedTime")]
    GenTime,
    /// A granted response without its token.
    #[error("status granted but no token in the response")]
    NoToken,
    #[error("random number generator: {0}")]
    Random(#[source] getrandom::Error),
    /// Eight random numbers in a row that were no P-256 key.
    #[error("random number generator: no valid P-256 key")]
    NoKey,
    /// Issuing (the development TSA, the operator CA): what failed, and why.
    #[error("{what}: {source}")]
    Issuing {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Files of a CA or development TSA without their certificate.
    #[error("no {0} certificate")]
    NoCertificate(&'static str),
}

/// An issuing step's error, saying what failed.
#[cfg(feature = "issue")]
pub(crate) fn issuing<E: std::error::Error + Send + Sync + 'static>(
    what: &'static str,
) -> impl Fn(E) -> TspError {
    move |e| TspError::Issuing {
        what,
        source: Box::new(e),
    }
}

fn malformed(what: &'static str) -> impl Fn(der::Error) -> TspError {
    move |e| TspError::Malformed {
        what,
        detail: e.to_string(),
    }
}

/// A time-stamp request and what its answer must match.
#[derive(Clone, Debug)]
pub struct Request {
    pub der: Vec<u8>,
    pub alg: HashAlg,
    pub imprint: Vec<u8>,
    /// The nonce as unsigned big-endian bytes.
    pub nonce: Option<Vec<u8>>,
}

/// A random 64-bit nonce, as unsigned big-endian bytes without leading zeros.
pub fn random_nonce() -> Result<Vec<u8>, TspError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(TspError::Random)?;
    b[0] |= 0x01; // never zero, never shorter than expected by much
    Ok(b.to_vec())
}

/// Builds a TimeStampReq for `imprint` (already the digest of the data under `alg`), with
/// `certReq` true so the token carries the TSA's certificate.
pub fn request(
    alg: HashAlg,
    imprint: &[u8],
    nonce: Option<Vec<u8>>,
    policy: Option<ObjectIdentifier>,
) -> Result<Request, TspError> {
    if imprint.len() != alg.output_len() {
        return Err(TspError::ImprintLength {
            alg: alg.name(),
            expected: alg.output_len(),
            found: imprint.len(),
        });
    }
    let req = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: alg_id(alg.oid()),
            hashed_message: OctetString::new(imprint).map_err(malformed("imprint"))?,
        },
        req_policy: policy,
        nonce: match &nonce {
            Some(n) => Some(uint(n)?),
            None => None,
        },
        cert_req: true,
        extensions: None,
    };
    Ok(Request {
        der: req.to_der().map_err(malformed("request"))?,
        alg,
        imprint: imprint.to_vec(),
        nonce,
    })
}

/// An unsigned big-endian integer as a DER INTEGER.
fn uint(bytes: &[u8]) -> Result<Int, TspError> {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(bytes);
    Int::new(&v).map_err(malformed("integer"))
}

/// The unsigned magnitude of a DER INTEGER (leading zero bytes removed).
fn magnitude(i: &Int) -> Vec<u8> {
    let b = i.as_bytes();
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b[start..].to_vec()
}

impl Request {
    /// Reads a TimeStampReq (e.g. one kept beside a token) to check a response against it.
    pub fn from_der(der: &[u8]) -> Result<Request, TspError> {
        let r = TimeStampReq::from_der(der).map_err(malformed("time-stamp request"))?;
        let alg = HashAlg::from_oid(&r.message_imprint.hash_algorithm.oid).ok_or(
            TspError::ImprintAlgorithm(r.message_imprint.hash_algorithm.oid),
        )?;
        Ok(Request {
            der: der.to_vec(),
            alg,
            imprint: r.message_imprint.hashed_message.as_bytes().to_vec(),
            nonce: r.nonce.as_ref().map(magnitude),
        })
    }
}

/// What a token says, read without trusting it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TokenInfo {
    /// RFC 3339, as the TSA wrote it (fraction kept).
    pub gen_time: String,
    /// Seconds since the Unix epoch (fraction dropped).
    pub gen_time_unix: i64,
    /// Microseconds since the Unix epoch (fraction beyond microseconds dropped).
    pub gen_time_micros: i64,
    pub policy: String,
    pub serial: String,
    pub imprint_alg: HashAlg,
    pub imprint: String,
    pub nonce: Option<String>,
    /// Accuracy in microseconds, when the TSA states it.
    pub accuracy_micros: Option<u64>,
    pub ordering: bool,
    pub tsa_name: Option<String>,
}

/// A time-stamp token: a CMS ContentInfo (SignedData over a TSTInfo).
#[derive(Clone, Debug)]
pub struct Token {
    pub der: Vec<u8>,
    pub info: TokenInfo,
    signed_data: cms::signed_data::SignedData,
    tst_der: Vec<u8>,
}

impl Token {
    /// The certificates the token carries (its CMS certificate bag).
    pub fn certificates(&self) -> Vec<Certificate> {
        self.signed_data
            .certificates
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|c| match c {
                cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Certificates as PEM text, in order.
pub fn certs_to_pem(certs: &[Certificate]) -> Result<String, TspError> {
    use der::EncodePem;
    let mut out = String::new();
    for c in certs {
        out.push_str(
            &c.to_pem(der::pem::LineEnding::LF)
                .map_err(malformed("certificate"))?,
        );
    }
    Ok(out)
}

/// Reads a TimeStampResp: a granted status (0 or 1) with a token, or the TSA's refusal.
pub fn parse_response(bytes: &[u8]) -> Result<Token, TspError> {
    let resp = TimeStampResp::from_der(bytes).map_err(malformed("time-stamp response"))?;
    if resp.status.status > 1 {
        let f = resp.status.failures();
        return Err(TspError::Rejected {
            status: resp.status.status,
            text: resp.status.text(),
            failures: if f.is_empty() {
                String::new()
            } else {
                format!(", {}", f.join(", "))
            },
        });
    }
    let token = resp.time_stamp_token.ok_or(TspError::NoToken)?;
    parse_token(&token.to_der().map_err(malformed("token"))?)
}

/// Reads a token (a DER ContentInfo).
pub fn parse_token(der: &[u8]) -> Result<Token, TspError> {
    let ci = cms::content_info::ContentInfo::from_der(der).map_err(malformed("token"))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(TspError::NotSignedData(ci.content_type));
    }
    let sd: cms::signed_data::SignedData = ci
        .content
        .decode_as()
        .map_err(malformed("token SignedData"))?;
    if sd.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(TspError::NotTstInfo(sd.encap_content_info.econtent_type));
    }
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or(TspError::NoTstInfo)?;
    let tst_der = econtent
        .decode_as::<OctetString>()
        .map_err(malformed("TSTInfo octets"))?
        .as_bytes()
        .to_vec();
    let tst = TstInfo::from_der(&tst_der).map_err(malformed("TSTInfo"))?;
    if tst.version != 1 {
        return Err(TspError::TstVersion(tst.version.into()));
    }
    let imprint_alg = HashAlg::from_oid(&tst.message_imprint.hash_algorithm.oid).ok_or(
        TspError::ImprintAlgorithm(tst.message_imprint.hash_algorithm.oid),
    )?;
    let (gen_time, gen_time_unix, gen_time_micros) = gen_time(&tst.gen_time)?;
    let accuracy_micros = tst.accuracy.as_ref().map(|a| {
        a.seconds.unwrap_or(0) * 1_000_000
            + u64::from(a.millis.unwrap_or(0)) * 1000
            + u64::from(a.micros.unwrap_or(0))
    });
    let info = TokenInfo {
        gen_time,
        gen_time_unix,
        gen_time_micros,
        policy: tst.policy.to_string(),
        serial: hex::encode(magnitude(&tst.serial_number)),
        imprint_alg,
        imprint: hex::encode(tst.message_imprint.hashed_message.as_bytes()),
        nonce: tst.nonce.as_ref().map(|n| hex::encode(magnitude(n))),
        accuracy_micros,
        ordering: tst.ordering,
        tsa_name: tst.tsa.as_ref().map(general_name),
    };
    Ok(Token {
        der: der.to_vec(),
        info,
        signed_data: sd,
        tst_der,
    })
}

fn general_name(g: &x509_cert::ext::pkix::name::GeneralName) -> String {
    use x509_cert::ext::pkix::name::GeneralName as G;
    match g {
        G::DirectoryName(n) => n.to_string(),
        G::DnsName(d) => d.to_string(),
        G::Rfc822Name(m) => m.to_string(),
        G::UniformResourceIdentifier(u) => u.to_string(),
        other => format!("{other:?}"),
    }
}

/// Parses a GeneralizedTime value `YYYYMMDDHHMMSS[.f*]Z` (RFC 3161 §2.4.2).
fn gen_time(any: &der::Any) -> Result<(String, i64, i64), TspError> {
    let bad = || TspError::GenTime;
    if any.tag() != der::Tag::GeneralizedTime {
        return Err(bad());
    }
    let s = std::str::from_utf8(any.value()).map_err(|_| bad())?;
    let body = s.strip_suffix('Z').ok_or_else(bad)?;
    let (whole, frac) = match body.split_once('.') {
        Some((w, f))
            if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) && !f.ends_with('0') =>
        {
            (w, Some(f))
        }
        Some(_) => return Err(bad()),
        None => (body, None),
    };
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| whole[r].parse::<u32>().map_err(|_| bad());
    let month = time::Month::try_from(n(4..6)? as u8).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(n(0..4)? as i32, month, n(6..8)? as u8)
        .map_err(|_| bad())?;
    let t = time::Time::from_hms(n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8)
        .map_err(|_| bad())?;
    let dt = time::PrimitiveDateTime::new(date, t).assume_utc();
    let text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        frac.map(|f| format!(".{f}")).unwrap_or_default()
    );
    let micros = frac
        .map(|f| {
            let six: String = f.chars().chain(std::iter::repeat('0')).take(6).collect();
            six.parse::<i64>().unwrap_or(0)
        })
        .unwrap_or(0);
    Ok((
        text,
        dt.unix_timestamp(),
        dt.unix_timestamp() * 1_000_000 + micros,
    ))
}

/// What the token must be about.
#[derive(Clone, Debug, Default)]
pub struct Expect {
    /// The imprint the token must carry (algorithm and digest).
    pub imprint: Option<(HashAlg, Vec<u8>)>,
    /// The request's nonce, when the request is known.
    pub nonce: Option<Vec<u8>>,
}

impl Expect {
    pub fn from_request(r: &Request) -> Expect {
        Expect {
            imprint: Some((r.alg, r.imprint.clone())),
            nonce: r.nonce.clone(),
        }
    }
}

/// Whom to trust.
#[derive(Clone, Debug, Default)]
pub struct Trust {
    /// Trust anchors (roots), chosen by the user. Nothing is trusted by default.
    pub anchors: Vec<Certificate>,
    /// More certificates to build the chain with (for tokens without embedded ones).
    pub intermediates: Vec<Certificate>,
    /// If set, the signer (found by sid) must have exactly this subject (RFC 4514 string).
    pub signer_subject: Option<String>,
}

/// Reads every certificate of a PEM file (lines of any length, as OpenSSL accepts), or one
/// DER certificate.
pub fn load_certs(bytes: &[u8]) -> Result<Vec<Certificate>, TspError> {
    use base64::Engine as _;
    let text = match std::str::from_utf8(bytes) {
        Ok(t) if t.contains("-----BEGIN CERTIFICATE-----") => t,
        _ => {
            return Ok(vec![
                Certificate::from_der(bytes).map_err(malformed("DER certificate"))?,
            ]);
        }
    };
    let mut out = Vec::new();
    for block in text.split("-----BEGIN CERTIFICATE-----").skip(1) {
        let body = block
            .split("-----END CERTIFICATE-----")
            .next()
            .unwrap_or("");
        let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| TspError::Malformed {
                what: "PEM certificate",
                detail: e.to_string(),
            })?;
        out.push(Certificate::from_der(&der).map_err(malformed("PEM certificate"))?);
    }
    Ok(out)
}

/// The outcome of verifying one token.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Intact and chains to a configured anchor, every certificate valid at genTime.
    Trusted,
    /// Intact (imprint, ESS binding, signature, EKU hold) but no chain to a configured anchor.
    Untrusted,
    /// Something does not hold; the reason says what.
    Invalid,
}

/// What does not hold in a token (why it is invalid, or not trusted).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Problem {
    #[error("the token stamps a {found} imprint, not {expected}")]
    ImprintAlg { found: String, expected: String },
    #[error("the token stamps {found}, not the expected {expected}")]
    Imprint { found: String, expected: String },
    #[error("the token's nonce {found} is not the request's {expected}")]
    Nonce { found: String, expected: String },
    #[error("a time-stamp token has exactly one signer, this one has {count}")]
    SignerCount { count: usize },
    #[error(
        "the signing certificate named by the SignerInfo (sid) is not in the token or the supplied chain"
    )]
    NoSigningCertificate,
    #[error("the token is signed by {subject}, not by the pinned {pinned}")]
    NotPinned { subject: String, pinned: String },
    #[error("the SignerInfo has no signed attributes")]
    NoSignedAttributes,
    #[error("no {attribute} attribute")]
    NoAttribute { attribute: &'static str },
    #[error("malformed {attribute} attribute")]
    MalformedAttribute { attribute: &'static str },
    #[error("the content-type attribute is {found}, not TSTInfo")]
    ContentType { found: String },
    #[error("unsupported digest algorithm {oid}")]
    UnsupportedDigest { oid: String },
    #[error("the message-digest attribute does not match the TSTInfo: the content was changed")]
    ContentChanged,
    #[error("the ESS {attribute} does not name the signing certificate")]
    EssMismatch { attribute: &'static str },
    #[error("the ESS issuerSerial names another certificate")]
    IssuerSerial,
    #[error("no ESS signing-certificate(-v2) attribute binds the signer's certificate")]
    NoEss,
    #[error("cannot encode the signing certificate: {detail}")]
    Encoding { detail: String },
    #[error("cannot locate the signed attributes' encoding")]
    SignedAttributesEncoding,
    #[error("the signature does not verify: {detail}")]
    Signature { detail: String },
    #[error("the signing certificate has no extended key usage")]
    NoEku,
    #[error("malformed extended key usage: {detail}")]
    MalformedEku { detail: String },
    #[error(
        "the signing certificate's extended key usage is not the critical timeStamping purpose alone (RFC 3161 §2.3)"
    )]
    Eku,
    #[error("{subject} was not valid at {at}")]
    NotValidAt { subject: String, at: String },
    #[error("no configured trust anchor issued {subject} (issuer {issuer})")]
    NoAnchor { subject: String, issuer: String },
    #[error("{subject} is not a CA")]
    NotCa { subject: String },
    #[error("the certificate chain is longer than 8")]
    ChainTooLong,
    #[error("valid signature, but no chain to a configured trust anchor")]
    NoChain,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Verification {
    pub verdict: Verdict,
    /// Why it is not trusted or not valid (empty when trusted): `problem`'s text.
    pub reason: String,
    /// Why it is not trusted or not valid, as a value (None when trusted).
    pub problem: Option<Problem>,
    pub info: TokenInfo,
    /// Subject of the signing certificate, when found.
    pub signer: Option<String>,
    /// Subjects from the signer up to the anchor, when a chain was built.
    pub chain: Vec<String>,
}

/// Verifies `token` as of its own genTime.
pub fn verify(token: &Token, expect: &Expect, trust: &Trust) -> Verification {
    verify_at(token, expect, trust, token.info.gen_time_unix)
}

/// Verifies with certificate validity checked at `at` (Unix seconds) instead of genTime —
/// for showing what a verifier that used another time would conclude.
pub fn verify_at(token: &Token, expect: &Expect, trust: &Trust, at: i64) -> Verification {
    let mut v = Verification {
        verdict: Verdict::Invalid,
        reason: String::new(),
        problem: None,
        info: token.info.clone(),
        signer: None,
        chain: vec![],
    };
    match check(token, expect, trust, at, &mut v) {
        Ok(Some(chain)) => {
            v.verdict = Verdict::Trusted;
            v.chain = chain;
        }
        Ok(None) => {
            v.verdict = Verdict::Untrusted;
            if v.problem.is_none() {
                v.problem = Some(Problem::NoChain);
            }
        }
        Err(problem) => v.problem = Some(problem),
    }
    if let Some(p) = &v.problem {
        v.reason = p.to_string();
    }
    v
}

fn check(
    token: &Token,
    expect: &Expect,
    trust: &Trust,
    at: i64,
    v: &mut Verification,
) -> Result<Option<Vec<String>>, Problem> {
    let info = &token.info;
    if let Some((alg, digest)) = &expect.imprint {
        if info.imprint_alg != *alg {
            return Err(Problem::ImprintAlg {
                found: info.imprint_alg.name().to_owned(),
                expected: alg.name().to_owned(),
            });
        }
        if info.imprint != hex::encode(digest) {
            return Err(Problem::Imprint {
                found: info.imprint.clone(),
                expected: hex::encode(digest),
            });
        }
    }
    if let Some(n) = &expect.nonce
        && info.nonce.as_deref() != Some(hex::encode(n).as_str())
    {
        return Err(Problem::Nonce {
            found: info.nonce.clone().unwrap_or_else(|| "(none)".into()),
            expected: hex::encode(n),
        });
    }
    let sd = &token.signed_data;
    let infos: Vec<&cms::signed_data::SignerInfo> = sd.signer_infos.0.iter().collect();
    if infos.len() != 1 {
        return Err(Problem::SignerCount { count: infos.len() });
    }
    let si = infos[0];
    // The certificate pool: the token's bag plus what the verifier supplied.
    let mut pool: Vec<Certificate> = Vec::new();
    if let Some(set) = &sd.certificates {
        for c in set.0.iter() {
            if let cms::cert::CertificateChoices::Certificate(c) = c {
                pool.push(c.clone());
            }
        }
    }
    pool.extend(trust.intermediates.iter().cloned());
    pool.extend(trust.anchors.iter().cloned());
    let signer = pool
        .iter()
        .find(|c| matches_sid(c, &si.sid))
        .ok_or(Problem::NoSigningCertificate)?
        .clone();
    let subject = signer.tbs_certificate().subject().to_string();
    v.signer = Some(subject.clone());
    if let Some(want) = &trust.signer_subject
        && *want != subject
    {
        return Err(Problem::NotPinned {
            subject,
            pinned: want.clone(),
        });
    }
    // Signed attributes: content type, message digest of the TSTInfo, ESS binding.
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or(Problem::NoSignedAttributes)?;
    let find = |oid: ObjectIdentifier| attrs.iter().find(|a| a.oid == oid);
    let ct: ObjectIdentifier = find(ID_CONTENT_TYPE)
        .and_then(|a| single_value(&a.values))
        .ok_or(Problem::NoAttribute {
            attribute: "content-type",
        })?;
    if ct != ID_CT_TST_INFO {
        return Err(Problem::ContentType {
            found: ct.to_string(),
        });
    }
    let digest_alg = sig_digest(&si.digest_alg.oid)?;
    let md: OctetString = find(ID_MESSAGE_DIGEST)
        .and_then(|a| single_value(&a.values))
        .ok_or(Problem::NoAttribute {
            attribute: "message-digest",
        })?;
    if md.as_bytes() != digest_alg.digest(&token.tst_der).as_slice() {
        return Err(Problem::ContentChanged);
    }
    let cert_der = signer.to_der().map_err(|e| Problem::Encoding {
        detail: e.to_string(),
    })?;
    if let Some(a) = find(ID_AA_SIGNING_CERTIFICATE_V2) {
        let bad = Problem::MalformedAttribute {
            attribute: "signing-certificate-v2",
        };
        let sc: SigningCertificateV2 = single_value(&a.values).ok_or(bad.clone())?;
        let first = sc.certs.first().ok_or(bad)?;
        let alg = match &first.hash_algorithm {
            Some(a) => sig_digest(&a.oid)?,
            None => HashAlg::Sha256,
        };
        if first.cert_hash.as_bytes() != alg.digest(&cert_der).as_slice() {
            return Err(Problem::EssMismatch {
                attribute: "signing-certificate-v2",
            });
        }
        check_issuer_serial(first.issuer_serial.as_ref(), &signer)?;
    } else if let Some(a) = find(ID_AA_SIGNING_CERTIFICATE) {
        let bad = Problem::MalformedAttribute {
            attribute: "signing-certificate",
        };
        let sc: SigningCertificate = single_value(&a.values).ok_or(bad.clone())?;
        let first = sc.certs.first().ok_or(bad)?;
        if first.cert_hash.as_bytes() != sha1::Sha1::digest(&cert_der).as_slice() {
            return Err(Problem::EssMismatch {
                attribute: "signing-certificate",
            });
        }
        check_issuer_serial(first.issuer_serial.as_ref(), &signer)?;
    } else {
        return Err(Problem::NoEss);
    }
    // The signature over the signed attributes exactly as encoded.
    let raw = asn1::raw_signed_attrs(&token.der)
        .and_then(|v| v.into_iter().next().flatten())
        .ok_or(Problem::SignedAttributesEncoding)?;
    let mut signed = raw;
    signed[0] = 0x31; // [0] IMPLICIT → SET OF, as RFC 5652 §5.4 requires
    verify_sig::verify(
        signer.tbs_certificate().subject_public_key_info(),
        &si.signature_algorithm,
        digest_alg,
        &signed,
        si.signature.as_bytes(),
    )
    .map_err(|e| Problem::Signature {
        detail: e.to_string(),
    })?;
    // The critical timeStamping EKU.
    let eku = signer
        .tbs_certificate()
        .extensions()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == ID_CE_EXT_KEY_USAGE))
        .ok_or(Problem::NoEku)?;
    let purposes = Vec::<ObjectIdentifier>::from_der(eku.extn_value.as_bytes()).map_err(|e| {
        Problem::MalformedEku {
            detail: e.to_string(),
        }
    })?;
    if !eku.critical || purposes != [ID_KP_TIME_STAMPING] {
        return Err(Problem::Eku);
    }
    // A chain to an anchor, every certificate valid at `at`.
    Ok(chain_to_anchor(&signer, &pool, &trust.anchors, at, v))
}

fn check_issuer_serial(is: Option<&IssuerSerial>, signer: &Certificate) -> Result<(), Problem> {
    if let Some(is) = is
        && is.serial_number != *signer.tbs_certificate().serial_number()
    {
        return Err(Problem::IssuerSerial);
    }
    Ok(())
}

fn sig_digest(oid: &ObjectIdentifier) -> Result<HashAlg, Problem> {
    HashAlg::from_oid(oid).ok_or_else(|| Problem::UnsupportedDigest {
        oid: oid.to_string(),
    })
}

fn matches_sid(c: &Certificate, sid: &cms::signed_data::SignerIdentifier) -> bool {
    use cms::signed_data::SignerIdentifier as S;
    let tbs = c.tbs_certificate();
    match sid {
        S::IssuerAndSerialNumber(is) => {
            tbs.issuer() == &is.issuer && tbs.serial_number() == &is.serial_number
        }
        S::SubjectKeyIdentifier(ski) => tbs
            .extensions()
            .and_then(|e| e.iter().find(|x| x.extn_id == ID_CE_SUBJECT_KEY_IDENTIFIER))
            .and_then(|x| OctetString::from_der(x.extn_value.as_bytes()).ok())
            .is_some_and(|k| k.as_bytes() == ski.0.as_bytes()),
    }
}

fn valid_at(c: &Certificate, at: i64) -> bool {
    let v = c.tbs_certificate().validity();
    let nb = v.not_before.to_unix_duration().as_secs() as i64;
    let na = v.not_after.to_unix_duration().as_secs() as i64;
    nb <= at && at <= na
}

fn is_ca(c: &Certificate) -> bool {
    c.tbs_certificate()
        .extensions()
        .and_then(|e| e.iter().find(|x| x.extn_id == ID_CE_BASIC_CONSTRAINTS))
        .and_then(|x| {
            x509_cert::ext::pkix::BasicConstraints::from_der(x.extn_value.as_bytes()).ok()
        })
        .is_some_and(|bc| bc.ca)
}

/// Walks from `leaf` up through `pool` to one of `anchors`. `Some(subjects)` when a chain is
/// found with every link's signature verifying and every certificate valid at `at`; `None`
/// (with the reason in `v.problem`) otherwise.
fn chain_to_anchor(
    leaf: &Certificate,
    pool: &[Certificate],
    anchors: &[Certificate],
    at: i64,
    v: &mut Verification,
) -> Option<Vec<String>> {
    let mut path = vec![leaf.clone()];
    let mut cur = leaf.clone();
    for _ in 0..8 {
        if !valid_at(&cur, at) {
            v.problem = Some(Problem::NotValidAt {
                subject: cur.tbs_certificate().subject().to_string(),
                at: unix_text(at),
            });
            return None;
        }
        if anchors.iter().any(|a| a == &cur) {
            return Some(subjects(&path));
        }
        // An anchor that issued it, else an intermediate CA from the pool.
        let issuer = anchors
            .iter()
            .chain(pool.iter())
            .filter(|i| i.tbs_certificate().subject() == cur.tbs_certificate().issuer())
            .filter(|i| *i != &cur)
            .find(|i| verify_sig::verify_cert(&cur, i).is_ok());
        let Some(issuer) = issuer else {
            v.problem = Some(Problem::NoAnchor {
                subject: cur.tbs_certificate().subject().to_string(),
                issuer: cur.tbs_certificate().issuer().to_string(),
            });
            return None;
        };
        if !anchors.iter().any(|a| a == issuer) && !is_ca(issuer) {
            v.problem = Some(Problem::NotCa {
                subject: issuer.tbs_certificate().subject().to_string(),
            });
            return None;
        }
        path.push(issuer.clone());
        cur = issuer.clone();
    }
    v.problem = Some(Problem::ChainTooLong);
    None
}

fn subjects(path: &[Certificate]) -> Vec<String> {
    path.iter()
        .map(|c| c.tbs_certificate().subject().to_string())
        .collect()
}

fn unix_text(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

impl Explain for TspError {
    fn message(&self) -> Message {
        use TspError as E;
        match self {
            E::Malformed { what, detail } => msg!("err-tsp-malformed")
                .arg("what", what)
                .arg("detail", detail),
            E::Rejected {
                status,
                text,
                failures,
            } => msg!("err-tsp-rejected")
                .arg("status", status)
                .arg("detail", format!("{text}{failures}")),
            E::ImprintLength {
                alg,
                expected,
                found,
            } => msg!("err-tsp-imprint-length")
                .arg("alg", alg)
                .arg("expected", expected)
                .arg("found", found),
            E::ImprintAlgorithm(oid) => msg!("err-tsp-imprint-alg").arg("oid", oid),
            E::NoToken => msg!("err-tsp-no-token"),
            E::NotSignedData(oid) => msg!("err-tsp-not-signed-data").arg("oid", oid),
            E::NotTstInfo(oid) => msg!("err-tsp-not-tst-info").arg("oid", oid),
            E::NoTstInfo => msg!("err-tsp-no-tst-info"),
            E::TstVersion(v) => msg!("err-tsp-version").arg("version", v),
            E::GenTime => msg!("err-tsp-gen-time"),
            E::Random(e) => msg!("err-key-random").arg("detail", e),
            E::NoKey => msg!("err-key-random").arg("detail", "no valid P-256 key"),
            // What a library said (ASN.1 encoding, a key that does not parse), in its words.
            E::Issuing { what, source } => msg!("err-tsp-issuing")
                .arg("what", what)
                .arg("detail", source),
            E::NoCertificate(of) => msg!("err-tsp-no-certificate").arg("of", of),
        }
    }
}

impl Explain for Problem {
    fn message(&self) -> Message {
        use Problem as P;
        match self {
            P::ImprintAlg { found, expected } => msg!("err-ts-imprint-alg")
                .arg("found", found)
                .arg("expected", expected),
            P::Imprint { found, expected } => msg!("err-ts-imprint")
                .arg("found", found)
                .arg("expected", expected),
            P::Nonce { found, expected } => msg!("err-ts-nonce")
                .arg("found", found)
                .arg("expected", expected),
            P::SignerCount { count } => msg!("err-ts-signers").arg("count", count),
            P::NoSigningCertificate => msg!("err-ts-no-cert"),
            P::NotPinned { subject, pinned } => msg!("err-ts-not-pinned")
                .arg("subject", subject)
                .arg("pinned", pinned),
            P::NoSignedAttributes => msg!("err-ts-no-signed-attrs"),
            P::NoAttribute { attribute } => msg!("err-ts-no-attr").arg("attribute", attribute),
            P::MalformedAttribute { attribute } => {
                msg!("err-ts-bad-attr").arg("attribute", attribute)
            }
            P::ContentType { found } => msg!("err-ts-content-type").arg("found", found),
            P::UnsupportedDigest { oid } => msg!("err-ts-digest").arg("oid", oid),
            P::ContentChanged => msg!("err-ts-content-changed"),
            P::EssMismatch { attribute } => msg!("err-ts-ess-mismatch").arg("attribute", attribute),
            P::IssuerSerial => msg!("err-ts-issuer-serial"),
            P::NoEss => msg!("err-ts-no-ess"),
            P::Encoding { detail } => msg!("err-ts-encoding").arg("detail", detail),
            P::SignedAttributesEncoding => msg!("err-ts-signed-attrs-encoding"),
            P::Signature { detail } => msg!("err-ts-signature").arg("detail", detail),
            P::NoEku => msg!("err-ts-no-eku"),
            P::MalformedEku { detail } => msg!("err-ts-bad-eku").arg("detail", detail),
            P::Eku => msg!("err-ts-eku"),
            P::NotValidAt { subject, at } => msg!("err-ts-not-valid-at")
                .arg("subject", subject)
                .arg("at", at),
            P::NoAnchor { subject, issuer } => msg!("err-ts-no-anchor")
                .arg("subject", subject)
                .arg("issuer", issuer),
            P::NotCa { subject } => msg!("err-ts-not-ca").arg("subject", subject),
            P::ChainTooLong => msg!("err-ts-chain-long"),
            P::NoChain => msg!("err-ts-no-chain"),
        }
    }
}
