//! # webproof-supervise
//!
//! Live supervision of a capture by a notary on another machine (docs/supervision.md): the
//! operator's webproof listens and shows a one-time **join code** — its address and a 160-bit
//! secret; the notary's webproof connects with it. The two ends run the Noise handshake
//! `Noise_NNpsk0_25519_ChaChaPoly_SHA256` with a key derived from the code's secret, so only
//! someone holding the code gets a channel and everything on it is encrypted and
//! integrity-protected; then each end proves who it is by signing the handshake hash — unique
//! to this connection — with its webproof identity key (Ed25519 or SM2), and checks the
//! other's signature, identity document and role (the operator sees a notary, the notary an
//! operator). Over the channel they exchange typed messages ([`Msg`]): the steps as they are
//! journaled, and requests for the notary's signatures with the notary's answers.
//!
//! Blocking std I/O: one connection is one thread on each side.

use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use webproof_evidence::digest::{Digests, Hash32};
use webproof_evidence::identity::{IdentityDoc, PublicKey, Role, SecretKey};
use webproof_message::{Explain, Message, msg};

pub mod host;
pub mod notary;

/// The protocol's name and version, bound into the handshake (its prologue) and into every
/// identity binding.
pub const PROTOCOL: &str = "webproof-supervise/1";
const NOISE: &str = "Noise_NNpsk0_25519_ChaChaPoly_SHA256";
/// The largest message either end accepts (a step's thumbnail included).
pub const MAX_MSG: usize = 16 << 20;
/// A Noise message is at most 65,535 bytes, 16 of them the tag; one byte says "last chunk".
const CHUNK: usize = 65_535 - 16 - 1;
const SECRET_LEN: usize = 20;

/// Why supervision could not go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SuperviseError {
    #[error("not a join code (ADDRESS/CODE, e.g. 192.0.2.7:41234/ABCD-…)")]
    BadCode,
    #[error("the connection: {0}")]
    Io(#[from] std::io::Error),
    /// The handshake failed: most often the other end holds another join code.
    #[error("the secure channel could not be set up (a wrong or expired join code?): {0}")]
    Handshake(String),
    /// A message could not be decrypted or was out of order: altered on the way.
    #[error("a message was altered on the way or is out of order")]
    Tampered,
    #[error("a message of {0} bytes is larger than allowed")]
    TooLarge(usize),
    #[error("the other end sent something that is not a supervision message: {0}")]
    Malformed(String),
    #[error("the other end did not say who it is first")]
    NoHello,
    /// The other end's identity does not hold.
    #[error("the other end's identity does not hold: {0}")]
    Identity(String),
    #[error("expected the {expected}'s webproof, and the other end is the {found}'s")]
    WrongRole {
        expected: &'static str,
        found: &'static str,
    },
    /// A reconnection by someone else than the notary who joined first.
    #[error("this session is supervised by the notary {expected}; {found} cannot join it")]
    OtherNotary { expected: Hash32, found: Hash32 },
    #[error("signing: {0}")]
    Sign(String),
    #[error("the other end closed the connection")]
    Closed,
}

impl Explain for SuperviseError {
    fn message(&self) -> Message {
        use SuperviseError as E;
        match self {
            E::BadCode => msg!("err-supervise-code"),
            E::Io(e) => msg!("err-supervise-io").because(e.message()),
            E::Handshake(why) => msg!("err-supervise-handshake").arg("why", why),
            E::Tampered => msg!("err-supervise-tampered"),
            E::TooLarge(n) => msg!("err-supervise-large").arg("size", n),
            E::Malformed(why) => msg!("err-supervise-malformed").arg("why", why),
            E::NoHello => msg!("err-supervise-no-hello"),
            E::Identity(why) => msg!("err-supervise-identity").arg("why", why),
            E::WrongRole { expected, found } => msg!("err-supervise-role")
                .arg("expected", expected)
                .arg("found", found),
            E::OtherNotary { expected, found } => msg!("err-supervise-other-notary")
                .arg("expected", expected)
                .arg("found", found),
            E::Sign(why) => msg!("err-supervise-sign").arg("why", why),
            E::Closed => msg!("err-supervise-closed"),
        }
    }
}

