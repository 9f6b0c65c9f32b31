//! The verifier page (crates/verify-web, built by scripts/build-verify-page.sh) in headless
//! Chromium: for genuine and tampered packages its result is `webproof verify --json`'s, check
//! for check, and its Content-Security-Policy forbids every connection.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::util::*;

/// The page, built from the sources as they are (a no-op when nothing changed).
fn page() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let st = Command::new("bash")
        .arg(root.join("scripts/build-verify-page.sh"))
        .status()
        .unwrap();
    assert!(st.success(), "scripts/build-verify-page.sh failed");
    root.join("target/verify-page/verify.html")
}

struct Browser {
    c: Client,
    _driver: Reaped,
    _profile: tempfile::TempDir,
}

async fn browser() -> Browser {
    let port = free_port();
    let driver = Reaped(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (package chromium-driver)"),
    );
    // Ready when it accepts a connection.
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--window-size=1280,900",
            format!("--user-data-dir={}", profile.path().display()),
        ]}),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");
    Browser {
        c,
        _driver: driver,
        _profile: profile,
    }
}

impl Browser {
    async fn state(&self) -> String {
        let v = self
            .c
            .execute("return document.body.dataset.state", vec![])
            .await
            .unwrap();
        v.as_str().unwrap_or("").to_owned()
    }

