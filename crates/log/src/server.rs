//! The evidence log over HTTP. A deposit is acknowledged with a signed promise (origin, index,
//! leaf hash, log time) once it is durable; a checkpointer signs a new checkpoint when the tree
//! has grown, has it cosigned by the configured witnesses (c2sp.org/tlog-witness) and publishes
//! it once `quorum` of them have cosigned. Anyone can then fetch the checkpoint and proofs.
//!
//! Endpoints: `POST /add` (a canonical [`Deposit`]; answered with an [`Ack`] in JSON),
//! `POST /add-batch` (canonical deposits, one per line, committed together; a [`BatchAck`]:
//! the first index, the promise once, each deposit's path), `GET /checkpoint`,
//! `GET /proof/inclusion/{index}/{size}`, `GET /proof/consistency/{old}/{size}`,
//! `GET /entry/{index}`, `GET /lookup/{sha256 hex}`, and c2sp.org/tlog-tiles reads within the
//! latest published checkpoint: `GET /tile/<L>/<N>[.p/<W>]`, `GET /tile/entries/<N>[.p/<W>]`
//! (immutable, so any HTTP cache or mirror can serve them).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use webproof_ledger::api;

use base64::Engine as _;
use webproof_ledger::deposit::Deposit;
use webproof_ledger::merkle::Hash;
use webproof_ledger::note::{Checkpoint, Note, NoteKey, NoteSigner};
use webproof_ledger::receipt::{Ack, BatchAck, proof_to_b64};
use webproof_ledger::witness::{add_checkpoint_body, verify_witnessed};
use webproof_timestamp::ca::CertRole;

use crate::{LogError, Sequencer, Store};

/// Most deposits in one `POST /add-batch`.
pub const MAX_PER_REQUEST: usize = 4096;
/// Largest request body.
const MAX_REQUEST: usize = 4 << 20;

/// A witness the log asks for cosignatures.
#[derive(Clone, Debug)]
pub struct WitnessPeer {
    pub url: String,
    pub key: NoteKey,
}

/// The log: its key, store, sequencer and witnesses.
pub struct LogService {
    signer: NoteSigner,
    store: Arc<dyn crate::LogStore>,
    seq: Sequencer,
    witnesses: Vec<WitnessPeer>,
    quorum: usize,
    /// The tree size each witness last cosigned, as far as the log knows.
    known: Mutex<HashMap<String, u64>>,
    http: reqwest::Client,
    /// The registration authority: when present, only enrolled operators deposit.
    ra: Option<crate::ra::Ra>,
    /// What the published trust bundle says besides what the log knows itself: whether the
    /// alliance is a development one, and its TSAs' roots (PEM).
    bundle: std::sync::OnceLock<(bool, Vec<String>)>,
    /// The verifier page (docs/verify-page.md) served at `/verify`, when given.
    page: std::sync::OnceLock<axum::body::Bytes>,
}

/// Who may use the log: admins' keys and the deposits per second each operator may make.
/// With no admin, the log is open (anyone may deposit).
#[derive(Clone, Debug, Default)]
pub struct Access {
    pub admins: Vec<webproof_evidence::identity::PublicKey>,
    pub rate: u32,
}

/// What a deposit is looked up by: its chain head's SHA-256 (32 bytes, as before files were
/// named), and each file it names, by SHA-256 and by SM3 ([`file_key`]). An entry that is not
/// a deposit (an administrative entry) has none.
pub fn lookup_keys(entry: &[u8]) -> Vec<Vec<u8>> {
    let Ok(d) = serde_json::from_slice::<Deposit>(entry) else {
        return Vec::new();
    };
    let mut keys: Vec<Vec<u8>> = hex::decode(&d.sha256).into_iter().collect();
    for f in &d.files {
        for (alg, hex_digest) in [(FileDigest::Sha256, &f.sha256), (FileDigest::Sm3, &f.sm3)] {
            if let Ok(digest) = hex::decode(hex_digest) {
                keys.push(file_key(alg, &digest));
            }
        }
    }
    keys
}

/// Which digest of a file is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileDigest {
    Sha256,
    Sm3,
}

