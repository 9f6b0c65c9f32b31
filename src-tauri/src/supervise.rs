//! The Supervise screen: the notary's side of a live supervision (docs/supervision.md), run as
//! a child `webproof supervise CODE --events` in this home, whose notary identity signs. Its
//! JSON lines become typed [`SuperviseEvent`]s for the window; the window's Sign and Refuse
//! buttons become the answer lines on its stdin (`yes`, or the reason).

use std::io::{BufRead as _, BufReader};

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_specta::Event as _;
use webproof_engine::events::NotaryEvent;

use crate::error::{AppError, AppResult, ErrorKind};
use crate::{AppState, engine};

/// What the Supervise screen hears.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SuperviseEvent {
    /// Joined the session of `capture` (of `target`).
    Session {
        capture: String,
        target: Option<String>,
        text: String,
    },
    /// A step as journaled on the operator's machine (`late`: while the notary was away);
    /// `picture` its screenshot, kept in this home.
    Step {
        seq: u32,
        kind: String,
        url: Option<String>,
        started: String,
        sha256: String,
        late: bool,
        picture: Option<String>,
        text: String,
    },
    /// The notary is asked to sign `statement` about the chain head after step `seq`.
    Ask {
        statement: String,
        seq: u32,
        sha256: String,
        text: String,
    },
    /// A checkpoint countersigned without asking.
    Checkpoint { seq: u32, text: String },
    /// A message (the connection was lost and is joined again, or the engine said something).
    Line { text: String },
    /// The session ended: `ok`, or why not.
    Ended { ok: bool, text: String },
}

fn seq32(s: u64) -> u32 {
    u32::try_from(s).unwrap_or(u32::MAX)
}

/// The window's view of one engine event.
pub fn translate(e: NotaryEvent) -> SuperviseEvent {
    match e {
        NotaryEvent::Session {
            capture,
            target,
            text,
        } => SuperviseEvent::Session {
            capture,
            target,
            text,
        },
        NotaryEvent::Step {
            seq,
            kind,
            url,
            started,
            sha256,
            late,
            picture,
            text,
            ..
        } => SuperviseEvent::Step {
            seq: seq32(seq),
            kind,
            url,
            started,
            sha256: sha256.to_hex(),
            late,
            picture,
            text,
        },
        NotaryEvent::Ask {
            statement,
            seq,
            sha256,
            text,
        } => SuperviseEvent::Ask {
            statement,
            seq: seq32(seq),
            sha256: sha256.to_hex(),
            text,
        },
        NotaryEvent::Checkpoint { seq, text, .. } => SuperviseEvent::Checkpoint {
            seq: seq32(seq),
            text,
        },
        NotaryEvent::Rejoin { text } => SuperviseEvent::Line { text },
        NotaryEvent::Ended { text } => SuperviseEvent::Ended { ok: true, text },
    }
}

/// Joins the session of join code `code` as this home's notary; its events follow as
/// [`SuperviseEvent`]s.
#[tauri::command]
#[specta::specta]
pub fn start_supervision(
    app: AppHandle,
    state: State<'_, AppState>,
    code: String,
    passphrase: String,
) -> AppResult<()> {
    let code = code.trim().to_owned();
    if !code.contains('/') || code.len() < 20 {
        return Err(AppError::said(
            ErrorKind::Input,
            "app-err-join-code",
            format!("{code:?} is not a join code (ADDRESS:PORT/CODE)"),
            &[("code", &code)],
        ));
    }
    if passphrase.is_empty() {
        return Err(AppError::input(
            "app-err-notary-passphrase-empty",
            "the notary key's passphrase is empty",
        ));
    }
    let mut slot = state
        .supervising
        .lock()
        .map_err(|_| AppError::new(ErrorKind::Busy, "the supervision state is poisoned"))?;
    if slot.is_some() {
        return Err(AppError::said(
            ErrorKind::Busy,
            "app-err-supervising",
            "a supervision is already running; end it first",
            &[],
        ));
    }
    let mut cmd = state.engine(&["supervise", &code, "--events"]);
    cmd.env("WEBPROOF_PASSPHRASE", &passphrase);
    let engine::Piped {
        mut child,
        stdin,
        stdout,
        stderr,
    } = engine::spawn_piped(cmd, &state.bin, "supervision")?;
    *slot = Some(stdin);
    drop(slot);
    let err_reader = engine::stderr_tail(stderr);
    let st = state.inner().clone_for_worker();
    std::thread::spawn(move || {
        let mut ended = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Some(e) = NotaryEvent::parse(&line) else {
                continue;
            };
            ended |= matches!(e, NotaryEvent::Ended { .. });
            let _ = translate(e).emit(&app);
        }
        let ok = child.wait().is_ok_and(|s| s.success());
        let tail = err_reader.join().unwrap_or_default();
        if let Ok(mut s) = st.supervising.lock() {
            *s = None;
        }
        if !(ok && ended) {
            let _ = SuperviseEvent::Ended {
                ok: false,
                text: engine::failure(&tail),
            }
            .emit(&app);
        }
    });
    Ok(())
}