/// What the operator shows and the notary types: where to connect and the shared secret.
#[derive(Clone, PartialEq, Eq)]
pub struct JoinCode {
    /// `host:port` of the operator's webproof.
    pub addr: String,
    secret: [u8; SECRET_LEN],
}

impl JoinCode {
    /// A fresh code for a session listening at `addr`.
    pub fn new(addr: &str) -> Result<JoinCode, SuperviseError> {
        let mut secret = [0u8; SECRET_LEN];
        getrandom::fill(&mut secret)
            .map_err(|e| SuperviseError::Io(std::io::Error::other(e.to_string())))?;
        Ok(JoinCode {
            addr: addr.to_owned(),
            secret,
        })
    }

    /// The Noise pre-shared key: SHA-256 of the protocol name, a zero byte and the secret.
    fn psk(&self) -> [u8; 32] {
        let mut h = sha2::Sha256::new();
        h.update(PROTOCOL.as_bytes());
        h.update([0u8]);
        h.update(self.secret);
        h.finalize().into()
    }
}

// The secret is never printed by accident (in logs or panics).
impl fmt::Debug for JoinCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JoinCode({}/…)", self.addr)
    }
}

const BASE32: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// `ADDRESS/XXXX-XXXX-…`: the secret in an alphabet without 0/O, 1/I, grouped by four.
impl fmt::Display for JoinCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mut acc, mut bits, mut out) = (0u32, 0u32, String::new());
        for b in self.secret {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(BASE32[((acc >> bits) & 31) as usize] as char);
            }
        }
        let groups: Vec<String> = out
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        write!(f, "{}/{}", self.addr, groups.join("-"))
    }
}

impl FromStr for JoinCode {
    type Err = SuperviseError;

    fn from_str(s: &str) -> Result<JoinCode, SuperviseError> {
        let (addr, code) = s.trim().rsplit_once('/').ok_or(SuperviseError::BadCode)?;
        if addr.is_empty() || !addr.contains(':') {
            return Err(SuperviseError::BadCode);
        }
        let chars: Vec<u8> = code.bytes().filter(|c| *c != b'-').collect();
        // 160 bits are exactly 32 characters: no more, no fewer.
        if chars.len() != SECRET_LEN * 8 / 5 {
            return Err(SuperviseError::BadCode);
        }
        let (mut acc, mut bits, mut secret) = (0u32, 0u32, Vec::with_capacity(SECRET_LEN));
        for c in chars {
            let v = BASE32
                .iter()
                .position(|x| *x == c.to_ascii_uppercase())
                .ok_or(SuperviseError::BadCode)?;
            acc = (acc << 5) | v as u32;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                secret.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        let secret: [u8; SECRET_LEN] = secret.try_into().map_err(|_| SuperviseError::BadCode)?;
        Ok(JoinCode {
            addr: addr.to_owned(),
            secret,
        })
    }
}

/// What goes over the channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Msg {
    /// Who this end is: its identity document, its certificate when enrolled, and its
    /// signature (hex) over the binding of this connection ([`binding`]).
    Hello {
        identity: IdentityDoc,
        certificate: Option<String>,
        signature: String,
    },
    /// (Operator) the session being supervised.
    Session {
        capture: String,
        target: Option<String>,
    },
    /// (Operator) a step as journaled: its kind, URL, start, chain head after it, and a small
    /// picture of the page (base64 JPEG or PNG) when there is one.
    Step {
        seq: u64,
        kind: String,
        url: Option<String>,
        started: String,
        head: Digests,
        thumbnail: Option<String>,
    },
    /// (Operator) asks the notary to sign `statement` (hex of canonical JSON bytes the notary's
    /// webproof reads and checks before signing).
    SignRequest { id: u64, statement: String },
    /// (Operator) asks the notary's webproof to countersign the sealed manifest (hex of its
    /// bytes): signed without asking the person again when it seals the session the notary
    /// followed up to its seal step, after the notary countersigned the step before it.
    SignManifest { id: u64, manifest: String },
    /// (Notary) the signature (hex) of request `id`.
    Signed { id: u64, signature: String },
    /// (Notary) request `id` refused, and why (the refusal is signed too: a statement of its
    /// own, hex, and its signature).
    Refused {
        id: u64,
        statement: String,
        signature: String,
    },
    /// (Operator) the session ended.
    Ended,
}

