//! The browser's child processes, each started in a process group of its own: Xvfb in one,
//! chromedriver in another — and with it Chromium and every helper Chromium starts, which
//! inherit chromedriver's group. So:
//!
//! - Ctrl-C at the operator's terminal (SIGINT to the terminal's foreground group) reaches
//!   webproof alone; webproof then ends the session in order (recording, network archive,
//!   browser, display) instead of every process dying at once mid-write;
//! - stopping a group stops every process in it, however many Chromium started: [`Group`]
//!   asks with SIGTERM, and after a grace period ends what is left with SIGKILL, when it is
//!   dropped — on every path out of a session, error or not;
//! - [`stop_all`] is there for a last resort (a second Ctrl-C while sealing): it kills every
//!   group still alive before the process exits without unwinding.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process_group, test_kill_process_group};
use tokio::process::{Child, Command};

/// The process groups of this process's live children (their group ids).
static LIVE: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// How long a group gets between SIGTERM and SIGKILL.
pub const GRACE: Duration = Duration::from_secs(3);

/// A child process leading a process group of its own.
pub struct Group {
    child: Child,
    pgid: Option<Pid>,
}

impl Group {
    /// Spawns `cmd` as the leader of a new process group.
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Group> {
        let child = cmd.process_group(0).kill_on_drop(true).spawn()?;
        let pgid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(Pid::from_raw);
        if let Some(p) = pgid
            && let Ok(mut live) = LIVE.lock()
        {
            live.push(p.as_raw_nonzero().get());
        }
        Ok(Group { child, pgid })
    }

    /// The group leader (to wait for it or ask whether it has exited).
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Stops every process of the group: SIGTERM, then SIGKILL for what is left after
    /// `grace`. Returns once the group is empty or SIGKILL was sent.
    pub fn stop(&mut self, grace: Duration) {
        let Some(pgid) = self.pgid.take() else {
            return;
        };
        forget(pgid);
        if kill_process_group(pgid, Signal::TERM).is_err() {
            return; // nobody left in the group
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            // The leader is ours to reap; once it is gone (and reaped) only its descendants
            // can hold the group.
            let _ = self.child.try_wait();
            if test_kill_process_group(pgid).is_err() || only_zombies(pgid) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = kill_process_group(pgid, Signal::KILL);
        let _ = self.child.try_wait();
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.stop(GRACE);
    }
}

fn forget(pgid: Pid) {
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|p| *p != pgid.as_raw_nonzero().get());
    }
}

/// Whether every process still in group `pgid` has exited and waits only to be reaped by its
/// new parent (a zombie runs nothing and holds nothing).
fn only_zombies(pgid: Pid) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    let want = pgid.as_raw_nonzero().get();
    for e in entries.flatten() {
        if !e
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
        let mut rest = match stat.rsplit_once(')') {
            Some((_, rest)) => rest.split_whitespace(),
            None => continue,
        };
        let state = rest.next();
        let pgrp = rest.nth(1).and_then(|p| p.parse::<i32>().ok());
        if pgrp == Some(want) && state != Some("Z") {
            return false;
        }
    }
    true
}

/// Kills (SIGKILL) every child process group still alive. For a process about to exit
/// without running destructors; a session that ends normally stops its groups itself.
pub fn stop_all() {
    let groups = match LIVE.lock() {
        Ok(mut live) => std::mem::take(&mut *live),
        Err(_) => return,
    };
    for g in groups {
        if let Some(p) = Pid::from_raw(g) {
            let _ = kill_process_group(p, Signal::KILL);
        }
    }
}
