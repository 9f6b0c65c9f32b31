//! A witness over HTTP (c2sp.org/tlog-witness `add-checkpoint`), with its memory on disk: the
//! last checkpoint cosigned per log is persisted (written, fsynced, renamed) before the
//! cosignature is returned, and the check-then-update is atomic under one lock, so a crash or
//! a race can never make it cosign a rollback. Fork evidence is appended to `forks.log`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use webproof_ledger::note::{NoteKey, NoteSigner};
use webproof_ledger::witness::{self, Seen, Witness, WitnessError};

const STATE: &str = "state.json";
const FORKS: &str = "forks.log";
/// Written with the first state: a directory that has it but no state lost its memory.
const MARKER: &str = "state.created";
/// Largest forks.log kept (the first pairs prove a fork; more add nothing).
const MAX_FORKS_LOG: u64 = 16 << 20;
/// Largest request body accepted.
pub const MAX_BODY: usize = 64 << 10;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: not a witness state file")]
    State(PathBuf),
    #[error(
        "{0}: the witness's state is missing though it was created before; refusing to start from zero (it could cosign a rollback). Restore the file from a backup"
    )]
    StateLost(PathBuf),
}

/// A witness and the directory that remembers for it.
pub struct WitnessService {
    dir: PathBuf,
    inner: Mutex<Witness>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SeenFile {
    size: u64,
    root: String,
    note: String,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ServiceError + '_ {
    move |source| ServiceError::Io {
        path: path.to_owned(),
        source,
    }
}

impl WitnessService {
    /// Opens the witness whose state lives in `dir` (created if new).
    pub fn open(dir: &Path, signer: NoteSigner, logs: Vec<NoteKey>) -> Result<Self, ServiceError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut w = Witness::new(
            signer,
            logs.into_iter().map(|k| (k.name.clone(), k)).collect(),
        );
        let path = dir.join(STATE);
        match std::fs::read(&path) {
            Ok(b) => {
                let m: BTreeMap<String, SeenFile> =
                    serde_json::from_slice(&b).map_err(|_| ServiceError::State(path.clone()))?;
                for (origin, s) in m {
                    let root = base64::engine::general_purpose::STANDARD
                        .decode(&s.root)
                        .ok()
                        .and_then(|r| r.try_into().ok())
                        .ok_or_else(|| ServiceError::State(path.clone()))?;
                    w.state.insert(
                        origin,
                        Seen {
                            size: s.size,
                            root,
                            note: s.note,
                        },
                    );
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if dir.join(MARKER).exists() {
                    return Err(ServiceError::StateLost(path));
                }
            }
            Err(e) => return Err(io(&path)(e)),
        }
        let svc = WitnessService {
            dir: dir.to_owned(),
            inner: Mutex::new(w),
        };
        // A new witness writes its (empty) state and the marker at once, so that a state
        // lost later is noticed instead of silently starting from zero.
        if !dir.join(MARKER).exists() {
            if let Ok(w) = svc.inner.lock() {
                svc.persist(&w)?;
            }
            let m = dir.join(MARKER);
            std::fs::write(&m, b"webproof witness state\n").map_err(io(&m))?;
        }
        Ok(svc)
    }

    /// The witness's verifier key (`name+id+key`).
    pub fn vkey(&self) -> String {
        self.inner
            .lock()
            .map(|w| w.key().vkey())
            .unwrap_or_default()
    }

    fn persist(&self, w: &Witness) -> Result<(), ServiceError> {
        let m: BTreeMap<&String, SeenFile> = w
            .state
            .iter()
            .map(|(o, s)| {
                (
                    o,
                    SeenFile {
                        size: s.size,
                        root: base64::engine::general_purpose::STANDARD.encode(s.root),
                        note: s.note.clone(),
                    },
                )
            })
            .collect();
        let path = self.dir.join(STATE);
        let tmp = self.dir.join("state.json.new");
        let bytes = serde_json::to_vec_pretty(&m).unwrap_or_default();
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(&bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        std::fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.dir))
    }

    fn record_forks(&self, forks: &[(String, String)]) -> Result<(), ServiceError> {
        let path = self.dir.join(FORKS);
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > MAX_FORKS_LOG) {
            return Ok(());
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        for (a, b) in forks {
            writeln!(f, "=== earlier\n{a}=== later\n{b}").map_err(io(&path))?;
        }
        f.sync_all().map_err(io(&path))
    }

