//! The registration authority over HTTP: an admin adds a registrar, the registrar issues a
//! one-time code for a checked person, the person enrolls their key and gets a certificate
//! from the operator CA, only enrolled operators deposit (under their own key, within their
//! rate), revocation stops them and is published; every administrative action is in the log.
//! And the hostile cases: unsigned, unknown, stale, replayed and mis-signed requests, reused
//! codes, codes for another key, deposits in another operator's name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::pg_server::Postgres;
use common::{Backend, open_log};
use webproof_evidence::identity::{Algorithm, SecretKey};
use webproof_ledger::auth;
use webproof_ledger::deposit::{AdminEntry, Deposit};
use webproof_ledger::note::{ALG_ED25519, Note, NoteSigner};
use webproof_log::server::Access;
use webproof_timestamp::ca::{check_certified, parse_cert};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn fpr(k: &SecretKey) -> String {
    k.public_key().fingerprint().unwrap().to_hex()
}

/// The log's origin: every signed request names it.
const ORIGIN: &str = "log.webproof.test/ra";

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    /// POSTs `body` to `path`, signed by `key` at `time` (unsigned when `key` is None).
    async fn post_at(
        &self,
        path: &str,
        body: &[u8],
        key: Option<&SecretKey>,
        time: u64,
    ) -> (u16, String) {
        let mut r = self
            .http
            .post(format!("{}{path}", self.base))
            .body(body.to_vec());
        if let Some(k) = key {
            let sig = k
                .sign(&auth::request_message(ORIGIN, "POST", path, time, body))
                .unwrap();
            r = r.header(auth::HEADER, auth::header_value(&fpr(k), time, &sig));
        }
        let r = r.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn post(&self, path: &str, body: &[u8], key: Option<&SecretKey>) -> (u16, String) {
        self.post_at(path, body, key, now()).await
    }

    /// A GET signed by `key`.
    async fn get_signed(&self, path: &str, key: &SecretKey) -> (u16, String) {
        let t = now();
        let sig = key
            .sign(&auth::request_message(ORIGIN, "GET", path, t, b""))
            .unwrap();
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(auth::HEADER, auth::header_value(&fpr(key), t, &sig))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

fn deposit(operator: &str, n: u8) -> Vec<u8> {
    Deposit {
        v: 1,
        sha256: hex::encode([n; 32]),
        sm3: hex::encode([n ^ 0x55; 32]),
        package: format!("capture-{n}"),
        operator: operator.into(),
        claimed_time: "2026-11-23T12:00:00Z".into(),
        label: None,
        label_commitment: None,
        files: Vec::new(),
    }
    .to_bytes()
    .unwrap()
}

/// The log in `dir` with the registration authority of `admin` (5 deposits a second per
/// operator), served on a fresh port, and a client of it.
async fn serve_ra(
    backend: &Backend,
    dir: &std::path::Path,
    log: NoteSigner,
    admin: &SecretKey,
) -> (std::sync::Arc<webproof_log::server::LogService>, Client) {
    let svc = open_log(
        backend,
        dir,
        log,
        vec![],
        0,
        Access {
            admins: vec![admin.public_key()],
            rate: 5,
        },
    )
    .unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let app = svc.router();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    let c = Client {
        http: reqwest::Client::new(),
        base,
    };
    (svc, c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_access_control_and_revocation() {
    enrollment(&Backend::Redb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_access_control_and_revocation_on_postgres() {
    let pg = Postgres::start();
    enrollment(&Backend::Postgres(pg.create_db("ra_http"))).await;
}

async fn enrollment(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let log = NoteSigner::new(
        ORIGIN,
        ALG_ED25519,
        ed25519_dalek::SigningKey::from_bytes(&[1; 32]),
    )
    .unwrap();
    let log_key = log.key.clone();
    let admin = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let registrar = SecretKey::generate(Algorithm::Sm2).unwrap();
    let operator = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let stranger = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let (svc, c) = serve_ra(backend, dir.path(), log, &admin).await;
    let op = fpr(&operator);

    // Nobody deposits yet: unsigned, unknown.
    let (code, _) = c.post("/add", &deposit(&op, 1), None).await;
    assert_eq!(code, 401);
    let (code, body) = c.post("/add", &deposit(&op, 1), Some(&operator)).await;
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("not enrolled"), "{body}");

    // The admin adds a registrar; a registrar cannot.
    let reg = serde_json::json!({"name": "Notary Office 1", "public_key": registrar.public_key().to_pem().unwrap()});
    let reg = serde_json::to_vec(&reg).unwrap();
    let (code, _) = c.post("/ra/registrars", &reg, Some(&registrar)).await;
    assert_eq!(code, 403);
    let (code, body) = c.post("/ra/registrars", &reg, Some(&admin)).await;
    assert_eq!(code, 200, "{body}");

    // The registrar issues a code bound to the operator's key.
    let req = serde_json::json!({
        "name": "Zhang San", "organisation": "Acme IP Agency", "tenant": "acme",
        "id_ref": format!("sha256:{}", "ab".repeat(32)), "fingerprint": op,
    });
    let req = serde_json::to_vec(&req).unwrap();
    let (code, _) = c.post("/ra/codes", &req, Some(&admin)).await;
    assert_eq!(code, 403, "an admin does not issue codes");
    let (code, body) = c.post("/ra/codes", &req, Some(&registrar)).await;
    assert_eq!(code, 200, "{body}");
    let issued: serde_json::Value = serde_json::from_str(&body).unwrap();
    let enroll_code = issued["code"].as_str().unwrap().to_owned();

    // Another key cannot use it; a request not signed by the key it enrolls is refused.
    let other = serde_json::to_vec(&serde_json::json!({"code": enroll_code, "public_key": stranger.public_key().to_pem().unwrap()})).unwrap();
    let (code, body) = c.post("/ra/enroll", &other, Some(&stranger)).await;
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("another key"), "{body}");
    let mine = serde_json::to_vec(&serde_json::json!({"code": enroll_code.to_lowercase(), "public_key": operator.public_key().to_pem().unwrap()})).unwrap();
    let (code, _) = c.post("/ra/enroll", &mine, Some(&stranger)).await;
    assert_eq!(code, 401);
    // A key whose identity names someone else than the code (here: no organisation) is
    // refused before the code is used up: its certificate would contradict its packages.
    let claimed = |org: Option<&str>| {
        serde_json::to_vec(&serde_json::json!({"code": enroll_code, "public_key": operator.public_key().to_pem().unwrap(), "identity": {"name": "Zhang San", "organisation": org}})).unwrap()
    };
    let (code, body) = c.post("/ra/enroll", &claimed(None), Some(&operator)).await;
    assert_eq!(code, 409, "{body}");
    assert!(
        body.contains("is for Zhang San (Acme IP Agency), but the key's identity is Zhang San:"),
        "{body}"
    );
    let (code, body) = c
        .post("/ra/enroll", &claimed(Some("Acme")), Some(&operator))
        .await;
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("identity is Zhang San (Acme):"), "{body}");
    // Enrolled: a certificate of the CA for exactly this key, naming the checked person.
    let t = now();
    let (code, body) = c.post_at("/ra/enroll", &mine, Some(&operator), t).await;
    assert_eq!(code, 200, "{body}");
    let enrolled: serde_json::Value = serde_json::from_str(&body).unwrap();
    let cert = parse_cert(enrolled["certificate"].as_str().unwrap().as_bytes()).unwrap();
    let (code, ca_pem) = c.get("/ra/ca").await;
    assert_eq!(code, 200);
    let ca = parse_cert(ca_pem.as_bytes()).unwrap();
    let subject = check_certified(
        &cert,
        &ca,
        &operator.public_key().spki_der().unwrap(),
        t as i64,
    )
    .unwrap();
    assert_eq!(
        (subject.name.as_str(), subject.tenant.as_str()),
        ("Zhang San", "acme")
    );
    // The same signed request again: a replay. A fresh one: the code is used up.
    let (code, _) = c.post_at("/ra/enroll", &mine, Some(&operator), t).await;
    assert_eq!(code, 409);
    let (code, _) = c.post("/ra/enroll", &mine, Some(&operator)).await;
    assert_eq!(code, 409, "already enrolled");
    // (Ed25519 signatures are deterministic: a second later, so it is not a replay.)
    let (code, body) = c
        .post_at("/ra/enroll", &other, Some(&stranger), now() + 1)
        .await;
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("already used"), "{body}");

    // Deposits: the operator's own, signed; not in another's name; not stale; rate-limited.
    let (code, body) = c.post("/add", &deposit(&op, 1), Some(&operator)).await;
    assert_eq!(code, 200, "{body}");
    let (code, body) = c
        .post("/add", &deposit(&"cd".repeat(32), 2), Some(&operator))
        .await;
    assert_eq!(code, 403, "{body}");
    let (code, _) = c
        .post_at("/add", &deposit(&op, 3), Some(&operator), now() - 3600)
        .await;
    assert_eq!(code, 401);
    let batch: Vec<Vec<u8>> = (10..21).map(|n| deposit(&op, n)).collect();
    let (code, body) = c
        .post("/add-batch", &batch.join(&b'\n'), Some(&operator))
        .await;
    assert_eq!(code, 429, "{body}");
    let (code, body) = c
        .post("/add-batch", &batch[..5].join(&b'\n'), Some(&operator))
        .await;
    assert_eq!(code, 200, "{body}");
    // A tampered body under a valid signature.
    let sig = operator
        .sign(&auth::request_message(
            ORIGIN,
            "POST",
            "/add",
            now(),
            &deposit(&op, 4),
        ))
        .unwrap();
    let r = c
        .http
        .post(format!("{}/add", c.base))
        .header(auth::HEADER, auth::header_value(&op, now(), &sig))
        .body(deposit(&op, 5))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A request the operator signed for another log (same keys, another origin): refused,
    // so a log cannot replay what it received to another.
    let body = deposit(&op, 6);
    let t = now();
    let sig = operator
        .sign(&auth::request_message(
            "log.other.test/ra",
            "POST",
            "/add",
            t,
            &body,
        ))
        .unwrap();
    let r = c
        .http
        .post(format!("{}/add", c.base))
        .header(auth::HEADER, auth::header_value(&op, t, &sig))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Labels are private: a clear one is refused; a committed one is kept for the tenant.
    let mut clear = Deposit::parse(&deposit(&op, 30)).unwrap();
    clear.label = Some("CASE-42".into());
    let (code, body) = c
        .post("/add", &clear.to_bytes().unwrap(), Some(&operator))
        .await;
    assert_eq!(code, 400, "{body}");
    let salt = [7u8; 16];
    let mut private = Deposit::parse(&deposit(&op, 31)).unwrap();
    private.label_commitment = Some(webproof_ledger::deposit::label_commitment("CASE-42", &salt));
    let body = private.to_bytes().unwrap();
    let send = |label: String, t: u64| {
        let sig = operator
            .sign(&auth::request_message(ORIGIN, "POST", "/add", t, &body))
            .unwrap();
        let (c, body) = (&c, body.clone());
        let op = op.clone();
        async move {
            let r = c
                .http
                .post(format!("{}/add", c.base))
                .header(auth::HEADER, auth::header_value(&op, t, &sig))
                .header(auth::LABEL_HEADER, label)
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (code, _) = send(auth::label_header("CASE-43", &salt), now()).await;
    assert_eq!(code, 400, "a label that does not open the commitment");
    let (code, ack) = send(auth::label_header("CASE-42", &salt), now() + 1).await;
    assert_eq!(code, 200, "{ack}");
    let index = serde_json::from_str::<webproof_ledger::receipt::Ack>(&ack)
        .unwrap()
        .index;
    let public = String::from_utf8(svc.store().entry(index).unwrap().unwrap()).unwrap();
    assert!(!public.contains("CASE-42"), "{public}");
    // Its tenant reads it; another tenant's operator does not.
    let (code, label) = c
        .get_signed(&format!("/ra/labels/{index}"), &operator)
        .await;
    assert_eq!((code, label.as_str()), (200, "CASE-42"));
    let rival = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let req = serde_json::to_vec(&serde_json::json!({"name": "Li Si", "tenant": "rival-agency"}))
        .unwrap();
    let (_, body) = c.post("/ra/codes", &req, Some(&registrar)).await;
    let rival_code: serde_json::Value = serde_json::from_str(&body).unwrap();
    let enroll = serde_json::to_vec(&serde_json::json!({"code": rival_code["code"], "public_key": rival.public_key().to_pem().unwrap()})).unwrap();
    let (code, body) = c.post("/ra/enroll", &enroll, Some(&rival)).await;
    assert_eq!(code, 200, "{body}");
    let (code, _) = c.get_signed(&format!("/ra/labels/{index}"), &rival).await;
    assert_eq!(code, 403);

    // A batch names each deposit's label in order, an empty field where it has none.
    let salt = [9u8; 16];
    let mut labelled = Deposit::parse(&deposit(&op, 32)).unwrap();
    labelled.label_commitment = Some(webproof_ledger::deposit::label_commitment("CASE-44", &salt));
    let plain = Deposit::parse(&deposit(&op, 33)).unwrap();
    let batch = [labelled.to_bytes().unwrap(), plain.to_bytes().unwrap()].join(&b'\n');
    let send_batch = |labels: String, t: u64| {
        let sig = operator
            .sign(&auth::request_message(
                ORIGIN,
                "POST",
                "/add-batch",
                t,
                &batch,
            ))
            .unwrap();
        let (c, batch) = (&c, batch.clone());
        let op = op.clone();
        async move {
            let r = c
                .http
                .post(format!("{}/add-batch", c.base))
                .header(auth::HEADER, auth::header_value(&op, t, &sig))
                .header(auth::LABEL_HEADER, labels)
                .body(batch)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let one = auth::label_header("CASE-44", &salt);
    let (code, body) = send_batch(auth::batch_label_header(&[Some(one.clone())]), now()).await;
    assert_eq!(code, 400, "a label field for one of two deposits: {body}");
    let (code, body) = send_batch(
        auth::batch_label_header(&[None, Some(one.clone())]),
        now() + 1,
    )
    .await;
    assert_eq!(code, 400, "the label of another deposit: {body}");
    let (code, body) = send_batch(auth::batch_label_header(&[Some(one), None]), now() + 2).await;
    assert_eq!(code, 200, "{body}");
    let first = serde_json::from_str::<webproof_ledger::receipt::BatchAck>(&body)
        .unwrap()
        .first;
    let (code, label) = c
        .get_signed(&format!("/ra/labels/{first}"), &operator)
        .await;
    assert_eq!((code, label.as_str()), (200, "CASE-44"));
    let (code, _) = c
        .get_signed(&format!("/ra/labels/{}", first + 1), &operator)
        .await;
    assert_eq!(code, 404, "the deposit without a label has none");

    // Revocation: by the admin; the operator can no longer deposit; the log publishes it.
    let rev =
        serde_json::to_vec(&serde_json::json!({"fingerprint": op, "reason": "left the agency"}))
            .unwrap();
    let (code, _) = c.post("/ra/revoke", &rev, Some(&stranger)).await;
    assert_eq!(code, 403);
    let (code, body) = c.post("/ra/revoke", &rev, Some(&admin)).await;
    assert_eq!(code, 200, "{body}");
    let (code, body) = c.post("/add", &deposit(&op, 6), Some(&operator)).await;
    assert_eq!(code, 403);
    assert!(body.contains("revoked"), "{body}");
    let (code, note) = c.get("/ra/revocations").await;
    assert_eq!(code, 200);
    let note = Note::parse(&note).unwrap();
    note.verify_signer(&log_key).unwrap();
    assert!(note.text.contains(&format!("\n{op} ")), "{}", note.text);

    // Every administrative action is an entry of the log, next to the deposits.
    let size = svc.store().size().unwrap();
    let actions: Vec<String> = (0..size)
        .filter_map(|i| svc.store().entry(i).unwrap())
        .filter_map(|e| serde_json::from_slice::<AdminEntry>(&e).ok())
        .map(|a| a.admin)
        .collect();
    assert_eq!(
        actions,
        [
            "registrar-add",
            "code-issue",
            "enroll",
            "code-issue",
            "enroll",
            "revoke"
        ]
    );
    assert_eq!(size, 6 + 1 + 5 + 1 + 2); // … and the labelled batch of two
}

/// The log in `dir` with `admin`, served on a fresh port; the server task is returned so it
/// can be stopped (a restart opens the same directory again).
async fn serve_log(
    backend: &Backend,
    dir: &std::path::Path,
    admin: &SecretKey,
) -> (Client, tokio::task::JoinHandle<()>) {
    let log = NoteSigner::new(
        ORIGIN,
        ALG_ED25519,
        ed25519_dalek::SigningKey::from_bytes(&[1; 32]),
    )
    .unwrap();
    // The previous server's store may still be closing.
    let mut svc = None;
    for _ in 0..100 {
        match open_log(
            backend,
            dir,
            log.clone(),
            vec![],
            0,
            Access {
                admins: vec![admin.public_key()],
                rate: 50,
            },
        ) {
            Ok(s) => {
                svc = Some(s);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
    let svc = svc.expect("the log reopens its directory");
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let app = svc.router();
    drop(svc);
    let task = tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (
        Client {
            http: reqwest::Client::new(),
            base,
        },
        task,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_accepted_before_a_restart_is_refused_as_a_replay_after_it() {
    replay_after_restart(&Backend::Redb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_accepted_before_a_restart_is_refused_as_a_replay_after_it_on_postgres() {
    let pg = Postgres::start();
    replay_after_restart(&Backend::Postgres(pg.create_db("replay"))).await;
}

async fn replay_after_restart(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let admin = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let registrar = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let operator = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let op = fpr(&operator);
    let (c, task) = serve_log(backend, dir.path(), &admin).await;
    // An admin action, a code, an enrollment and a deposit, each accepted once.
    let t = now();
    let reg = serde_json::to_vec(&serde_json::json!({"name": "Office", "public_key": registrar.public_key().to_pem().unwrap()})).unwrap();
    let (code, body) = c.post_at("/ra/registrars", &reg, Some(&admin), t).await;
    assert_eq!(code, 200, "{body}");
    let req = serde_json::to_vec(&serde_json::json!({
        "name": "Li Si", "organisation": "Acme", "tenant": "acme",
        "id_ref": format!("sha256:{}", "cd".repeat(32)), "fingerprint": op,
    }))
    .unwrap();
    let (code, body) = c.post("/ra/codes", &req, Some(&registrar)).await;
    assert_eq!(code, 200, "{body}");
    let issued: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mine = serde_json::to_vec(&serde_json::json!({"code": issued["code"], "public_key": operator.public_key().to_pem().unwrap()})).unwrap();
    let (code, body) = c.post("/ra/enroll", &mine, Some(&operator)).await;
    assert_eq!(code, 200, "{body}");
    let d = deposit(&op, 7);
    let (code, body) = c.post_at("/add", &d, Some(&operator), t).await;
    assert_eq!(code, 200, "{body}");
    let batch = [deposit(&op, 8), deposit(&op, 9)].join(&b'\n');
    let (code, body) = c.post_at("/add-batch", &batch, Some(&operator), t).await;
    assert_eq!(code, 200, "{body}");
    // Replayed at once: refused (the memory of this run).
    assert_eq!(c.post_at("/add", &d, Some(&operator), t).await.0, 409);

    // The log restarts; the same signed requests, well within the clock window, are still
    // replays.
    task.abort();
    let _ = task.await;
    let (c, _task) = serve_log(backend, dir.path(), &admin).await;
    let (code, body) = c.post_at("/add", &d, Some(&operator), t).await;
    assert_eq!(code, 409, "a deposit replayed after the restart: {body}");
    let (code, body) = c.post_at("/add-batch", &batch, Some(&operator), t).await;
    assert_eq!(code, 409, "a batch replayed after the restart: {body}");
    let (code, body) = c.post_at("/ra/registrars", &reg, Some(&admin), t).await;
    assert_eq!(
        code, 409,
        "an admin action replayed after the restart: {body}"
    );
    // A fresh request (signed a second later) still goes through.
    let (code, body) = c
        .post_at("/add", &deposit(&op, 10), Some(&operator), t + 1)
        .await;
    assert_eq!(code, 200, "{body}");
    // Nothing replayed reached the log: three administrative entries and four deposits.
    assert_eq!(c.get("/entry/6").await.0, 200);
    assert_eq!(c.get("/entry/7").await.0, 404);
}

/// A notary enrolls like an operator, with a code the registrar issued for a notary: the
/// certificate names the notary's role. A notary's code does not certify an operator's key
/// (nor an operator's code a notary's), and a code refused for its role is not used up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notary_enrolls_with_a_notarys_code_and_is_certified_as_a_notary() {
    use webproof_timestamp::ca::CertRole;
    let dir = tempfile::tempdir().unwrap();
    let log = NoteSigner::new(
        ORIGIN,
        ALG_ED25519,
        ed25519_dalek::SigningKey::from_bytes(&[2; 32]),
    )
    .unwrap();
    let admin = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let registrar = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let notary = SecretKey::generate(Algorithm::Sm2).unwrap();
    let operator = SecretKey::generate(Algorithm::Ed25519).unwrap();
    let (svc, c) = serve_ra(&Backend::Redb, dir.path(), log, &admin).await;
    let reg = serde_json::json!({"name": "Notary Office 1", "public_key": registrar.public_key().to_pem().unwrap()});
    let (code, body) = c
        .post(
            "/ra/registrars",
            &serde_json::to_vec(&reg).unwrap(),
            Some(&admin),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let issue = |role: &str| {
        let req = serde_json::json!({
            "name": "Li Si", "organisation": "Hangzhou Notary Office", "tenant": "notaries",
            "role": role,
        });
        serde_json::to_vec(&req).unwrap()
    };
    let (code, body) = c
        .post("/ra/codes", &issue("notary"), Some(&registrar))
        .await;
    assert_eq!(code, 200, "{body}");
    let notary_code: serde_json::Value = serde_json::from_str(&body).unwrap();
    let notary_code = notary_code["code"].as_str().unwrap().to_owned();
    let enroll = |key: &SecretKey, code: &str, role: &str| {
        let req = serde_json::json!({"code": code, "public_key": key.public_key().to_pem().unwrap(), "role": role});
        serde_json::to_vec(&req).unwrap()
    };
    // An operator's key with the notary's code: refused, and the code is still good.
    let (code, body) = c
        .post(
            "/ra/enroll",
            &enroll(&operator, &notary_code, "operator"),
            Some(&operator),
        )
        .await;
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("for a notary"), "{body}");
    // The notary's key: certified as a notary.
    let t = now();
    let (code, body) = c
        .post_at(
            "/ra/enroll",
            &enroll(&notary, &notary_code, "notary"),
            Some(&notary),
            t,
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let enrolled: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(enrolled["role"], "notary");
    let cert = parse_cert(enrolled["certificate"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(CertRole::of(&cert).unwrap().unwrap(), CertRole::Notary);
    let ca = parse_cert(c.get("/ra/ca").await.1.as_bytes()).unwrap();
    let subject = check_certified(
        &cert,
        &ca,
        &notary.public_key().spki_der().unwrap(),
        t as i64,
    )
    .unwrap();
    assert_eq!(
        subject.organisation.as_deref(),
        Some("Hangzhou Notary Office")
    );

    // An operator's code (the default role) does not certify a key enrolling as a notary's.
    let (code, body) = c
        .post("/ra/codes", &issue("operator"), Some(&registrar))
        .await;
    assert_eq!(code, 200, "{body}");
    let op_code: serde_json::Value = serde_json::from_str(&body).unwrap();
    let op_code = op_code["code"].as_str().unwrap().to_owned();
    let (code, body) = c
        .post(
            "/ra/enroll",
            &enroll(&operator, &op_code, "notary"),
            Some(&operator),
        )
        .await;
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("for an operator"), "{body}");
    let old_style =
        serde_json::json!({"code": op_code, "public_key": operator.public_key().to_pem().unwrap()});
    let (code, body) = c
        .post(
            "/ra/enroll",
            &serde_json::to_vec(&old_style).unwrap(),
            Some(&operator),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let enrolled: serde_json::Value = serde_json::from_str(&body).unwrap();
    let cert = parse_cert(enrolled["certificate"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(CertRole::of(&cert).unwrap().unwrap(), CertRole::Operator);
    // The log records the notary's code as a notary's (the operator's as before).
    let size = svc.store().size().unwrap();
    let codes: Vec<Option<String>> = (0..size)
        .filter_map(|i| svc.store().entry(i).unwrap())
        .filter_map(|e| serde_json::from_slice::<AdminEntry>(&e).ok())
        .filter(|a| a.admin == "code-issue")
        .map(|a| a.detail)
        .collect();
    assert_eq!(
        codes,
        [Some("notaries (notary)".into()), Some("notaries".into())]
    );
}