/// The lookup key of a file's digest: a 4-byte tag (`f256`, `fsm3`) before the digest, so it
/// is never a chain head's (32 bytes alone).
pub fn file_key(alg: FileDigest, digest: &[u8]) -> Vec<u8> {
    let tag: &[u8; 4] = match alg {
        FileDigest::Sha256 => b"f256",
        FileDigest::Sm3 => b"fsm3",
    };
    [tag.as_slice(), digest].concat()
}

fn b64(h: &Hash) -> String {
    base64::engine::general_purpose::STANDARD.encode(h)
}

pub use webproof_ledger::receipt::promise_text;

impl LogService {
    /// Opens the log whose store is `dir/log.redb`; its origin is the signer's name.
    pub fn open(
        dir: &std::path::Path,
        signer: NoteSigner,
        witnesses: Vec<WitnessPeer>,
        quorum: usize,
    ) -> Result<Arc<Self>, LogError> {
        Self::open_with(dir, signer, witnesses, quorum, Access::default())
    }

    /// [`LogService::open`] with access control ([`crate::ra`]) when `access` names admins.
    pub fn open_with(
        dir: &std::path::Path,
        signer: NoteSigner,
        witnesses: Vec<WitnessPeer>,
        quorum: usize,
        access: Access,
    ) -> Result<Arc<Self>, LogError> {
        std::fs::create_dir_all(dir).map_err(|source| LogError::Dir {
            path: dir.to_owned(),
            source,
        })?;
        let store = Arc::new(Store::open_with_lookup(
            &dir.join("log.redb"),
            Some(lookup_keys),
        )?);
        Self::open_on(dir, store, signer, witnesses, quorum, access)
    }

