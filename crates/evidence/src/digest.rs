//! Dual digests: every byte string is hashed with SHA-256 (FIPS 180-4) and SM3 (GB/T 32905-2016).
//!
//! [`digest_reader`] hashes a stream in one pass: the calling thread reads a chunk and runs
//! SHA-256 over it while a helper thread runs SM3 over the previous chunk, so the pair costs
//! about as much as the slower hash (SM3) alone.

use std::fmt;
use std::io::{self, Read};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use sm3::Sm3;

/// Size of one chunk handed between the two hashing threads.
const CHUNK: usize = 1 << 20;
/// Chunks in flight between reader and SM3 thread (bounds memory at `BUFFERS * CHUNK`).
const BUFFERS: usize = 4;
/// Inputs shorter than this are hashed on the calling thread alone: a thread costs more.
const PARALLEL_THRESHOLD: usize = 256 * 1024;

/// A 32-byte hash value, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash32(pub [u8; 32]);

impl Hash32 {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses exactly 64 lowercase hex digits (the only form webproof writes).
    pub fn from_hex(s: &str) -> Result<Self, HexError> {
        if s.len() != 64 || s.bytes().any(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(HexError(s.chars().take(80).collect()));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| HexError(s.to_owned()))?;
        Ok(Hash32(out))
    }
}

/// A string that is not 64 lowercase hex digits.
#[derive(Debug, thiserror::Error)]
#[error("not a 64-digit lowercase hex hash: {0:?}")]
pub struct HexError(pub String);

impl fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Display for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for Hash32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Hash32::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// The SHA-256 and SM3 digests of one byte string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Digests {
    pub sha256: Hash32,
    pub sm3: Hash32,
}

/// SHA-256 alone, for the WACZ datapackage (which names only one hash).
pub fn sha256(data: &[u8]) -> Hash32 {
    Hash32(Sha256::digest(data).into())
}

/// SM3 alone.
pub fn sm3(data: &[u8]) -> Hash32 {
    Hash32(Sm3::digest(data).into())
}

/// Whether this platform can start threads: WebAssembly in a browser (the verifier page)
/// cannot, and hashes on the one thread it has.
pub const THREADS: bool = !cfg!(all(target_arch = "wasm32", target_os = "unknown"));

/// Whether `len` bytes are worth a second thread (the digests are the same either way).
fn in_parallel(len: usize) -> bool {
    THREADS && len >= PARALLEL_THRESHOLD
}

/// Both digests of an in-memory byte string (parallel when it is large).
pub fn digest_bytes(data: &[u8]) -> Digests {
    if !in_parallel(data.len()) {
        return Digests {
            sha256: sha256(data),
            sm3: sm3(data),
        };
    }
    std::thread::scope(|s| {
        let sm = s.spawn(|| sm3(data));
        let sha = sha256(data);
        let sm3 = match sm.join() {
            Ok(h) => h,
            // A panic inside a hash function is a bug; hash again on this thread.
            Err(_) => sm3(data),
        };
        Digests { sha256: sha, sm3 }
    })
}

/// Hashes everything `reader` yields with both algorithms in one pass, returning the digests
/// and the number of bytes read. Each chunk read is also passed to `sink` (to copy the data
/// while hashing it, for instance); a sink error stops the pass.
pub fn digest_reader_with<R: Read, F>(mut reader: R, mut sink: F) -> io::Result<(Digests, u64)>
where
    F: FnMut(&[u8]) -> io::Result<()>,
{
    // Read the first chunk: small inputs never start a thread.
    let mut first = vec![0u8; CHUNK];
    let n = read_full(&mut reader, &mut first)?;
    first.truncate(n);
    sink(&first)?;
    if n < CHUNK {
        let d = digest_bytes(&first);
        return Ok((d, n as u64));
    }
    if !THREADS {
        return digest_here(reader, first, sink);
    }

    let (to_sm3, from_main) = mpsc::sync_channel::<Vec<u8>>(BUFFERS);
    let (to_main, free) = mpsc::channel::<Vec<u8>>();
    std::thread::scope(|s| {
        let worker = s.spawn(move || {
            let mut h = Sm3::new();
            for buf in from_main {
                h.update(&buf);
                // The reader may already be gone (it failed); the buffer is then dropped.
                let _ = to_main.send(buf);
            }
            Hash32(h.finalize().into())
        });

        let mut sha = Sha256::new();
        let mut total = 0u64;
        let mut spare = BUFFERS;
        let mut buf = first;
        let result: io::Result<()> = loop {
            sha.update(&buf);
            total += buf.len() as u64;
            let last = buf.len() < CHUNK;
            if to_sm3.send(buf).is_err() {
                break Err(io::Error::other("SM3 hashing thread stopped"));
            }
            if last {
                break Ok(());
            }
            buf = if spare > 0 {
                spare -= 1;
                vec![0u8; CHUNK]
            } else {
                match free.recv() {
                    Ok(b) => b,
                    Err(_) => break Err(io::Error::other("SM3 hashing thread stopped")),
                }
            };
            buf.resize(CHUNK, 0);
            let n = match read_full(&mut reader, &mut buf) {
                Ok(n) => n,
                Err(e) => break Err(e),
            };
            buf.truncate(n);
            if let Err(e) = sink(&buf) {
                break Err(e);
            }
        };
        drop(to_sm3);
        let sm3 = worker
            .join()
            .map_err(|_| io::Error::other("SM3 hashing thread panicked"))?;
        result?;
        Ok((
            Digests {
                sha256: Hash32(sha.finalize().into()),
                sm3,
            },
            total,
        ))
    })
}

