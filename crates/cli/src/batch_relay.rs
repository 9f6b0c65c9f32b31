//! A batch's deposit relay: its captures deposit their chain heads here (on loopback), and the
//! relay passes them on to the evidence log in groups, through `POST /add-batch` — one signed
//! request for whatever the captures deposited meanwhile, instead of one request each.
//!
//! The relay takes only deposits signed by the batch's operator (its captures hold the same
//! key), keeps each deposit's private label, and answers each capture with the log's own
//! acknowledgement of its deposit — the promise the capture checks against the log's key, as
//! if it had deposited alone. A group the log refuses is tried again deposit by deposit, so a
//! bad deposit fails alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::{mpsc, oneshot};
use webproof_evidence::identity::{PublicKey, SecretKey};
use webproof_ledger::{api, auth};
use webproof_net::{Ack, LogClient, NetError};

use crate::say::tr;

/// The variable that tells a batch's `webproof capture` where its relay listens.
pub(crate) const VIA_VAR: &str = "WEBPROOF_DEPOSIT_VIA";
/// How long a deposit waits for companions before its group goes to the log.
const WINDOW: Duration = Duration::from_millis(200);

/// The relay named by [`VIA_VAR`], for a capture run by a batch: only a loopback HTTP URL.
pub(crate) fn from_env() -> Result<Option<String>> {
    let Ok(via) = std::env::var(VIA_VAR) else {
        return Ok(None);
    };
    let loopback = via
        .strip_prefix("http://127.0.0.1:")
        .is_some_and(|port| port.parse::<u16>().is_ok());
    if !loopback {
        anyhow::bail!(tr!("cli-batch-relay-url", var = VIA_VAR, url = via));
    }
    Ok(Some(via))
}

/// What the relay passed on: deposits, and the requests to the log that carried them.
#[derive(Default)]
pub(crate) struct Counts {
    pub(crate) deposits: AtomicU64,
    pub(crate) requests: AtomicU64,
}

/// A running relay; dropping it stops it.
pub(crate) struct Relay {
    pub(crate) url: String,
    pub(crate) counts: Arc<Counts>,
    _rt: tokio::runtime::Runtime,
}

struct Pending {
    entry: Vec<u8>,
    label: Option<String>,
    reply: oneshot::Sender<(u16, String)>,
}

struct Gate {
    tx: mpsc::Sender<Pending>,
    operator: PublicKey,
    fingerprint: String,
    origin: String,
}

/// Starts a relay on 127.0.0.1 to the log at `log_url` (named `origin`, the name its requests
/// are signed for), signing its requests with `key`.
pub(crate) fn start(log_url: &str, origin: &str, key: SecretKey) -> Result<Relay> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context(tr!("cli-batch-relay"))?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
        .context(tr!("cli-batch-relay"))?;
    let addr = listener.local_addr().context(tr!("cli-batch-relay"))?;
    let client = LogClient::new(log_url, Duration::from_secs(30))
        .map_err(|e| anyhow::anyhow!(crate::say::cause(&e)))?;
    let operator = key.public_key();
    let fingerprint = operator.fingerprint()?.to_hex();
    let (tx, rx) = mpsc::channel(1024);
    let counts = Arc::new(Counts::default());
    rt.spawn(collect(
        rx,
        Sender {
            client,
            key,
            origin: origin.to_owned(),
            counts: counts.clone(),
        },
    ));
    let gate = Arc::new(Gate {
        tx,
        operator,
        fingerprint,
        origin: origin.to_owned(),
    });
    let app = axum::Router::new()
        .route(api::ADD, axum::routing::post(add))
        .with_state(gate);
    rt.spawn(async move { axum::serve(listener, app).await });
    Ok(Relay {
        url: format!("http://{addr}"),
        counts,
        _rt: rt,
    })
}

type Answer = (axum::http::StatusCode, String);

fn answer(status: u16, text: String) -> Answer {
    (
        axum::http::StatusCode::from_u16(status)
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        text,
    )
}

