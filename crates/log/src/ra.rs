//! The log's registration authority: real-name operator enrollment and access control.
//!
//! Roles are keys (webproof identities, Ed25519 or SM2), known by fingerprint:
//! - **admins** (given to `webproof log serve --admin-key`) add registrars and revoke;
//! - **registrars** (a notary or RA officer) check a person's identity out of band and issue a
//!   one-time enrollment code bound to name, organisation, tenant, salted ID reference and
//!   (optionally) the person's key fingerprint;
//! - **operators** enroll once with the code (proving possession of their key) and get an
//!   X.509 certificate from the log's operator CA; only they may deposit, each only under its
//!   own fingerprint, within a per-operator rate.
//!
//! Every request is signed ([`webproof_ledger::auth`]); a stale or replayed signature is
//! refused. Every administrative action is appended to the log itself
//! ([`webproof_ledger::deposit::AdminEntry`]), so the witnesses vouch for it like a deposit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use webproof_evidence::identity::PublicKey;
use webproof_ledger::auth;
use webproof_timestamp::ca::{Ca, CaFiles, CertRole, Subject};

use crate::{LogError, LogStore};

/// How long an enrollment code stays valid, in seconds.
pub const CODE_LIFETIME: u64 = 7 * 86_400;
/// How long an operator certificate is valid, in days.
pub const CERT_DAYS: i64 = 2 * 365;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Registrar,
    Operator,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegistrarRecord {
    pub name: String,
    pub public_key: String,
    pub added: u64,
    pub by: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CodeRecord {
    pub subject: Subject,
    /// What the person is certified as (codes from before notaries enrolled: operator).
    #[serde(default = "operator_role")]
    pub role: CertRole,
    /// The only key that may enroll with this code, if the registrar bound one.
    pub fingerprint: Option<String>,
    pub registrar: String,
    pub expires: u64,
    pub used_by: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Revocation {
    pub time: u64,
    pub reason: String,
    pub by: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OperatorRecord {
    pub subject: Subject,
    /// What the certificate certifies the person as: operator or notary.
    #[serde(default = "operator_role")]
    pub role: CertRole,
    pub public_key: String,
    pub certificate: String,
    pub registrar: String,
    pub enrolled: u64,
    pub revoked: Option<Revocation>,
}

/// What a registrar asks a code for.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    pub name: String,
    pub organisation: Option<String>,
    pub tenant: String,
    pub id_ref: Option<String>,
    pub fingerprint: Option<String>,
    /// What the code certifies: an operator (the default) or a notary.
    #[serde(default = "operator_role")]
    pub role: CertRole,
}

fn operator_role() -> CertRole {
    CertRole::Operator
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    pub code: String,
    /// The operator's SubjectPublicKeyInfo PEM (the key that signs the request).
    pub public_key: String,
    /// The role the key is to be certified for; the code must be for that role.
    #[serde(default = "operator_role")]
    pub role: CertRole,
    /// Who the key's identity document says its holder is. When given, a code issued for
    /// another name or organisation is refused before it is used up: the certificate would
    /// name someone else than the packages the key signs, and every one would fail
    /// `identity.subject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Claimed>,
}

/// A person as an identity document and a certificate both name them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claimed {
    pub name: String,
    pub organisation: Option<String>,
}

impl From<&Subject> for Claimed {
    fn from(s: &Subject) -> Self {
        Claimed {
            name: s.name.clone(),
            organisation: s.organisation.clone(),
        }
    }
}

/// `POST /ra/enroll`'s answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnrollAnswer {
    #[serde(flatten)]
    pub enrolled: Enrolled,
    /// The index of the log entry that records the enrollment.
    pub logged_at: u64,
}

/// `POST /ra/registrars`' answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegistrarAdded {
    /// The registrar's key fingerprint.
    pub registrar: String,
    pub logged_at: u64,
}

/// `POST /ra/codes`' answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CodeIssued {
    /// The one-time code, for the person only.
    pub code: String,
    /// Unix time after which the code is refused.
    pub expires: u64,
    pub logged_at: u64,
}