/// [`digest_reader_with`] on this thread alone, from the first chunk already read.
fn digest_here<R: Read, F>(mut reader: R, first: Vec<u8>, mut sink: F) -> io::Result<(Digests, u64)>
where
    F: FnMut(&[u8]) -> io::Result<()>,
{
    let (mut sha, mut sm) = (Sha256::new(), Sm3::new());
    let mut total = 0u64;
    let mut buf = first;
    loop {
        sha.update(&buf);
        sm.update(&buf);
        total += buf.len() as u64;
        if buf.len() < CHUNK {
            break;
        }
        buf.resize(CHUNK, 0);
        let n = read_full(&mut reader, &mut buf)?;
        buf.truncate(n);
        sink(&buf)?;
    }
    Ok((
        Digests {
            sha256: Hash32(sha.finalize().into()),
            sm3: Hash32(sm.finalize().into()),
        },
        total,
    ))
}

/// [`digest_reader_with`] without a sink.
pub fn digest_reader<R: Read>(reader: R) -> io::Result<(Digests, u64)> {
    digest_reader_with(reader, |_| Ok(()))
}

/// Reads until `buf` is full or the reader ends; returns the number of bytes read.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    /// A reader interrupted (EINTR) before every read it answers.
    struct Interrupting<'a> {
        data: &'a [u8],
        interrupt: bool,
    }

    impl std::io::Read for Interrupting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.data.len()).min(7);
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn an_interrupted_read_is_tried_again() {
        let data = b"interrupted by a signal, read again".as_slice();
        let r = Interrupting {
            data,
            interrupt: false,
        };
        let (d, n) = super::digest_reader(r).expect("EINTR is not an error");
        assert_eq!((d, n), (super::digest_bytes(data), data.len() as u64));
    }

    #[test]
    fn a_quarter_mebibyte_is_hashed_on_two_threads() {
        assert_eq!(super::PARALLEL_THRESHOLD, 262_144);
        assert!(!super::in_parallel(262_143));
        assert!(super::in_parallel(262_144));
        assert!(super::in_parallel(262_145));
    }

    #[test]
    fn one_thread_hashes_what_two_do_and_passes_every_chunk_on() {
        // Three whole chunks and a part, as the threadless platform reads them.
        let data: Vec<u8> = (0..3 * super::CHUNK + 12_345)
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let mut r = data.as_slice();
        let mut first = vec![0u8; super::CHUNK];
        let n = super::read_full(&mut r, &mut first).unwrap();
        assert_eq!(n, super::CHUNK);
        let mut seen = super::CHUNK as u64;
        let (d, total) = super::digest_here(r, first, |b| {
            seen += b.len() as u64;
            Ok(())
        })
        .unwrap();
        assert_eq!((d, total), super::digest_reader(data.as_slice()).unwrap());
        assert_eq!((total, seen), (data.len() as u64, data.len() as u64));
    }

    use super::*;

    fn h(s: &str) -> String {
        s.to_owned()
    }

    // GB/T 32905-2016 appendix A, examples 1 and 2.
    #[test]
    fn sm3_standard_vectors() {
        assert_eq!(
            sm3(b"abc").to_hex(),
            h("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        );
        let msg = b"abcd".repeat(16);
        assert_eq!(
            sm3(&msg).to_hex(),
            h("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
        );
    }

    // FIPS 180-4 example.
    #[test]
    fn sha256_standard_vector() {
        assert_eq!(
            sha256(b"abc").to_hex(),
            h("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
    }

    #[test]
    fn streaming_equals_one_shot_across_chunk_boundaries() {
        for len in [
            0usize,
            1,
            63,
            64,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            3 * CHUNK + 7,
            9 * CHUNK,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            // A reader that returns odd-sized pieces.
            struct Odd<'a>(&'a [u8]);
            impl Read for Odd<'_> {
                fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                    let n = self.0.len().min(buf.len()).min(77_777);
                    buf[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    Ok(n)
                }
            }
            let mut copied = Vec::new();
            let (d, n) = digest_reader_with(Odd(&data), |c| {
                copied.extend_from_slice(c);
                Ok(())
            })
            .unwrap();
            assert_eq!(n, len as u64);
            assert_eq!(copied, data);
            assert_eq!(d.sha256, sha256(&data), "len {len}");
            assert_eq!(d.sm3, sm3(&data), "len {len}");
            assert_eq!(digest_bytes(&data), d);
        }
    }

    #[test]
    fn reader_error_is_reported_not_swallowed() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk gone"));
                }
                let n = buf.len().min(self.0);
                self.0 -= n;
                Ok(n)
            }
        }
        let err = digest_reader(Failing(3 * CHUNK + 5)).unwrap_err();
        assert!(err.to_string().contains("disk gone"));
    }

    #[test]
    fn hex_parsing_is_strict() {
        let ok = "ab".repeat(32);
        assert!(Hash32::from_hex(&ok).is_ok());
        assert!(Hash32::from_hex(&ok.to_uppercase()).is_err());
        assert!(Hash32::from_hex(&ok[..62]).is_err());
        assert!(Hash32::from_hex(&format!("{ok}00")).is_err());
    }
}
