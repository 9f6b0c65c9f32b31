//! The operator's side of a supervised session: listens for the notary, shows every step to
//! the notary as it is journaled (all of them again after a reconnection, so the notary can
//! review what happened meanwhile), and asks the notary to sign statements, waiting for the
//! answer across disconnections. Only the notary who joined first may join again.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use webproof_evidence::digest::Hash32;
use webproof_evidence::identity::{IdentityDoc, PublicKey, SecretKey};

use crate::{JoinCode, Me, Msg, Sender, SuperviseError};

/// A step as the notary is shown it (`Msg::Step`).
#[derive(Clone, Debug, PartialEq)]
pub struct StepView {
    pub seq: u64,
    pub kind: String,
    pub url: Option<String>,
    pub started: String,
    pub head: webproof_evidence::Digests,
    pub thumbnail: Option<String>,
}

impl StepView {
    fn msg(&self) -> Msg {
        Msg::Step {
            seq: self.seq,
            kind: self.kind.clone(),
            url: self.url.clone(),
            started: self.started.clone(),
            head: self.head,
            thumbnail: self.thumbnail.clone(),
        }
    }
}

/// The notary's answer to a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The signature over the statement asked for.
    Signed(Vec<u8>),
    /// A refusal: the notary's own signed statement (bytes) and its signature.
    Refused {
        statement: Vec<u8>,
        signature: Vec<u8>,
    },
}

/// What the notary is asked to sign.
#[derive(Clone)]
enum Asked {
    Statement(Vec<u8>),
    Manifest(Vec<u8>),
}

impl Asked {
    fn msg(&self, id: u64) -> Msg {
        match self {
            Asked::Statement(b) => Msg::SignRequest {
                id,
                statement: hex::encode(b),
            },
            Asked::Manifest(b) => Msg::SignManifest {
                id,
                manifest: hex::encode(b),
            },
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Asked::Statement(b) | Asked::Manifest(b) => b,
        }
    }
}

#[derive(Default)]
struct State {
    capture: String,
    target: Option<String>,
    steps: Vec<StepView>,
    /// The notary who joined first (the only one who may join again).
    notary: Option<(IdentityDoc, Option<String>)>,
    /// The connection to the notary, while there is one (its number, and its sending half).
    conn: Option<(u64, Sender)>,
    connections: u64,
    /// Requests not answered yet: id → what is asked (sent again after a reconnection).
    pending: HashMap<u64, Asked>,
    answers: HashMap<u64, Answer>,
    next_id: u64,
    ended: bool,
}

/// A supervised session's host. Dropping it stops listening and closes the connection.
pub struct Host {
    shared: Arc<(Mutex<State>, Condvar)>,
    code: JoinCode,
}

/// The operator's key and identity, owned (the host's threads use them).
pub struct Operator {
    pub key: SecretKey,
    pub identity: IdentityDoc,
    pub certificate: Option<String>,
}

fn lock(s: &Mutex<State>) -> MutexGuard<'_, State> {
    // A thread that panicked holding the lock left consistent data (every change is one
    // assignment); go on with it.
    s.lock().unwrap_or_else(|e| e.into_inner())
}

impl Host {
    /// Listens at `bind` (`127.0.0.1:0`, `0.0.0.0:41234`) for the notary of capture `capture`;
    /// `shown` is the address put into the join code (what the notary connects to; default
    /// the listener's).
    pub fn start(
        bind: &str,
        shown: Option<&str>,
        capture: &str,
        target: Option<&str>,
        operator: Operator,
    ) -> Result<Host, SuperviseError> {
        let listener = TcpListener::bind(bind)?;
        let addr = match shown {
            Some(a) => a.to_owned(),
            None => listener.local_addr()?.to_string(),
        };
        let code = JoinCode::new(&addr)?;
        let shared = Arc::new((
            Mutex::new(State {
                capture: capture.to_owned(),
                target: target.map(str::to_owned),
                ..State::default()
            }),
            Condvar::new(),
        ));
        let (sh, c) = (shared.clone(), code.clone());
        std::thread::spawn(move || accept_loop(&listener, &c, &operator, &sh));
        Ok(Host { shared, code })
    }

    /// What the operator shows the notary.
    pub fn code(&self) -> &JoinCode {
        &self.code
    }

    /// The notary who joined, and the certificate they sent.
    pub fn notary(&self) -> Option<(IdentityDoc, Option<String>)> {
        lock(&self.shared.0).notary.clone()
    }

    /// Whether the notary is connected now.
    pub fn connected(&self) -> bool {
        lock(&self.shared.0).conn.is_some()
    }

