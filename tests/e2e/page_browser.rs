//! The verifier page (target/verify-page/verify.html, built by scripts/build-verify-page.sh)
//! driven in headless Chromium through chromedriver: choose a package, trust, verify, read
//! the JSON it shows. Shared by the page's end-to-end tests and its benchmark
//! (tests/benches/verify_page.rs).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::util::{Reaped, free_port};

/// The page, built from the sources as they are (a no-op when nothing changed).
pub fn page() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let st = Command::new("bash")
        .arg(root.join("scripts/build-verify-page.sh"))
        .status()
        .unwrap();
    assert!(st.success(), "scripts/build-verify-page.sh failed");
    root.join("target/verify-page/verify.html")
}

pub struct Browser {
    pub c: Client,
    _driver: Reaped,
    _profile: tempfile::TempDir,
}

pub async fn browser() -> Browser {
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
    pub async fn state(&self) -> String {
        let v = self
            .c
            .execute("return document.body.dataset.state", vec![])
            .await
            .unwrap();
        v.as_str().unwrap_or("").to_owned()
    }

    pub async fn wait_for(&self, states: &[&str], secs: u64) -> String {
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

    pub async fn open(&self) {
        self.c
            .goto(&format!("file://{}", page().display()))
            .await
            .unwrap();
        self.wait_for(&["ready"], 60).await;
    }

    /// Verifies `pkg` on the page, trusting operator `fpr`: the JSON it shows.
    pub async fn verify(&self, pkg: &Path, fpr: &str) -> serde_json::Value {
        self.verify_trusting(pkg, &[fpr], &[], None).await
    }

    /// Verifies `pkg` on the page, trusting `operators` and `notaries` (fingerprints, one per
    /// line) and the trust bundle file `bundle`: the JSON it shows.
    pub async fn verify_trusting(
        &self,
        pkg: &Path,
        operators: &[&str],
        notaries: &[&str],
        bundle: Option<&Path>,
    ) -> serde_json::Value {
        self.choose(pkg, operators, notaries, bundle).await;
        self.press("#verify").await;
        self.shown_json(pkg).await
    }

    /// Types `text` into the field `css` (what was there goes).
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.c.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        if !text.is_empty() {
            field.send_keys(text).await.unwrap();
        }
    }

    /// Chooses the package `pkg` and the trust on the page.
    async fn choose(
        &self,
        pkg: &Path,
        operators: &[&str],
        notaries: &[&str],
        bundle: Option<&Path>,
    ) {
        // A file input keeps its files until emptied; emptying it is what a user's new choice
        // does too.
        self.c
            .execute(
                "for (const id of ['package', 'bundles', 'one']) document.getElementById(id).value = '';",
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
    }

    /// Presses the button `css` and waits for the page to have answered.
    async fn press(&self, css: &str) {
        self.c
            .execute("document.body.dataset.state = 'asked'", vec![])
            .await
            .unwrap();
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.wait_for(&["done", "error"], 120).await;
    }

    /// "Check one file": the file `one` in the package `pkg` under the trust given; what the
    /// page says of it (its text, whether found, how many trusted deposits name it) and the
    /// package's verification it shows.
    pub async fn find_one(
        &self,
        pkg: &Path,
        one: &Path,
        operators: &[&str],
        bundle: Option<&Path>,
    ) -> (String, String, String, serde_json::Value) {
        self.choose(pkg, operators, &[], bundle).await;
        // The driver takes only canonical paths.
        let one = std::fs::canonicalize(one).unwrap();
        let input = self.c.find(Locator::Css("#one")).await.unwrap();
        input.send_keys(&one.display().to_string()).await.unwrap();
        self.press("#find").await;
        let read = |js: &'static str| {
            let c = self.c.clone();
            async move {
                let v = c.execute(js, vec![]).await.unwrap();
                v.as_str().unwrap_or_default().to_owned()
            }
        };
        let text = read("return document.getElementById('found').textContent").await;
        let found = read("return document.body.dataset.found").await;
        let deposited = read("return document.body.dataset.deposited").await;
        (text, found, deposited, self.shown_json(pkg).await)
    }

    /// The JSON the page shows, once it answered without an error.
    async fn shown_json(&self, pkg: &Path) -> serde_json::Value {
        let s = self.state().await;
        let json = self
            .c
            .execute("return document.getElementById('json').textContent", vec![])
            .await
            .unwrap();
        assert_eq!(s, "done", "{pkg:?}: {json:?}");
        serde_json::from_str(json.as_str().unwrap()).unwrap()
    }
}
