//! What the engine's tests share: a development alliance on loopback, an operator, steps.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use webproof_engine::Note;
use webproof_evidence::capture::Capture;
use webproof_evidence::identity::{Algorithm, IdentityDoc, Role, SecretKey};
use webproof_evidence::record::StepKind;
use webproof_evidence::utc::Utc;
use webproof_ledger::note::{ALG_COSIGNATURE_V1, ALG_ED25519, NoteSigner};
use webproof_ledger::receipt::LogTrust;
use webproof_timestamp::dev::DevTsa;

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A development TSA, a log with one witness, on loopback; the TSA's root and the log's and
/// witness's keys.
pub struct Alliance {
    pub rt: tokio::runtime::Runtime,
    pub tsa_url: String,
    pub tsa_root: x509_cert::Certificate,
    pub log_url: String,
    pub trust: LogTrust,
    _dir: tempfile::TempDir,
}

async fn listen() -> (tokio::net::TcpListener, String) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", l.local_addr().unwrap());
    (l, url)
}

fn serve(l: tokio::net::TcpListener, app: axum::Router) {
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
}

impl Alliance {
    pub fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let tsa = Arc::new(DevTsa::generate(now() - 60).unwrap());
        let tsa_root = tsa.root.clone();
        let log_signer = NoteSigner::new(
            "log.engine.test",
            ALG_ED25519,
            SigningKey::from_bytes(&[3; 32]),
        )
        .unwrap();
        let witness = NoteSigner::new(
            "witness.engine.test",
            ALG_COSIGNATURE_V1,
            SigningKey::from_bytes(&[4; 32]),
        )
        .unwrap();
        let trust = LogTrust {
            logs: vec![log_signer.key.clone()],
            witnesses: vec![witness.key.clone()],
            quorum: 1,
        };
        let (wdir, ldir) = (dir.path().join("witness"), dir.path().join("log"));
        let (tsa_url, log_url) = rt.block_on(async move {
            let (l, tsa_url) = listen().await;
            let app = axum::Router::new().route(
                "/",
                axum::routing::post(move |body: axum::body::Bytes| {
                    let tsa = tsa.clone();
                    async move { tsa.respond(&body, now() * 1_000_000) }
                }),
            );
            serve(l, app);
            std::fs::create_dir_all(&wdir).unwrap();
            let svc = Arc::new(
                webproof_log::witness_http::WitnessService::open(
                    &wdir,
                    witness,
                    vec![log_signer.key.clone()],
                )
                .unwrap(),
            );
            let (l, wurl) = listen().await;
            serve(l, webproof_log::witness_http::router(svc.clone()));
            let peer = webproof_log::server::WitnessPeer {
                url: format!("{wurl}add-checkpoint"),
                key: webproof_ledger::note::NoteKey::from_vkey(&svc.vkey()).unwrap(),
            };
            let log =
                webproof_log::server::LogService::open(&ldir, log_signer, vec![peer], 1).unwrap();
            let (l, log_url) = listen().await;
            serve(l, log.router());
            log.spawn_checkpointer(Duration::from_millis(50));
            (tsa_url, log_url)
        });
        Alliance {
            rt,
            tsa_url,
            tsa_root,
            log_url,
            trust,
            _dir: dir,
        }
    }
}

pub fn identity(key: &SecretKey) -> IdentityDoc {
    let pk = key.public_key();
    IdentityDoc {
        v: 1,
        role: Role::Operator,
        name: "Engine Test".into(),
        organisation: None,
        contact: None,
        id_ref: None,
        algorithm: Algorithm::Ed25519,
        public_key: pk.to_pem().unwrap(),
        fingerprint: pk.fingerprint().unwrap(),
        created: Utc::now(),
    }
}

pub fn step(cap: &mut Capture, i: u8) {
    cap.add_step(
        StepKind::Screenshot,
        Utc::now(),
        Some("https://shop.example/".into()),
        Default::default(),
        &[("viewport.png", "image/png", &[0x89, b'P', b'N', b'G', i])],
    )
    .unwrap();
}

/// What the stamper said, in order (each note's kind and the step it names).
pub type Said = RefCell<Vec<String>>;