/// What a side signs to bind its identity to one connection: the protocol, the side's role
/// and the Noise handshake hash, which no other connection shares.
pub fn binding(role: Role, handshake_hash: &[u8]) -> Vec<u8> {
    let mut b = format!("{PROTOCOL}\n{}\n", role.as_str()).into_bytes();
    b.extend_from_slice(handshake_hash);
    b
}

/// This end: its key, identity and (when enrolled) certificate.
#[derive(Clone, Copy)]
pub struct Me<'a> {
    pub key: &'a SecretKey,
    pub identity: &'a IdentityDoc,
    pub certificate: Option<&'a str>,
}

/// An authenticated, encrypted connection to the other end.
pub struct Channel {
    tx: Sender,
    rx: Receiver,
    /// Who the other end proved to be.
    pub peer: IdentityDoc,
    /// The other end's certificate, as it sent it (unchecked here: `verify` judges it).
    pub peer_certificate: Option<String>,
}

/// The sending half of a channel (its own nonces: Noise's, one per message, in order).
pub struct Sender {
    stream: TcpStream,
    noise: std::sync::Arc<snow::StatelessTransportState>,
    nonce: u64,
}

/// The receiving half of a channel.
pub struct Receiver {
    stream: TcpStream,
    noise: std::sync::Arc<snow::StatelessTransportState>,
    nonce: u64,
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Channel({}, {})", self.peer.name, self.peer.fingerprint)
    }
}

/// The operator's end of a connection the notary made to it (`stream`, accepted from the
/// listener at `code.addr`). `notary`, when given, is the only notary key that may join (the
/// one that joined first, for a reconnection).
pub fn accept(
    stream: TcpStream,
    code: &JoinCode,
    me: Me<'_>,
    notary: Option<Hash32>,
) -> Result<Channel, SuperviseError> {
    let psk = code.psk();
    let mut hs = builder(&psk)?
        .build_responder()
        .map_err(|e| SuperviseError::Handshake(e.to_string()))?;
    let mut stream = stream;
    let m1 = read_frame(&mut stream, 65_535)?;
    let mut buf = vec![0u8; 65_535];
    hs.read_message(&m1, &mut buf)
        .map_err(|e| SuperviseError::Handshake(e.to_string()))?;
    let n = hs
        .write_message(&[], &mut buf)
        .map_err(|e| SuperviseError::Handshake(e.to_string()))?;
    write_frame(&mut stream, &buf[..n])?;
    finish(stream, hs, me, Role::Operator, Role::Notary, notary)
}

/// The notary's end: connects to the operator `code` names (within `timeout`) and sets up
/// the channel.
pub fn connect(code: &JoinCode, me: Me<'_>, timeout: Duration) -> Result<Channel, SuperviseError> {
    let addr = code
        .addr
        .to_socket_addrs()?
        .next()
        .ok_or(SuperviseError::BadCode)?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    let psk = code.psk();
    let mut hs = builder(&psk)?
        .build_initiator()
        .map_err(|e| SuperviseError::Handshake(e.to_string()))?;
    let mut buf = vec![0u8; 65_535];
    let n = hs
        .write_message(&[], &mut buf)
        .map_err(|e| SuperviseError::Handshake(e.to_string()))?;
    write_frame(&mut stream, &buf[..n])?;
    let m2 = read_frame(&mut stream, 65_535)?;
    hs.read_message(&m2, &mut buf)
        .map_err(|e| SuperviseError::Handshake(e.to_string()))?;
    let ch = finish(stream, hs, me, Role::Notary, Role::Operator, None)?;
    ch.rx.stream.set_read_timeout(None)?;
    Ok(ch)
}

fn builder(psk: &[u8; 32]) -> Result<snow::Builder<'_>, SuperviseError> {
    let params = NOISE
        .parse()
        .map_err(|e: snow::Error| SuperviseError::Handshake(e.to_string()))?;
    snow::Builder::new(params)
        .prologue(PROTOCOL.as_bytes())
        .and_then(|b| b.psk(0, psk))
        .map_err(|e| SuperviseError::Handshake(e.to_string()))
}

