//! C2SP signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint) and
//! witness cosignatures (c2sp.org/tlog-cosignature, `cosignature/v1`), with Ed25519 keys.
//! These are the formats other transparency-log tools read, so anyone can check a webproof
//! receipt without webproof.

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};
use webproof_message::{Explain, Message, msg};

use crate::merkle::Hash;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Signature type bytes of c2sp.org/signed-note.
pub const ALG_ED25519: u8 = 0x01;
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

/// Most signatures a note may carry (the spec asks verifiers to accept at least 16).
pub const MAX_SIGNATURES: usize = 64;
/// Largest note accepted.
pub const MAX_NOTE: usize = 64 << 10;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    #[error("malformed note: {0}")]
    Malformed(String),
    #[error("malformed checkpoint: {0}")]
    Checkpoint(String),
    #[error("invalid key name {0:?}")]
    KeyName(String),
    #[error("the signature of {0} does not verify")]
    BadSignature(String),
    #[error("no signature by a known key")]
    Unsigned,
}

/// A public key that signs or cosigns notes, under a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteKey {
    pub name: String,
    pub alg: u8,
    pub key: VerifyingKey,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

impl NoteKey {
    pub fn new(name: &str, alg: u8, key: VerifyingKey) -> Result<Self, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::KeyName(name.to_owned()));
        }
        Ok(NoteKey {
            name: name.to_owned(),
            alg,
            key,
        })
    }

    /// `SHA-256(name || 0x0A || alg || public key)[:4]`.
    pub fn key_id(&self) -> [u8; 4] {
        let mut h = Sha256::new();
        h.update(self.name.as_bytes());
        h.update([0x0a, self.alg]);
        h.update(self.key.as_bytes());
        let d = h.finalize();
        [d[0], d[1], d[2], d[3]]
    }

    /// The verifier-key string: `name+hex(key ID)+base64(alg || public key)`.
    pub fn vkey(&self) -> String {
        let mut k = vec![self.alg];
        k.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.key_id()),
            B64.encode(k)
        )
    }

    /// Reads a verifier-key string, checking that its key ID matches its key.
    pub fn from_vkey(s: &str) -> Result<Self, NoteError> {
        let bad = || NoteError::KeyName(s.to_owned());
        // Names cannot contain '+', base64 can: split from the left.
        let mut parts = s.splitn(3, '+');
        let (name, id, k) = (
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
        );
        let raw = B64.decode(k).map_err(|_| bad())?;
        let (&alg, key) = raw.split_first().ok_or_else(bad)?;
        let key: [u8; 32] = key.try_into().map_err(|_| bad())?;
        let key = VerifyingKey::from_bytes(&key).map_err(|_| bad())?;
        let nk = NoteKey::new(name, alg, key)?;
        if hex::encode(nk.key_id()) != id {
            return Err(bad());
        }
        Ok(nk)
    }
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigLine {
    pub name: String,
    pub key_id: [u8; 4],
    pub sig: Vec<u8>,
}

impl SigLine {
    pub fn to_line(&self) -> String {
        let mut b = self.key_id.to_vec();
        b.extend_from_slice(&self.sig);
        format!("\u{2014} {} {}\n", self.name, B64.encode(b))
    }
}

/// A note split into its text and signature lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The text, ending in a newline.
    pub text: String,
    pub sigs: Vec<SigLine>,
}

impl Note {
    pub fn parse(s: &str) -> Result<Note, NoteError> {
        let m = |e: &str| NoteError::Malformed(e.to_owned());
        if s.len() > MAX_NOTE {
            return Err(m("too large"));
        }
        if s.chars().any(|c| c < ' ' && c != '\n') {
            return Err(m("control characters"));
        }
        // The text ends at the last blank line.
        let split = s
            .rfind("\n\n")
            .ok_or_else(|| m("no blank line before the signatures"))?;
        let text = &s[..split + 1];
        let sigs_part = &s[split + 2..];
        if !sigs_part.ends_with('\n') {
            return Err(m("does not end in a newline"));
        }
        let mut sigs = Vec::new();
        for line in sigs_part.lines() {
            let rest = line
                .strip_prefix("\u{2014} ")
                .ok_or_else(|| m("a signature line must start with an em dash and a space"))?;
            let (name, b64) = rest
                .split_once(' ')
                .ok_or_else(|| m("a signature line needs a name and a signature"))?;
            if !valid_name(name) {
                return Err(NoteError::KeyName(name.to_owned()));
            }
            let raw = B64.decode(b64).map_err(|_| m("signature is not base64"))?;
            if raw.len() < 5 {
                return Err(m("signature too short"));
            }
            sigs.push(SigLine {
                name: name.to_owned(),
                key_id: [raw[0], raw[1], raw[2], raw[3]],
                sig: raw[4..].to_vec(),
            });
        }
        if sigs.is_empty() {
            return Err(m("no signature lines"));
        }
        if sigs.len() > MAX_SIGNATURES {
            return Err(m("too many signatures"));
        }
        Ok(Note {
            text: text.to_owned(),
            sigs,
        })
    }