    /// Waits up to `timeout` for the notary to be connected.
    pub fn wait_connected(&self, timeout: Duration) -> bool {
        let (m, cv) = &*self.shared;
        let deadline = Instant::now() + timeout;
        let mut st = lock(m);
        while st.conn.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            st = cv
                .wait_timeout(st, left)
                .map(|r| r.0)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        true
    }

    /// A step as journaled: kept, and shown to the notary if connected.
    pub fn step(&self, s: StepView) {
        let mut st = lock(&self.shared.0);
        // Shown once, in order (the caller and the observer may both pass a step on).
        if st.steps.last().is_some_and(|v| v.seq >= s.seq) {
            return;
        }
        let m = s.msg();
        st.steps.push(s);
        send(&mut st, &m);
    }

    /// Asks the notary to sign `statement` and waits up to `timeout` for the answer (the
    /// request is sent again if the notary reconnects meanwhile). `None` when no answer came.
    pub fn ask(&self, statement: &[u8], timeout: Duration) -> Option<Answer> {
        self.ask_for(Asked::Statement(statement.to_vec()), timeout)
    }

    /// Asks the notary's webproof to countersign the sealed manifest `bytes`.
    pub fn ask_manifest(&self, bytes: &[u8], timeout: Duration) -> Option<Answer> {
        self.ask_for(Asked::Manifest(bytes.to_vec()), timeout)
    }

    /// Asks the notary to sign `statement` without waiting: the request's number, for
    /// [`Host::answered`] (the request is sent again if the notary reconnects meanwhile).
    pub fn request(&self, statement: &[u8]) -> u64 {
        let mut st = lock(&self.shared.0);
        Self::send_request(&mut st, Asked::Statement(statement.to_vec()))
    }

    /// The answer to request `id`, if it has come (taken: asked again, `None`).
    pub fn answered(&self, id: u64) -> Option<Answer> {
        lock(&self.shared.0).answers.remove(&id)
    }

    /// Stops waiting for request `id`: an answer that comes later is not kept, and the
    /// request is not sent again on a reconnection.
    pub fn withdraw(&self, id: u64) {
        let mut st = lock(&self.shared.0);
        st.pending.remove(&id);
        st.answers.remove(&id);
    }

    fn send_request(st: &mut State, asked: Asked) -> u64 {
        st.next_id += 1;
        let id = st.next_id;
        let msg = asked.msg(id);
        st.pending.insert(id, asked);
        send(st, &msg);
        id
    }

    fn ask_for(&self, asked: Asked, timeout: Duration) -> Option<Answer> {
        let (m, cv) = &*self.shared;
        let mut st = lock(m);
        let id = Self::send_request(&mut st, asked);
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(a) = st.answers.remove(&id) {
                return Some(a);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                st.pending.remove(&id);
                return None;
            }
            st = cv
                .wait_timeout(st, left)
                .map(|r| r.0)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }

    /// Tells the notary the session ended and closes the connection.
    pub fn end(&self) {
        let mut st = lock(&self.shared.0);
        st.ended = true;
        send(&mut st, &Msg::Ended);
        if let Some((_, tx)) = st.conn.take() {
            tx.close();
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.end();
        // Wake the acceptor (a connection to the listener that nobody answers).
        if let Ok(addr) = self.code.addr.parse::<std::net::SocketAddr>() {
            let _ = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200));
        }
    }
}

/// Sends `m` on the connection, if there is one; a failed send drops the connection (the
/// notary will be shown everything again on reconnecting).
fn send(st: &mut State, m: &Msg) {
    if let Some((_, tx)) = &mut st.conn
        && tx.send(m).is_err()
    {
        st.conn = None;
    }
}

