//! What the command line says to people, in one language for the whole command: the global
//! `--lang`, else `WEBPROOF_LANG`, else the OS locale. `--lang both` asks for a report in both
//! languages; messages then follow `WEBPROOF_LANG` or the locale.
//!
//! Messages come from the catalogue (crates/i18n/locales/*/cli.ftl and webproof.ftl) through
//! `tr!`; an error's causes that are webproof's own typed errors (and I/O, JSON, network,
//! browser, profile and recorder errors) are said in the same language by `error_text`; what
//! a library, a server or the browser said in its own words stays as it is, quoted.

use std::cell::RefCell;
use std::error::Error as StdError;
use std::fmt::Display;
use std::rc::Rc;
use std::sync::OnceLock;

use webproof_i18n::{Catalogue, I18nError, Lang, Message};
use webproof_message::Explain;

static FLAG: OnceLock<Option<String>> = OnceLock::new();

/// Takes the global `--lang` (en, zh-CN or both); refuses an unknown language, in the flag or
/// in `WEBPROOF_LANG`.
pub fn init(flag: Option<String>) -> Result<(), I18nError> {
    let messages = flag.as_deref().filter(|f| *f != "both");
    Lang::detect(messages)?;
    let _ = FLAG.set(flag);
    Ok(())
}

/// The `--lang` given: `en`, `zh-CN`, `both`, or none.
pub fn flag() -> Option<&'static str> {
    FLAG.get().and_then(|f| f.as_deref())
}

/// The language of messages.
pub fn lang() -> Lang {
    Lang::detect(flag().filter(|f| *f != "both")).unwrap_or(Lang::En)
}

thread_local! {
    static CATALOGUE: RefCell<Option<Rc<Catalogue>>> = const { RefCell::new(None) };
}

/// This thread's catalogue of the messages' language, built on first use and then shared by
/// every message, error and progress line the command says.
pub fn shared() -> Result<Rc<Catalogue>, I18nError> {
    CATALOGUE.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(cat) = c.as_ref() {
            return Ok(Rc::clone(cat));
        }
        let cat = Rc::new(Catalogue::new(lang())?);
        *c = Some(Rc::clone(&cat));
        Ok(cat)
    })
}

/// `f` with this thread's catalogue (none if it cannot be built, which a test rules out).
/// The catalogue is taken out first, so `f` may say things itself.
fn with<R>(f: impl FnOnce(&Catalogue) -> R) -> Option<R> {
    shared().ok().map(|c| f(&c))
}

/// Takes a catalogue already built (the help's) for this thread's messages, when it is of
/// their language, instead of building another.
pub fn adopt(cat: Catalogue) {
    if cat.lang() == lang() {
        CATALOGUE.with(|c| {
            let mut c = c.borrow_mut();
            if c.is_none() {
                *c = Some(Rc::new(cat));
            }
        });
    }
}

/// The message `key`, without arguments (a key made at run time: `step-kind-…`).
#[cfg(unix)]
pub fn t(key: &str) -> String {
    t_args(key, &[])
}

/// A finding's grade as the lists print it (`warning` in English, the catalogue's word in
/// another language).
#[cfg(unix)]
pub fn grade_word(grade: &str) -> String {
    match lang() {
        Lang::En => grade.to_owned(),
        _ => t(&format!("grade-word-{grade}")),
    }
}

/// The message `key` with arguments (the key itself if the catalogue cannot be built, which
/// a test rules out).
pub fn t_with(key: webproof_message::Key, args: &[(&str, &dyn Display)]) -> String {
    t_args(key.as_str(), args)
}

/// The message `key` (made at run time: `grade-word-…`) with arguments.
fn t_args(key: &str, args: &[(&str, &dyn Display)]) -> String {
    let args: Vec<(String, String)> = args
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.to_string()))
        .collect();
    with(|c| c.t_map(key, args.iter().map(|(k, v)| (k, v)))).unwrap_or_else(|| key.to_owned())
}

