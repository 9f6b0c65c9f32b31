//! `cargo bench -p webproof-net --bench stamp`
//!
//! Checkpoint stamping latency: one chain head sent to 3 local development TSAs in parallel
//! (each its own HTTP server on 127.0.0.1, keep-alive as a real TSA would offer), 300 times;
//! prints p50/p95/max of the time until all three tokens are back and checked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use webproof_net::TsaClient;
use webproof_timestamp::dev::DevTsa;
use webproof_timestamp::{HashAlg, random_nonce, request};

/// A minimal HTTP/1.1 RFC 3161 endpoint for the bench (keep-alive, Content-Length bodies).
async fn serve(tsa: Arc<DevTsa>) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", l.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (s, _) = l.accept().await.unwrap();
            s.set_nodelay(true).unwrap();
            let tsa = tsa.clone();
            tokio::spawn(async move {
                let mut r = BufReader::new(s);
                loop {
                    let mut len = 0usize;
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
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
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_micros() as i64;
                    let reply = tsa.respond(&body, now);
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\n\r\n",
                        reply.len()
                    );
                    // One write: a head and body in two segments would meet the client's
                    // delayed ACK (Nagle) and cost 40 ms.
                    let mut out = head.into_bytes();
                    out.extend_from_slice(&reply);
                    r.get_mut().write_all(&out).await.unwrap();
                }
            });
        }
    });
    url
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let mut urls = Vec::new();
        for _ in 0..3 {
            urls.push(serve(Arc::new(DevTsa::generate(now).unwrap())).await);
        }
        let client = TsaClient::new(Duration::from_secs(10)).unwrap();
        let mut lat = Vec::new();
        for i in 0..300u32 {
            let head = HashAlg::Sha256.digest(&i.to_be_bytes());
            let t = Instant::now();
            let mut tasks = Vec::new();
            for u in &urls {
                let req = request(HashAlg::Sha256, &head, Some(random_nonce().unwrap()), None).unwrap();
                let (c, u) = (client.clone(), u.clone());
                tasks.push(tokio::spawn(async move { c.stamp(&u, &req).await }));
            }
            for t in tasks {
                t.await.unwrap().unwrap();
            }
            if i >= 20 {
                lat.push(t.elapsed());
            }
        }
        lat.sort();
        let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1e3;
        println!(
            "checkpoint with 3 local TSAs (request, 3 tokens back and checked): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} samples)",
            p(0.5),
            p(0.95),
            p(1.0),
            lat.len()
        );
    });
}
