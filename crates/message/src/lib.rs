//! # webproof-message
//!
//! A sentence for people as a catalogue key and its arguments, so that what the pure crates
//! conclude (a verifier's check, an environment finding, an error) can be read in the reader's
//! language (crates/i18n renders it) while machine-readable output keeps the stable key. The
//! English text stays beside it wherever one is produced.
//!
//! Architecture invariants: a message is made only from a [`Key`], and a key only through
//! [`key!`], which checks it against the English catalogue when the code compiles (the list is
//! generated from crates/i18n/locales/en by build.rs) — a key missing from the catalogue does
//! not build. Every error type says itself as a message through [`Explain`], implemented next
//! to its definition with a match that names every variant.

use std::collections::BTreeMap;
use std::fmt::Display;

use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/keys.rs"));

/// Whether `key` is a message of the English catalogue (usable in constants).
pub const fn known(key: &str) -> bool {
    let mut i = 0;
    while i < KEYS.len() {
        if same(KEYS[i].as_bytes(), key.as_bytes()) {
            return true;
        }
        i += 1;
    }
    false
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A key of the catalogue, checked: made by [`key!`] (at compile time) or [`Key::checked`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(&'static str);

impl Key {
    /// `key`, when the catalogue has it. In a constant (as [`key!`] does) a missing key is a
    /// compile error. Keys made at run time (`step-kind-…`) are not `Key`s: the catalogue
    /// takes them as text, and tests walk their families.
    #[allow(clippy::panic)]
    pub const fn checked(key: &'static str) -> Key {
        if !known(key) {
            panic!("no such message key in the catalogue (crates/i18n/locales/en)");
        }
        Key(key)
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// A catalogue key, checked when the code compiles:
///
/// ```
/// assert_eq!(webproof_message::key!("err-file").as_str(), "err-file");
/// ```
///
/// A key the English catalogue lacks does not compile:
///
/// ```compile_fail
/// let _ = webproof_message::key!("err-no-such-message");
/// ```
#[macro_export]
macro_rules! key {
    ($key:literal) => {{
        const KEY: $crate::Key = $crate::Key::checked($key);
        KEY
    }};
}

/// A message of a checked key: `msg!("err-file").arg("path", p)`.
#[macro_export]
macro_rules! msg {
    ($key:literal) => {
        $crate::Message::new($crate::key!($key))
    };
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// A key of the catalogue (crates/i18n/locales/*/webproof.ftl).
    pub key: String,
    /// Its arguments, as text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
    /// What it rests on, said after it (`message: cause`): an error's own message under the
    /// finding that quotes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Box<Message>>,
}

impl Message {
    pub fn new(key: Key) -> Self {
        Message {
            key: key.as_str().to_owned(),
            args: BTreeMap::new(),
            cause: None,
        }
    }

    /// Sets what this message rests on.
    pub fn because(mut self, cause: Message) -> Self {
        self.cause = Some(Box::new(cause));
        self
    }

    /// Adds an argument.
    pub fn arg(mut self, name: &str, value: impl Display) -> Self {
        self.args.insert(name.to_owned(), value.to_string());
        self
    }
}

/// An error that can say itself as a catalogue message (its causes as the message's causes).
/// Implemented next to each error type's definition, naming every variant.
pub trait Explain: Display {
    fn message(&self) -> Message;
}

impl Explain for std::io::Error {
    fn message(&self) -> Message {
        use std::io::ErrorKind as K;
        // ErrorKind is the standard library's and grows: the kinds not named here say the
        // error's own text.
        match self.kind() {
            K::NotFound => msg!("err-io-not-found"),
            K::PermissionDenied => msg!("err-io-permission"),
            K::StorageFull => msg!("err-io-full"),
            K::ReadOnlyFilesystem => msg!("err-io-read-only"),
            K::UnexpectedEof => msg!("err-io-eof"),
            K::AlreadyExists => msg!("err-io-exists"),
            _ => msg!("err-io-other").arg("detail", self),
        }
    }
}

impl Explain for serde_json::Error {
    fn message(&self) -> Message {
        use serde_json::error::Category;
        let key = match self.classify() {
            Category::Eof => key!("err-json-eof"),
            Category::Syntax => key!("err-json-syntax"),
            Category::Data => key!("err-json-data"),
            Category::Io => key!("err-json-io"),
        };
        Message::new(key)
            .arg("line", self.line())
            .arg("column", self.column())
            .arg("detail", self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_key_and_args() -> Result<(), serde_json::Error> {
        let m = msg!("msg-file-ok").arg("size", 12).arg("sha256", "ab");
        assert_eq!(
            serde_json::to_string(&m)?,
            r#"{"key":"msg-file-ok","args":{"sha256":"ab","size":"12"}}"#
        );
        assert_eq!(
            serde_json::to_string(&msg!("err-io-eof"))?,
            r#"{"key":"err-io-eof"}"#
        );
        let nested = msg!("err-file").because(msg!("err-io-eof").arg("x", 1));
        let json = serde_json::to_string(&nested)?;
        assert_eq!(
            json,
            r#"{"key":"err-file","cause":{"key":"err-io-eof","args":{"x":"1"}}}"#
        );
        assert_eq!(serde_json::from_str::<Message>(&json)?, nested);
        Ok(())
    }

    #[test]
    fn keys_are_the_catalogues() {
        assert!(KEYS.windows(2).all(|w| w[0] < w[1]), "sorted, no twice");
        assert!(KEYS.len() > 500, "{}", KEYS.len());
        assert!(known("err-file") && known("cli-out-exists"));
        assert!(!known("err-fil") && !known("") && !known("err-file "));
    }

    #[test]
    fn a_key_reads_as_itself() {
        let k = key!("err-file");
        assert_eq!(k.as_ref(), "err-file");
        assert_eq!(k.to_string(), "err-file");
        assert_eq!(format!("[{k}]"), "[err-file]");
    }

    #[test]
    fn errors_say_their_kind() {
        use std::io::{Error, ErrorKind as K};
        for (kind, key) in [
            (K::NotFound, "err-io-not-found"),
            (K::PermissionDenied, "err-io-permission"),
            (K::StorageFull, "err-io-full"),
            (K::ReadOnlyFilesystem, "err-io-read-only"),
            (K::UnexpectedEof, "err-io-eof"),
            (K::AlreadyExists, "err-io-exists"),
        ] {
            let m = Error::from(kind).message();
            assert_eq!(m.key, key, "{kind:?}");
            assert!(m.args.is_empty(), "{kind:?}");
        }
        let m = Error::other("the disk caught fire").message();
        assert_eq!(m.key, "err-io-other");
        assert_eq!(m.args["detail"], "the disk caught fire");
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(io.message().key, "err-io-not-found");
        let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert_eq!(json.message().key, "err-json-eof");
        assert_eq!(json.message().args["line"], "1");
    }
}