/// After the handshake: both ends say who they are, bound to this connection, and check the
/// other's word.
fn finish(
    stream: TcpStream,
    hs: snow::HandshakeState,
    me: Me<'_>,
    mine: Role,
    theirs: Role,
    pinned: Option<Hash32>,
) -> Result<Channel, SuperviseError> {
    let hh = hs.get_handshake_hash().to_vec();
    let noise = std::sync::Arc::new(
        hs.into_stateless_transport_mode()
            .map_err(|e| SuperviseError::Handshake(e.to_string()))?,
    );
    let mut ch = Channel {
        tx: Sender {
            stream: stream.try_clone()?,
            noise: noise.clone(),
            nonce: 0,
        },
        rx: Receiver {
            stream,
            noise,
            nonce: 0,
        },
        peer: me.identity.clone(),
        peer_certificate: None,
    };
    let signature = me
        .key
        .sign(&binding(mine, &hh))
        .map_err(|e| SuperviseError::Sign(e.to_string()))?;
    ch.send(&Msg::Hello {
        identity: me.identity.clone(),
        certificate: me.certificate.map(str::to_owned),
        signature: hex::encode(signature),
    })?;
    let Msg::Hello {
        identity,
        certificate,
        signature,
    } = ch.recv()?
    else {
        return Err(SuperviseError::NoHello);
    };
    let bad = |why: String| SuperviseError::Identity(why);
    let key = PublicKey::from_pem(&identity.public_key).map_err(|e| bad(e.to_string()))?;
    let fp = key.fingerprint().map_err(|e| bad(e.to_string()))?;
    if fp != identity.fingerprint || key.algorithm() != identity.algorithm {
        return Err(bad("the identity document does not name its own key".into()));
    }
    let sig = hex::decode(&signature).map_err(|e| bad(e.to_string()))?;
    key.verify(&binding(theirs, &hh), &sig)
        .map_err(|_| bad("its signature over this connection does not verify".into()))?;
    if identity.role != theirs {
        return Err(SuperviseError::WrongRole {
            expected: theirs.as_str(),
            found: identity.role.as_str(),
        });
    }
    if let Some(expected) = pinned
        && expected != fp
    {
        return Err(SuperviseError::OtherNotary {
            expected,
            found: fp,
        });
    }
    ch.peer = identity;
    ch.peer_certificate = certificate;
    Ok(ch)
}

impl Channel {
    /// Sends one message, encrypted, in as many Noise messages as it takes.
    pub fn send(&mut self, m: &Msg) -> Result<(), SuperviseError> {
        self.tx.send(m)
    }

    /// Receives the next message (blocking).
    pub fn recv(&mut self) -> Result<Msg, SuperviseError> {
        self.rx.recv()
    }

    /// Waits at most `t` for each read (`None`: without limit).
    pub fn set_read_timeout(&self, t: Option<Duration>) -> Result<(), SuperviseError> {
        Ok(self.rx.stream.set_read_timeout(t)?)
    }

    /// Ends the connection (both directions).
    pub fn close(&self) {
        let _ = self.rx.stream.shutdown(std::net::Shutdown::Both);
    }

    /// The two halves, for a thread that reads while another writes.
    pub fn split(self) -> (Sender, Receiver) {
        (self.tx, self.rx)
    }
}

impl Sender {
    /// Sends one message, encrypted, in as many Noise messages as it takes.
    pub fn send(&mut self, m: &Msg) -> Result<(), SuperviseError> {
        let bytes = serde_json::to_vec(m).map_err(|e| SuperviseError::Malformed(e.to_string()))?;
        if bytes.len() > MAX_MSG {
            return Err(SuperviseError::TooLarge(bytes.len()));
        }
        let mut out = vec![0u8; 65_535];
        let chunks: Vec<&[u8]> = if bytes.is_empty() {
            vec![&[]]
        } else {
            bytes.chunks(CHUNK).collect()
        };
        let last = chunks.len() - 1;
        for (i, c) in chunks.iter().enumerate() {
            let mut plain = Vec::with_capacity(c.len() + 1);
            plain.push(u8::from(i == last));
            plain.extend_from_slice(c);
            let n = self
                .noise
                .write_message(self.nonce, &plain, &mut out)
                .map_err(|_| SuperviseError::Tampered)?;
            self.nonce += 1;
            write_frame(&mut self.stream, &out[..n])?;
        }
        self.stream.flush()?;
        Ok(())
    }

