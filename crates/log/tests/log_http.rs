//! The evidence log over HTTP with three witnesses (court, notary office, CA) on loopback:
//! deposits are promised once durable, the checkpoint is published once cosigned by all
//! three, and a client verifies inclusion of its deposit offline against it; lookup by chain
//! head finds the deposit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use base64::Engine as _;
use ed25519_dalek::SigningKey;
use webproof_ledger::deposit::Deposit;
use webproof_ledger::merkle::{Hash, leaf_hash, verify_inclusion};
use webproof_ledger::note::{ALG_COSIGNATURE_V1, ALG_ED25519, Note, NoteKey, NoteSigner};
use webproof_ledger::witness::verify_witnessed;
use webproof_log::server::{LogService, WitnessPeer, promise_text};
use webproof_log::witness_http::{WitnessService, router};

const ORIGIN: &str = "log.webproof.test/alliance";

async fn serve(app: axum::Router) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    url
}

fn deposit(i: u8) -> Vec<u8> {
    Deposit {
        v: 1,
        sha256: hex::encode([i; 32]),
        sm3: hex::encode([i ^ 0x55; 32]),
        package: format!("capture-{i}"),
        operator: hex::encode([7u8; 32]),
        claimed_time: "2026-11-23T12:00:00Z".into(),
        label: None,
    }
    .to_bytes()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposits_are_promised_witnessed_and_provable() {
    let log = NoteSigner::new(ORIGIN, ALG_ED25519, SigningKey::from_bytes(&[1; 32])).unwrap();
    let dirs: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut peers = Vec::new();
    for (i, name) in [
        "witness.court.test",
        "witness.notary.test",
        "witness.ca.test",
    ]
    .iter()
    .enumerate()
    {
        let s = NoteSigner::new(
            name,
            ALG_COSIGNATURE_V1,
            SigningKey::from_bytes(&[10 + i as u8; 32]),
        )
        .unwrap();
        let key = s.key.clone();
        let svc = Arc::new(WitnessService::open(dirs[i].path(), s, vec![log.key.clone()]).unwrap());
        let url = serve(router(svc)).await;
        peers.push(WitnessPeer {
            url: format!("{url}/add-checkpoint"),
            key,
        });
    }
    let wkeys: Vec<NoteKey> = peers.iter().map(|p| p.key.clone()).collect();
    let svc = LogService::open(dirs[3].path(), log, peers, 3).unwrap();
    let log_key = NoteKey::from_vkey(&svc.vkey()).unwrap();
    let base = serve(svc.router()).await;
    let http = reqwest::Client::new();

    // Ten deposits, each promised (signed by the log) with its index and leaf hash.
    let mut promised = Vec::new();
    for i in 0..10u8 {
        let r = http
            .post(format!("{base}/add"))
            .body(deposit(i))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let note = Note::parse(&r.text().await.unwrap()).unwrap();
        note.verify_signer(&log_key).unwrap();
        let index: u64 = note.text.lines().nth(2).unwrap().parse().unwrap();
        let t = note.text.lines().nth(4).unwrap().parse().unwrap();
        assert_eq!(
            note.text,
            promise_text(ORIGIN, index, &leaf_hash(&deposit(i)), t)
        );
        promised.push(index);
    }
    promised.sort();
    assert_eq!(promised, (0..10).collect::<Vec<_>>());
    // A malformed deposit is refused and not stored.
    let r = http
        .post(format!("{base}/add"))
        .body("{\"v\":1}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(svc.store().size().unwrap(), 10);

    // No checkpoint yet; then one, cosigned by all three witnesses.
    assert_eq!(
        http.get(format!("{base}/checkpoint"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(svc.checkpoint_once().await.unwrap(), Some(10));
    let cp = http
        .get(format!("{base}/checkpoint"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let w = verify_witnessed(&cp, &log_key, &wkeys, 3).unwrap();
    assert_eq!((w.checkpoint.size, w.cosigners.len()), (10, 3));

    // Lookup by chain head, the entry, and its inclusion proof against the checkpoint.
    let head = hex::encode([6u8; 32]);
    let index: u64 = http
        .get(format!("{base}/lookup/{head}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let e = http
        .get(format!("{base}/entry/{index}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(e.as_ref(), deposit(6).as_slice());
    let proof: Vec<Hash> = http
        .get(format!("{base}/proof/inclusion/{index}/10"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| {
            base64::engine::general_purpose::STANDARD
                .decode(l)
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect();
    verify_inclusion(index, 10, &leaf_hash(&e), &proof, &w.checkpoint.root).unwrap();
    assert_eq!(
        http.get(format!("{base}/lookup/{}", hex::encode([99u8; 32])))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // More deposits: the next checkpoint extends the last (the witnesses checked the proof).
    for i in 10..15u8 {
        http.post(format!("{base}/add"))
            .body(deposit(i))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(svc.checkpoint_once().await.unwrap(), Some(15));
    let cp = http
        .get(format!("{base}/checkpoint"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        verify_witnessed(&cp, &log_key, &wkeys, 3)
            .unwrap()
            .checkpoint
            .size,
        15
    );
    // Nothing new: no new checkpoint.
    assert_eq!(svc.checkpoint_once().await.unwrap(), None);
}