/// `POST /ra/revoke`'s answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Revoked {
    /// The revoked key's fingerprint, as asked.
    pub revoked: String,
    /// Unix time of the revocation.
    pub time: u64,
    pub logged_at: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Enrolled {
    pub certificate: String,
    pub ca: String,
    pub subject: Subject,
    /// What the certificate certifies the person as.
    pub role: CertRole,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrarRequest {
    pub name: String,
    pub public_key: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    pub fingerprint: String,
    pub reason: String,
}

pub use crate::Refusal;

fn ca_pem(ca: &Ca) -> String {
    use der::EncodePem;
    ca.cert.to_pem(der::pem::LineEnding::LF).unwrap_or_default()
}

/// Where the operator CA every frontend of the log issues under is recorded.
const CA_RECORD: &str = "operator-ca";

/// Every frontend of one log must issue operator certificates under the same CA, or a
/// certificate one issued would fail against the CA another publishes: the first frontend to
/// start records its CA's certificate in the store, and one with another CA (`cert`) refuses
/// to start.
fn same_ca_as_the_others(
    store: &dyn LogStore,
    ca: &Ca,
    cert: &std::path::Path,
) -> Result<(), LogError> {
    let pem = ca_pem(ca).into_bytes();
    let mut other = false;
    store
        .ra_update(
            CA_RECORD,
            Box::new(|recorded| match recorded {
                None => Ok(Some(pem.clone())),
                Some(r) => {
                    other = r != pem.as_slice();
                    Ok(None)
                }
            }),
        )?
        .map_err(|r| LogError::OperatorCa(r.reason.into()))?;
    if other {
        return Err(LogError::OtherOperatorCa(cert.to_owned()));
    }
    Ok(())
}

fn refuse(code: u16, msg: impl Into<String>) -> Refusal {
    Refusal::new(code, msg.into())
}

fn internal(e: impl std::fmt::Display) -> Refusal {
    Refusal::new(500, e.to_string())
}

/// A request the store failed: 503 (ask again) when the database was out of reach.
fn stored(e: crate::LogError) -> Refusal {
    Refusal::of(&e)
}

/// Who signed a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub role: Role,
    pub fingerprint: String,
    /// For operators: their tenant.
    pub tenant: Option<String>,
    /// The request, as the replay check remembers it.
    pub seen: crate::Seen,
}

pub struct Ra {
    /// The log's origin: signed requests name it, so one signed for another log is refused.
    origin: String,
    store: std::sync::Arc<dyn LogStore>,
    ca: Ca,
    admins: Vec<(String, PublicKey)>,
    /// Deposits per second per operator (bursts of twice that).
    rate: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
    /// Signatures seen (SHA-256) and when they may be forgotten.
    seen: Mutex<HashMap<[u8; 32], u64>>,
    /// Enrolled, unrevoked operators' keys and tenants, as read from the store (a revocation
    /// removes its entry before it returns).
    operators: Mutex<HashMap<String, (PublicKey, String)>>,
}

fn json<T: Serialize>(v: &T) -> Result<Vec<u8>, Refusal> {
    serde_json::to_vec(v).map_err(internal)
}

impl Ra {
    /// Opens the RA of the log in `dir` (its operator CA is created there on first use).
    pub fn open(
        dir: &std::path::Path,
        origin: &str,
        store: std::sync::Arc<dyn LogStore>,
        admins: Vec<PublicKey>,
        rate: u32,
        now: u64,
    ) -> Result<Ra, LogError> {
        let err = |e: Box<dyn std::error::Error + Send + Sync>| LogError::OperatorCa(e);
        let (cert, key) = (dir.join("operator-ca.pem"), dir.join("operator-ca.key"));
        let ca = if cert.exists() && key.exists() {
            let read = |p: &std::path::Path| std::fs::read_to_string(p).map_err(|e| err(e.into()));
            Ca::from_files(&CaFiles {
                cert_pem: read(&cert)?,
                key_pem: read(&key)?,
            })
            .map_err(|e| err(e.into()))?
        } else {
            let ca = Ca::generate(&format!("webproof operator CA {origin}"), now as i64)
                .map_err(|e| err(e.into()))?;
            let f = ca.to_files().map_err(|e| err(e.into()))?;
            write_private(&key, f.key_pem.as_bytes()).map_err(|e| err(e.into()))?;
            std::fs::write(&cert, f.cert_pem).map_err(|e| err(e.into()))?;
            ca
        };
        same_ca_as_the_others(&*store, &ca, &cert)?;
        let admins = admins
            .into_iter()
            .map(|k| Ok((k.fingerprint().map_err(|e| err(e.into()))?.to_hex(), k)))
            .collect::<Result<Vec<_>, LogError>>()?;
        // Requests accepted before a restart are still refused as replays.
        let seen = store
            .seen(now)?
            .into_iter()
            .map(|s| (s.digest, s.until))
            .collect();
        Ok(Ra {
            origin: origin.to_owned(),
            store,
            ca,
            admins,
            rate: f64::from(rate.max(1)),
            buckets: Mutex::new(HashMap::new()),
            seen: Mutex::new(seen),
            operators: Mutex::new(HashMap::new()),
        })
    }