/// The notary's answer to what they were asked.
#[derive(Clone, Debug, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SuperviseAnswer {
    /// Sign the statement.
    Sign,
    /// Refuse, for this reason (recorded in the package).
    Refuse { reason: String },
}

#[tauri::command]
#[specta::specta]
pub fn answer_supervision(state: State<'_, AppState>, answer: SuperviseAnswer) -> AppResult<()> {
    let line = match answer {
        SuperviseAnswer::Sign => "yes".to_owned(),
        SuperviseAnswer::Refuse { reason } => {
            let r = reason.replace(['\r', '\n'], " ").trim().to_owned();
            // "yes" as a reason would sign: a refusal must say why, in other words.
            if r.is_empty() || matches!(r.as_str(), "y" | "yes" | "是") {
                return Err(AppError::input(
                    "app-err-refusal-reason",
                    "a refusal needs its reason",
                ));
            }
            r
        }
    };
    engine::send_line(
        &state.supervising,
        &line,
        "supervise",
        "app-err-no-supervision",
        "no supervision is running",
    )
}

/// A step's picture the notary was shown, as a data URL (only files this home's supervision
/// kept).
#[tauri::command]
#[specta::specta]
pub fn supervision_picture(state: State<'_, AppState>, path: String) -> AppResult<String> {
    use base64::Engine as _;
    let root = state.home.join("supervision");
    let p = std::path::Path::new(&path);
    let inside = match (p.canonicalize(), root.canonicalize()) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        _ => false,
    };
    if !inside {
        return Err(AppError::said(
            ErrorKind::NotFound,
            "app-err-not-file",
            format!("{path} is not a picture of a supervision"),
            &[("path", &path)],
        ));
    }
    let bytes = std::fs::read(p).map_err(|e| AppError::io("app-err-io-read", &path, e))?;
    let mime = if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else {
        "image/jpeg"
    };
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's notary events, written as `webproof supervise --events` writes them and
    /// read back as the window reads them.
    #[test]
    fn notary_events_become_typed_events() {
        let d = webproof_evidence::digest::digest_bytes(b"x");
        let step = NotaryEvent::Step {
            seq: 2,
            kind: "screenshot".into(),
            url: Some("http://127.0.0.1:8000/".into()),
            started: "2026-12-06T10:00:00.000000Z".into(),
            sha256: d.sha256,
            sm3: d.sm3,
            late: true,
            picture: Some("/home/n/.webproof/supervision/c/step-000002.png".into()),
            text: "step 2".into(),
        };
        match NotaryEvent::parse(&step.to_line()).map(translate) {
            Some(SuperviseEvent::Step {
                seq,
                late,
                sha256,
                picture,
                ..
            }) => {
                assert_eq!((seq, late), (2, true));
                assert_eq!(sha256, d.sha256.to_hex());
                assert!(picture.unwrap().ends_with("step-000002.png"));
            }
            other => panic!("{other:?}"),
        }
        let ask = NotaryEvent::Ask {
            statement: "present".into(),
            seq: 0,
            sha256: d.sha256,
            text: "sign?".into(),
        };
        assert!(matches!(
            NotaryEvent::parse(&ask.to_line()).map(translate),
            Some(SuperviseEvent::Ask { seq: 0, ref statement, .. }) if statement == "present"
        ));
        assert!(matches!(
            NotaryEvent::parse(r#"{"event":"ended","text":"ended"}"#).map(translate),
            Some(SuperviseEvent::Ended { ok: true, .. })
        ));
        assert!(NotaryEvent::parse("webproof: error: x").is_none());
    }
}
