//! The TSA client against TSAs that misbehave, each a real HTTP server on 127.0.0.1 whose
//! answers come from the development TSA: down, slow, garbage, a rejection, a token for
//! another imprint, a token with another nonce, an HTTP error. Every case is a clear error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use webproof_net::{NetError, TsaClient};
use webproof_timestamp::dev::DevTsa;
use webproof_timestamp::{HashAlg, Request, random_nonce, request};

#[derive(Clone, Copy, Debug)]
enum Mode {
    Honest,
    Slow,
    Garbage,
    Reject,
    OtherImprint,
    OtherNonce,
    Http500,
}

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

/// How many requests the TSA that never answers was sent.
static SLOW_ASKED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

async fn serve(tsa: Arc<DevTsa>, mode: Mode) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", l.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (s, _) = l.accept().await.unwrap();
            let tsa = tsa.clone();
            tokio::spawn(async move {
                let mut r = BufReader::new(s);
                let mut len = 0usize;
                let mut line = String::new();
                r.read_line(&mut line).await.unwrap();
                loop {
                    line.clear();
                    r.read_line(&mut line).await.unwrap();
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                r.read_exact(&mut body).await.unwrap();
                let req = Request::from_der(&body).unwrap();
                let (status, reply) = match mode {
                    Mode::Honest => (200, tsa.respond(&body, now_micros())),
                    Mode::Slow => {
                        // Asked, and never answers while anyone waits.
                        SLOW_ASKED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        (200, tsa.respond(&body, now_micros()))
                    }
                    Mode::Garbage => (200, b"<html>not a TSA</html>".to_vec()),
                    Mode::Reject => {
                        // Ask for a policy the TSA does not offer: a genuine rejection.
                        let other = request(
                            req.alg,
                            &req.imprint,
                            req.nonce.clone(),
                            Some("1.2.3.4".parse().unwrap()),
                        )
                        .unwrap();
                        (200, tsa.respond(&other.der, now_micros()))
                    }
                    Mode::OtherImprint => {
                        let other = request(
                            HashAlg::Sha256,
                            &HashAlg::Sha256.digest(b"something else"),
                            req.nonce.clone(),
                            None,
                        )
                        .unwrap();
                        (200, tsa.respond(&other.der, now_micros()))
                    }
                    Mode::OtherNonce => {
                        let other =
                            request(req.alg, &req.imprint, Some(random_nonce().unwrap()), None)
                                .unwrap();
                        (200, tsa.respond(&other.der, now_micros()))
                    }
                    Mode::Http500 => (500, b"overloaded".to_vec()),
                };
                let mut out = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    reply.len()
                )
                .into_bytes();
                out.extend_from_slice(&reply);
                let _ = r.get_mut().write_all(&out).await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_misbehaviour_is_a_clear_error_and_honesty_works() {
    let tsa = Arc::new(DevTsa::generate(now_micros() / 1_000_000).unwrap());
    let mut client = TsaClient::new(Duration::from_secs(1)).unwrap();
    client.retries = 1;
    let head = HashAlg::Sha256.digest(b"chain head");
    let req = || request(HashAlg::Sha256, &head, Some(random_nonce().unwrap()), None).unwrap();

    let honest = serve(tsa.clone(), Mode::Honest).await;
    let s = client.stamp(&honest, &req()).await.unwrap();
    assert_eq!(s.token.info.imprint, hex::encode(&head));
    // SM3 imprints too.
    let sm3 = request(
        HashAlg::Sm3,
        &HashAlg::Sm3.digest(b"x"),
        Some(random_nonce().unwrap()),
        None,
    )
    .unwrap();
    client.stamp(&honest, &sm3).await.unwrap();

    let check = |e: NetError, want: &str| {
        let text = e.to_string();
        assert!(text.contains(want), "{text:?} lacks {want:?}");
    };
    let url = serve(tsa.clone(), Mode::Garbage).await;
    check(
        client.stamp(&url, &req()).await.unwrap_err(),
        "malformed time-stamp response",
    );
    let url = serve(tsa.clone(), Mode::Reject).await;
    check(
        client.stamp(&url, &req()).await.unwrap_err(),
        "unacceptedPolicy",
    );
    let url = serve(tsa.clone(), Mode::OtherImprint).await;
    check(
        client.stamp(&url, &req()).await.unwrap_err(),
        "not the expected",
    );
    let url = serve(tsa.clone(), Mode::OtherNonce).await;
    check(client.stamp(&url, &req()).await.unwrap_err(), "nonce");
    let url = serve(tsa.clone(), Mode::Http500).await;
    check(client.stamp(&url, &req()).await.unwrap_err(), "HTTP 500");
    // A TSA that never answers: the client gives up after its timeout and its one retry
    // (two requests), not when the TSA would answer. The bound below only keeps a client
    // without a timeout from hanging the suite; nothing is measured against it.
    let url = serve(tsa.clone(), Mode::Slow).await;
    let gave_up = tokio::time::timeout(Duration::from_secs(120), client.stamp(&url, &req()))
        .await
        .expect("the client waited for a TSA that never answers");
    check(gave_up.unwrap_err(), "no answer in time");
    assert_eq!(SLOW_ASKED.load(std::sync::atomic::Ordering::SeqCst), 2);
    // Down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    check(
        client
            .stamp(&format!("http://127.0.0.1:{port}/"), &req())
            .await
            .unwrap_err(),
        "Connection refused",
    );
}
