//! A sentence for people as a catalogue key and its arguments, so that what the pure crates
//! conclude (a verifier's check, an environment finding) can be read in the reader's language
//! (crates/i18n renders it) while machine-readable output keeps the stable key. The English
//! text stays beside it wherever one is produced.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
    pub fn new(key: &str) -> Self {
        Message {
            key: key.to_owned(),
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
    pub fn arg(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        self.args.insert(name.to_owned(), value.to_string());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_key_and_args() -> Result<(), serde_json::Error> {
        let m = Message::new("msg-file-ok")
            .arg("size", 12)
            .arg("sha256", "ab");
        assert_eq!(
            serde_json::to_string(&m)?,
            r#"{"key":"msg-file-ok","args":{"sha256":"ab","size":"12"}}"#
        );
        assert_eq!(serde_json::to_string(&Message::new("k"))?, r#"{"key":"k"}"#);
        let nested = Message::new("a").because(Message::new("b").arg("x", 1));
        let json = serde_json::to_string(&nested)?;
        assert_eq!(json, r#"{"key":"a","cause":{"key":"b","args":{"x":"1"}}}"#);
        assert_eq!(serde_json::from_str::<Message>(&json)?, nested);
        Ok(())
    }
}
