//! A tlog-tiles client written from the C2SP specifications alone — c2sp.org/tlog-tiles,
//! c2sp.org/tlog-checkpoint, c2sp.org/signed-note and RFC 6962's tree hash — with no webproof
//! code past starting the log: it fetches the checkpoint a frontend publishes, checks the log's
//! signature on it, fetches every hash tile and entry bundle of that tree, and recomputes the
//! root. Run against a redb frontend and a PostgreSQL one, across full and partial tiles of two
//! levels.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::pg_server::Postgres;
use common::{Backend, deposit_n, open_log};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use sha2::{Digest as _, Sha256};

const ORIGIN: &str = "log.webproof.test/tiles";
/// More than two full tiles of level 0 and a partial tile of level 1 (2 hashes).
const DEPOSITS: u32 = 600;

type H = [u8; 32];

/// RFC 6962 §2.1: MTH of `leaves` (already leaf hashes).
fn mth(leaves: &[H]) -> H {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(mth(&leaves[..k]));
            h.update(mth(&leaves[k..]));
            h.finalize().into()
        }
    }
}

/// c2sp.org/tlog-tiles: the tile index in 3-digit groups, all but the last prefixed "x".
fn tile_index(mut n: u64) -> String {
    let mut parts = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        parts.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join("/")
}

/// The path of tile `n` of `kind` (a level, or "entries") when `count` items of that level
/// exist: the full tile, or the partial one of the width there is.
fn tile_path(kind: &str, n: u64, count: u64) -> String {
    let w = (count - n * 256).min(256);
    let p = if w < 256 {
        format!(".p/{w}")
    } else {
        String::new()
    };
    format!("tile/{kind}/{}{p}", tile_index(n))
}

/// c2sp.org/tlog-checkpoint and signed-note: the origin, size and root of a checkpoint whose
/// signature by the key `vkey` (`name+hash+base64(0x01 || Ed25519 key)`) verifies.
fn open_checkpoint(note: &str, vkey: &str) -> (String, u64, H) {
    let mut v = vkey.splitn(3, '+');
    let (name, id, key) = (v.next().unwrap(), v.next().unwrap(), v.next().unwrap());
    let key = B64.decode(key).unwrap();
    assert_eq!(key[0], 1, "an Ed25519 key");
    let mut kh = Sha256::new();
    kh.update(name.as_bytes());
    kh.update(b"\n");
    kh.update(&key);
    let kh = kh.finalize();
    assert_eq!(
        hex::encode(&kh[..4]),
        id,
        "the key hash in the verifier key"
    );
    let pk = VerifyingKey::from_bytes(key[1..].try_into().unwrap()).unwrap();
    let (text, sigs) = note.split_once("\n\n").unwrap();
    let text = format!("{text}\n");
    let mut verified = false;
    for line in sigs.lines() {
        let rest = line.strip_prefix("\u{2014} ").unwrap();
        let (who, sig) = rest.split_once(' ').unwrap();
        let sig = B64.decode(sig).unwrap();
        if who == name && sig[..4] == kh[..4] {
            let sig = Signature::from_slice(&sig[4..]).unwrap();
            pk.verify(text.as_bytes(), &sig).unwrap();
            verified = true;
        }
    }
    assert!(verified, "no signature by {name}");
    let mut lines = text.lines();
    let origin = lines.next().unwrap().to_owned();
    let size = lines.next().unwrap().parse().unwrap();
    let root = B64.decode(lines.next().unwrap()).unwrap();
    (origin, size, root.try_into().unwrap())
}

/// c2sp.org/tlog-tiles entry bundle: big-endian uint16 length, then that many bytes, repeated.
fn bundle_entries(mut b: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let n = usize::from(u16::from_be_bytes([b[0], b[1]]));
        out.push(b[2..2 + n].to_vec());
        b = &b[2 + n..];
    }
    out
}

async fn get(http: &reqwest::Client, base: &str, path: &str) -> Vec<u8> {
    let r = http.get(format!("{base}/{path}")).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.bytes().await.unwrap().to_vec()
}

async fn recompute_the_root_from_tiles(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let signer = webproof_ledger::note::NoteSigner::new(
        ORIGIN,
        webproof_ledger::note::ALG_ED25519,
        ed25519_dalek::SigningKey::from_bytes(&[3; 32]),
    )
    .unwrap();
    let svc = open_log(backend, dir.path(), signer, vec![], 0, Default::default()).unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let app = svc.router();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    let http = reqwest::Client::new();
    let deposits: Vec<Vec<u8>> = (0..DEPOSITS).map(deposit_n).collect();
    for chunk in deposits.chunks(250) {
        let r = http
            .post(format!("{base}/add-batch"))
            .body(chunk.join(&b'\n'))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    assert_eq!(
        svc.checkpoint_once().await.unwrap(),
        Some(u64::from(DEPOSITS))
    );

    // The client: only the base URL and the log's verifier key.
    let note = String::from_utf8(get(&http, &base, "checkpoint").await).unwrap();
    let (origin, size, root) = open_checkpoint(&note, &svc.vkey());
    assert_eq!((origin.as_str(), size), (ORIGIN, u64::from(DEPOSITS)));
    let mut leaves: Vec<H> = Vec::new();
    for n in 0..size.div_ceil(256) {
        let tile = get(&http, &base, &tile_path("0", n, size)).await;
        let bundle = get(&http, &base, &tile_path("entries", n, size)).await;
        let entries = bundle_entries(&bundle);
        assert_eq!(tile.len(), entries.len() * 32, "tile {n}");
        for (e, h) in entries.iter().zip(tile.chunks(32)) {
            let mut lh = Sha256::new();
            lh.update([0u8]);
            lh.update(e);
            assert_eq!(lh.finalize().as_slice(), h, "entry and its leaf hash");
            leaves.push(h.try_into().unwrap());
        }
    }
    assert_eq!(leaves.len() as u64, size);
    assert_eq!(
        mth(&leaves),
        root,
        "the root recomputed from the level-0 tiles"
    );
    // Level 1 holds the heads of the complete 256-leaf subtrees.
    let level1 = get(&http, &base, &tile_path("1", 0, size / 256)).await;
    assert_eq!(level1.len() as u64, size / 256 * 32);
    for (k, h) in level1.chunks(32).enumerate() {
        assert_eq!(mth(&leaves[k * 256..(k + 1) * 256]), h, "level-1 hash {k}");
    }
    // What was deposited is what the bundles hold, in order.
    assert_eq!(
        bundle_entries(&get(&http, &base, &tile_path("entries", 0, size)).await),
        deposits[..256]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spec_only_client_recomputes_the_root_from_a_redb_frontends_tiles() {
    recompute_the_root_from_tiles(&Backend::Redb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spec_only_client_recomputes_the_root_from_a_postgresql_frontends_tiles() {
    let pg = Postgres::start();
    recompute_the_root_from_tiles(&Backend::Postgres(pg.create_db("tiles"))).await;
}

#[test]
fn tile_paths_are_written_as_the_spec_says() {
    // The examples of c2sp.org/tlog-tiles.
    assert_eq!(tile_index(1234067), "x001/x234/067");
    assert_eq!(tile_index(0), "000");
    assert_eq!(tile_path("0", 1, 600), "tile/0/001");
    assert_eq!(tile_path("0", 2, 600), "tile/0/002.p/88");
    assert_eq!(tile_path("entries", 2, 600), "tile/entries/002.p/88");
}