    /// Handles one `add-checkpoint` body at `now`: the cosignature lines, or an HTTP status
    /// and body (409 with the witness's size, as text/x.tlog.size, when the client's old
    /// size is stale).
    pub fn add_checkpoint(&self, body: &[u8], now: u64) -> Result<String, crate::Refusal> {
        if body.len() > MAX_BODY {
            return Err(crate::Refusal::new(413, "request too large\n".into()));
        }
        let text = std::str::from_utf8(body)
            .map_err(|_| crate::Refusal::new(400, "not UTF-8\n".to_owned()))?;
        let (old, proof, note) = witness::parse_add_checkpoint(text)
            .map_err(|e| crate::Refusal::new(400, format!("{e}\n")))?;
        let mut w = self
            .inner
            .lock()
            .map_err(|_| crate::Refusal::new(500, "witness state poisoned\n".to_owned()))?;
        let forks_before = w.forks.len();
        let result = w.add_checkpoint(old, &proof, &note, now);
        if w.forks.len() > forks_before {
            let new: Vec<(String, String)> = w.forks[forks_before..].to_vec();
            self.record_forks(&new)
                .map_err(|e| crate::Refusal::new(500, format!("{e}\n")))?;
        }
        match result {
            Ok(line) => {
                // Persist before answering: a cosignature the witness could forget is worthless.
                if let Err(e) = self.persist(&w) {
                    // Undo in memory too, so memory and disk agree.
                    if let Ok(fresh) = WitnessService::reload_state(&self.dir) {
                        w.state = fresh;
                    }
                    return Err(crate::Refusal::new(500, format!("{e}\n")));
                }
                Ok(line.to_line())
            }
            Err(WitnessError::Conflict { have, .. }) => {
                Err(crate::Refusal::new(409, format!("{have}\n")))
            }
            Err(e) => Err(crate::Refusal::new(e.http_status(), format!("{e}\n"))),
        }
    }

    fn reload_state(dir: &Path) -> Result<BTreeMap<String, Seen>, ServiceError> {
        let path = dir.join(STATE);
        let m: BTreeMap<String, SeenFile> = match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|_| ServiceError::State(path.clone()))?,
            Err(_) => BTreeMap::new(),
        };
        m.into_iter()
            .map(|(o, s)| {
                let root = base64::engine::general_purpose::STANDARD
                    .decode(&s.root)
                    .ok()
                    .and_then(|r| r.try_into().ok())
                    .ok_or_else(|| ServiceError::State(path.clone()))?;
                Ok((
                    o,
                    Seen {
                        size: s.size,
                        root,
                        note: s.note,
                    },
                ))
            })
            .collect()
    }

    /// Signed evidence of every fork seen so far (pairs of checkpoint notes).
    pub fn forks(&self) -> Vec<(String, String)> {
        self.inner
            .lock()
            .map(|w| w.forks.clone())
            .unwrap_or_default()
    }
}

/// The HTTP face: `POST /add-checkpoint`.
pub fn router(svc: Arc<WitnessService>) -> axum::Router {
    use axum::routing::post;
    axum::Router::new()
        .route(webproof_ledger::api::ADD_CHECKPOINT, post(add_checkpoint))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(svc)
}

async fn add_checkpoint(
    axum::extract::State(svc): axum::extract::State<Arc<WitnessService>>,
    body: axum::body::Bytes,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let svc2 = svc.clone();
    let r = tokio::task::spawn_blocking(move || svc2.add_checkpoint(&body, now)).await;
    match r {
        Ok(Ok(lines)) => (StatusCode::OK, lines).into_response(),
        Ok(Err(crate::Refusal {
            status: 409,
            reason: size,
        })) if size.trim().parse::<u64>().is_ok() => (
            StatusCode::CONFLICT,
            [(header::CONTENT_TYPE, "text/x.tlog.size")],
            size,
        )
            .into_response(),
        Ok(Err(crate::Refusal {
            status: code,
            reason: text,
        })) => (
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            text,
        )
            .into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "witness task failed\n").into_response(),
    }
}