    pub fn to_text(&self) -> String {
        let mut s = self.text.clone();
        s.push('\n');
        for sig in &self.sigs {
            s.push_str(&sig.to_line());
        }
        s
    }

    /// The signature lines by `key` (name and key ID match).
    fn by<'a>(&'a self, key: &'a NoteKey) -> impl Iterator<Item = &'a SigLine> + 'a {
        let id = key.key_id();
        self.sigs
            .iter()
            .filter(move |s| s.name == key.name && s.key_id == id)
    }

    /// Verifies the Ed25519 (0x01) signature of `key`.
    pub fn verify_signer(&self, key: &NoteKey) -> Result<(), NoteError> {
        let line = self.by(key).next().ok_or(NoteError::Unsigned)?;
        let sig = Signature::from_slice(&line.sig)
            .map_err(|_| NoteError::BadSignature(key.name.clone()))?;
        key.key
            .verify(self.text.as_bytes(), &sig)
            .map_err(|_| NoteError::BadSignature(key.name.clone()))
    }

    /// Verifies the cosignature/v1 (0x04) of `key`; returns its timestamp.
    pub fn verify_cosigner(&self, key: &NoteKey) -> Result<u64, NoteError> {
        let line = self.by(key).next().ok_or(NoteError::Unsigned)?;
        if line.sig.len() != 8 + 64 {
            return Err(NoteError::BadSignature(key.name.clone()));
        }
        let mut t = [0u8; 8];
        t.copy_from_slice(&line.sig[..8]);
        let time = u64::from_be_bytes(t);
        let sig = Signature::from_slice(&line.sig[8..])
            .map_err(|_| NoteError::BadSignature(key.name.clone()))?;
        key.key
            .verify(cosigned_message(time, &self.text).as_bytes(), &sig)
            .map_err(|_| NoteError::BadSignature(key.name.clone()))?;
        Ok(time)
    }
}

/// The message a cosignature/v1 signs.
pub fn cosigned_message(time: u64, text: &str) -> String {
    format!("cosignature/v1\ntime {time}\n{text}")
}

/// A signing key with its note name.
#[derive(Clone)]
pub struct NoteSigner {
    pub key: NoteKey,
    secret: SigningKey,
}

impl NoteSigner {
    pub fn new(name: &str, alg: u8, secret: SigningKey) -> Result<Self, NoteError> {
        Ok(NoteSigner {
            key: NoteKey::new(name, alg, secret.verifying_key())?,
            secret,
        })
    }

    /// An Ed25519 (0x01) signature line over `text`.
    pub fn sign(&self, text: &str) -> SigLine {
        SigLine {
            name: self.key.name.clone(),
            key_id: self.key.key_id(),
            sig: self.secret.sign(text.as_bytes()).to_bytes().to_vec(),
        }
    }

    /// A cosignature/v1 (0x04) line over `text` at `time`.
    pub fn cosign(&self, text: &str, time: u64) -> SigLine {
        let mut sig = time.to_be_bytes().to_vec();
        sig.extend_from_slice(
            &self
                .secret
                .sign(cosigned_message(time, text).as_bytes())
                .to_bytes(),
        );
        SigLine {
            name: self.key.name.clone(),
            key_id: self.key.key_id(),
            sig,
        }
    }
}

/// A checkpoint body: origin, tree size, root hash, extension lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub extensions: Vec<String>,
}

impl Checkpoint {
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// The checkpoint as a note signed by the log's key.
    pub fn sign(&self, log: &NoteSigner) -> String {
        let text = self.to_text();
        Note {
            sigs: vec![log.sign(&text)],
            text,
        }
        .to_text()
    }