/// `POST /add` from a capture: checked, queued, answered with the log's acknowledgement.
async fn add(
    axum::extract::State(gate): axum::extract::State<Arc<Gate>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Answer {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if !signed_by(&gate, header(auth::HEADER).as_deref(), &body) {
        return answer(
            401,
            "the relay takes deposits signed by its batch's operator only\n".into(),
        );
    }
    let (reply, answered) = oneshot::channel();
    let pending = Pending {
        entry: body.to_vec(),
        label: header(auth::LABEL_HEADER),
        reply,
    };
    if gate.tx.send(pending).await.is_err() {
        return answer(503, "the relay has stopped\n".into());
    }
    match answered.await {
        Ok((status, text)) => answer(status, text),
        Err(_) => answer(503, "the relay has stopped\n".into()),
    }
}

/// Whether `header` is the operator's signature of `POST /add` of `body` for the log, made
/// within the skew a log allows.
fn signed_by(gate: &Gate, header: Option<&str>, body: &[u8]) -> bool {
    let Some((keyid, time, sig)) = header.and_then(auth::parse_header) else {
        return false;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    keyid == gate.fingerprint
        && time.abs_diff(now) <= auth::MAX_SKEW
        && gate
            .operator
            .verify(
                &auth::request_message(&gate.origin, "POST", api::ADD, time, body),
                &sig,
            )
            .is_ok()
}

struct Sender {
    client: LogClient,
    key: SecretKey,
    origin: String,
    counts: Arc<Counts>,
}

impl Sender {
    /// One `POST /add-batch` of `group`: an acknowledgement per deposit, in order.
    async fn send(&self, group: &[&Pending]) -> Result<Vec<Ack>, (u16, String)> {
        let entries: Vec<Vec<u8>> = group.iter().map(|p| p.entry.clone()).collect();
        let labels: Vec<Option<String>> = group.iter().map(|p| p.label.clone()).collect();
        let labels = labels
            .iter()
            .any(Option::is_some)
            .then(|| auth::batch_label_header(&labels));
        let signed = webproof_engine::depositing::auth_header(
            &self.key,
            &self.origin,
            api::ADD_BATCH,
            &entries.join(&b'\n'),
        )
        .map_err(|e| (500, format!("{}\n", crate::say::cause(&e))))?;
        self.counts.requests.fetch_add(1, Ordering::Relaxed);
        let acks = self
            .client
            .add_batch(&entries, Some(signed), labels)
            .await
            .map_err(|e| match &e {
                NetError::Refused { status, detail, .. } => (*status, format!("{detail}\n")),
                _ => (502, format!("{}\n", crate::say::cause(&e))),
            })?
            .into_acks();
        if acks.len() != group.len() {
            return Err((
                502,
                "the log acknowledged another number of deposits than it was sent\n".into(),
            ));
        }
        self.counts
            .deposits
            .fetch_add(acks.len() as u64, Ordering::Relaxed);
        Ok(acks)
    }
}

/// Gathers what arrives within [`WINDOW`] of a first deposit (and whatever arrives while a
/// group is with the log) into one group, sends it, and answers each capture.
async fn collect(mut rx: mpsc::Receiver<Pending>, sender: Sender) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        let until = tokio::time::Instant::now() + WINDOW;
        while group.len() < webproof_log::server::MAX_PER_REQUEST {
            match tokio::time::timeout_at(until, rx.recv()).await {
                Ok(Some(p)) => group.push(p),
                _ => break,
            }
        }
        let all: Vec<&Pending> = group.iter().collect();
        let answers: Vec<Result<Ack, (u16, String)>> = match sender.send(&all).await {
            Ok(acks) => acks.into_iter().map(Ok).collect(),
            // Refused as a whole: each alone, so that one bad deposit fails alone.
            Err((status, _)) if group.len() > 1 && (400..500).contains(&status) => {
                let mut each = Vec::with_capacity(group.len());
                for p in &group {
                    each.push(sender.send(&[p]).await.map(|mut a| a.remove(0)));
                }
                each
            }
            Err(e) => vec![Err(e); group.len()],
        };
        for (p, a) in group.into_iter().zip(answers) {
            let reply = match a.map(|ack| serde_json::to_string(&ack)) {
                Ok(Ok(json)) => (200, json),
                Ok(Err(e)) => (500, format!("{e}\n")),
                Err(e) => e,
            };
            // A capture that stopped waiting needs no answer.
            let _ = p.reply.send(reply);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webproof_evidence::identity::Algorithm;
    use webproof_ledger::deposit::Deposit;
    use webproof_ledger::note::{ALG_ED25519, NoteSigner};

    const ORIGIN: &str = "log.relay.test/evidence";

    fn deposit(operator: &SecretKey, i: u8) -> Vec<u8> {
        Deposit {
            v: 1,
            sha256: hex::encode([i; 32]),
            sm3: hex::encode([i ^ 0x55; 32]),
            package: format!("capture-{i}"),
            operator: operator.public_key().fingerprint().unwrap().to_hex(),
            claimed_time: "2026-12-06T12:00:00Z".into(),
            label: None,
            label_commitment: Some(webproof_ledger::deposit::label_commitment("C-1", &[i; 16])),
            files: Vec::new(),
        }
        .to_bytes()
        .unwrap()
    }

    /// POSTs `entry` to the relay as a capture does, signed by `key` (or unsigned).
    async fn post(relay: &str, entry: &[u8], key: Option<&SecretKey>, i: u8) -> (u16, String) {
        let mut req = reqwest::Client::new()
            .post(format!("{relay}{}", api::ADD))
            .header(auth::LABEL_HEADER, auth::label_header("C-1", &[i; 16]))
            .body(entry.to_vec());
        if let Some(k) = key {
            let h = webproof_engine::depositing::auth_header(k, ORIGIN, api::ADD, entry).unwrap();
            req = req.header(auth::HEADER, h);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    #[test]
    fn deposits_go_to_the_log_together_and_only_the_operators() {
        let dir = tempfile::tempdir().unwrap();
        let signer = NoteSigner::new(
            ORIGIN,
            ALG_ED25519,
            ed25519_dalek::SigningKey::from_bytes(&[3; 32]),
        )
        .unwrap();
        let log_key = signer.key.clone();
        let log = webproof_log::server::LogService::open_with(
            dir.path(),
            signer,
            Vec::new(),
            0,
            webproof_log::server::Access {
                admins: Vec::new(),
                rate: 1000,
            },
        )
        .unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let log_url = rt.block_on(async {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", l.local_addr().unwrap());
            let app = log.router();
            tokio::spawn(async move { axum::serve(l, app).await });
            url
        });
        let operator = SecretKey::generate(Algorithm::Ed25519).unwrap();
        let relay = start(&log_url, ORIGIN, operator.clone()).unwrap();
        let url = relay.url.clone();
        rt.block_on(async {
            // Three captures depositing at once: one request to the log, three promises of
            // consecutive entries, each the log's own signature over its deposit.
            let entries: Vec<(Vec<u8>, u8)> = (1..=3).map(|i| (deposit(&operator, i), i)).collect();
            let answers = futures_join(&url, &entries, &operator).await;
            let mut indices = Vec::new();
            for ((status, body), (entry, _)) in answers.iter().zip(&entries) {
                assert_eq!(*status, 200, "{body}");
                let ack: Ack = serde_json::from_str(body).unwrap();
                let leaf = webproof_ledger::merkle::leaf_hash(entry);
                webproof_ledger::receipt::check_promise(
                    &ack.promise,
                    &log_key,
                    ack.index,
                    &leaf,
                    &ack.proof,
                )
                .unwrap();
                indices.push(ack.index);
            }
            indices.sort();
            assert_eq!(indices, [indices[0], indices[0] + 1, indices[0] + 2]);
            // (At least two of them in one request, however slow the machine.)
            let requests = relay.counts.requests.load(Ordering::Relaxed);
            assert!(requests < 3, "{requests} requests");
            assert_eq!(relay.counts.deposits.load(Ordering::Relaxed), 3);
            // Unsigned, or signed by another key: refused, nothing sent on.
            let stranger = SecretKey::generate(Algorithm::Ed25519).unwrap();
            let e = deposit(&operator, 4);
            assert_eq!(post(&url, &e, None, 4).await.0, 401);
            assert_eq!(post(&url, &e, Some(&stranger), 4).await.0, 401);
            assert_eq!(relay.counts.requests.load(Ordering::Relaxed), requests);
            // A deposit the log refuses fails alone; the one beside it is promised.
            let bad = b"{\"v\":1}".to_vec();
            let answers = futures_join(&url, &[(bad, 5), (e, 4)], &operator).await;
            assert_eq!(answers[0].0, 400, "{:?}", answers[0]);
            assert_eq!(answers[1].0, 200, "{:?}", answers[1]);
            assert_eq!(relay.counts.deposits.load(Ordering::Relaxed), 4);
        });
    }

    /// The entries POSTed at the same time; the answers in their order.
    /// (Each entry with the number of its label's salt.)
    async fn futures_join(
        url: &str,
        entries: &[(Vec<u8>, u8)],
        key: &SecretKey,
    ) -> Vec<(u16, String)> {
        let tasks: Vec<_> = entries
            .iter()
            .map(|(e, i)| {
                let (url, e, key, i) = (url.to_owned(), e.clone(), key.clone(), *i);
                tokio::spawn(async move { post(&url, &e, Some(&key), i).await })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }
}
