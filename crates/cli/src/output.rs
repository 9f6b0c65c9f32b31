//! How a command reports: text for people, one JSON document, or the engine's events as JSON
//! lines; and the exit code of a sealing command.

/// Like std's `println!`, except that a closed stdout (`webproof seal … | true`, a reader that
/// went away) is not a crash: by the time anything is printed the work is done and written,
/// so the rest of the output is dropped and the command ends with its own exit code.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Like std's `eprintln!`, without the panic when stderr is closed.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

use std::process::ExitCode;

use webproof_engine::events::{Event, Phase};

use crate::stamping;

/// How a command reports: text for people, one JSON document (`--json`), or JSON lines as
/// things happen (`--events`, for the desktop app: docs/app-events.md).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    Text,
    Json,
    Events,
}

impl Output {
    pub(crate) fn new(json: bool, events: bool) -> Output {
        match (json, events) {
            (_, true) => Output::Events,
            (true, false) => Output::Json,
            _ => Output::Text,
        }
    }

    /// One event line on stdout (only with `--events`), flushed at once.
    pub(crate) fn emit(self, event: &Event) {
        if self != Output::Events {
            return;
        }
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", event.to_line());
        let _ = out.flush();
    }

    /// A message for people: a `line` event with `--events`, else on stderr.
    pub(crate) fn line(self, text: &str) {
        match self {
            Output::Events => self.emit(&Event::Line {
                text: text.trim().to_owned(),
            }),
            _ => eprintln!("{text}"),
        }
    }

    /// A journaled step (`--events`): its digests are the chain head after it.
    #[cfg(unix)]
    pub(crate) fn step(self, r: &webproof_evidence::record::StepRecord) {
        self.emit(&Event::Step(r.into()));
    }

    /// A sealing phase begins (`--events`).
    pub(crate) fn phase(self, phase: Phase) {
        self.emit(&Event::Phase { phase });
    }
}

/// Whether the configured TSAs and log delivered for the final chain head (the package is
/// written either way).
#[must_use]
pub(crate) struct Delivered(pub bool);

impl Delivered {
    /// The exit code of a sealing command: 0, or 5 when trusted time or the log did not
    /// deliver (docs/evidence-package.md §6a).
    pub(crate) fn exit(self) -> ExitCode {
        if self.0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(5)
        }
    }
}

impl webproof_engine::seal::Observer for Output {
    fn event(&self, event: Event) {
        self.emit(&event);
    }

    fn note(&self, note: webproof_engine::Note<'_>) {
        for l in stamping::said(&note) {
            self.line(&l);
        }
    }
}

/// A reader that stops reading (`webproof verify X | head`) ends the output the way it ends
/// any Unix tool's, with the status of SIGPIPE, instead of a panic's trace.
pub(crate) fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info)
    }));
}