    /// The operator CA's certificate (PEM).
    pub fn ca_pem(&self) -> String {
        ca_pem(&self.ca)
    }

    fn operator(&self, fpr: &str) -> Result<Option<OperatorRecord>, Refusal> {
        match self
            .store
            .ra_get(&format!("operator/{fpr}"))
            .map_err(stored)?
        {
            Some(b) => Ok(Some(serde_json::from_slice(&b).map_err(internal)?)),
            None => Ok(None),
        }
    }

    /// Checks a request's signature and says who made it, and remembers the request durably
    /// before it returns, so it is refused as a replay even after a restart. `enrolling` is
    /// the public key an enrollment request brings (its signer is not known yet).
    pub fn authenticate(
        &self,
        method: &str,
        path: &str,
        header: Option<&str>,
        body: &[u8],
        now: u64,
        enrolling: Option<&PublicKey>,
    ) -> Result<Caller, Refusal> {
        let caller = self.authenticate_deposit(method, path, header, body, now, enrolling)?;
        self.store.remember(&[caller.seen], now).map_err(stored)?;
        Ok(caller)
    }

    /// [`Ra::authenticate`] for a request that deposits: it is remembered in memory only, and
    /// durably by the caller in the transaction that commits its deposits
    /// ([`crate::Sequencer::deposit_seen_async`] with [`Caller::seen`]), so the group commit
    /// keeps one write per batch.
    pub fn authenticate_deposit(
        &self,
        method: &str,
        path: &str,
        header: Option<&str>,
        body: &[u8],
        now: u64,
        enrolling: Option<&PublicKey>,
    ) -> Result<Caller, Refusal> {
        let (keyid, time, sig) = header
            .and_then(auth::parse_header)
            .ok_or_else(|| refuse(401, "sign the request (Webproof-Signature header)"))?;
        if time.abs_diff(now) > auth::MAX_SKEW {
            return Err(refuse(
                401,
                format!(
                    "the request's time {time} is more than {} s from the log's {now}",
                    auth::MAX_SKEW
                ),
            ));
        }
        let (role, key, tenant) = if let Some(k) = enrolling {
            (Role::Operator, k.clone(), None)
        } else if let Some((_, k)) = self.admins.iter().find(|(f, _)| *f == keyid) {
            (Role::Admin, k.clone(), None)
        } else if let Some(b) = self
            .store
            .ra_get(&format!("registrar/{keyid}"))
            .map_err(stored)?
        {
            let r: RegistrarRecord = serde_json::from_slice(&b).map_err(internal)?;
            let k = PublicKey::from_pem(&r.public_key).map_err(internal)?;
            (Role::Registrar, k, None)
        } else if let Some((k, tenant)) = self
            .operators
            .lock()
            .map_err(|_| internal("lock"))?
            .get(&keyid)
            .cloned()
        {
            (Role::Operator, k, Some(tenant))
        } else if let Some(op) = self.operator(&keyid)? {
            if let Some(r) = &op.revoked {
                return Err(refuse(
                    403,
                    format!("operator {keyid} was revoked at {} (Unix time)", r.time),
                ));
            }
            let k = PublicKey::from_pem(&op.public_key).map_err(internal)?;
            self.operators
                .lock()
                .map_err(|_| internal("lock"))?
                .insert(keyid.clone(), (k.clone(), op.subject.tenant.clone()));
            (Role::Operator, k, Some(op.subject.tenant))
        } else {
            return Err(refuse(403, format!("unknown key {keyid}: not enrolled")));
        };
        if key.fingerprint().map_err(internal)?.to_hex() != keyid {
            return Err(refuse(
                401,
                "the signature's key id is not the key's fingerprint",
            ));
        }
        key.verify(
            &auth::request_message(&self.origin, method, path, time, body),
            &sig,
        )
        .map_err(|_| refuse(401, "the request's signature does not verify"))?;
        // Replay: every signature counts once while its time is acceptable.
        let digest: [u8; 32] = webproof_evidence::digest::sha256(&sig).0;
        let mut seen = self.seen.lock().map_err(|_| internal("lock"))?;
        seen.retain(|_, until| *until >= now);
        let until = time + 2 * auth::MAX_SKEW;
        if seen.insert(digest, until).is_some() {
            return Err(refuse(409, "a replayed request"));
        }
        Ok(Caller {
            role,
            fingerprint: keyid,
            tenant,
            seen: crate::Seen { digest, until },
        })
    }

