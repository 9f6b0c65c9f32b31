//! Why a check fails, as English text and a catalogue message together (crates/i18n renders
//! it), so that a finding which quotes an error — a corrupt ZIP, a broken journal line, a
//! receipt whose proof leads elsewhere — reads in the reader's language too. Every error says
//! itself through [`Explain`], implemented next to its definition (in evidence, ledger,
//! timestamp); the English text of the error stays the check's `detail`.

pub use webproof_message::Explain;
use webproof_message::{Key, Message, msg};

/// Why a check fails: the English text and its catalogue message.
#[derive(Clone, Debug)]
pub struct Why {
    pub text: String,
    pub message: Message,
}

impl Why {
    pub fn new(text: impl Into<String>, message: Message) -> Why {
        Why {
            text: text.into(),
            message,
        }
    }

    /// An error's own text and message.
    pub fn of(e: &(impl Explain + ?Sized)) -> Why {
        Why {
            text: e.to_string(),
            message: e.message(),
        }
    }

    /// This reason under a finding that quotes it: `english: reason`, and the message `key`
    /// with this one as its cause.
    pub fn under(self, key: Key, english: &str) -> Why {
        Why {
            text: format!("{english}: {}", self.text),
            message: Message::new(key).because(self.message),
        }
    }
}

/// Text that is not UTF-8.
pub fn not_utf8() -> Why {
    Why::new("not UTF-8", msg!("err-not-utf8"))
}

impl Explain for crate::VerifyError {
    fn message(&self) -> Message {
        match self {
            crate::VerifyError::NotFound { path, source } => {
                msg!("err-file").arg("path", path).because(source.message())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webproof_evidence::journal::JournalError;
    use webproof_evidence::package::PackageError;
    use webproof_evidence::record::ChainError;
    use webproof_message::key;

    #[test]
    fn nested_errors_keep_their_causes() {
        let e = JournalError::Chain {
            line: 3,
            source: ChainError::Time { seq: 2 },
        };
        let m = e.message();
        assert_eq!(m.key, "err-journal-line");
        assert_eq!(m.args["line"], "3");
        assert_eq!(
            m.cause.as_deref().map(|c| c.key.as_str()),
            Some("err-chain-time")
        );
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(io.message().key, "err-io-not-found");
        let why = Why::of(&PackageError::Missing("a.png".into()))
            .under(key!("msg-cannot-read"), "cannot be read");
        assert_eq!(
            why.text,
            "cannot be read: entry \"a.png\" not found in the package"
        );
        assert_eq!(why.message.key, "msg-cannot-read");
        let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert_eq!(json.message().key, "err-json-eof");
    }
}
