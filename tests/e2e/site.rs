//! The demo site (demo-site/, also what scripts/demo.sh captures) served on 127.0.0.1 by a tiny static HTTP server
//! that lives as long as the test process.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo-site")
}

/// The attachment `/files/notice.txt` sends.
pub const NOTICE: &str =
    "侵权通知：本店商品图片系盗用。\nInfringement notice: the product photos are copied.\n";

/// The archive `/files/evidence.zip` sends (the same bytes every time).
pub fn archive() -> Vec<u8> {
    use std::io::Write as _;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .last_modified_time(zip::DateTime::default())
        .compression_method(zip::CompressionMethod::Stored);
    z.start_file("listing.txt", opts).unwrap();
    z.write_all(b"item 1: gallery photo, copied\n").unwrap();
    z.finish().unwrap().into_inner()
}

/// The sizes of `/files/large.bin` and `/files/big.bin`.
pub const LARGE: usize = 8 << 20;
pub const BIG: usize = 3 << 19;

/// Starts the server; returns its base URL (`http://127.0.0.1:PORT`).
pub fn serve() -> String {
    serve_root(root())
}

/// The same server over the files of `dir` (a test may change them between requests); a file
/// `NAME.redirect` beside them makes `/NAME` answer 302 to the location it holds.
pub fn serve_root(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&conn);
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                let mut line = String::new();
                let mut length = 0usize;
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    if let Some((k, v)) = line.split_once(':')
                        && k.eq_ignore_ascii_case("content-length")
                    {
                        length = v.trim().parse().unwrap_or(0).min(1 << 20);
                    }
                    line.clear();
                }
                // A form's body (the sign-in is a POST, as real ones are).
                let mut body = vec![0u8; length];
                if std::io::Read::read_exact(&mut reader, &mut body).is_err() {
                    return;
                }
                let body = String::from_utf8_lossy(&body).into_owned();
                let path = request
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .split('?')
                    .next()
                    .unwrap_or("/")
                    .to_owned();
                let mut out = &conn;
                let response: Vec<u8> = match path.as_str() {
                    // Sign-in: any user with password "s3cret" gets the session cookie.
                    "/login" => {
                        if body.contains("pass=s3cret") {
                            b"HTTP/1.1 302 Found\r\nSet-Cookie: session=ok; Path=/\r\nLocation: /account.html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
                        } else {
                            b"HTTP/1.1 302 Found\r\nLocation: /login.html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
                        }
                    }
                    // A file sent as an attachment: the browser downloads it, shows no page.
                    "/files/notice.txt" => {
                        let body = NOTICE.as_bytes();
                        let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename=\"notice.txt\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
                        r.extend_from_slice(body);
                        r
                    }
                    // An archive: a type the browser does not show.
                    "/files/evidence.zip" => {
                        let body = archive();
                        let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
                        r.extend_from_slice(&body);
                        r
                    }
                    // Large files: 8 MiB sent slowly in 64 KiB pieces (over about 2 s), so
                    // a capture's disk quota is reached while it downloads; 1.5 MiB at once.
                    "/files/large.bin" | "/files/big.bin" => {
                        let (size, pause) = if path.ends_with("large.bin") {
                            (LARGE, 15)
                        } else {
                            (BIG, 0)
                        };
                        let name = path.trim_start_matches("/files/");
                        let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n");
                        if out.write_all(head.as_bytes()).is_err() {
                            return;
                        }
                        let piece = [0x5au8; 64 << 10];
                        for _ in 0..size / piece.len() {
                            if out.write_all(&piece).is_err() {
                                return;
                            }
                            std::thread::sleep(std::time::Duration::from_millis(pause));
                        }
                        return;
                    }
                    "/redirect" => b"HTTP/1.1 302 Found\r\nLocation: /index.html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                    p => {
                        let name = if p == "/" { "index.html" } else { p.trim_start_matches('/') };
                        let safe = !name.contains("..") && !name.contains('/');
                        let moved = std::fs::read_to_string(dir.join(format!("{name}.redirect")))
                            .ok()
                            .filter(|_| safe);
                        if let Some(to) = moved {
                            let r = format!("HTTP/1.1 302 Found\r\nLocation: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", to.trim());
                            let _ = out.write_all(r.as_bytes());
                            return;
                        }
                        match std::fs::read(dir.join(name)).ok().filter(|_| safe) {
                            Some(body) => {
                                let ct = match name.rsplit('.').next() {
                                    Some("html") => "text/html; charset=utf-8",
                                    Some("png") => "image/png",
                                    Some("mp4") => "video/mp4",
                                    Some("pdf") => "application/pdf",
                                    _ => "application/octet-stream",
                                };
                                let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
                                r.extend_from_slice(&body);
                                r
                            }
                            None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found".to_vec(),
                        }
                    }
                };
                let _ = out.write_all(&response);
            });
        }
    });
    format!("http://{addr}")
}