    /// The log on any [`crate::LogStore`] (`dir` keeps the operator CA's files). The store
    /// must look deposits up by their chain head, as [`Store::open_with_lookup`] with
    /// [`lookup_keys`] does.
    pub fn open_on(
        dir: &std::path::Path,
        store: Arc<dyn crate::LogStore>,
        signer: NoteSigner,
        witnesses: Vec<WitnessPeer>,
        quorum: usize,
        access: Access,
    ) -> Result<Arc<Self>, LogError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(LogError::Client)?;
        let promiser = signer.clone();
        let sign = move |first: u64, count: u64, root: &Hash| {
            let text = promise_text(&promiser.key.name, first, count, root, unix_now());
            Note {
                sigs: vec![promiser.sign(&text)],
                text,
            }
            .to_text()
        };
        let ra = if access.admins.is_empty() {
            None
        } else {
            Some(crate::ra::Ra::open(
                dir,
                &signer.key.name,
                store.clone(),
                access.admins,
                access.rate,
                unix_now(),
            )?)
        };
        Ok(Arc::new(LogService {
            ra,
            seq: Sequencer::start_with(store.clone(), Some(Box::new(sign))),
            store,
            quorum: quorum.min(witnesses.len()),
            witnesses,
            signer,
            known: Mutex::new(HashMap::new()),
            http,
            bundle: std::sync::OnceLock::new(),
            page: std::sync::OnceLock::new(),
        }))
    }

    /// Sets what the published trust bundle says of the alliance besides the log's own keys,
    /// witnesses and operator CA: whether it is a development alliance and its TSAs' roots
    /// (PEM). Set once; later calls change nothing.
    pub fn publish_in_bundle(&self, development: bool, tsa_roots: Vec<String>) {
        let _ = self.bundle.set((development, tsa_roots));
    }

    /// Serves `html`, the verifier page (docs/verify-page.md), at `/verify`: readers of a
    /// package's report open it there (it needs nothing from the log, and works saved).
    /// Set once; later calls change nothing. Without it, `/verify` answers 404.
    pub fn publish_verify_page(&self, html: Vec<u8>) {
        let _ = self.page.set(html.into());
    }

    /// The alliance's trust bundle as this log knows it (docs/trust-bundle.md): its key, its
    /// witnesses and quorum, its operator CA, and what [`LogService::publish_in_bundle`] set.
    pub fn trust_bundle(&self) -> webproof_ledger::bundle::TrustBundle {
        use webproof_ledger::bundle::{FORMAT, TrustBundle, VERSION};
        let (development, tsa_roots) = self.bundle.get().cloned().unwrap_or_default();
        TrustBundle {
            format: FORMAT.into(),
            v: VERSION,
            alliance: self.origin().to_owned(),
            development,
            logs: vec![self.vkey()],
            witnesses: self.witnesses.iter().map(|w| w.key.vkey()).collect(),
            quorum: self.quorum,
            operator_cas: self.ra.iter().map(|ra| ra.ca_pem()).collect(),
            tsa_roots,
        }
    }

    pub fn origin(&self) -> &str {
        &self.signer.key.name
    }

    pub fn vkey(&self) -> String {
        self.signer.key.vkey()
    }

    pub fn store(&self) -> &dyn crate::LogStore {
        self.store.as_ref()
    }

    /// Deposits: each validated, all durable together, then acknowledged with the commit
    /// group's signed promise and each one's path in the group. With access control, by the
    /// enrolled operator `operator`, whose name every deposit must carry; `label` is a single
    /// deposit's private label (the label header's value), checked against the deposit's
    /// commitment and kept for the operator's tenant.
    async fn deposit_labelled(
        &self,
        entries: Vec<Vec<u8>>,
        one: bool,
        caller: Option<&crate::ra::Caller>,
        label: Option<&str>,
    ) -> Result<BatchAck, crate::Refusal> {
        let operator = caller.map(|c| c.fingerprint.as_str());
        // The private labels, one per deposit: `/add` sends one label header, `/add-batch`
        // one field per deposit (`webproof_ledger::auth::batch_label_header`).
        let labels: Vec<Option<webproof_ledger::auth::Label>> = match label {
            None => vec![None; entries.len()],
            Some(h) => {
                let parsed = if one {
                    webproof_ledger::auth::parse_label_header(h).map(|l| vec![Some(l)])
                } else {
                    webproof_ledger::auth::parse_batch_label_header(h, entries.len())
                };
                parsed.ok_or(crate::Refusal::new(
                    400,
                    "a malformed private label, or not one for each deposit\n".to_owned(),
                ))?
            }
        };
        for (i, (e, l)) in entries.iter().zip(&labels).enumerate() {
            let Some((l, salt)) = l else { continue };
            let opens = Deposit::parse(e)
                .ok()
                .and_then(|d| d.label_commitment)
                .as_deref()
                == Some(webproof_ledger::deposit::label_commitment(l, salt).as_str());
            if !opens {
                return Err(crate::Refusal::new(
                    400,
                    format!(
                        "deposit {}: the private label does not open the deposit's label_commitment\n",
                        i + 1
                    ),
                ));
            }
        }
        if entries.is_empty() {
            return Err(crate::Refusal::new(400, "no deposit\n".into()));
        }
        if entries.len() > MAX_PER_REQUEST {
            return Err(crate::Refusal::new(
                413,
                format!("at most {MAX_PER_REQUEST} deposits per request\n"),
            ));
        }
        for (i, e) in entries.iter().enumerate() {
            let d = Deposit::parse(e)
                .map_err(|err| crate::Refusal::new(400, format!("deposit {}: {err}\n", i + 1)))?;
            if self.ra.is_some() && d.label.is_some() {
                return Err(crate::Refusal::new(
                    400,
                    format!(
                        "deposit {}: this log keeps labels private: send a label_commitment and the label beside it\n",
                        i + 1
                    ),
                ));
            }
            if let Some(op) = operator
                && d.operator != op
            {
                return Err(crate::Refusal::new(
                    403,
                    format!(
                        "deposit {}: names another operator than the request's signer\n",
                        i + 1
                    ),
                ));
            }
        }
        if let (Some(ra), Some(op)) = (&self.ra, operator) {
            ra.charge(op, entries.len())
                .map_err(|r| crate::Refusal::new(r.status, format!("{}\n", r.reason)))?;
        }
        let n = entries.len() as u64;
        let (first, group) = self
            .seq
            .deposit_seen_async(entries, caller.map(|c| c.seen))
            .await
            .map_err(|e| crate::Refusal::of(&e))?;
        let group = group.ok_or(crate::Refusal::new(
            500,
            "the log signs no promises\n".to_owned(),
        ))?;
        if let (Some(ra), Some(op)) = (&self.ra, operator) {
            for (index, l) in (first..).zip(&labels) {
                if let Some((l, _)) = l {
                    ra.keep_label(index, op, l)
                        .map_err(|r| crate::Refusal::new(r.status, format!("{}\n", r.reason)))?;
                }
            }
        }
        let proofs = (first..first + n)
            .map(|index| {
                group
                    .paths
                    .get((index - group.first) as usize)
                    .map(|p| proof_to_b64(p))
                    .ok_or(crate::Refusal::new(
                        500,
                        "the commit group lost a deposit\n".to_owned(),
                    ))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BatchAck {
            first,
            promise: group.promise.clone(),
            proofs,
        })
    }

    /// Who deposits: with access control, the enrolled operator who signed the request.
    fn depositor(
        &self,
        path: &str,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Result<Option<crate::ra::Caller>, crate::ra::Refusal> {
        let Some(ra) = &self.ra else {
            return Ok(None);
        };
        let caller =
            ra.authenticate_deposit("POST", path, sig_header(headers), body, unix_now(), None)?;
        if caller.role != crate::ra::Role::Operator {
            return Err(crate::Refusal::new(
                403,
                "only enrolled operators deposit".into(),
            ));
        }
        Ok(Some(caller))
    }

    /// Appends an administrative action to the log (witnessed like any deposit).
    async fn append_admin(
        &self,
        action: &str,
        actor: &str,
        subject: &str,
        detail: Option<String>,
    ) -> Result<u64, crate::ra::Refusal> {
        let e = webproof_ledger::deposit::AdminEntry {
            v: 1,
            admin: action.into(),
            actor: actor.into(),
            subject: subject.into(),
            time: unix_now(),
            detail,
        }
        .to_bytes()
        .map_err(|e| crate::Refusal::new(500, e.to_string()))?;
        let (index, _) = self
            .seq
            .deposit_all_async(vec![e])
            .await
            .map_err(|e| crate::Refusal::of(&e))?;
        Ok(index)
    }

    /// One registration-authority request: authenticated, done, logged.
    async fn ra_request(
        &self,
        path: &str,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Result<serde_json::Value, crate::ra::Refusal> {
        use crate::ra::*;
        let ra = self.ra.as_ref().ok_or(crate::Refusal::new(
            404,
            "this log has no registration authority".to_owned(),
        ))?;
        let now = unix_now();
        let parse = |what: &str| crate::Refusal::new(400, format!("not a {what} request"));
        match path {
            api::RA_REGISTRARS => {
                let req: RegistrarRequest =
                    serde_json::from_slice(body).map_err(|_| parse("registrar"))?;
                let caller = ra.authenticate("POST", path, sig_header(headers), body, now, None)?;
                let fpr = ra.add_registrar(&caller, &req, now)?;
                let index = self
                    .append_admin("registrar-add", &caller.fingerprint, &fpr, None)
                    .await?;
                answer(&RegistrarAdded {
                    registrar: fpr,
                    logged_at: index,
                })
            }
            api::RA_CODES => {
                let req: CodeRequest = serde_json::from_slice(body).map_err(|_| parse("code"))?;
                let caller = ra.authenticate("POST", path, sig_header(headers), body, now, None)?;
                let (code, hash, expires) = ra.issue_code(&caller, &req, now)?;
                // The tenant, and for a notary's code that it certifies a notary.
                let detail = match req.role {
                    CertRole::Operator => req.tenant,
                    CertRole::Notary => format!("{} (notary)", req.tenant),
                };
                let index = self
                    .append_admin("code-issue", &caller.fingerprint, &hash, Some(detail))
                    .await?;
                answer(&CodeIssued {
                    code,
                    expires,
                    logged_at: index,
                })
            }
            api::RA_ENROLL => {
                let req: EnrollRequest =
                    serde_json::from_slice(body).map_err(|_| parse("enrollment"))?;
                let key = webproof_evidence::identity::PublicKey::from_pem(&req.public_key)
                    .map_err(|e| crate::Refusal::new(400, format!("the operator's key: {e}")))?;
                let caller =
                    ra.authenticate("POST", path, sig_header(headers), body, now, Some(&key))?;
                let (enrolled, registrar, cert_hash) = ra.enroll(&caller, &req, now)?;
                let index = self
                    .append_admin(
                        "enroll",
                        &registrar,
                        &caller.fingerprint,
                        Some(format!("certificate sha256:{cert_hash}")),
                    )
                    .await?;
                answer(&EnrollAnswer {
                    enrolled,
                    logged_at: index,
                })
            }
            api::RA_REVOKE => {
                let req: RevokeRequest =
                    serde_json::from_slice(body).map_err(|_| parse("revocation"))?;
                let caller = ra.authenticate("POST", path, sig_header(headers), body, now, None)?;
                ra.revoke(&caller, &req, now)?;
                let index = self
                    .append_admin(
                        "revoke",
                        &caller.fingerprint,
                        &req.fingerprint.to_ascii_lowercase(),
                        Some(req.reason.chars().take(200).collect()),
                    )
                    .await?;
                answer(&Revoked {
                    revoked: req.fingerprint,
                    time: now,
                    logged_at: index,
                })
            }
            _ => Err(crate::Refusal::new(
                404,
                "no such registration-authority request".into(),
            )),
        }
    }

    /// The revoked operators as a note signed by the log: `webproof-log revocations/v1`,
    /// origin, time, then `<fingerprint> <revocation time>` per line.
    pub fn revocations(&self) -> Result<String, LogError> {
        let list = match &self.ra {
            Some(ra) => ra.revoked()?,
            None => Vec::new(),
        };
        let mut text = format!(
            "webproof-log revocations/v1\n{}\n{}\n",
            self.origin(),
            unix_now()
        );
        for (f, t) in list {
            text.push_str(&format!("{f} {t}\n"));
        }
        Ok(Note {
            sigs: vec![self.signer.sign(&text)],
            text,
        }
        .to_text())
    }

    /// Asks one witness to cosign `note` (tree `size`, from whatever size it last cosigned).
    async fn cosign(&self, w: &WitnessPeer, note: &str, size: u64) -> Option<String> {
        let mut old = self
            .known
            .lock()
            .ok()
            .and_then(|k| k.get(&w.url).copied())
            .unwrap_or(0);
        for _ in 0..2 {
            let proof = if old == 0 {
                Vec::new()
            } else {
                self.store.consistency(old, size).ok()??
            };
            let r = self
                .http
                .post(&w.url)
                .body(add_checkpoint_body(old, &proof, note))
                .send()
                .await
                .ok()?;
            let status = r.status().as_u16();
            let text = r.text().await.ok()?;
            match status {
                200 => {
                    if let Ok(mut k) = self.known.lock() {
                        k.insert(w.url.clone(), size);
                    }
                    return Some(text);
                }
                // The witness remembers another size: retry from it.
                409 => old = text.trim().parse().ok().filter(|s| *s <= size)?,
                _ => return None,
            }
        }
        None
    }

    /// Signs a checkpoint of the current tree if it grew since the last published one, gathers
    /// cosignatures, and publishes it if `quorum` witnesses cosigned. Returns the published size.
    /// Only the frontend that leads ([`crate::LogStore::leads`]) signs; the others serve what
    /// it published.
    pub async fn checkpoint_once(&self) -> Result<Option<u64>, LogError> {
        if !self.store.leads() {
            return Ok(None);
        }
        let size = self.store.size()?;
        let last = self.store.latest_checkpoint()?.map(|(s, _)| s);
        if size == 0 || last == Some(size) {
            return Ok(None);
        }
        let note = Checkpoint {
            origin: self.origin().to_owned(),
            size,
            root: self.store.root(size)?,
            extensions: vec![],
        }
        .sign(&self.signer);
        let mut published = note.clone();
        let answers = futures_util::future::join_all(
            self.witnesses.iter().map(|w| self.cosign(w, &note, size)),
        )
        .await;
        for lines in answers.into_iter().flatten() {
            // Keep only lines that are well-formed signature lines.
            for l in lines.lines().filter(|l| l.starts_with('\u{2014}')) {
                published.push_str(l);
                published.push('\n');
            }
        }
        let keys: Vec<NoteKey> = self.witnesses.iter().map(|w| w.key.clone()).collect();
        match verify_witnessed(&published, &self.signer.key, &keys, self.quorum) {
            Ok(_) => {
                self.store.put_checkpoint(size, &published)?;
                Ok(Some(size))
            }
            Err(_) => Ok(None),
        }
    }

    /// Runs [`LogService::checkpoint_once`] every `every`.
    pub fn spawn_checkpointer(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let _ = me.checkpoint_once().await;
            }
        })
    }

    pub fn router(self: &Arc<Self>) -> axum::Router {
        use axum::routing::{get, post};
        axum::Router::new()
            .route(api::ADD, post(add))
            .route(api::ADD_BATCH, post(add_batch))
            .route(api::CHECKPOINT, get(checkpoint))
            .route(api::routes::INCLUSION, get(inclusion))
            .route(api::routes::CONSISTENCY, get(consistency))
            .route(api::routes::ENTRY, get(entry))
            .route(api::routes::LOOKUP, get(lookup))
            .route(api::routes::LOOKUP_FILE, get(lookup_file))
            .route(api::routes::TILE, get(tile))
            .route(api::routes::RA_POST, post(ra_post))
            .route(api::RA_CA, get(ra_ca))
            .route(api::RA_ORIGIN, get(ra_origin))
            .route(api::RA_REVOCATIONS, get(ra_revocations))
            .route(api::TRUST_BUNDLE, get(trust_bundle))
            .route(api::VERIFY_PAGE, get(verify_page))
            .route(api::routes::RA_LABEL, get(ra_label))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST))
            .with_state(self.clone())
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

