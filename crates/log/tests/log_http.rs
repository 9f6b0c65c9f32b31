//! The evidence log over HTTP with three witnesses (court, notary office, CA) on loopback:
//! deposits are promised once durable, the checkpoint is published once cosigned by all
//! three, and a client verifies inclusion of its deposit offline against it; lookup by chain
//! head finds the deposit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::pg_server::Postgres;
use common::{Backend, deposit, open_log};

use std::sync::Arc;

use base64::Engine as _;
use ed25519_dalek::SigningKey;
use webproof_ledger::merkle::{Hash, leaf_hash, verify_inclusion};
use webproof_ledger::note::{ALG_COSIGNATURE_V1, ALG_ED25519, Note, NoteKey, NoteSigner};
use webproof_ledger::receipt::{Ack, check_promise};
use webproof_ledger::witness::verify_witnessed;
use webproof_log::server::WitnessPeer;
use webproof_log::witness_http::{WitnessService, router};

const ORIGIN: &str = "log.webproof.test/alliance";

async fn serve(app: axum::Router) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposits_are_promised_witnessed_and_provable() {
    promised_witnessed_provable(&Backend::Redb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposits_are_promised_witnessed_and_provable_on_postgres() {
    let pg = Postgres::start();
    promised_witnessed_provable(&Backend::Postgres(pg.create_db("log_http"))).await;
}

async fn promised_witnessed_provable(backend: &Backend) {
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
    let svc = open_log(backend, dirs[3].path(), log, peers, 3, Default::default()).unwrap();
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
        let ack: Ack = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        check_promise(
            &ack.promise,
            &log_key,
            ack.index,
            &leaf_hash(&deposit(i)),
            &ack.proof,
        )
        .unwrap();
        // Not a promise for another deposit.
        assert!(
            check_promise(
                &ack.promise,
                &log_key,
                ack.index,
                &leaf_hash(&deposit(i + 1)),
                &ack.proof
            )
            .is_err()
        );
        promised.push(ack.index);
    }
    // A batch: one commit, one signed promise, each deposit with its own path in the group.
    let batch: Vec<Vec<u8>> = (100..140u8).map(deposit).collect();
    let r = http
        .post(format!("{base}/add-batch"))
        .body(batch.join(&b'\n'))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let acks = serde_json::from_str::<webproof_ledger::receipt::BatchAck>(&r.text().await.unwrap())
        .unwrap()
        .into_acks();
    assert_eq!(acks.len(), 40);
    let note = Note::parse(&acks[0].promise).unwrap();
    assert!(
        note.text
            .starts_with(&format!("webproof-log promise/v2\n{ORIGIN}\n10\n40\n"))
    );
    for (k, (ack, e)) in acks.iter().zip(&batch).enumerate() {
        assert_eq!(ack.index, 10 + k as u64);
        assert_eq!(ack.promise, acks[0].promise);
        check_promise(&ack.promise, &log_key, ack.index, &leaf_hash(e), &ack.proof).unwrap();
    }
    // A batch with one malformed deposit is refused whole, saying which; nothing stored.
    let mut bad = batch.clone();
    bad[7] = b"{}".to_vec();
    let r = http
        .post(format!("{base}/add-batch"))
        .body(bad.join(&b'\n'))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().starts_with("deposit 8:"));
    assert_eq!(svc.store().size().unwrap(), 50);
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
    assert_eq!(svc.store().size().unwrap(), 50);

    // No checkpoint yet; then one, cosigned by all three witnesses.
    assert_eq!(
        http.get(format!("{base}/checkpoint"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(svc.checkpoint_once().await.unwrap(), Some(50));
    let cp = http
        .get(format!("{base}/checkpoint"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let w = verify_witnessed(&cp, &log_key, &wkeys, 3).unwrap();
    assert_eq!((w.checkpoint.size, w.cosigners.len()), (50, 3));

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
        .get(format!("{base}/proof/inclusion/{index}/50"))
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
    verify_inclusion(index, 50, &leaf_hash(&e), &proof, &w.checkpoint.root).unwrap();
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
    assert_eq!(svc.checkpoint_once().await.unwrap(), Some(55));
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
        55
    );
    // Nothing new: no new checkpoint.
    assert_eq!(svc.checkpoint_once().await.unwrap(), None);

    // c2sp.org/tlog-tiles: the level-0 tile and the entry bundle of the published tree, from
    // which anyone recomputes the checkpoint's root.
    let get = |path: &str| {
        let (http, url) = (http.clone(), format!("{base}/{path}"));
        async move {
            let r = http.get(url).send().await.unwrap();
            (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
        }
    };
    let (code, hashes) = get("tile/0/000.p/55").await;
    assert_eq!((code, hashes.len()), (200, 55 * 32));
    let leaves: Vec<Hash> = hashes.chunks(32).map(|c| c.try_into().unwrap()).collect();
    let root = webproof_ledger::merkle::root(&leaves);
    let cp = Note::parse(&cp).unwrap();
    let cp = webproof_ledger::note::Checkpoint::parse(&cp.text).unwrap();
    assert_eq!((cp.size, cp.root), (55, root));
    let (code, bundle) = get("tile/entries/000.p/55").await;
    assert_eq!(code, 200);
    let entries = webproof_ledger::tiles::parse_entry_bundle(&bundle).unwrap();
    assert_eq!(entries.len(), 55);
    for (e, h) in entries.iter().zip(&leaves) {
        assert_eq!(leaf_hash(e), *h);
    }
    // Beyond the published tree, a full tile, or a non-canonical path: not found.
    for p in [
        "tile/0/000.p/56",
        "tile/0/000",
        "tile/1/000.p/1",
        "tile/0/0",
        "tile/0/000.p/055",
    ] {
        assert_eq!(get(p).await.0, 404, "{p}");
    }
}
