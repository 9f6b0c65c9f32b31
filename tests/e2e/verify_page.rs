//! The verifier page (crates/verify-web, built by scripts/build-verify-page.sh) in headless
//! Chromium: for genuine and tampered packages its result is `webproof verify --json`'s, check
//! for check, and its Content-Security-Policy forbids every connection.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::page_browser::{browser, page};
use crate::util::*;

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
    let other = env.write("other.txt", b"another file");

    let log_serve = |page: &Path| {
        [
            "log",
            "serve",
            "--origin",
            "log.alliance.test/page",
            "--listen",
            "127.0.0.1:0",
            "--verify-page",
        ]
        .map(str::to_owned)
        .into_iter()
        .chain([page.display().to_string()])
        .collect::<Vec<String>>()
    };
    let args = log_serve(&page_file);
    let (_log, url, log_vkey) = serve(&env, &args.iter().map(String::as_str).collect::<Vec<_>>());
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
    let o = env.run(
        &log_serve(&other)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not webproof's verifier page"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // A machine that deposits to that log: its packages carry receipts whose deposits name
    // their files by digest; its reports point to the log's page.
    let config = env.home().join("config.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap_or_default();
    toml.push_str(&format!("\n[log]\nurl = \"{url}\"\nkey = \"{log_vkey}\"\n"));
    std::fs::write(&config, toml).unwrap();
    env.ok(&["seal", &sample, "--out", "s.wacz"], 0);
    env.ok(&["seal", other.to_str().unwrap(), "--out", "other.wacz"], 0);
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
    let qr = qr_of_first_page(&env, "s.pdf");
    let sha = sha256sum(&env, "s.wacz");
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

    // Check one file: the sealed sample is in s.wacz, recorded by its step 0 and named by
    // its digests in the deposit its receipt proves; another file is not in it.
    let s_wacz = env.path().join("s.wacz");
    let (text, found, deposited, shown) = b
        .find_one(&s_wacz, Path::new(&sample), &[&fpr], Some(&bundle_file))
        .await;
    assert_eq!((found.as_str(), deposited.as_str()), ("yes", "1"), "{text}");
    assert!(text.contains("recorded by step 0 (file"), "{text}");
    assert!(
        text.contains("log.alliance.test/page") && text.contains("PASS"),
        "{text}"
    );
    assert_eq!(shown["verdict"], "pass", "{shown:#}");
    let (text, found, deposited, _) = b
        .find_one(&s_wacz, &other, &[&fpr], Some(&bundle_file))
        .await;
    assert_eq!((found.as_str(), deposited.as_str()), ("no", "0"), "{text}");
    assert!(text.starts_with("Not in this package"), "{text}");

    // The log's key entered by hand instead of the bundle: as `verify --trust-log`.
    b.fill("#logs", &log_vkey).await;
    let page = b.verify_trusting(&s_wacz, &[&fpr], &[], None).await;
    let o = env
        .cmd()
        .env("WEBPROOF_HOME", env.path().join("no-home"))
        .args(["verify", "--json", "s.wacz", "--trust-operator", &fpr])
        .args(["--trust-log", &log_vkey])
        .output()
        .unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    self::same(&page, &cli, "s.wacz, the log's key by hand");
    assert_eq!(page["verdict"], "pass", "{page:#}");
    b.fill("#logs", "not a key").await;
    b.c.execute("document.body.dataset.state = 'asked'", vec![])
        .await
        .unwrap();
    b.c.find(fantoccini::Locator::Css("#verify"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(b.wait_for(&["done", "error"], 60).await, "error");
    let said =
        b.c.execute(
            "return document.getElementById('error').textContent",
            vec![],
        )
        .await
        .unwrap();
    let said = said.as_str().unwrap().to_owned();
    assert!(
        said.starts_with("the keys and certificates entered by hand"),
        "{said}"
    );
    let _ = b.c.close().await;
}