/// One error (with its causes) in the messages' language: its own text in English; in
/// another language its catalogue message when it can say itself.
pub fn cause(e: &(dyn StdError + 'static)) -> String {
    match lang() {
        Lang::En => e.to_string(),
        _ => explain(e).map_or_else(|| e.to_string(), |m| message(&m)),
    }
}

/// A catalogue message, with its causes.
pub fn message(m: &Message) -> String {
    with(|c| c.message(m)).unwrap_or_else(|| m.key.clone())
}

/// A verdict's word (VERIFIED / 验证通过 …) in the messages' language.
pub fn verdict_word(v: webproof_verify::Verdict) -> String {
    let key = webproof_i18n::verdict_key(v.as_str());
    with(|c| c.t(&key)).unwrap_or(key)
}

/// A role's name (operator, notary) in the messages' language.
pub fn role(r: webproof_evidence::identity::Role) -> String {
    match r {
        webproof_evidence::identity::Role::Operator => tr!("cli-role-operator"),
        webproof_evidence::identity::Role::Notary => tr!("cli-role-notary"),
    }
}

/// `label` with the language's colon, padded to `width` terminal columns (a Chinese
/// character takes two).
pub fn label(label: &str, width: usize) -> String {
    let colon = with(|c| c.colon().trim_end()).unwrap_or(":");
    let text = format!("{label}{colon}");
    let used = unicode_width::UnicodeWidthStr::width(text.as_str());
    format!("{text}{}", " ".repeat(width.saturating_sub(used).max(1)))
}

/// A catalogue message: `tr!("key")`, `tr!("key", name = value, …)`.
macro_rules! tr {
    ($key:literal) => {
        $crate::say::t_with(webproof_message::key!($key), &[])
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::say::t_with(webproof_message::key!($key), &[$((stringify!($name), &$value as &dyn std::fmt::Display)),+])
    };
}
pub(crate) use tr;

/// One cause of an error as a catalogue message, when it is one of the errors that can say
/// themselves (its own causes are in that message).
fn explain(e: &(dyn StdError + 'static)) -> Option<Message> {
    macro_rules! try_types {
        ($($t:ty),+ $(,)?) => {
            $(if let Some(x) = e.downcast_ref::<$t>() {
                return Some(x.message());
            })+
        };
    }
    try_types!(
        std::io::Error,
        serde_json::Error,
        webproof_evidence::package::PackageError,
        webproof_evidence::journal::JournalError,
        webproof_watch::WatchError,
        webproof_evidence::record::ChainError,
        webproof_evidence::record::RecordError,
        webproof_evidence::canonical::CanonicalError,
        webproof_evidence::capture::CaptureError,
        webproof_evidence::identity::KeyError,
        webproof_evidence::identity::BadSignature,
        webproof_ledger::receipt::ReceiptError,
        webproof_ledger::merkle::ProofError,
        webproof_ledger::note::NoteError,
        webproof_timestamp::TspError,
        webproof_timestamp::Problem,
        webproof_timestamp::ca::CertError,
        webproof_verify::VerifyError,
        webproof_verify::bundle::BundleError,
        webproof_net::NetError,
        webproof_capture::BrowserError,
        webproof_capture::SessionError,
        webproof_capture::profile::ProfileError,
        webproof_recorder::RecorderError,
    );
    None
}

/// An error with its causes, as the user reads it (see `error_text_in`).
pub fn error_text(e: &anyhow::Error) -> String {
    with(|c| error_text_in(c, e)).unwrap_or_else(|| format!("{e:#}"))
}

/// An error with its causes in `cat`'s language, joined by the language's colon: in English
/// each cause's own text (`context: cause: …`, a cause its parent already quotes once); in
/// another language the contexts (already catalogue messages) and the first cause that can
/// say itself, in that language.
pub fn error_text_in(cat: &Catalogue, e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        if cat.lang() != Lang::En
            && let Some(m) = explain(cause)
        {
            parts.push(cat.message(&m));
            break;
        }
        let text = cause.to_string();
        // An error that already says its source ("path: cause") is not followed by it again.
        if parts.last().is_some_and(|p| p.ends_with(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(cat.colon())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn errors_are_said_in_the_catalogue() {
        let e = || {
            let io = std::io::Error::from(std::io::ErrorKind::NotFound);
            Err::<(), _>(io).context("/x/config.toml").unwrap_err()
        };
        let en = Catalogue::new(Lang::En).unwrap();
        let zh = Catalogue::new(Lang::ZhCn).unwrap();
        assert_eq!(error_text_in(&en, &e()), "/x/config.toml: entity not found");
        let quoted = webproof_verify::VerifyError::NotFound {
            path: "/x.wacz".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        let quoted = anyhow::Error::from(quoted);
        assert_eq!(error_text_in(&en, &quoted), "/x.wacz: entity not found");
        assert_eq!(error_text_in(&zh, &quoted), "/x.wacz：文件或目录不存在");
        assert_eq!(error_text_in(&zh, &e()), "/x/config.toml：文件或目录不存在");
        // A typed cause says its own causes; the chain below it is not repeated.
        let journal = webproof_evidence::journal::JournalError::Chain {
            line: 2,
            source: webproof_evidence::record::ChainError::Time { seq: 1 },
        };
        let e = Err::<(), _>(journal).context("c1").unwrap_err();
        assert_eq!(
            error_text_in(&zh, &e),
            "c1：操作日志第 2 行：第 1 步：结束早于开始"
        );
    }
}