    async fn wait_for(&self, states: &[&str], secs: u64) -> String {
        let t = Instant::now();
        loop {
            let s = self.state().await;
            if states.contains(&s.as_str()) {
                return s;
            }
            assert!(
                t.elapsed() < Duration::from_secs(secs),
                "the page is {s:?}, not {states:?}, after {secs} s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn open(&self) {
        self.c
            .goto(&format!("file://{}", page().display()))
            .await
            .unwrap();
        self.wait_for(&["ready"], 60).await;
    }

    /// Verifies `pkg` on the page, trusting operator `fpr`: the JSON it shows.
    async fn verify(&self, pkg: &Path, fpr: &str) -> serde_json::Value {
        self.verify_trusting(pkg, &[fpr], &[], None).await
    }

    /// Verifies `pkg` on the page, trusting `operators` and `notaries` (fingerprints, one per
    /// line) and the trust bundle file `bundle`: the JSON it shows.
    async fn verify_trusting(
        &self,
        pkg: &Path,
        operators: &[&str],
        notaries: &[&str],
        bundle: Option<&Path>,
    ) -> serde_json::Value {
        // A file input keeps its files until emptied; emptying it is what a user's new choice
        // does too.
        self.c
            .execute(
                "document.getElementById('package').value = '';
                 document.getElementById('bundles').value = '';",
                vec![],
            )
            .await
            .unwrap();
        let input = self.c.find(Locator::Css("#package")).await.unwrap();
        input.send_keys(&pkg.display().to_string()).await.unwrap();
        if let Some(b) = bundle {
            let input = self.c.find(Locator::Css("#bundles")).await.unwrap();
            input.send_keys(&b.display().to_string()).await.unwrap();
        }
        for (id, fprs) in [("#operators", operators), ("#notaries", notaries)] {
            let field = self.c.find(Locator::Css(id)).await.unwrap();
            field.clear().await.unwrap();
            if !fprs.is_empty() {
                field.send_keys(&fprs.join("\n")).await.unwrap();
            }
        }
        self.c
            .execute("document.body.dataset.state = 'asked'", vec![])
            .await
            .unwrap();
        self.c
            .find(Locator::Css("#verify"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let s = self.wait_for(&["done", "error"], 120).await;
        let json = self
            .c
            .execute("return document.getElementById('json').textContent", vec![])
            .await
            .unwrap();
        assert_eq!(s, "done", "{pkg:?}: {json:?}");
        serde_json::from_str(json.as_str().unwrap()).unwrap()
    }
}

/// `webproof verify --json NAME` in the package's directory (so that it names the package as
/// the page does), trusting operator `fpr` only.
fn cli(env: &Env, name: &str, fpr: &str) -> serde_json::Value {
    let out = env
        .cmd()
        .env("WEBPROOF_HOME", env.path().join("no-home"))
        .args(["verify", "--json", name, "--trust-operator", fpr])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify --json {name}: {e}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn same(page: &serde_json::Value, cli: &serde_json::Value, what: &str) {
    let (p, c) = (&page["checks"], &cli["checks"]);
    let ids = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{} {} {}", c["id"], c["subject"], c["verdict"]))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(p), ids(c), "{what}: the checks differ");
    assert_eq!(page, cli, "{what}: the results differ");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_verifier_page_says_what_verify_json_says_for_genuine_and_tampered_packages() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let sample = samples()[0].display().to_string();
    env.ok(&["seal", &sample, "--out", "s.wacz"], 0);
    let genuine = env.path().join("s.wacz");
    // Tampered: a byte of the sealed file changed; a member dropped; the file cut short.
    rewrite_zip(&genuine, &env.path().join("changed.wacz"), |name, bytes| {
        if name.starts_with("artifacts/") && !bytes.is_empty() {
            bytes[0] ^= 1;
        }
    });
    rewrite_zip_without(&genuine, &env.path().join("dropped.wacz"), "manifest.json");
    let all = std::fs::read(&genuine).unwrap();
    env.write("cut.wacz", &all[..all.len() - 100]);

    let b = browser().await;
    b.open().await;
    // Every connection is forbidden by the page itself.
    let csp =
        b.c.execute(
            "return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content",
            vec![],
        )
        .await
        .unwrap();
    let csp = csp.as_str().unwrap().to_owned();
    assert!(csp.contains("connect-src 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");

    for name in ["s.wacz", "changed.wacz", "dropped.wacz", "cut.wacz"] {
        let page = b.verify(&env.path().join(name), &fpr).await;
        same(&page, &cli(&env, name, &fpr), name);
    }
    let genuine = b.verify(&env.path().join("s.wacz"), &fpr).await;
    assert_eq!(genuine["verdict"], "pass", "{genuine:#}");
    // It says how much memory the verifier held: the package is small, and so is that.
    let memory =
        b.c.execute("return Number(document.body.dataset.memory)", vec![])
            .await
            .unwrap()
            .as_f64()
            .unwrap();
    assert!(memory > 0.0 && memory < 64.0 * 1048576.0, "{memory}");
    let _ = b.c.close().await;
}

/// The packages the verifier's own tests verify — genuine, tampered, and every hostile variant
/// of the package-integrity tests (crates/verify/tests: hostile, differential, sealed, signers,
/// receipts, renewals, outcome) — kept with what each test trusted (WEBPROOF_PACKAGE_CORPUS,
/// crates/verify/tests/common), verified on the page and by `webproof verify --json` with the
/// same trust: the two say the same, check for check.
#[tokio::test(flavor = "multi_thread")]
async fn the_verifier_page_says_what_verify_json_says_for_every_package_the_verifiers_tests_make() {
    let env = Env::new();
    let corpus = env.path().join("corpus");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["test", "--locked", "-p", "webproof-verify", "--tests"])
        .env("WEBPROOF_PACKAGE_CORPUS", &corpus)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the verifier's tests failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut packages: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wacz"))
        .collect();
    packages.sort();
    // The corpus holds what those tests make: well over a hundred distinct packages.
    assert!(packages.len() > 150, "only {} packages", packages.len());

    let b = browser().await;
    b.open().await;
    let (mut passed, mut failed, mut with_bundle) = (0, 0, 0);
    for pkg in &packages {
        let name = pkg.file_name().unwrap().to_str().unwrap();
        let trust_file = pkg.with_extension("trust.json");
        let trust: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&trust_file).unwrap()).unwrap();
        let list = |k: &str| -> Vec<String> {
            trust[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        let (operators, notaries) = (list("operators"), list("notaries"));
        let bundle = (!trust["bundle"].is_null()).then(|| {
            let p = pkg.with_extension("bundle.json");
            std::fs::write(&p, serde_json::to_vec(&trust["bundle"]).unwrap()).unwrap();
            p
        });
        let mut args = vec!["verify".to_owned(), "--json".into(), name.into()];
        for f in &operators {
            args.extend(["--trust-operator".into(), f.clone()]);
        }
        for f in &notaries {
            args.extend(["--trust-notary".into(), f.clone()]);
        }
        if let Some(p) = &bundle {
            args.extend(["--trust-bundle".into(), p.display().to_string()]);
            with_bundle += 1;
        }
        let cli = env
            .cmd()
            .env("WEBPROOF_HOME", env.path().join("no-home"))
            .current_dir(&corpus)
            .args(&args)
            .output()
            .unwrap();
        let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap_or_else(|e| {
            panic!(
                "webproof {args:?}: {e}\n{}",
                String::from_utf8_lossy(&cli.stderr)
            )
        });
        fn refs(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        let page = b
            .verify_trusting(pkg, &refs(&operators), &refs(&notaries), bundle.as_deref())
            .await;
        same(
            &page,
            &cli,
            &format!("{name} (from test {})", trust["test"]),
        );
        if page["verdict"] == "pass" {
            passed += 1;
        } else if page["verdict"] == "fail" {
            failed += 1;
        }
    }
    eprintln!(
        "{} packages: {passed} pass, {failed} fail, {with_bundle} with a trust bundle",
        packages.len()
    );
    // Not a corpus of one kind: genuine packages pass, most fail, some need a bundle's trust.
    assert!(
        passed >= 5 && failed >= 100,
        "{passed} passed, {failed} failed"
    );
    assert!(with_bundle >= 10, "{with_bundle} with a trust bundle");
    let _ = b.c.close().await;
}

/// `log serve --verify-page` serves the page at /verify and the trust bundle beside it;
/// `report`, on a machine whose config.toml names that log, points to both, and its QR code
/// is the page's address with the package's SHA-256: opened in a browser, the page from the
/// log verifies as the CLI does and says whether the file chosen is the one the report names.
#[tokio::test(flavor = "multi_thread")]
async fn the_log_serves_the_page_and_the_reports_qr_code_opens_it_with_the_packages_digest() {
    use crate::witness::{get, serve};
    let page_file = page();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let sample = samples()[0].display().to_string();
    env.ok(&["seal", &sample, "--out", "s.wacz"], 0);
    let other = env.write("other.txt", b"another file");
    env.ok(&["seal", other.to_str().unwrap(), "--out", "other.wacz"], 0);

    let (_log, url, _) = serve(
        &env,
        &[
            "log",
            "serve",
            "--origin",
            "log.alliance.test/page",
            "--listen",
            "127.0.0.1:0",
            "--verify-page",
            page_file.to_str().unwrap(),
        ],
    );
    let base = url.trim_end_matches('/').to_owned();
    let (code, served) = get(&format!("{base}/verify"));
    assert_eq!(code, 200);
    assert!(
        served.as_bytes() == std::fs::read(&page_file).unwrap(),
        "/verify is not the page"
    );
    let (code, bundle) = get(&format!("{base}/trust-bundle.json"));
    assert_eq!(code, 200, "{bundle}");
    env.write("bundle.json", bundle.as_bytes());
    // A file that is not the page is refused, not served.
    let o = env.run(&[
        "log",
        "serve",
        "--origin",
        "log.alliance.test/page",
        "--listen",
        "127.0.0.1:0",
        "--verify-page",
        other.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not webproof's verifier page"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // The report of a machine that deposits to that log.
    let config = env.home().join("config.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap_or_default();
    toml.push_str(&format!("\n[log]\nurl = \"{url}\"\n"));
    std::fs::write(&config, toml).unwrap();
    env.ok(&["report", "s.wacz", "--pdf", "s.pdf"], 0);
    let html = std::fs::read_to_string(env.path().join("s.report.html")).unwrap();
    assert!(
        html.contains(&format!("{base}/verify")),
        "the page's address"
    );
    assert!(
        html.contains(&format!("{base}/trust-bundle.json")),
        "the bundle's address"
    );
    let o = tool(
        "pdftoppm",
        &["-png", "-r", "150", "-f", "1", "-l", "1", "s.pdf", "page"],
        env.path(),
    );
    assert!(o.status.success());
    let o = tool("zbarimg", &["-q", "--raw", "page-1.png"], env.path());
    let qr = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    let o = tool("sha256sum", &["s.wacz"], env.path());
    let sha = String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(qr, format!("{base}/verify#sha256={sha}"));

    // The QR code's address in a browser.
    let b = browser().await;
    b.c.goto(&qr).await.unwrap();
    b.wait_for(&["ready"], 60).await;
    let shown = |id: &'static str| {
        let c = b.c.clone();
        async move {
            c.execute(
                &format!("return document.getElementById('{id}').textContent"),
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
        }
    };
    assert!(shown("expected").await.contains(&sha), "the digest named");
    let bundle_file = env.path().join("bundle.json");
    for (name, same) in [("s.wacz", "same"), ("other.wacz", "different")] {
        let page = b
            .verify_trusting(&env.path().join(name), &[&fpr], &[], Some(&bundle_file))
            .await;
        let o = env
            .cmd()
            .env("WEBPROOF_HOME", env.path().join("no-home"))
            .args(["verify", "--json", name, "--trust-operator", &fpr])
            .args(["--trust-bundle", "bundle.json"])
            .output()
            .unwrap();
        let cli: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        self::same(&page, &cli, name);
        let said =
            b.c.execute("return document.body.dataset.digest", vec![])
                .await
                .unwrap();
        assert_eq!(said, same, "{name}");
        let digest = shown("digest").await;
        if same == "same" {
            assert!(digest.contains(&sha), "{digest}");
        } else {
            assert!(digest.contains("NOT"), "{digest}");
        }
    }
    let _ = b.c.close().await;
}
