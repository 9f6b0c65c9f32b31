//! A tiny harness: a temporary WEBPROOF_HOME and the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const PASS: &str = "e2e passphrase";

/// target/<profile>/webproof. `cargo test --workspace` does not build another package's
/// binary for integration tests, so the workspace's binaries (webproof and webproof-app) are
/// built here once, by the very command scripts/test.sh runs before the tests: that one finds
/// them current. (`-p webproof` alone would resolve other features and rebuild dozens of
/// crates into target/ beside the first build: minutes and a gigabyte for nothing.)
pub fn bin() -> PathBuf {
    static BUILD: std::sync::Once = std::sync::Once::new();
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let p = dir.join("webproof");
    BUILD.call_once(|| {
        let mut c = Command::new(env!("CARGO"));
        c.args(["build", "--quiet", "--workspace", "--bins", "--locked"]);
        if dir.file_name().is_some_and(|n| n == "release") {
            c.arg("--release");
        }
        let st = c
            .status()
            .expect("running cargo build for the workspace's binaries");
        assert!(st.success(), "building the workspace's binaries failed");
    });
    assert!(p.exists(), "{} is missing", p.display());
    p
}

/// A loopback port nothing listens on (now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Env {
    pub tmp: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        Env {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn home(&self) -> PathBuf {
        self.path().join("home")
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(bin());
        c.env("WEBPROOF_HOME", self.home())
            .env("WEBPROOF_PASSPHRASE", PASS)
            .env_remove("WEBPROOF_NOTARY_PASSPHRASE")
            // English unless a test asks for another language (the tester's locale aside).
            .env("WEBPROOF_LANG", "en")
            .current_dir(self.path());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs and asserts the exit code, returning stdout.
    pub fn ok(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "webproof {args:?}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn init_operator(&self, alg: &str) -> String {
        self.ok(
            &[
                "operator",
                "init",
                "--name",
                "E2E Operator",
                "--org",
                "Test Agency",
                "--id-number",
                "110101199003071234",
                "--algorithm",
                alg,
            ],
            0,
        );
        self.ok(&["operator", "show", "--fingerprint"], 0)
            .trim()
            .to_owned()
    }
}

/// The sample files shipped in samples/.
pub fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

pub fn tool(name: &str, args: &[&str], cwd: &Path) -> Output {
    Command::new(name)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| {
            panic!("`{name}` is needed for this test (scripts/install-deps.sh installs it): {e}")
        })
}

/// Extracts a package with the zip crate (tests only; webproof itself never extracts).
pub fn unzip(wacz: &Path, to: &Path) {
    let mut a = zip::ZipArchive::new(std::fs::File::open(wacz).unwrap()).unwrap();
    a.extract(to).unwrap();
}

/// Copies a package entry by entry into `dst` (stored, a well-formed ZIP), letting `change`
/// alter any entry's bytes: how the tests tamper with packages.
pub fn rewrite_zip(src: &Path, dst: &Path, mut change: impl FnMut(&str, &mut Vec<u8>)) {
    rewrite_zip_keeping(src, dst, |n, b| {
        change(n, b);
        true
    });
}

/// A copy of a package without the entry `drop`.
pub fn rewrite_zip_without(src: &Path, dst: &Path, drop: &str) {
    rewrite_zip_keeping(src, dst, |n, _| n != drop);
}

/// A copy of a package whose entries `change` may alter, or drop by returning false.
pub fn rewrite_zip_keeping(
    src: &Path,
    dst: &Path,
    mut change: impl FnMut(&str, &mut Vec<u8>) -> bool,
) {
    use std::io::Read;
    let mut a = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut kept: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..a.len() {
        let mut e = a.by_index(i).unwrap();
        let name = e.name().unwrap().into_owned();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        if change(&name, &mut b) {
            kept.push((name, b));
        }
    }
    // Written in webproof's one container form, so that what the verifier then finds is
    // the change itself, not the way the copy was zipped.
    kept.sort_by(|x, y| x.0.cmp(&y.0));
    let refs: Vec<(&str, &[u8])> = kept
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    webproof_evidence::container::write_all(
        std::fs::File::create(dst).unwrap(),
        &refs,
        webproof_evidence::container::Form::WEBPROOF,
    )
    .unwrap();
}

/// The bytes of one entry of a package.
pub fn entry(wacz: &Path, name: &str) -> Vec<u8> {
    use std::io::Read;
    let mut a = zip::ZipArchive::new(std::fs::File::open(wacz).unwrap()).unwrap();
    let mut v = Vec::new();
    a.by_name(name).unwrap().read_to_end(&mut v).unwrap();
    v
}