type S = axum::extract::State<Arc<LogService>>;
type Resp = axum::response::Response;

/// An answer in plain text; a 503 says when to ask again (`Retry-After: 1`).
fn text(code: u16, body: String) -> Resp {
    use axum::response::IntoResponse;
    let status = axum::http::StatusCode::from_u16(code)
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    if status == axum::http::StatusCode::SERVICE_UNAVAILABLE {
        return (status, [(axum::http::header::RETRY_AFTER, "1")], body).into_response();
    }
    (status, body).into_response()
}

/// The answer to a request the store failed: 503 when it may be retried, else 500.
fn failed(e: &LogError) -> Resp {
    let r = crate::Refusal::of(e);
    text(r.status, r.reason)
}

async fn deposit(
    svc: Arc<LogService>,
    entries: Vec<Vec<u8>>,
    one: bool,
    caller: Option<crate::ra::Caller>,
    label: Option<String>,
) -> Resp {
    match svc
        .deposit_labelled(entries, one, caller.as_ref(), label.as_deref())
        .await
    {
        Ok(mut b) => {
            let json = if one {
                serde_json::to_string(&Ack {
                    index: b.first,
                    promise: b.promise,
                    proof: b.proofs.pop().unwrap_or_default(),
                })
            } else {
                serde_json::to_string(&b)
            };
            match json {
                Ok(j) => text(200, j),
                Err(e) => text(500, format!("{e}\n")),
            }
        }
        Err(crate::Refusal { status, reason }) => text(status, reason),
    }
}

