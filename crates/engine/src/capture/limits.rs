//! Where a capture stops by itself: a disk quota (what it has written — network archive,
//! screenshots, snapshots, downloads, recording) and a page count. Reaching one stops the
//! session as a stop request does: the step under way is abandoned, everything is ended in
//! order, and the reason is journaled in the interruption step, so the package says why it
//! ends where it does.

use std::path::{Path, PathBuf};
use std::time::Duration;

use webproof_evidence::capture::Capture;
use webproof_evidence::record::StepKind;

use super::Stop;

/// How far a capture may go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Bytes the capture may write (its directory and its downloads folder).
    pub max_bytes: Option<u64>,
    /// Pages it may visit: navigations, the profile's or the operator's.
    pub max_pages: Option<u64>,
}

/// How often the disk quota is measured while the session runs.
const EVERY: Duration = Duration::from_millis(250);

impl Limits {
    /// Why the capture must stop before visiting one more page, if it must.
    pub(super) fn before_page(&self, cap: &Capture) -> Option<String> {
        let max = self.max_pages?;
        (pages(cap) >= max).then(|| pages_reason(max))
    }

    /// Why the capture must stop after what it just did, if it must (the operator of a
    /// manual session visits a page before the session hears of it).
    pub(super) fn after_step(&self, cap: &Capture) -> Option<String> {
        let max = self.max_pages?;
        (pages(cap) > max).then(|| pages_reason(max))
    }

    /// A stop that is `caller`'s, or this quota's once the capture in `dir` has written more
    /// than it allows; the task that measures it ends with the returned stop's sender.
    pub(super) fn watch(&self, caller: &Stop, dir: &Path, rt: &tokio::runtime::Handle) -> Stop {
        let (tx, stop) = Stop::channel();
        let caller = caller.clone();
        let (max, dirs) = (self.max_bytes, written_dirs(dir));
        rt.spawn(async move {
            let mut tick = tokio::time::interval(EVERY);
            loop {
                tokio::select! {
                    why = caller.wait() => {
                        let _ = tx.send(Some(why));
                        return;
                    }
                    _ = tick.tick() => {}
                    _ = tx.closed() => return,
                }
                if let Some(max) = max {
                    let dirs = dirs.clone();
                    let used =
                        tokio::task::spawn_blocking(move || dirs.iter().map(|d| size(d)).sum())
                            .await
                            .unwrap_or(0);
                    if used > max {
                        let _ = tx.send(Some(bytes_reason(max, used)));
                        return;
                    }
                }
            }
        });
        stop
    }
}

/// The directories a capture writes into: its own, and the downloads folder beside it.
fn written_dirs(dir: &Path) -> Vec<PathBuf> {
    vec![dir.to_owned(), dir.with_extension("downloads")]
}

/// The pages visited so far: navigation steps.
fn pages(cap: &Capture) -> u64 {
    cap.records()
        .iter()
        .filter(|r| r.kind == StepKind::Navigate)
        .count() as u64
}

fn pages_reason(max: u64) -> String {
    format!("the capture's page limit of {max} pages was reached")
}

fn bytes_reason(max: u64, used: u64) -> String {
    format!(
        "the capture's disk quota of {} was reached ({} written: network archive, screenshots, downloads and recording)",
        mib(max),
        mib(used)
    )
}

/// `n` bytes in MiB, to a tenth.
fn mib(n: u64) -> String {
    format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20))
}

/// The bytes of the files under `dir` (0 when it does not exist; files that vanish while it is
/// measured are not counted).
pub(super) fn size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_of_a_tree_counts_every_file_once() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(size(&d.path().join("missing")), 0);
        std::fs::write(d.path().join("a"), [0u8; 1000]).unwrap();
        std::fs::create_dir_all(d.path().join("x/y")).unwrap();
        std::fs::write(d.path().join("x/b"), [0u8; 24]).unwrap();
        std::fs::write(d.path().join("x/y/c"), [0u8; 1]).unwrap();
        assert_eq!(size(d.path()), 1025);
    }

    #[test]
    fn reasons_name_the_limit_and_what_was_reached() {
        assert_eq!(
            bytes_reason(50 << 20, (51 << 20) + (1 << 19)),
            "the capture's disk quota of 50.0 MiB was reached (51.5 MiB written: network archive, screenshots, downloads and recording)"
        );
        assert_eq!(
            pages_reason(3),
            "the capture's page limit of 3 pages was reached"
        );
    }

    #[test]
    fn a_quota_stops_the_capture_once_exceeded_and_a_callers_stop_still_stops_it() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("capture");
        std::fs::create_dir_all(&dir).unwrap();
        let limits = Limits {
            max_bytes: Some(1000),
            max_pages: None,
        };
        let (_caller_tx, caller) = Stop::channel();
        let stop = limits.watch(&caller, &dir, rt.handle());
        std::fs::write(dir.join("a"), [0u8; 1000]).unwrap();
        // At the quota: not over it.
        rt.block_on(async { tokio::time::sleep(EVERY * 3).await });
        assert_eq!(stop.requested(), None);
        // Over it, in the downloads folder beside the capture.
        std::fs::create_dir_all(dir.with_extension("downloads")).unwrap();
        std::fs::write(dir.with_extension("downloads").join("f"), [0u8; 1]).unwrap();
        let why =
            rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), stop.wait()).await });
        assert_eq!(why.unwrap(), bytes_reason(1000, 1001));
        // Without a quota, the caller's stop passes through.
        let (caller_tx, caller) = Stop::channel();
        let stop = Limits::default().watch(&caller, &dir, rt.handle());
        caller_tx
            .send(Some("the operator pressed Ctrl-C".into()))
            .unwrap();
        let why =
            rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), stop.wait()).await });
        assert_eq!(why.unwrap(), "the operator pressed Ctrl-C");
    }
}
