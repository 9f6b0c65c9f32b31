//! The `webproof` engine: the app runs the same binary as the command line for everything
//! that captures, seals, verifies, deposits or enrolls, so a package made in the window is
//! made by exactly the code a terminal user runs, and a capture survives a crashed window
//! (its journal is on disk; `webproof captures resume` seals it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{AppError, AppResult, ErrorKind};

/// Where the `webproof` binary is: `WEBPROOF_BIN`, else beside this app's executable, else
/// on `PATH`.
pub fn locate() -> PathBuf {
    if let Some(p) = std::env::var_os("WEBPROOF_BIN").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Ok(me) = std::env::current_exe()
        && let Some(dir) = me.parent()
    {
        let beside = dir.join("webproof");
        if beside.is_file() {
            return beside;
        }
    }
    PathBuf::from("webproof")
}

/// A prepared engine command (environment for WEBPROOF_HOME and the language set).
pub fn command(bin: &Path, home: &Path, lang: &str, args: &[&str]) -> Command {
    let mut c = Command::new(bin);
    c.args(args)
        .env("WEBPROOF_HOME", home)
        .env("WEBPROOF_LANG", lang)
        .stdin(Stdio::null());
    c
}

/// What a finished engine command printed.
#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// The engine (`program`) could not be started.
pub fn not_started(program: &str, e: &std::io::Error) -> AppError {
    AppError::said(
        ErrorKind::Engine,
        "app-err-not-started",
        format!("{program} could not be started: {e}"),
        &[("program", &program), ("error", e)],
    )
}

/// Runs an engine command to its end.
pub fn run(mut c: Command) -> AppResult<Output> {
    let program = c.get_program().to_string_lossy().into_owned();
    let out = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| not_started(&program, &e))?;
    Ok(Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// The engine's own error line (`webproof: error: …` or `webproof：错误：…` and what
/// follows, in the language it ran in), else the last lines it wrote.
pub fn failure(stderr: &str) -> String {
    let start = [
        "webproof: error: ",
        "webproof：错误：",
        "Error: ",
        "error: ",
    ]
    .iter()
    .find_map(|m| stderr.rfind(m));
    if let Some(i) = start {
        return stderr[i..].trim().to_owned();
    }
    let tail: Vec<&str> = stderr.lines().rev().take(4).collect();
    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
}

/// Runs a command that must succeed (exit 0).
pub fn run_ok(what: &str, c: Command) -> AppResult<Output> {
    let out = run(c)?;
    if out.code != Some(0) {
        return Err(AppError::new(
            ErrorKind::Command,
            format!("{what}: {}", failure(&out.stderr)),
        ));
    }
    Ok(out)
}

/// Runs blocking work (an engine command, a verification) off the window's thread.
pub async fn in_background<T: Send + 'static>(
    work: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| AppError::new(ErrorKind::Engine, e.to_string()))?
}

/// The last 16 KiB or so of what a child writes on `stderr`, once it closes it (for the
/// error said when the child fails).
pub fn stderr_tail(stderr: std::process::ChildStderr) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        let mut tail = String::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            tail.push_str(&line);
            tail.push('\n');
            if tail.len() > 16 * 1024 {
                let cut = tail.len() / 2;
                let cut = (cut..tail.len())
                    .find(|i| tail.is_char_boundary(*i))
                    .unwrap_or(0);
                tail.drain(..cut);
            }
        }
        tail
    })
}

/// Writes `line` to the stdin of the running child in `slot` (`what` names it); when none runs,
/// the error `none` (a catalogue key) with its English words `none_en`.
pub fn send_line(
    slot: &std::sync::Mutex<Option<std::process::ChildStdin>>,
    line: &str,
    what: &str,
    none: &'static str,
    none_en: &str,
) -> AppResult<()> {
    use std::io::Write as _;
    let mut slot = slot.lock().map_err(|_| {
        AppError::new(
            ErrorKind::NoSession,
            format!("the {what} state is poisoned"),
        )
    })?;
    let Some(stdin) = slot.as_mut() else {
        return Err(AppError::said(ErrorKind::NoSession, none, none_en, &[]));
    };
    writeln!(stdin, "{line}")
        .and_then(|_| stdin.flush())
        .map_err(|e| AppError::io("app-err-io-send", format!("webproof {what}"), e))
}

/// A started engine child with its three pipes.
pub struct Piped {
    pub child: std::process::Child,
    pub stdin: std::process::ChildStdin,
    pub stdout: std::process::ChildStdout,
    pub stderr: std::process::ChildStderr,
}

/// Starts `c` (the engine at `bin`) with stdin, stdout and stderr piped; `what` names it
/// when a pipe is missing.
pub fn spawn_piped(mut c: Command, bin: &Path, what: &str) -> AppResult<Piped> {
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().map_err(|e| {
        AppError::said(
            ErrorKind::Engine,
            "app-err-not-started",
            format!("{} could not be started: {e}", bin.display()),
            &[("program", &bin.display()), ("error", &e)],
        )
    })?;
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        return Err(AppError::new(
            ErrorKind::Engine,
            format!("the {what} process has no pipes"),
        ));
    };
    Ok(Piped {
        child,
        stdin,
        stdout,
        stderr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_prefers_the_error_line() {
        let e = "  step 1: navigate\nError: capture stopped: net::ERR_CONNECTION_REFUSED\n\nCaused by: x\n";
        assert!(failure(e).starts_with("Error: capture stopped"));
        assert_eq!(failure("a\nb\nc\nd\ne\n"), "b\nc\nd\ne");
        // The engine run in Chinese says its error in Chinese.
        let zh = "  第 1 步：导航\nwebproof：错误：取证中止：连接被拒绝\n";
        assert_eq!(failure(zh), "webproof：错误：取证中止：连接被拒绝");
    }

    #[test]
    fn a_missing_engine_is_an_engine_error() {
        let c = command(
            Path::new("/nonexistent/webproof"),
            Path::new("/tmp"),
            "en",
            &["--version"],
        );
        let Err(e) = run(c) else {
            panic!("a missing binary ran")
        };
        assert_eq!(e.kind, ErrorKind::Engine);
        assert!(e.message.contains("/nonexistent/webproof"));
    }
}