pub fn record(said: &Said) -> impl Fn(Note<'_>) + '_ {
    move |n| {
        let line = match n {
            Note::Stamped { seq, .. } => format!("stamped {seq}"),
            Note::StampFailed { .. } => "stamp failed".into(),
            Note::Deposited { seq, .. } => format!("deposited {seq}"),
            Note::DepositFailed { .. } => "deposit failed".into(),
            Note::NoNotBefore { .. } => "no not-before".into(),
            Note::NoReceipts { .. } => "no receipts".into(),
            Note::NoInclusion { seq, .. } => format!("no inclusion {seq}"),
            Note::ReceiptBad { seq, .. } => format!("receipt bad {seq}"),
            Note::Receipt { seq, .. } => format!("receipt {seq}"),
            Note::Environment { report } => format!("environment {}", report.worst().as_str()),
            Note::NoDevtools => "no devtools".into(),
            Note::RenewalStamped { n, .. } => format!("renewal {n} stamped"),
            Note::ReviewStamped { n, .. } => format!("review {n} stamped"),
            Note::Watching => "watching".into(),
            Note::NoScreenshot { .. } => "no screenshot".into(),
            Note::NetworkFailed { .. } => "network failed".into(),
            Note::Recorded { stats } => format!("recorded {} segments", stats.segments),
            Note::RecordingFailed { .. } => "recording failed".into(),
        };
        said.borrow_mut().push(line);
    }
}

/// The stamper of capture `cap` by `key` for alliance `a`: its TSA (both imprints) and its log.
pub fn stamper(a: &Alliance, cap: &Capture, key: &SecretKey) -> webproof_engine::stamping::Stamper {
    use webproof_engine::depositing::{DepositInfo, Depositor, LogSettings};
    let log = Depositor::new(
        LogSettings {
            url: a.log_url.clone(),
            trust: a.trust.clone(),
        },
        DepositInfo::new(cap.id(), key, Some("CASE-E")).unwrap(),
        a.rt.handle().clone(),
    )
    .unwrap();
    webproof_engine::stamping::Stamper::new(
        webproof_engine::stamping::TsaSettings {
            urls: vec![a.tsa_url.clone()],
            quorum: 1,
            algs: vec![
                webproof_timestamp::HashAlg::Sha256,
                webproof_timestamp::HashAlg::Sm3,
            ],
            policy: None,
        },
        Some(log),
        a.rt.handle().clone(),
    )
    .unwrap()
    .expect("a TSA and a log are configured")
}

/// Sealing by operator `doc` in case CASE-E.
pub fn seal_input<'a>(
    key: &'a SecretKey,
    doc: &'a IdentityDoc,
) -> webproof_evidence::capture::SealInput<'a> {
    webproof_evidence::capture::SealInput {
        case: webproof_evidence::manifest::Case {
            id: Some("CASE-E".into()),
            note: None,
        },
        tool_version: "test".into(),
        operator: webproof_evidence::capture::SignerKey {
            key,
            identity: doc,
            certificate: None,
        },
        notary: None,
    }
}

/// What a session said: its events and its notes.
#[derive(Default)]
pub struct Heard {
    pub events: RefCell<Vec<webproof_engine::Event>>,
    pub notes: Said,
}

impl webproof_engine::seal::Observer for Heard {
    fn event(&self, event: webproof_engine::Event) {
        self.events.borrow_mut().push(event);
    }
    fn note(&self, note: Note<'_>) {
        record(&self.notes)(note);
    }
}

/// Sealed without TSAs or a log, the working copy kept, nothing written before the seal step.
pub fn seal_kept(
    cap: Capture,
    key: &SecretKey,
    doc: &IdentityDoc,
    out: &std::path::Path,
    heard: &Heard,
) -> Result<webproof_engine::seal::Sealed, webproof_engine::seal::SealError> {
    webproof_engine::seal::seal(
        cap,
        &seal_input(key, doc),
        out,
        true,
        None,
        &mut |_| Ok(()),
        heard,
    )
}

/// A package of two steps sealed by a new operator, its heads stamped and deposited (with
/// receipts) when `anchored`; what it verifies under, and its final chain head.
pub fn sealed(
    a: &Alliance,
    dir: &std::path::Path,
    name: &str,
    anchored: bool,
) -> (
    std::path::PathBuf,
    webproof_verify::Policy,
    webproof_evidence::digest::Digests,
) {
    let mut cap = Capture::create(&dir.join(name).with_extension("cap")).unwrap();
    let key = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let doc = identity(&key);
    let mut st = anchored.then(|| stamper(a, &cap, &key));
    step(&mut cap, 0);
    step(&mut cap, 1);
    let out = dir.join(name);
    let heard = Heard::default();
    let s = webproof_engine::seal::seal(
        cap,
        &seal_input(&key, &doc),
        &out,
        false,
        st.as_mut(),
        &mut |_| Ok(()),
        &heard,
    )
    .unwrap();
    let policy = webproof_verify::Policy {
        trusted_operators: vec![doc.fingerprint],
        trusted_tsa: vec![a.tsa_root.clone()],
        log: a.trust.clone(),
        ..webproof_verify::Policy::default()
    };
    (out, policy, s.manifest.journal.head)
}
