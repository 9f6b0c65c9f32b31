//! The evidence log over HTTP. A deposit is acknowledged with a signed promise (origin, index,
//! leaf hash, log time) once it is durable; a checkpointer signs a new checkpoint when the tree
//! has grown, has it cosigned by the configured witnesses (c2sp.org/tlog-witness) and publishes
//! it once `quorum` of them have cosigned. Anyone can then fetch the checkpoint and proofs.
//!
//! Endpoints: `POST /add` (a canonical [`Deposit`]), `GET /checkpoint`,
//! `GET /proof/inclusion/{index}/{size}`, `GET /proof/consistency/{old}/{size}`,
//! `GET /entry/{index}`, `GET /lookup/{sha256 hex}`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use webproof_ledger::deposit::Deposit;
use webproof_ledger::merkle::{self, Hash};
use webproof_ledger::note::{Checkpoint, Note, NoteKey, NoteSigner};
use webproof_ledger::witness::{add_checkpoint_body, verify_witnessed};

use crate::{LogError, Sequencer, Store};

/// A witness the log asks for cosignatures.
#[derive(Clone, Debug)]
pub struct WitnessPeer {
    pub url: String,
    pub key: NoteKey,
}

/// The log: its key, store, sequencer and witnesses.
pub struct LogService {
    signer: NoteSigner,
    store: Arc<Store>,
    seq: Sequencer,
    witnesses: Vec<WitnessPeer>,
    quorum: usize,
    /// The tree size each witness last cosigned, as far as the log knows.
    known: Mutex<HashMap<String, u64>>,
    http: reqwest::Client,
}

fn lookup_key(entry: &[u8]) -> Option<Vec<u8>> {
    let d = Deposit::parse(entry).ok()?;
    hex::decode(&d.sha256).ok()
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
        std::fs::create_dir_all(dir).map_err(|e| LogError::Store(e.to_string()))?;
        let store = Arc::new(Store::open_with_lookup(
            &dir.join("log.redb"),
            Some(lookup_key),
        )?);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| LogError::Store(e.to_string()))?;
        Ok(Arc::new(LogService {
            seq: Sequencer::start(store.clone()),
            store,
            quorum: quorum.min(witnesses.len()),
            witnesses,
            signer,
            known: Mutex::new(HashMap::new()),
            http,
        }))
    }

    pub fn origin(&self) -> &str {
        &self.signer.key.name
    }

    pub fn vkey(&self) -> String {
        self.signer.key.vkey()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// One deposit: validated, durable, then promised (a signed note).
    pub fn deposit(&self, body: &[u8], now: u64) -> Result<String, (u16, String)> {
        Deposit::parse(body).map_err(|e| (400, format!("{e}\n")))?;
        let index = self
            .seq
            .deposit(body.to_vec())
            .map_err(|e| (500, format!("{e}\n")))?;
        let text = promise_text(self.origin(), index, &merkle::leaf_hash(body), now);
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
    pub async fn checkpoint_once(&self) -> Result<Option<u64>, LogError> {
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
            .route("/add", post(add))
            .route("/checkpoint", get(checkpoint))
            .route("/proof/inclusion/{index}/{size}", get(inclusion))
            .route("/proof/consistency/{old}/{size}", get(consistency))
            .route("/entry/{index}", get(entry))
            .route("/lookup/{digest}", get(lookup))
            .layer(axum::extract::DefaultBodyLimit::max(crate::MAX_ENTRY))
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

fn text(code: u16, body: String) -> Resp {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::from_u16(code)
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
        .into_response()
}

async fn add(axum::extract::State(svc): S, body: axum::body::Bytes) -> Resp {
    let now = unix_now();
    match tokio::task::spawn_blocking(move || svc.deposit(&body, now)).await {
        Ok(Ok(promise)) => text(200, promise),
        Ok(Err((code, msg))) => text(code, msg),
        Err(_) => text(500, "deposit task failed\n".into()),
    }
}

async fn checkpoint(axum::extract::State(svc): S) -> Resp {
    match svc.store.latest_checkpoint() {
        Ok(Some((_, note))) => text(200, note),
        Ok(None) => text(404, "no checkpoint yet\n".into()),
        Err(e) => text(500, format!("{e}\n")),
    }
}

fn lines(hashes: &[Hash]) -> String {
    hashes.iter().map(|h| format!("{}\n", b64(h))).collect()
}

async fn inclusion(
    axum::extract::State(svc): S,
    axum::extract::Path((index, size)): axum::extract::Path<(u64, u64)>,
) -> Resp {
    if size > svc.store.size().unwrap_or(0) {
        return text(404, "no such tree size\n".into());
    }
    match svc.store.inclusion(index, size) {
        Ok(Some(p)) => text(200, lines(&p)),
        Ok(None) => text(404, "no such index\n".into()),
        Err(e) => text(500, format!("{e}\n")),
    }
}

async fn consistency(
    axum::extract::State(svc): S,
    axum::extract::Path((old, size)): axum::extract::Path<(u64, u64)>,
) -> Resp {
    if size > svc.store.size().unwrap_or(0) || old > size {
        return text(404, "no such tree sizes\n".into());
    }
    match svc.store.consistency(old, size) {
        Ok(Some(p)) => text(200, lines(&p)),
        Ok(None) => text(404, "no such tree sizes\n".into()),
        Err(e) => text(500, format!("{e}\n")),
    }
}

async fn entry(
    axum::extract::State(svc): S,
    axum::extract::Path(index): axum::extract::Path<u64>,
) -> Resp {
    match svc.store.entry(index) {
        Ok(Some(e)) => text(200, String::from_utf8_lossy(&e).into_owned()),
        Ok(None) => text(404, "no such entry\n".into()),
        Err(e) => text(500, format!("{e}\n")),
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
        Err(e) => text(500, format!("{e}\n")),
    }
}