    pub fn parse(text: &str) -> Result<Checkpoint, NoteError> {
        let c = |e: &str| NoteError::Checkpoint(e.to_owned());
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| c("no final newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| c("no origin"))?;
        let size = lines
            .next()
            .filter(|s| {
                !s.is_empty()
                    && s.bytes().all(|b| b.is_ascii_digit())
                    && (s.len() == 1 || !s.starts_with('0'))
            })
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| c("the size is not a decimal number without leading zeros"))?;
        let root: Hash = lines
            .next()
            .and_then(|r| B64.decode(r).ok())
            .and_then(|r| r.try_into().ok())
            .ok_or_else(|| c("the root is not 32 bytes of base64"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(|e| e.is_empty()) {
            return Err(c("empty extension line"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }
}

impl Explain for NoteError {
    fn message(&self) -> Message {
        use NoteError as E;
        match self {
            E::Malformed(d) => msg!("err-note-malformed").arg("detail", d),
            E::Checkpoint(d) => msg!("err-note-checkpoint").arg("detail", d),
            E::KeyName(n) => msg!("err-note-key-name").arg("name", n),
            E::BadSignature(n) => msg!("err-note-signature").arg("name", n),
            E::Unsigned => msg!("err-note-unsigned"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(name: &str, alg: u8, seed: u8) -> NoteSigner {
        NoteSigner::new(name, alg, SigningKey::from_bytes(&[seed; 32])).unwrap()
    }

    #[test]
    fn a_signature_is_a_key_id_and_at_least_one_byte() {
        let line = |raw: &[u8]| format!("hello\n\n\u{2014} log.example {}\n", B64.encode(raw));
        let n = Note::parse(&line(&[1, 2, 3, 4, 5])).unwrap();
        assert_eq!(n.sigs[0].key_id, [1, 2, 3, 4]);
        assert_eq!(n.sigs[0].sig, [5]);
        assert!(Note::parse(&line(&[1, 2, 3, 4])).is_err());
        assert!(Note::parse(&line(&[])).is_err());
    }

    #[test]
    fn checkpoints_sign_cosign_and_round_trip() {
        let log = signer("log.webproof.example/evidence", ALG_ED25519, 1);
        let court = signer("witness.court.example", ALG_COSIGNATURE_V1, 2);
        let cp = Checkpoint {
            origin: "log.webproof.example/evidence".into(),
            size: 20852163,
            root: [7u8; 32],
            extensions: vec![],
        };
        let text = cp.to_text();
        let note = Note {
            text: text.clone(),
            sigs: vec![log.sign(&text), court.cosign(&text, 1679315147)],
        };
        let parsed = Note::parse(&note.to_text()).unwrap();
        assert_eq!(parsed, note);
        assert_eq!(Checkpoint::parse(&parsed.text).unwrap(), cp);
        parsed.verify_signer(&log.key).unwrap();
        assert_eq!(parsed.verify_cosigner(&court.key).unwrap(), 1679315147);
        // The cosigned message is the spec's.
        assert!(cosigned_message(1679315147, &text).starts_with(
            "cosignature/v1\ntime 1679315147\nlog.webproof.example/evidence\n20852163\n"
        ));
        // Another key, the same name: unsigned. A changed text: bad signature.
        let other = signer("log.webproof.example/evidence", ALG_ED25519, 9);
        assert_eq!(parsed.verify_signer(&other.key), Err(NoteError::Unsigned));
        let mut changed = parsed.clone();
        changed.text = changed.text.replace("20852163", "20852164");
        assert!(matches!(
            changed.verify_signer(&log.key),
            Err(NoteError::BadSignature(_))
        ));
        assert!(matches!(
            changed.verify_cosigner(&court.key),
            Err(NoteError::BadSignature(_))
        ));
        // Verifier keys whose base64 holds '+' (names never do) round-trip too.
        let plus = (0..=255u8)
            .map(|i| signer("w.test", ALG_COSIGNATURE_V1, i))
            .find(|s| s.key.vkey().matches('+').count() > 2)
            .unwrap();
        assert_eq!(NoteKey::from_vkey(&plus.key.vkey()).unwrap(), plus.key);
        // Verifier keys round-trip and carry their key ID.
        assert_eq!(NoteKey::from_vkey(&court.key.vkey()).unwrap(), court.key);
        let v = court.key.vkey();
        let tampered = v.replacen(&hex::encode(court.key.key_id()), "00000000", 1);
        assert!(NoteKey::from_vkey(&tampered).is_err());
    }

    #[test]
    fn the_spec_example_note_parses() {
        // c2sp.org/signed-note's example (its signature is by a key we do not hold).
        let s = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \u{e8} subito sera.\n\n\u{2014} quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
        let n = Note::parse(s).unwrap();
        assert!(n.text.ends_with("subito sera.\n"));
        assert_eq!(n.sigs[0].name, "quasimodo.example/salvatore");
        for bad in [
            "",
            "text\n",
            "text\n\n",
            "text\n\n- x AAAAAAA=\n",
            "a\tb\n\n\u{2014} k AAAAAAA=\n",
            "t\n\n\u{2014} k+x AAAAAAA=\n",
        ] {
            assert!(Note::parse(bad).is_err(), "{bad:?}");
        }
        for bad in [
            "o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            "o\n1\nAAAA\n",
            "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ] {
            assert!(Checkpoint::parse(bad).is_err(), "{bad:?}");
        }
    }
}
