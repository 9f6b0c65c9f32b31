//! A throwaway PostgreSQL server for tests: Debian's binaries (`apt-get install postgresql`),
//! `initdb` into a temporary directory, listening on a free loopback port only, stopped and
//! removed when dropped. PostgreSQL refuses to run as root: as root, it runs as the `postgres`
//! user the Debian package creates.
#![allow(dead_code)]

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Postgres {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
    user: Option<(u32, u32)>,
    /// Settings the server was started with (`-c name=value` pairs), for a restart.
    extra: Vec<String>,
}

/// The directory of the newest PostgreSQL's programs.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed (apt-get install postgresql; scripts/install-deps.sh)")
        .filter_map(|e| {
            let e = e.ok()?;
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("no PostgreSQL version under /usr/lib/postgresql")
        .1
}

/// The uid and gid to run as: the `postgres` user when this process is root.
fn run_as() -> Option<(u32, u32)> {
    let me = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&me.stdout).trim() != "0" {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.starts_with("postgres:"))?;
    let f: Vec<&str> = line.split(':').collect();
    Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?))
}

fn command(bin: &Path, user: Option<(u32, u32)>) -> Command {
    let mut c = Command::new(bin);
    if let Some((uid, gid)) = user {
        c.uid(uid).gid(gid);
    }
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A directory for a cluster, under /tmp, which every user can traverse (a root's TMPDIR may
/// not be), owned by the user the server runs as.
fn tmp_dir(user: Option<(u32, u32)>) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("webproof-pg-")
        .tempdir_in("/tmp")
        .expect("a temporary directory");
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown");
    }
    dir
}

impl Postgres {
    pub fn start() -> Postgres {
        Postgres::start_with(&[])
    }

    /// A server started with `extra` settings (`["-c", "name=value", …]`).
    pub fn start_with(extra: &[&str]) -> Postgres {
        let bin = bin_dir();
        let user = run_as();
        let dir = tmp_dir(user);
        let data = dir.path().join("data");
        let out = command(&bin.join("initdb"), user)
            .arg("-D")
            .arg(&data)
            .args([
                "--auth=trust",
                "-U",
                "webproof",
                "--encoding=UTF8",
                "--locale=C",
            ])
            .arg("--no-sync")
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Postgres::launch(
            bin,
            user,
            dir,
            extra.iter().map(|s| (*s).to_owned()).collect(),
        )
    }

    /// The server on the cluster in `dir`/data, on a free port, once it takes connections.
    fn launch(
        bin: PathBuf,
        user: Option<(u32, u32)>,
        dir: tempfile::TempDir,
        extra: Vec<String>,
    ) -> Postgres {
        let port = free_port();
        let child = spawn(&bin, user, dir.path(), port, &extra);
        let pg = Postgres {
            child,
            port,
            dir,
            bin,
            user,
            extra,
        };
        pg.wait_ready();
        pg
    }

    /// Stops the server at once (SIGQUIT: immediate shutdown, as in a crash: what was
    /// committed is in the write-ahead log, nothing else).
    pub fn stop_now(&mut self) {
        let _ = Command::new("kill")
            .args(["-QUIT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }

    /// Starts the server again on its data and port; returns once it takes connections.
    pub fn start_again(&mut self) {
        self.child = spawn(
            &self.bin,
            self.user,
            self.dir.path(),
            self.port,
            &self.extra,
        );
        self.wait_ready();
    }

    /// Waits until the server takes connections. (The synchronous client runs a runtime of its
    /// own, which tokio does not allow inside an async test: these run on a thread of their
    /// own.)
    fn wait_ready(&self) {
        std::thread::scope(|s| s.spawn(|| self.connect_when_up()).join())
            .expect("PostgreSQL readiness check");
    }

    fn connect_when_up(&self) {
        let t0 = Instant::now();
        loop {
            match postgres::Client::connect(&self.url("postgres"), postgres::NoTls) {
                Ok(_) => return,
                Err(e) => {
                    assert!(
                        t0.elapsed() < Duration::from_secs(30),
                        "PostgreSQL did not accept connections: {e}\n{}",
                        self.log()
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    /// What the server wrote to its log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
    }

    /// The URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://webproof@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates database `name`; returns its URL.
    pub fn create_db(&self, name: &str) -> String {
        std::thread::scope(|s| s.spawn(|| self.create(name)).join()).expect("create a database")
    }

    fn create(&self, name: &str) -> String {
        let mut c = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("connect to the server");
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the database");
        self.url(name)
    }
}

impl Postgres {
    /// Makes every commit on this primary wait for one synchronous standby
    /// (`synchronous_standby_names = '*'`, `synchronous_commit = on`), as docs/deploy-alliance.md
    /// says; returns once a standby streams synchronously. Call it after the standby is up: a
    /// primary set so with no standby holds every commit.
    pub fn require_sync_standby(&self) {
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut c = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
                    .expect("connect to the primary");
                c.batch_execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
                    .expect("set synchronous replication");
                c.batch_execute("SELECT pg_reload_conf()")
                    .expect("reload the configuration");
                let t0 = Instant::now();
                loop {
                    let n: i64 = c
                        .query_one(
                            "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'",
                            &[],
                        )
                        .expect("read pg_stat_replication")
                        .get(0);
                    if n > 0 {
                        return;
                    }
                    assert!(
                        t0.elapsed() < Duration::from_secs(30),
                        "no synchronous standby after 30 s\n{}",
                        self.log()
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
            .join()
        })
        .expect("synchronous replication");
    }

    /// A streaming standby of `primary` (pg_basebackup -R), started and ready (read-only).
    pub fn standby_of(primary: &Postgres) -> Postgres {
        let bin = bin_dir();
        let user = run_as();
        let dir = tmp_dir(user);
        let out = command(&bin.join("pg_basebackup"), user)
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port.to_string(),
                "-U",
                "webproof",
            ])
            .arg("-D")
            .arg(dir.path().join("data"))
            .args(["-R", "-X", "stream", "--no-sync", "--checkpoint=fast"])
            .output()
            .expect("pg_basebackup runs");
        assert!(
            out.status.success(),
            "pg_basebackup: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Postgres::launch(bin, user, dir, Vec::new())
    }

    /// Kills the server and its backends with SIGKILL (a machine lost: a backend left alone
    /// would go on serving its connection until it noticed its postmaster gone).
    pub fn kill(&mut self) {
        let _ = Command::new("pkill")
            .args(["-KILL", "-P", &self.child.id().to_string()])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Promotes this standby to primary; returns once it takes writes.
    pub fn promote(&self) {
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut c = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
                    .expect("connect to the standby");
                let done: bool = c
                    .query_one("SELECT pg_promote(true, 30)", &[])
                    .expect("pg_promote")
                    .get(0);
                assert!(done, "the standby was not promoted within 30 s");
            })
            .join()
        })
        .expect("promote");
    }
}

/// The server on the cluster in `dir`/data, logging to `dir`/postgres.log.
fn spawn(bin: &Path, user: Option<(u32, u32)>, dir: &Path, port: u16, extra: &[String]) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("postgres.log"))
        .expect("a log file");
    command(&bin.join("postgres"), user)
        .arg("-D")
        .arg(dir.join("data"))
        .args(["-p", &port.to_string()])
        .args(["-c", "listen_addresses=127.0.0.1"])
        .args(["-c", "unix_socket_directories="])
        .args(["-c", "max_connections=200"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("postgres starts")
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return; // killed already
        }
        // SIGQUIT: immediate shutdown (the data is thrown away with the directory).
        let _ = Command::new("kill")
            .args(["-QUIT", &self.child.id().to_string()])
            .status();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