    /// Takes `n` deposits from the operator's allowance (token bucket).
    pub fn charge(&self, fpr: &str, n: usize) -> Result<(), Refusal> {
        let mut b = self.buckets.lock().map_err(|_| internal("lock"))?;
        let now = Instant::now();
        let burst = self.rate * 2.0;
        let (tokens, at) = b.entry(fpr.to_owned()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(burst);
        *at = now;
        if *tokens < n as f64 {
            return Err(refuse(
                429,
                format!("rate limit: {} deposits per second per operator", self.rate),
            ));
        }
        *tokens -= n as f64;
        Ok(())
    }

    pub fn add_registrar(
        &self,
        by: &Caller,
        req: &RegistrarRequest,
        now: u64,
    ) -> Result<String, Refusal> {
        if by.role != Role::Admin {
            return Err(refuse(403, "only an admin adds registrars"));
        }
        let key = PublicKey::from_pem(&req.public_key)
            .map_err(|e| refuse(400, format!("the registrar's key: {e}")))?;
        let fpr = key.fingerprint().map_err(internal)?.to_hex();
        if self.operator(&fpr)?.is_some() || self.admins.iter().any(|(f, _)| *f == fpr) {
            return Err(refuse(409, "that key already has another role"));
        }
        let rec = json(&RegistrarRecord {
            name: req.name.clone(),
            public_key: req.public_key.clone(),
            added: now,
            by: by.fingerprint.clone(),
        })?;
        self.store
            .ra_update(
                &format!("registrar/{fpr}"),
                Box::new(|old| match old {
                    Some(_) => Err(refuse(409, "already a registrar")),
                    None => Ok(Some(rec)),
                }),
            )
            .map_err(stored)??;
        Ok(fpr)
    }

    /// A one-time code for the person `req` describes; stored only as its SHA-256.
    pub fn issue_code(
        &self,
        by: &Caller,
        req: &CodeRequest,
        now: u64,
    ) -> Result<(String, String, u64), Refusal> {
        if by.role != Role::Registrar {
            return Err(refuse(403, "only a registrar issues enrollment codes"));
        }
        let bad = |m: &str| refuse(400, m.to_owned());
        if req.name.trim().is_empty() || req.name.len() > 128 {
            return Err(bad("a name of 1 to 128 bytes"));
        }
        if req.tenant.is_empty()
            || req.tenant.len() > 64
            || !req
                .tenant
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            return Err(bad("a tenant of 1 to 64 letters, digits, '-', '_' or '.'"));
        }
        if req.organisation.as_ref().is_some_and(|o| o.len() > 128) {
            return Err(bad("an organisation of at most 128 bytes"));
        }
        if let Some(id) = &req.id_ref {
            let hex = id.strip_prefix("sha256:").unwrap_or("");
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad("id_ref is sha256: and 64 hex digits"));
            }
        }
        if let Some(f) = &req.fingerprint
            && (f.len() != 64 || !f.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(bad("fingerprint is 64 hex digits"));
        }
        let mut raw = [0u8; 16];
        getrandom::fill(&mut raw).map_err(internal)?;
        let code = base32(&raw);
        let hash = code_hash(&code);
        let expires = now + CODE_LIFETIME;
        let rec = json(&CodeRecord {
            subject: Subject {
                name: req.name.clone(),
                organisation: req.organisation.clone(),
                tenant: req.tenant.clone(),
                id_ref: req.id_ref.clone(),
            },
            role: req.role,
            fingerprint: req.fingerprint.as_ref().map(|f| f.to_ascii_lowercase()),
            registrar: by.fingerprint.clone(),
            expires,
            used_by: None,
        })?;
        self.store
            .ra_update(
                &format!("code/{hash}"),
                Box::new(|old| match old {
                    Some(_) => Err(internal("code collision")),
                    None => Ok(Some(rec)),
                }),
            )
            .map_err(stored)??;
        Ok((code, hash, expires))
    }

    /// Enrolls the key of an enrollment request signed by that key; the code is used up in
    /// the same transaction that checks it, so it works once.
    pub fn enroll(
        &self,
        caller: &Caller,
        req: &EnrollRequest,
        now: u64,
    ) -> Result<(Enrolled, String, String), Refusal> {
        let key = PublicKey::from_pem(&req.public_key)
            .map_err(|e| refuse(400, format!("the operator's key: {e}")))?;
        let fpr = key.fingerprint().map_err(internal)?.to_hex();
        if fpr != caller.fingerprint {
            return Err(refuse(
                401,
                "the request is not signed by the key it enrolls",
            ));
        }
        if self.operator(&fpr)?.is_some() {
            return Err(refuse(409, "this key is already enrolled"));
        }
        if self.admins.iter().any(|(f, _)| *f == fpr)
            || self
                .store
                .ra_get(&format!("registrar/{fpr}"))
                .map_err(stored)?
                .is_some()
        {
            return Err(refuse(409, "that key already has another role"));
        }
        let hash = code_hash(&req.code);
        let mut taken: Option<CodeRecord> = None;
        self.store
            .ra_update(
                &format!("code/{hash}"),
                Box::new(|old| {
                    let Some(old) = old else {
                        return Err(refuse(403, "unknown enrollment code"));
                    };
                    let mut c: CodeRecord = serde_json::from_slice(old).map_err(internal)?;
                    if c.used_by.is_some() {
                        return Err(refuse(403, "this enrollment code was already used"));
                    }
                    if now > c.expires {
                        return Err(refuse(403, "this enrollment code has expired"));
                    }
                    if c.fingerprint.as_ref().is_some_and(|f| *f != fpr) {
                        return Err(refuse(403, "this enrollment code is for another key"));
                    }
                    if c.role != req.role {
                        return Err(refuse(
                            403,
                            match c.role {
                                CertRole::Notary => "this enrollment code is for a notary",
                                CertRole::Operator => "this enrollment code is for an operator",
                            },
                        ));
                    }
                    if let Some(id) = &req.identity
                        && *id != Claimed::from(&c.subject)
                    {
                        use webproof_evidence::identity::who;
                        return Err(refuse(
                            409,
                            format!(
                                "this enrollment code is for {}, but the key's identity is {}: \
                                 the certificate would name another person than the packages \
                                 the key signs; the registrar issues a code for the name and \
                                 organisation as the identity has them, or the identity is made \
                                 again (the code is not used up)",
                                who(&c.subject.name, c.subject.organisation.as_deref()),
                                who(&id.name, id.organisation.as_deref())
                            ),
                        ));
                    }
                    c.used_by = Some(fpr.clone());
                    let new = json(&c)?;
                    taken = Some(c);
                    Ok(Some(new))
                }),
            )
            .map_err(stored)??;
        let c = taken.ok_or_else(|| internal("code lost"))?;
        let spki = key.spki_der().map_err(internal)?;
        let cert = self
            .ca
            .certify(&c.subject, &spki, now as i64, CERT_DAYS, c.role)
            .map_err(internal)?;
        use der::EncodePem;
        let pem = cert.to_pem(der::pem::LineEnding::LF).map_err(internal)?;
        let rec = json(&OperatorRecord {
            subject: c.subject.clone(),
            role: c.role,
            public_key: req.public_key.clone(),
            certificate: pem.clone(),
            registrar: c.registrar.clone(),
            enrolled: now,
            revoked: None,
        })?;
        self.store
            .ra_update(
                &format!("operator/{fpr}"),
                Box::new(|old| match old {
                    Some(_) => Err(refuse(409, "this key is already enrolled")),
                    None => Ok(Some(rec)),
                }),
            )
            .map_err(stored)??;
        let cert_hash = webproof_evidence::digest::sha256(pem.as_bytes()).to_hex();
        Ok((
            Enrolled {
                certificate: pem,
                ca: self.ca_pem(),
                subject: c.subject,
                role: c.role,
            },
            c.registrar,
            cert_hash,
        ))
    }

    pub fn revoke(&self, by: &Caller, req: &RevokeRequest, now: u64) -> Result<(), Refusal> {
        let fpr = req.fingerprint.to_ascii_lowercase();
        let op = self
            .operator(&fpr)?
            .ok_or_else(|| refuse(404, "no such operator"))?;
        let allowed = by.role == Role::Admin
            || (by.role == Role::Registrar && op.registrar == by.fingerprint);
        if !allowed {
            return Err(refuse(
                403,
                "only an admin, or the registrar who enrolled the operator, revokes",
            ));
        }
        let revocation = Revocation {
            time: now,
            reason: req.reason.chars().take(200).collect(),
            by: by.fingerprint.clone(),
        };
        // Forgotten first: from here on every request of this key reads the store.
        self.operators
            .lock()
            .map_err(|_| internal("lock"))?
            .remove(&fpr);
        self.store
            .ra_update(
                &format!("operator/{fpr}"),
                Box::new(|old| {
                    let mut op: OperatorRecord =
                        serde_json::from_slice(old.unwrap_or_default()).map_err(internal)?;
                    if op.revoked.is_some() {
                        return Err(refuse(409, "already revoked"));
                    }
                    op.revoked = Some(revocation);
                    Ok(Some(json(&op)?))
                }),
            )
            .map_err(stored)??;
        // And again: a request that read the record before the revocation was written may
        // have cached the key meanwhile.
        self.operators
            .lock()
            .map_err(|_| internal("lock"))?
            .remove(&fpr);
        Ok(())
    }

    /// Every revoked operator: (fingerprint, revocation time).
    pub fn revoked(&self) -> Result<Vec<(String, u64)>, LogError> {
        let mut out = Vec::new();
        for (k, v) in self.store.ra_list("operator/")? {
            if let Ok(op) = serde_json::from_slice::<OperatorRecord>(&v)
                && let Some(r) = op.revoked
            {
                out.push((k.trim_start_matches("operator/").to_owned(), r.time));
            }
        }
        Ok(out)
    }

    /// Keeps the private label of the deposit at `index` by operator `fpr`, for its tenant.
    pub fn keep_label(&self, index: u64, fpr: &str, label: &str) -> Result<(), Refusal> {
        let tenant = self
            .operator(fpr)?
            .map(|o| o.subject.tenant)
            .ok_or_else(|| refuse(403, "not enrolled"))?;
        let rec = json(&serde_json::json!({"tenant": tenant, "label": label}))?;
        self.store
            .ra_update(&format!("label/{index:020}"), Box::new(|_| Ok(Some(rec))))
            .map_err(stored)?
    }

    /// The private label of the deposit at `index`, for an operator of the same tenant only.
    pub fn label(&self, index: u64, caller: &Caller) -> Result<String, Refusal> {
        let rec = self
            .store
            .ra_get(&format!("label/{index:020}"))
            .map_err(stored)?
            .ok_or_else(|| refuse(404, "no private label for this entry"))?;
        let rec: serde_json::Value = serde_json::from_slice(&rec).map_err(internal)?;
        if caller.role != Role::Operator || caller.tenant.as_deref() != rec["tenant"].as_str() {
            return Err(refuse(403, "another tenant's label"));
        }
        Ok(rec["label"].as_str().unwrap_or_default().to_owned())
    }
}

/// What an enrollment code is stored as: SHA-256 of its letters and digits, upper-cased (so
/// dashes, spaces and case as typed do not matter).
pub fn code_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    webproof_evidence::digest::sha256(norm.as_bytes()).to_hex()
}

/// RFC 4648 base32 without padding, in groups of four for reading aloud.
fn base32(b: &[u8]) -> String {
    const A: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut acc, mut bits) = (String::new(), 0u32, 0u32);
    for &x in b {
        acc = (acc << 8) | u32::from(x);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(A[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(A[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    // Readable by its owner only (on Windows, the user's profile directory's ACL).
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
