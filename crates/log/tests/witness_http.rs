//! Three witnesses over HTTP on loopback — a court, a notary office and a CA — cosign a
//! growing log, remember what they cosigned across a restart, and refuse a split view with
//! the status codes of c2sp.org/tlog-witness.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use webproof_ledger::merkle::{Hash, consistency_proof, leaf_hash, root};
use webproof_ledger::note::{ALG_COSIGNATURE_V1, ALG_ED25519, Checkpoint, NoteKey, NoteSigner};
use webproof_ledger::witness::{add_checkpoint_body, verify_witnessed};
use webproof_log::witness_http::{WitnessService, router};

const ORIGIN: &str = "log.webproof.test/evidence";

fn signed(log: &NoteSigner, leaves: &[Hash]) -> String {
    Checkpoint {
        origin: ORIGIN.into(),
        size: leaves.len() as u64,
        root: root(leaves),
        extensions: vec![],
    }
    .sign(log)
}

async fn serve(svc: Arc<WitnessService>) -> (String, tokio::task::JoinHandle<()>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/add-checkpoint", l.local_addr().unwrap());
    let h = tokio::spawn(async move {
        axum::serve(l, router(svc)).await.unwrap();
    });
    (url, h)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn witnesses_on_loopback_cosign_remember_and_refuse_a_split_view() {
    let log = NoteSigner::new(ORIGIN, ALG_ED25519, SigningKey::from_bytes(&[1; 32])).unwrap();
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let names = [
        "witness.court.test",
        "witness.notary.test",
        "witness.ca.test",
    ];
    let signer = |i: usize| {
        NoteSigner::new(
            names[i],
            ALG_COSIGNATURE_V1,
            SigningKey::from_bytes(&[10 + i as u8; 32]),
        )
        .unwrap()
    };
    let open = |i: usize| {
        Arc::new(WitnessService::open(dirs[i].path(), signer(i), vec![log.key.clone()]).unwrap())
    };
    let mut urls = Vec::new();
    let mut handles = Vec::new();
    for i in 0..3 {
        let (u, h) = serve(open(i)).await;
        urls.push(u);
        handles.push(h);
    }
    let wkeys: Vec<NoteKey> = (0..3).map(|i| signer(i).key).collect();
    let http = reqwest::Client::new();
    let post = |url: String, body: String| {
        let http = http.clone();
        async move {
            let r = http.post(url).body(body).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let tree: Vec<Hash> = (0..20u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();

    // Size 8, first contact: every witness cosigns; the checkpoint is witnessed 3 of 3.
    let n8 = signed(&log, &tree[..8]);
    let mut cosigned = n8.clone();
    for u in &urls {
        let (code, lines) = post(u.clone(), add_checkpoint_body(0, &[], &n8)).await;
        assert_eq!(code, 200, "{lines}");
        cosigned.push_str(&lines);
    }
    let v = verify_witnessed(&cosigned, &log.key, &wkeys, 3).unwrap();
    assert_eq!(v.cosigners.len(), 3);

    // A client with a stale view learns the witness's size (409, text/x.tlog.size).
    let n20 = signed(&log, &tree);
    let (code, body) = post(urls[0].clone(), add_checkpoint_body(3, &[], &n20)).await;
    assert_eq!((code, body.as_str()), (409, "8\n"));

    // The court's witness restarts: it still remembers size 8.
    handles.remove(0).abort();
    let (u0, _h) = serve(open(0)).await;
    urls[0] = u0;
    let proof = consistency_proof(&tree, 8).unwrap();
    for u in &urls {
        let (code, lines) = post(u.clone(), add_checkpoint_body(8, &proof, &n20)).await;
        assert_eq!(code, 200, "{lines}");
    }

    // Split view: another tree of size 20, validly signed by the log. Refused by all three.
    let mut other = tree.clone();
    other[13] = leaf_hash(b"rewritten");
    let forged = signed(&log, &other);
    for u in &urls {
        let (code, body) = post(u.clone(), add_checkpoint_body(20, &[], &forged)).await;
        assert_eq!(code, 409, "{body}");
        assert!(body.contains("fork"), "{body}");
    }
    // The evidence is on disk, both signed notes.
    for d in &dirs {
        let log_text = std::fs::read_to_string(d.path().join("forks.log")).unwrap();
        assert!(
            log_text.contains(&n20) && log_text.contains(&forged),
            "{log_text}"
        );
    }
    // Other refusals: unknown log 404, not signed by the log 403, bad proof 422, junk 400.
    let stranger = NoteSigner::new(
        "other.test/log",
        ALG_ED25519,
        SigningKey::from_bytes(&[7; 32]),
    )
    .unwrap();
    let unknown = Checkpoint {
        origin: "other.test/log".into(),
        size: 1,
        root: tree[0],
        extensions: vec![],
    }
    .sign(&stranger);
    assert_eq!(
        post(urls[1].clone(), add_checkpoint_body(0, &[], &unknown))
            .await
            .0,
        404
    );
    let impostor = NoteSigner::new(ORIGIN, ALG_ED25519, SigningKey::from_bytes(&[8; 32])).unwrap();
    let mut bigger = tree.clone();
    bigger.push(leaf_hash(b"21"));
    assert_eq!(
        post(
            urls[1].clone(),
            add_checkpoint_body(20, &[], &signed(&impostor, &bigger))
        )
        .await
        .0,
        403
    );
    let mut bad = consistency_proof(&bigger, 20).unwrap();
    bad[0][0] ^= 1;
    assert_eq!(
        post(
            urls[1].clone(),
            add_checkpoint_body(20, &bad, &signed(&log, &bigger))
        )
        .await
        .0,
        422
    );
    assert_eq!(post(urls[1].clone(), "hello".into()).await.0, 400);
}

#[test]
fn a_witness_that_lost_its_state_refuses_to_start_from_zero() {
    let log = NoteSigner::new(ORIGIN, ALG_ED25519, SigningKey::from_bytes(&[1; 32])).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let signer = || {
        NoteSigner::new(
            "witness.court.test",
            ALG_COSIGNATURE_V1,
            SigningKey::from_bytes(&[10; 32]),
        )
        .unwrap()
    };
    let leaves: Vec<Hash> = (0..4u8).map(|i| leaf_hash(&[i])).collect();
    {
        let w = WitnessService::open(dir.path(), signer(), vec![log.key.clone()]).unwrap();
        let body = add_checkpoint_body(0, &[], &signed(&log, &leaves));
        w.add_checkpoint(body.as_bytes(), 1000).unwrap();
    }
    // Reopened with its state: fine. Without it (deleted, or a disk restored without it):
    // refused, instead of cosigning anything from size 0 again.
    assert!(WitnessService::open(dir.path(), signer(), vec![log.key.clone()]).is_ok());
    std::fs::remove_file(dir.path().join("state.json")).unwrap();
    let e = WitnessService::open(dir.path(), signer(), vec![log.key.clone()])
        .err()
        .expect("opened without its state");
    assert!(e.to_string().contains("refusing to start from zero"), "{e}");
    // A state it cannot parse is refused too.
    std::fs::write(dir.path().join("state.json"), b"{not json").unwrap();
    assert!(WitnessService::open(dir.path(), signer(), vec![log.key.clone()]).is_err());
}