fn accept_loop(
    listener: &TcpListener,
    code: &JoinCode,
    op: &Operator,
    shared: &Arc<(Mutex<State>, Condvar)>,
) {
    for stream in listener.incoming() {
        if lock(&shared.0).ended {
            return;
        }
        let Ok(stream) = stream else { continue };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
        let pinned: Option<Hash32> = lock(&shared.0).notary.as_ref().map(|n| n.0.fingerprint);
        let me = Me {
            key: &op.key,
            identity: &op.identity,
            certificate: op.certificate.as_deref(),
        };
        // A failed join (wrong code, another notary) changes nothing: wait for the next.
        let Ok(ch) = crate::accept(stream, code, me, pinned) else {
            continue;
        };
        let _ = ch.set_read_timeout(None);
        let (peer, cert) = (ch.peer.clone(), ch.peer_certificate.clone());
        let (mut tx, mut rx) = ch.split();
        let id = {
            let (m, cv) = &**shared;
            let mut st = lock(m);
            // The session so far: what the notary must see (again) before anything new.
            let mut catch_up = vec![Msg::Session {
                capture: st.capture.clone(),
                target: st.target.clone(),
            }];
            catch_up.extend(st.steps.iter().map(StepView::msg));
            let mut pending: Vec<_> = st.pending.iter().collect();
            pending.sort_by_key(|(id, _)| **id);
            catch_up.extend(pending.into_iter().map(|(id, a)| a.msg(*id)));
            if catch_up.iter().any(|m| tx.send(m).is_err()) {
                continue;
            }
            if let Some((_, old)) = st.conn.take() {
                old.close();
            }
            st.notary.get_or_insert((peer, cert));
            st.connections += 1;
            let id = st.connections;
            st.conn = Some((id, tx));
            cv.notify_all();
            id
        };
        let sh = shared.clone();
        std::thread::spawn(move || read_loop(&mut rx, id, &sh));
    }
}

/// Takes the notary's answers from connection `id` until it ends.
fn read_loop(rx: &mut crate::Receiver, id: u64, shared: &Arc<(Mutex<State>, Condvar)>) {
    let (m, cv) = &**shared;
    loop {
        let got = rx.recv();
        let mut st = lock(m);
        // Only answers the notary's key signed are taken (a bad one is as if not sent).
        let key = st
            .notary
            .as_ref()
            .and_then(|(d, _)| PublicKey::from_pem(&d.public_key).ok());
        let signs =
            |bytes: &[u8], sig: &[u8]| key.as_ref().is_some_and(|k| k.verify(bytes, sig).is_ok());
        match got {
            Ok(Msg::Signed { id: req, signature }) => {
                if let (Some(asked), Ok(sig)) = (st.pending.get(&req), hex::decode(signature))
                    && signs(asked.bytes(), &sig)
                {
                    st.pending.remove(&req);
                    st.answers.insert(req, Answer::Signed(sig));
                }
            }
            Ok(Msg::Refused {
                id: req,
                statement,
                signature,
            }) => {
                if let (true, Ok(statement), Ok(signature)) = (
                    st.pending.contains_key(&req),
                    hex::decode(statement),
                    hex::decode(signature),
                ) && signs(&statement, &signature)
                {
                    st.pending.remove(&req);
                    st.answers.insert(
                        req,
                        Answer::Refused {
                            statement,
                            signature,
                        },
                    );
                }
            }
            // Anything else from the notary is ignored; a broken connection ends this one.
            Ok(_) => {}
            Err(_) => {
                if st.conn.as_ref().is_some_and(|(c, _)| *c == id) {
                    st.conn = None;
                }
                cv.notify_all();
                return;
            }
        }
        cv.notify_all();
    }
}

/// The supervising notary as the seal signs with it: the sealed manifest goes to the notary's
/// webproof, which countersigns it there (`Msg::SignManifest`); the key never leaves the
/// notary's machine.
pub struct RemoteNotary<'a> {
    pub host: &'a Host,
    /// The notary's public key (from the identity the notary proved when joining).
    pub key: PublicKey,
    /// How long to wait for the answer (across the notary's reconnections).
    pub timeout: Duration,
}

/// Why the notary's webproof did not countersign the manifest.
#[derive(Debug, thiserror::Error)]
pub enum NotCountersigned {
    #[error("the notary's webproof refused to countersign the manifest: {0}")]
    Refused(String),
    #[error("the notary's webproof did not answer within {0} s")]
    NoAnswer(u64),
}

impl webproof_evidence::identity::Signing for RemoteNotary<'_> {
    fn public_key(&self) -> PublicKey {
        self.key.clone()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, webproof_evidence::identity::KeyError> {
        use webproof_evidence::identity::KeyError;
        match self.host.ask_manifest(msg, self.timeout) {
            Some(Answer::Signed(sig)) => Ok(sig),
            Some(Answer::Refused { statement, .. }) => {
                let reason =
                    serde_json::from_slice::<webproof_evidence::supervision::Statement>(&statement)
                        .ok()
                        .and_then(|s| s.reason)
                        .unwrap_or_default();
                Err(KeyError::Sign(Box::new(NotCountersigned::Refused(reason))))
            }
            None => Err(KeyError::Sign(Box::new(NotCountersigned::NoAnswer(
                self.timeout.as_secs(),
            )))),
        }
    }
}