    /// Ends the connection (both directions).
    pub fn close(&self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

impl Receiver {
    /// Receives the next message (blocking).
    pub fn recv(&mut self) -> Result<Msg, SuperviseError> {
        let mut msg = Vec::new();
        let mut plain = vec![0u8; 65_535];
        loop {
            let frame = read_frame(&mut self.stream, 65_535)?;
            let n = self
                .noise
                .read_message(self.nonce, &frame, &mut plain)
                .map_err(|_| SuperviseError::Tampered)?;
            self.nonce += 1;
            let (flag, body) = plain[..n].split_first().ok_or(SuperviseError::Tampered)?;
            if msg.len() + body.len() > MAX_MSG {
                return Err(SuperviseError::TooLarge(msg.len() + body.len()));
            }
            msg.extend_from_slice(body);
            match flag {
                1 => break,
                0 => continue,
                _ => return Err(SuperviseError::Tampered),
            }
        }
        serde_json::from_slice(&msg).map_err(|e| SuperviseError::Malformed(e.to_string()))
    }
}

/// One length-prefixed frame (u16, big-endian).
fn write_frame(s: &mut TcpStream, b: &[u8]) -> Result<(), SuperviseError> {
    let len = u16::try_from(b.len()).map_err(|_| SuperviseError::TooLarge(b.len()))?;
    s.write_all(&len.to_be_bytes())?;
    s.write_all(b)?;
    Ok(())
}

fn read_frame(s: &mut TcpStream, max: usize) -> Result<Vec<u8>, SuperviseError> {
    let mut len = [0u8; 2];
    match s.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            return Err(SuperviseError::Closed);
        }
        Err(e) => return Err(e.into()),
    }
    let len = usize::from(u16::from_be_bytes(len));
    if len > max {
        return Err(SuperviseError::TooLarge(len));
    }
    let mut b = vec![0u8; len];
    s.read_exact(&mut b).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => SuperviseError::Closed,
        _ => e.into(),
    })?;
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_code_reads_back_as_written_and_nothing_else_reads() {
        let c = JoinCode::new("127.0.0.1:41234").unwrap();
        let s = c.to_string();
        assert!(s.starts_with("127.0.0.1:41234/"), "{s}");
        let code = s.rsplit_once('/').unwrap().1;
        // 160 bits in 32 characters, in groups of four.
        assert_eq!(code.len(), 32 + 7, "{code}");
        assert_eq!(s.parse::<JoinCode>().unwrap(), c);
        // Typed in lower case, without dashes: the same code.
        let loose = format!("127.0.0.1:41234/{}", code.replace('-', "").to_lowercase());
        assert_eq!(loose.parse::<JoinCode>().unwrap(), c);
        // 0, O, 1 and I are not in the alphabet (they are too easily misread).
        let misread = format!("127.0.0.1:41234/O{}", &code[1..]);
        for bad in [
            "",
            "127.0.0.1:41234",
            "/ABCD",
            "127.0.0.1:41234/ABCD",
            &misread,
            &format!("{s}A"),
            &s[..s.len() - 1],
            "host/ABCDABCDABCDABCDABCDABCDABCDABCD",
        ] {
            assert!(bad.parse::<JoinCode>().is_err(), "{bad}");
        }
        // Two codes for the same address differ in their secret.
        assert_ne!(JoinCode::new("127.0.0.1:41234").unwrap(), c);
        assert!(!format!("{c:?}").contains(code));
    }

    #[test]
    fn a_binding_names_the_protocol_the_role_and_the_connection() {
        let b = binding(Role::Notary, &[1, 2, 3]);
        assert_eq!(b, b"webproof-supervise/1\nnotary\n\x01\x02\x03");
        assert_ne!(binding(Role::Operator, &[1, 2, 3]), b);
    }
}