/// The step records of a package's journal, parsed.
pub fn journal(wacz: &Path) -> Vec<serde_json::Value> {
    String::from_utf8(entry(wacz, "evidence/journal.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The kinds of a package's steps, in order.
pub fn kinds(wacz: &Path) -> Vec<String> {
    journal(wacz)
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// A child process killed and reaped when dropped (servers a test starts).
pub struct Reaped(pub std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A child started as the leader of its own process group (`process_group(0)`), killed with
/// everything it started when dropped: tauri-driver's WebKitWebDriver outlived a kill of
/// tauri-driver alone.
pub struct ReapedGroup(pub std::process::Child);

impl Drop for ReapedGroup {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(std::process::Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The WACZ validator from PyPI accepts the package `name` in the test's directory.
pub fn assert_wacz_valid(env: &Env, name: &str) {
    let o = tool("wacz", &["validate", "-f", name], env.path());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("Validation succeeded"),
        "{name}: {out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `webproof verify ARGS --json` in `env`, asserting the exit code; its checks.
pub fn checks(env: &Env, args: &[&str], code: i32) -> Vec<serde_json::Value> {
    let mut all = vec!["verify"];
    all.extend(args);
    all.push("--json");
    let out = env.ok(&all, code);
    // The document is the engine's typed contract, which the app reads.
    let typed: webproof_engine::verification::Verification = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("verify --json is not a Verification ({e}): {out}"));
    assert_eq!(
        typed.checks.len(),
        typed.checks.iter().filter(|c| !c.name.is_empty()).count()
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], serde_json::to_value(typed.verdict).unwrap());
    let checks = v["checks"].as_array().unwrap().clone();
    // Every check says itself in the catalogue (else a Chinese reader would get English).
    for c in &checks {
        assert!(
            c["message"]["key"].is_string(),
            "a check without a catalogue message: {c}"
        );
    }
    checks
}

/// `webproof capture URL --out OUT --headless --no-video` in `env`, which must succeed.
pub fn capture_headless(env: &Env, url: &str, out: &str) {
    let o = env.run(&["capture", url, "--out", out, "--headless", "--no-video"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Asserts that process names (`/proc/PID/comm`) include chromedriver and a browser of at
/// least three processes.
pub fn assert_browser_among<S: AsRef<str>>(names: &[S]) {
    let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    assert!(
        names.iter().any(|n| n.contains("chromedriver")),
        "no chromedriver among {names:?}"
    );
    assert!(
        names.iter().filter(|n| n.contains("chrom")).count() >= 3,
        "too few browser processes among {names:?}"
    );
}

/// Process `pid`'s state letter (`R`, `S`, `Z`, …) and parent, from /proc/PID/stat; `None`
/// when it is gone.
pub fn proc_stat(pid: u32) -> Option<(String, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid …; comm may hold spaces and parentheses.
    let mut rest = stat.rsplit_once(')')?.1.split_whitespace();
    let state = rest.next()?.to_owned();
    let ppid = rest.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Process `pid`'s name (/proc/PID/comm); empty when it is gone.
pub fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The process ids below `root` (its children, theirs, …), from /proc.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut parent = std::collections::HashMap::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Some((_, ppid)) = proc_stat(pid) {
            parent.insert(pid, ppid);
        }
    }
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (c, pp) in &parent {
            if *pp == p && !out.contains(c) {
                out.push(*c);
                frontier.push(*c);
            }
        }
    }
    out
}

/// Asserts that `needle` is nowhere in the package `wacz`: every member searched as stored and
/// decoded (PDF text through pdftotext, MHTML's quoted-printable undone).
pub fn assert_nowhere_in_package(env: &Env, wacz: &Path, needle: &[u8]) {
    let mut a = zip::ZipArchive::new(std::fs::File::open(wacz).unwrap()).unwrap();
    let names: Vec<String> = a.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert!(names.iter().any(|n| n == "archive/data.warc"));
    for name in &names {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut a.by_name(name).unwrap(), &mut bytes).unwrap();
        let mut views = vec![bytes.clone(), quoted_printable_decoded(&bytes)];
        if name.ends_with(".pdf") {
            let p = env.path().join("member.pdf");
            std::fs::write(&p, &bytes).unwrap();
            let o = Command::new("pdftotext").arg(&p).arg("-").output().unwrap();
            views.push(o.stdout);
        }
        for v in views {
            assert!(
                !v.windows(needle.len()).any(|w| w == needle),
                "{} is in {name}",
                String::from_utf8_lossy(needle)
            );
        }
    }
}

/// `bytes` with quoted-printable soft line breaks and `=XX` escapes undone.
fn quoted_printable_decoded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if bytes[i + 1..].starts_with(b"\n") {
                i += 2;
                continue;
            }
            if let Some(h) = bytes.get(i + 1..i + 3)
                && let Ok(v) = u8::from_str_radix(&String::from_utf8_lossy(h), 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The text of the QR code on page 1 of the PDF `pdf` in `env` (rendered by poppler's
/// pdftoppm, read by zbarimg).
pub fn qr_of_first_page(env: &Env, pdf: &str) -> String {
    let o = tool(
        "pdftoppm",
        &["-png", "-r", "150", "-f", "1", "-l", "1", pdf, "page"],
        env.path(),
    );
    assert!(o.status.success());
    let o = tool("zbarimg", &["-q", "--raw", "page-1.png"], env.path());
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

/// `sha256sum FILE` in `env`: the file's SHA-256 (hex), as coreutils computes it.
pub fn sha256sum(env: &Env, file: &str) -> String {
    let o = tool("sha256sum", &[file], env.path());
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}