async fn add(
    axum::extract::State(svc): S,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Resp {
    if body.len() > crate::MAX_ENTRY {
        return text(
            413,
            format!("a deposit is at most {} bytes\n", crate::MAX_ENTRY),
        );
    }
    let op = match svc.depositor(api::ADD, &headers, &body) {
        Ok(op) => op,
        Err(crate::Refusal {
            status: c,
            reason: m,
        }) => return text(c, format!("{m}\n")),
    };
    let label = headers
        .get(webproof_ledger::auth::LABEL_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    deposit(svc, vec![body.to_vec()], true, op, label).await
}

/// Deposits, one per line (canonical JSON has no raw newline).
async fn add_batch(
    axum::extract::State(svc): S,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Resp {
    let op = match svc.depositor(api::ADD_BATCH, &headers, &body) {
        Ok(op) => op,
        Err(crate::Refusal {
            status: c,
            reason: m,
        }) => return text(c, format!("{m}\n")),
    };
    let entries: Vec<Vec<u8>> = body
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let labels = headers
        .get(webproof_ledger::auth::LABEL_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    deposit(svc, entries, false, op, labels).await
}

async fn checkpoint(axum::extract::State(svc): S) -> Resp {
    match svc.store.latest_checkpoint() {
        Ok(Some((_, note))) => text(200, note),
        Ok(None) => text(404, "no checkpoint yet\n".into()),
        Err(e) => failed(&e),
    }
}

fn lines(hashes: &[Hash]) -> String {
    hashes.iter().map(|h| format!("{}\n", b64(h))).collect()
}

async fn inclusion(
    axum::extract::State(svc): S,
    axum::extract::Path((index, size)): axum::extract::Path<(u64, u64)>,
) -> Resp {
    match svc.store.size() {
        Ok(n) if size > n => return text(404, "no such tree size\n".into()),
        Ok(_) => {}
        Err(e) => return failed(&e),
    }
    match svc.store.inclusion(index, size) {
        Ok(Some(p)) => text(200, lines(&p)),
        Ok(None) => text(404, "no such index\n".into()),
        Err(e) => failed(&e),
    }
}

async fn consistency(
    axum::extract::State(svc): S,
    axum::extract::Path((old, size)): axum::extract::Path<(u64, u64)>,
) -> Resp {
    match svc.store.size() {
        Ok(n) if size > n || old > size => return text(404, "no such tree sizes\n".into()),
        Ok(_) => {}
        Err(e) => return failed(&e),
    }
    match svc.store.consistency(old, size) {
        Ok(Some(p)) => text(200, lines(&p)),
        Ok(None) => text(404, "no such tree sizes\n".into()),
        Err(e) => failed(&e),
    }
}

async fn entry(
    axum::extract::State(svc): S,
    axum::extract::Path(index): axum::extract::Path<u64>,
) -> Resp {
    match svc.store.entry(index) {
        Ok(Some(e)) => text(200, String::from_utf8_lossy(&e).into_owned()),
        Ok(None) => text(404, "no such entry\n".into()),
        Err(e) => failed(&e),
    }
}

async fn lookup(
    axum::extract::State(svc): S,
    axum::extract::Path(digest): axum::extract::Path<String>,
) -> Resp {
    let Some(key) = hex::decode(&digest).ok().filter(|k| k.len() == 32) else {
        return text(400, "give the chain head's SHA-256 in hex\n".into());
    };
    match svc.store.lookup(&key) {
        Ok(Some(i)) => text(200, format!("{i}\n")),
        Ok(None) => text(404, "not deposited\n".into()),
        Err(e) => failed(&e),
    }
}

async fn lookup_file(
    axum::extract::State(svc): S,
    axum::extract::Path((alg, digest)): axum::extract::Path<(String, String)>,
) -> Resp {
    let alg = match alg.as_str() {
        "sha256" => FileDigest::Sha256,
        "sm3" => FileDigest::Sm3,
        _ => return text(400, "the digest's algorithm is sha256 or sm3\n".into()),
    };
    let Some(digest) = hex::decode(&digest).ok().filter(|k| k.len() == 32) else {
        return text(400, "give the file's digest in hex\n".into());
    };
    match svc.store.lookup(&file_key(alg, &digest)) {
        Ok(Some(i)) => text(200, format!("{i}\n")),
        Ok(None) => text(404, "no deposit names this file\n".into()),
        Err(e) => failed(&e),
    }
}

/// c2sp.org/tlog-tiles: hash tiles and entry bundles within the latest published checkpoint.
async fn tile(
    axum::extract::State(svc): S,
    axum::extract::Path(path): axum::extract::Path<String>,
) -> Resp {
    use axum::response::IntoResponse;
    use webproof_ledger::tiles::{self, Tile};
    let Some(t) = Tile::parse(&format!("tile/{path}")) else {
        return text(404, "not a tile path\n".into());
    };
    let published = match svc.store.latest_checkpoint() {
        Ok(c) => c.map_or(0, |(s, _)| s),
        Err(e) => return failed(&e),
    };
    if !t.within(published) {
        return text(404, "no such tile in the latest checkpoint\n".into());
    }
    let first = t.index * tiles::WIDTH;
    let body = match t.level {
        None => svc
            .store
            .entries(first, t.width)
            .ok()
            .filter(|e| e.len() as u64 == t.width)
            .and_then(|e| tiles::entry_bundle(&e)),
        Some(_) => svc
            .store
            .nodes(t.tree_level(), first, t.width)
            .ok()
            .filter(|h| h.len() as u64 == t.width)
            .map(|h| h.concat()),
    };
    match body {
        Some(b) => (
            [
                (axum::http::header::CONTENT_TYPE, "application/octet-stream"),
                (
                    axum::http::header::CACHE_CONTROL,
                    "public, max-age=31536000, immutable",
                ),
            ],
            b,
        )
            .into_response(),
        None => text(500, "the store lacks part of a published tile\n".into()),
    }
}

/// A registration-authority answer as the JSON value the route sends.
fn answer<T: serde::Serialize>(a: &T) -> Result<serde_json::Value, crate::ra::Refusal> {
    serde_json::to_value(a).map_err(|e| crate::Refusal::new(500, e.to_string()))
}

fn sig_header(h: &axum::http::HeaderMap) -> Option<&str> {
    h.get(webproof_ledger::auth::HEADER)
        .and_then(|v| v.to_str().ok())
}

async fn ra_post(
    axum::extract::State(svc): S,
    axum::extract::Path(action): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Resp {
    match svc
        .ra_request(&api::ra_post(&action), &headers, &body)
        .await
    {
        Ok(v) => text(200, v.to_string()),
        Err(crate::Refusal {
            status: c,
            reason: m,
        }) => text(c, format!("{m}\n")),
    }
}

/// A deposit's private label, to an operator of the depositor's tenant (signed GET).
async fn ra_label(
    axum::extract::State(svc): S,
    axum::extract::Path(index): axum::extract::Path<u64>,
    headers: axum::http::HeaderMap,
) -> Resp {
    let Some(ra) = &svc.ra else {
        return text(404, "this log keeps no labels\n".into());
    };
    let path = api::ra_label(index);
    let caller = match ra.authenticate("GET", &path, sig_header(&headers), b"", unix_now(), None) {
        Ok(c) => c,
        Err(crate::Refusal {
            status: c,
            reason: m,
        }) => return text(c, format!("{m}\n")),
    };
    match ra.label(index, &caller) {
        Ok(l) => text(200, l),
        Err(crate::Refusal {
            status: c,
            reason: m,
        }) => text(c, format!("{m}\n")),
    }
}

/// The log's origin, which signed requests name (a client that has the log's verifier key
/// takes the origin from it instead).
async fn ra_origin(axum::extract::State(svc): S) -> Resp {
    text(200, format!("{}\n", svc.origin()))
}

async fn trust_bundle(axum::extract::State(svc): S) -> Resp {
    use axum::response::IntoResponse;
    match serde_json::to_string_pretty(&svc.trust_bundle()) {
        Ok(json) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            json + "\n",
        )
            .into_response(),
        Err(e) => text(500, format!("{e}\n")),
    }
}

async fn verify_page(axum::extract::State(svc): S) -> Resp {
    use axum::http::header;
    use axum::response::IntoResponse;
    match svc.page.get() {
        Some(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            html.clone(),
        )
            .into_response(),
        None => text(404, "this log serves no verifier page\n".into()),
    }
}

async fn ra_ca(axum::extract::State(svc): S) -> Resp {
    match &svc.ra {
        Some(ra) => text(200, ra.ca_pem()),
        None => text(404, "this log has no registration authority\n".into()),
    }
}

async fn ra_revocations(axum::extract::State(svc): S) -> Resp {
    match svc.revocations() {
        Ok(n) => text(200, n),
        Err(e) => failed(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deposit_is_looked_up_by_its_chain_head_and_its_files_digests() {
        let mut d = Deposit {
            v: 1,
            sha256: "ab".repeat(32),
            sm3: "cd".repeat(32),
            package: "p".into(),
            operator: "ef".repeat(32),
            claimed_time: format!("\"sha256\":\"{}", "00".repeat(8)),
            label: Some(format!("\"sha256\":\"{}", "11".repeat(20))),
            label_commitment: None,
            files: Vec::new(),
        };
        let b = d.to_bytes().unwrap();
        Deposit::parse(&b).unwrap();
        assert_eq!(lookup_keys(&b), vec![vec![0xab; 32]]);
        d.files = vec![webproof_ledger::deposit::DepositFile {
            seq: 2,
            sha256: "12".repeat(32),
            sm3: "34".repeat(32),
        }];
        let b = d.to_bytes().unwrap();
        // "files" sorts before "sha256": the chain head is still the deposit's own.
        assert_eq!(
            lookup_keys(&b),
            vec![
                vec![0xab; 32],
                [b"f256".as_slice(), &[0x12; 32]].concat(),
                [b"fsm3".as_slice(), &[0x34; 32]].concat(),
            ]
        );
        assert_eq!(file_key(FileDigest::Sm3, &[0x34; 32]).len(), 36);
        // Not a deposit: nothing to look up.
        assert!(lookup_keys(br#"{"v":1,"admin":"revoke"}"#).is_empty());
    }
}
