//! The desktop app, end to end, as a new user meets it: the built `webproof-app` in a private
//! Xvfb display, driven through tauri-driver and WebKitWebDriver (Debian's webkit2gtk-driver),
//! against `webproof dev up` (TSAs, evidence log, witnesses) and the demo site on loopback.
//! In the window only: create the operator identity, enroll it with the registrar's code,
//! create a case, run a manual capture (screenshot now, a note, finish), watch it seal,
//! verify the package, then verify a tampered copy and see the failure; then the same screens
//! in Chinese with a profile-driven capture. Every screen is saved as a PNG under
//! target/app-screens/ (en-*.png, zh-CN-*.png).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::util::*;

/// target/<profile>/webproof-app, built with webproof by `bin()` (the front end, ui/dist, must
/// have been built first: scripts/test.sh does it).
fn app_bin() -> PathBuf {
    let p = bin().with_file_name("webproof-app");
    assert!(p.exists(), "{} is missing", p.display());
    p
}

fn screens_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/app-screens");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A private X display for the window and the operator's browser.
fn xvfb() -> (Reaped, String) {
    for n in 140..200 {
        if !webproof_browser::display_free(n) {
            continue;
        }
        let child = Command::new("Xvfb")
            .args([
                &format!(":{n}"),
                "-screen",
                "0",
                "1366x900x24",
                "-nolisten",
                "tcp",
            ])
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (package xvfb) is needed for the app's end-to-end test");
        let child = Reaped(child);
        let sock = format!("/tmp/.X11-unix/X{n}");
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) {
            if Path::new(&sock).exists() {
                return (child, format!(":{n}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("no free X display");
}

struct Ui {
    c: Client,
    lang: &'static str,
}

impl Ui {
    async fn find(&self, css: &str, secs: u64) -> Element {
        self.c
            .wait()
            .at_most(Duration::from_secs(secs))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear within {secs} s: {e}"))
    }

    /// Runs `act` on the element `css` names, finding it again when the screen re-rendered
    /// under it (a stale element), for at most 20 s.
    async fn with<T, F, Fut>(&self, css: &str, act: F) -> T
    where
        F: Fn(Element) -> Fut,
        Fut: std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
    {
        let t = Instant::now();
        loop {
            let e = self.find(css, 20).await;
            match act(e).await {
                Ok(v) => return v,
                Err(err) if t.elapsed() < Duration::from_secs(20) => {
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(err) => panic!("{css}: {err}"),
            }
        }
    }

    async fn click(&self, css: &str) {
        self.with(css, |e| async move { e.click().await.map(|_| ()) })
            .await
    }

    async fn fill(&self, css: &str, text: &str) {
        self.with(css, |e| async move {
            e.clear().await?;
            e.send_keys(text).await
        })
        .await
    }

    async fn text(&self, css: &str) -> String {
        self.with(css, |e| async move { e.text().await }).await
    }

    /// How many elements `css` matches (asked again while the screen re-renders).
    async fn count(&self, css: &str) -> usize {
        for _ in 0..50 {
            if let Ok(all) = self.c.find_all(Locator::Css(css)).await {
                return all.len();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css}: the window kept re-rendering");
    }

    async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.with(css, |e| async move { e.attr(name).await }).await
    }

    /// Waits until `css` matches at least `n` elements.
    async fn at_least(&self, css: &str, n: usize, secs: u64) {
        let t = Instant::now();
        while self.count(css).await < n {
            if t.elapsed() > Duration::from_secs(secs) {
                let page = match self.c.find(Locator::Css("body")).await {
                    Ok(b) => b.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!("{css}: fewer than {n} within {secs} s; the window shows:\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits for `attr` of the first `css` to satisfy `ok`.
    async fn attr_until(
        &self,
        css: &str,
        attr: &str,
        secs: u64,
        ok: impl Fn(&str) -> bool,
    ) -> String {
        let t = Instant::now();
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await
                && let Ok(Some(v)) = e.attr(attr).await
                && ok(&v)
            {
                return v;
            }
            if t.elapsed() > Duration::from_secs(secs) {
                let page = match self.c.find(Locator::Css("body")).await {
                    Ok(b) => b.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!("{css}[{attr}] not as expected within {secs} s; the window shows:\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Runs a script in the window and returns what it returns.
    async fn js(&self, script: &str) -> serde_json::Value {
        self.c.execute(script, vec![]).await.unwrap()
    }

    async fn no_error(&self) {
        if let Ok(e) = self
            .c
            .find(Locator::Css("[data-testid=error]:not([hidden])"))
            .await
        {
            panic!(
                "the app shows an error: {}",
                e.text().await.unwrap_or_default()
            );
        }
    }

    /// Saves the window as target/app-screens/<lang>-<name>.png and checks it is a picture.
    async fn shot(&self, name: &str) {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.c.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
        let d = png::Decoder::new(std::io::Cursor::new(&png))
            .read_info()
            .unwrap();
        assert!(d.info().width >= 800, "{name}: window screenshot too small");
        std::fs::write(
            screens_dir().join(format!("{}-{name}.png", self.lang)),
            &png,
        )
        .unwrap();
    }
}

/// The environment screen: waits for the findings; types a reason when one fails.
async fn pass_environment(ui: &Ui) {
    ui.find("[data-testid=findings]", 90).await;
    assert!(ui.count("[data-testid=finding]").await >= 8);
    if ui.count("[data-testid=env-override]").await > 0 {
        ui.fill(
            "[data-testid=env-override]",
            "test machine: the failing finding is the CI sandbox itself",
        )
        .await;
    }
}

/// The app, started by tauri-driver in a private display, for `env`'s home: what must live
/// while it runs, and the driver's port.
struct Launched {
    _x: Reaped,
    _driver: ReapedGroup,
    port: u16,
    /// One app window at a time: two apps driven side by side (each with its captures'
    /// Chromium) have left one window blank mid-test (not yet understood; see the issue).
    _one: std::sync::MutexGuard<'static, ()>,
}

static ONE_APP: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn launch(env: &Env) -> Launched {
    launch_with(env, |c| {
        c.env("WEBPROOF_HOME", env.home());
    })
}

/// The app with the environment `set` gives it besides the test's own (its home).
fn launch_with(env: &Env, set: impl FnOnce(&mut Command)) -> Launched {
    let one = ONE_APP.lock().unwrap_or_else(|p| p.into_inner());
    let (x, display) = xvfb();
    let port = free_port();
    let mut driver = Command::new("tauri-driver");
    set(&mut driver);
    let driver = driver
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &free_port().to_string(),
        ])
        .env("DISPLAY", &display)
        .env("WEBPROOF_BIN", bin())
        .env("WEBPROOF_LANG", "en")
        .env("LANG", "C.UTF-8")
        // The watch timer's units go to the test's home, not the user's.
        .env("XDG_CONFIG_HOME", env.path().join("config"))
        .env_remove("WEBPROOF_PASSPHRASE")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group, so that its WebKitWebDriver goes with it at the end.
        .process_group(0)
        .spawn()
        .expect(
            "tauri-driver (cargo install tauri-driver) is needed for the app's end-to-end test",
        );
    Launched {
        _x: x,
        _driver: ReapedGroup(driver),
        port,
        _one: one,
    }
}

/// A WebDriver session with the app (the window opens).
async fn connect(port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app_bin().display().to_string() }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let t = Instant::now();
    loop {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => return c,
            Err(e) if t.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            Err(e) => panic!("tauri-driver did not start the app: {e}"),
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_new_user_captures_and_verifies_in_the_window_in_english_and_chinese() {
    let env = Env::new();
    std::fs::create_dir_all(env.home()).unwrap();
    let site = crate::site::serve();
    let launched = launch(&env);
    let rt = runtime();
    rt.block_on(async {
        let c = connect(launched.port).await;
        let mut ui = Ui { c, lang: "en" };

        // A first start: the setup wizard, put off (this test sets up in Settings; the
        // wizard has its own test).
        ui.find("[data-screen=setup]", 30).await;
        ui.click("[data-testid=setup-later]").await;
        // Cases, empty.
        ui.find("[data-screen=cases]", 30).await;
        assert!(ui.text("[data-testid=case-list]").await.contains("No cases yet"));
        ui.shot("01-cases-empty").await;

        // Settings: create the operator identity in the window.
        ui.click("[data-testid=nav-settings]").await;
        ui.find("[data-testid=settings-init]", 10).await;
        ui.fill("[data-testid=settings-init] [name=name]", "Li Wei").await;
        ui.fill("[data-testid=settings-init] [name=org]", "Example Copyright Agency").await;
        ui.fill("[data-testid=settings-init] [name=passphrase]", PASS).await;
        ui.click("[data-testid=settings-init] button[type=submit]").await;
        ui.find("[data-testid=settings-operator]", 30).await;
        ui.no_error().await;
        assert_eq!(ui.text("[data-testid=settings-enrolled]").await, "no");

        // The alliance is up; the registrar (dev up) hands over a one-time code.
        // Started without the operator's passphrase, `dev up` enrolls nobody by itself: it
        // prints the code, as a registrar would hand it over.
        let dev = crate::alliance::DevUp::start_with({
            let mut c = env.cmd();
            c.env_remove("WEBPROOF_PASSPHRASE");
            c
        });
        let code = dev
            .enrollment_code
            .clone()
            .expect("dev up printed no enrollment code");
        ui.click("[data-testid=nav-settings]").await;
        ui.fill("form.inline [name=code]", &code).await;
        ui.fill("form.inline [name=passphrase]", PASS).await;
        ui.click("form.inline button[type=submit]").await;
        let t0 = Instant::now();
        while ui.text("[data-testid=settings-enrolled]").await != "yes" {
            assert!(t0.elapsed() < Duration::from_secs(30), "enrollment did not finish");
            ui.no_error().await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let config = ui.find("[data-testid=settings-config]", 5).await;
        assert!(config.prop("value").await.unwrap().unwrap_or_default().contains("[log]"));
        ui.shot("02-settings").await;

        // A case.
        ui.click("[data-testid=nav-cases]").await;
        ui.fill("[data-testid=case-matter]", "Gallery photos copied by Example Shop").await;
        ui.fill("[data-testid=case-parties]", "Example Copyright Agency\nExample Shop Ltd").await;
        ui.fill("[data-testid=case-notes]", "pirated product photos").await;
        ui.click("[data-testid=case-create]").await;
        ui.find("[data-screen=case]", 10).await;
        assert_eq!(ui.text("[data-testid=case-title]").await, "Gallery photos copied by Example Shop");

        // New capture, manual mode: the operator's own browser.
        ui.click("[data-testid=case-new-capture]").await;
        ui.fill("[data-testid=capture-url]", &format!("{site}/")).await;
        ui.fill("[data-testid=capture-passphrase]", PASS).await;
        ui.shot("04-new-capture").await;
        ui.click("[data-testid=capture-check]").await;
        pass_environment(&ui).await;
        ui.shot("05-environment").await;
        ui.click("[data-testid=capture-start]").await;

        // Live: steps arrive as they are journaled.
        ui.find("[data-screen=live]", 20).await;
        ui.at_least("[data-testid=live-step]", 2, 90).await; // environment, browser, navigate…
        let n = ui.count("[data-testid=live-step]").await;
        ui.click("[data-testid=live-screenshot]").await;
        ui.at_least("[data-testid=live-step]", n + 2, 60).await; // screenshot + snapshot
        ui.fill("[data-testid=live-note-text]", "the gallery shows our photos").await;
        ui.click("[data-testid=live-note]").await;
        ui.at_least("[data-testid=live-step]", n + 3, 30).await;
        let steps = ui.text("[data-testid=live-steps]").await;
        assert!(steps.contains(&format!("{site}/")), "{steps}");
        assert!(steps.contains("screenshot") && steps.contains("note"), "{steps}");
        assert!(ui.text("[data-testid=live-tsa]").await.contains("TSAs"));
        ui.shot("06-live").await;
        ui.click("[data-testid=live-finish]").await;

        // Sealing, then where the package is.
        ui.find("[data-screen=sealing]", 60).await;
        ui.shot("07-sealing").await;
        let status = ui.attr_until("[data-testid=seal-done]", "data-status", 240, |_| true).await;
        let pkg = PathBuf::from(ui.text("[data-testid=seal-package]").await);
        let message = ui.c.find(Locator::Css("[data-testid=seal-message]")).await;
        assert_eq!(
            status,
            "sealed",
            "{}",
            match message {
                Ok(m) => m.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            }
        );
        assert!(pkg.is_file(), "{} is not there", pkg.display());
        let report = ui.text("[data-testid=seal-report]").await;
        assert!(report.ends_with(".report.pdf"), "{report}");
        assert!(Path::new(&report).is_file());
        let verdict = ui.text("[data-testid=seal-verdict]").await;
        assert_eq!(verdict, "VERIFIED", "the app's own verification");
        ui.shot("08-sealed").await;
        // The same package checks with the command line.
        let o = env.run(&["verify", pkg.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
        let kinds = kinds(&pkg);
        assert!(kinds.iter().any(|k| k == "screenshot"), "{kinds:?}");
        assert!(journal(&pkg).iter().any(|r| r["params"]["text"] == "the gallery shows our photos"));

        // Verify in the window: grouped checks, timeline with thumbnails.
        ui.click("[data-testid=seal-verify]").await;
        let v = ui.attr_until("[data-testid=verify-result]", "data-verdict", 120, |_| true).await;
        assert_eq!(v, "PASS");
        for g in ["files", "chain", "signatures", "timestamps", "receipts"] {
            let css = format!("[data-testid=check-group][data-group={g}]");
            assert_eq!(ui.count(&css).await, 1, "group {g}");
            let verdict = ui.attr(&css, "data-verdict").await;
            assert_eq!(verdict.as_deref(), Some("pass"), "group {g}");
        }
        assert!(ui.count("[data-testid=timeline-step]").await >= n + 3);
        assert!(ui.count("[data-testid=thumb]").await >= 1);
        assert!(ui.count("[data-testid=video]").await >= 1);
        // The thumbnails are real pictures served from inside the package.
        let loaded = ui.js("return Array.from(document.querySelectorAll('[data-testid=thumb]')).filter(i => i.complete && i.naturalWidth > 0).length").await;
        assert!(loaded.as_u64().unwrap_or(0) >= 1, "no thumbnail loaded");
        // The screen recording plays in the window (metadata read: a real H.264 MP4).
        let t0 = Instant::now();
        loop {
            let d = ui.js("const v = document.querySelector('[data-testid=video]'); return v && v.readyState >= 1 ? v.duration : 0").await;
            if d.as_f64().unwrap_or(0.0) > 0.0 {
                break;
            }
            if t0.elapsed() > Duration::from_secs(30) {
                let state = ui.js("const v = document.querySelector('[data-testid=video]'); return v ? JSON.stringify({rs: v.readyState, ns: v.networkState, err: v.error && v.error.code, msg: v.error && v.error.message, src: v.currentSrc}) : 'no video'").await;
                panic!("the recording does not load in the window: {state}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        ui.shot("09-verify-pass").await;

        // The archived page, replayed from inside the package (scripts off, no network).
        ui.click("[data-testid=replay-page]").await;
        let frame = ui.find("[data-testid=replay-frame]", 10).await;
        let t0 = Instant::now();
        let shown = loop {
            frame.enter_frame().await.unwrap();
            let text = match ui.c.find(Locator::Css("body")).await {
                Ok(b) => b.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            ui.c.enter_parent_frame().await.unwrap();
            if text.contains("Example Shop") || t0.elapsed() > Duration::from_secs(20) {
                break text;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        assert!(shown.contains("Landscape photograph"), "replayed page: {shown}");
        ui.js("document.querySelector('[data-testid=replay-frame]').scrollIntoView()").await;
        ui.shot("11-replay").await;

        // A tampered copy: one byte of a screenshot changed.
        let bad = env.path().join("tampered.wacz");
        let mut changed = false;
        rewrite_zip(&pkg, &bad, |name, bytes| {
            if !changed && name.starts_with("artifacts/") && name.ends_with(".png") {
                let i = bytes.len() / 2;
                bytes[i] ^= 0x01;
                changed = true;
            }
        });
        assert!(changed);
        ui.click("[data-testid=nav-verify]").await;
        ui.fill("[data-testid=verify-path]", bad.to_str().unwrap()).await;
        ui.click("[data-testid=verify-run]").await;
        let v = ui.attr_until("[data-testid=verify-result]", "data-verdict", 120, |_| true).await;
        assert_eq!(v, "FAIL");
        let files = ui
            .find("[data-testid=check-group][data-group=files]", 5)
            .await
            .attr("data-verdict")
            .await
            .unwrap();
        assert_eq!(files.as_deref(), Some("fail"));
        assert!(ui.count("[data-testid=check][data-verdict=fail][data-id='file.digest']").await >= 1);
        ui.shot("10-verify-tampered").await;

        // The case remembers its package and verdict.
        ui.click("[data-testid=nav-cases]").await;
        ui.fill("[data-testid=case-search]", "Example Shop").await;
        ui.at_least("[data-testid=case-row]", 1, 10).await;
        ui.click("[data-testid=case-row]").await;
        ui.at_least("[data-testid=package-row]", 1, 10).await;
        let row = ui.text("[data-testid=package-row]").await;
        assert!(row.contains("sealed") && row.contains("VERIFIED"), "{row}");

        // Seal local files into the same case, in the window.
        let sample = samples()[0].display().to_string();
        ui.fill("[data-testid=seal-files]", &sample).await;
        ui.fill("[data-testid=seal-passphrase]", PASS).await;
        ui.click("[data-testid=seal-submit]").await;
        ui.at_least("[data-testid=package-row]", 2, 180).await;
        ui.no_error().await;
        let rows = ui.text("[data-screen=case] table.packages").await;
        assert!(rows.contains("Sealed files"), "{rows}");
        let name = samples()[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(rows.contains(&name), "{rows}");
        assert_eq!(rows.matches("VERIFIED").count(), 2, "{rows}");
        ui.shot("03-case").await;

        // A supervising notary (who set up their own identity, in their own home), trusted here.
        let notary_home = env.path().join("notary");
        let notary = |args: &[&str]| {
            let o = Command::new(bin())
                .args(args)
                .env("WEBPROOF_HOME", &notary_home)
                .env("WEBPROOF_PASSPHRASE", PASS)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            String::from_utf8(o.stdout).unwrap()
        };
        notary(&["operator", "init", "--name", "王公证", "--role", "notary"]);
        let notary_fp = notary(&["operator", "show", "--role", "notary", "--fingerprint"]);

        // 中文: switch in Settings; every screen again, with a profile-driven capture.
        ui.click("[data-testid=nav-settings]").await;
        ui.click("[data-testid=lang-zh-CN]").await;
        let t0 = Instant::now();
        while ui.text("[data-testid=nav-cases]").await != "案件" {
            assert!(t0.elapsed() < Duration::from_secs(10), "the window did not switch to Chinese");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        ui.lang = "zh-CN";
        assert!(ui.text("[data-screen=settings]").await.contains("取证人身份"));
        // A mistake is said in Chinese too: the app's own message, by its catalogue key.
        ui.fill("[data-testid=settings-notary-home]", "/nonexistent/notary").await;
        ui.click("[data-testid=settings-notary-save]").await;
        ui.find("[data-testid=error]:not([hidden])", 10).await;
        let said = ui.text("[data-testid=error-message]").await;
        assert!(
            said.contains("/nonexistent/notary 中没有公证员身份"),
            "{said}"
        );
        assert!(ui.text("[data-testid=error]").await.contains("请检查输入的内容"));
        ui.click("[data-testid=error-close]").await;
        ui.fill("[data-testid=settings-notary-home]", notary_home.to_str().unwrap()).await;
        ui.click("[data-testid=settings-notary-save]").await;
        ui.no_error().await;
        // Typed as a user types: Enter (WebDriver's \u{e007}) between the lines.
        let trust = format!("\u{e007}[trust]\u{e007}notaries = [\"{}\"]\u{e007}", notary_fp.trim());
        ui.with("[data-testid=settings-config]", |e| {
            let trust = trust.clone();
            async move { e.send_keys(&trust).await }
        })
        .await;
        ui.click("[data-testid=settings-save-config]").await;
        ui.no_error().await;
        let t0 = Instant::now();
        loop {
            let v = ui
                .with("[data-testid=settings-config]", |e| async move { e.prop("value").await })
                .await
                .unwrap_or_default();
            if v.contains(notary_fp.trim()) {
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(10), "config.toml not saved: {v}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let kept = ui
            .with("[data-testid=settings-notary-home]", |e| async move { e.prop("value").await })
            .await;
        assert_eq!(kept.as_deref(), notary_home.to_str(), "the notary's home is kept");
        ui.shot("02-settings").await;
        ui.click("[data-testid=nav-cases]").await;
        ui.find("[data-screen=cases]", 10).await;
        ui.shot("01-cases").await;
        ui.click("[data-testid=case-row]").await;
        ui.find("[data-screen=case]", 10).await;
        assert!(ui.text("[data-screen=case]").await.contains("证据包"));
        ui.shot("03-case").await;
        ui.click("[data-testid=case-new-capture]").await;
        ui.fill("[data-testid=capture-url]", &format!("{site}/zh.html")).await;
        ui.find("[data-testid=capture-profile]", 5)
            .await
            .select_by_value("generic")
            .await
            .unwrap();
        ui.fill("[data-testid=capture-passphrase]", PASS).await;
        ui.find("[data-testid=capture-report-lang]", 5)
            .await
            .select_by_value("both")
            .await
            .unwrap();
        // Supervised by the notary, who types their own passphrase.
        ui.click("[data-testid=capture-notary]").await;
        ui.fill("[name=notary_passphrase]", PASS).await;
        ui.shot("04-new-capture").await;
        ui.click("[data-testid=capture-check]").await;
        pass_environment(&ui).await;
        assert!(ui.text("[data-screen=environment]").await.contains("取证环境检查"));
        ui.shot("05-environment").await;
        ui.click("[data-testid=capture-start]").await;
        ui.find("[data-screen=live]", 20).await;
        ui.at_least("[data-testid=live-step]", 2, 90).await;
        // A profile runs by itself: no manual-mode buttons.
        assert_eq!(ui.count("[data-testid=live-finish]").await, 0);
        if let Ok(hint) = ui.c.find(Locator::Css("[data-testid=live-hint]")).await {
            // (Unless the profile already finished and the window moved on to sealing.)
            let hint = hint.text().await.unwrap_or_default();
            assert!(hint.is_empty() || hint.contains("取证配置"), "{hint}");
        }
        ui.shot("06-live").await;
        ui.find("[data-screen=sealing]", 180).await;
        ui.shot("07-sealing").await;
        let status = ui.attr_until("[data-testid=seal-done]", "data-status", 240, |_| true).await;
        assert_eq!(status, "sealed");
        assert_eq!(ui.text("[data-testid=seal-verdict]").await, "验证通过");
        ui.shot("08-sealed").await;
        ui.click("[data-testid=seal-verify]").await;
        let v = ui.attr_until("[data-testid=verify-result]", "data-verdict", 120, |_| true).await;
        assert_eq!(v, "PASS");
        assert!(ui.text("[data-screen=verify]").await.contains("时间线"));
        // The notary countersigned, and is trusted by this machine's configuration.
        for id in ["signature.notary", "identity.notary"] {
            let css = format!("[data-testid=check][data-id='{id}']");
            assert_eq!(ui.attr(&css, "data-verdict").await.as_deref(), Some("pass"), "{id}");
        }
        ui.shot("09-verify-pass").await;
        ui.click("[data-testid=replay-page]").await;
        ui.find("[data-testid=replay-frame]:not([hidden])", 10).await;
        ui.js("document.querySelector('[data-testid=replay-frame]').scrollIntoView()").await;
        ui.shot("11-replay").await;
        ui.click("[data-testid=nav-verify]").await;
        ui.fill("[data-testid=verify-path]", bad.to_str().unwrap()).await;
        ui.click("[data-testid=verify-run]").await;
        let v = ui.attr_until("[data-testid=verify-result]", "data-verdict", 120, |_| true).await;
        assert_eq!(v, "FAIL");
        assert!(ui.text("[data-testid=verify-verdict]").await.contains("验证失败"));
        ui.shot("10-verify-tampered").await;
        ui.c.close().await.unwrap();
    });
}

/// Issue 19 in the window: a notary, in their own home, supervises an operator's `seal
/// --supervised` on the Supervise screen (the steps shown, presence and the final
/// countersignature signed with buttons), then countersigns the package after review on the
/// Verify screen; an operator in the same window starts a capture supervised live by a notary
/// on another computer (`webproof supervise` in the notary's home), whose join code the live
/// screen shows.
#[test]
fn a_notary_supervises_and_countersigns_in_the_window_and_an_operator_is_supervised_live() {
    use crate::notary::{check, init_notary, supervise, supervised_seal};
    let site = crate::site::serve();
    // The window's home holds the notary's identity (and, for the last part, an operator's).
    let env = Env::new();
    let nfp = init_notary(&env, "sm2");
    let op_fp = env.init_operator("ed25519");
    // The operator who seals under supervision, in their own home.
    let operator = Env::new();
    let ofp = operator.init_operator("ed25519");
    // Trusted time (OpenSSL's TSA, an independent peer) and whom this home trusts.
    let tsa = crate::timestamp::OpensslTsa::start(&env);
    std::fs::write(
        env.home().join("config.toml"),
        format!(
            "[timestamp]\ntsa = [{:?}]\ntrust = [{:?}]\n\n[trust]\noperators = [{ofp:?}, {op_fp:?}]\nnotaries = [{nfp:?}]\n",
            tsa.url,
            tsa.root.display().to_string()
        ),
    )
    .unwrap();
    let launched = launch(&env);
    let rt = runtime();
    rt.block_on(async {
        let c = connect(launched.port).await;
        let ui = Ui { c, lang: "en" };
        ui.find("[data-screen=cases]", 30).await;

        // Supervise: join the operator's seal with the code, sign presence and the end.
        let (mut seal, code, _err) = supervised_seal(&operator, "s.wacz");
        ui.click("[data-testid=nav-supervise]").await;
        ui.fill("[data-testid=supervise-code]", &code).await;
        ui.fill("[data-testid=supervise-passphrase]", PASS).await;
        ui.shot("12-supervise-join").await;
        ui.click("[data-testid=supervise-join]").await;
        ui.at_least("[data-testid=supervise-ask][data-statement=present]", 1, 60)
            .await;
        assert!(ui.count("[data-testid=supervise-step]").await >= 1);
        assert!(
            ui.text("[data-testid=supervise-session]")
                .await
                .contains("Capture")
        );
        ui.shot("13-supervise-present").await;
        ui.click("[data-testid=supervise-sign]").await;
        ui.no_error().await;
        ui.at_least(
            "[data-testid=supervise-ask][data-statement=countersign]",
            1,
            60,
        )
        .await;
        ui.click("[data-testid=supervise-sign]").await;
        let ok = ui
            .attr_until("[data-testid=supervise-ended]", "data-ok", 60, |_| true)
            .await;
        assert_eq!(
            ok,
            "true",
            "{}",
            ui.text("[data-testid=supervise-log]").await
        );
        // The seal step was shown too.
        assert!(ui.count("[data-testid=supervise-step]").await >= 4);
        ui.shot("14-supervise-ended").await;
        assert!(seal.0.wait().unwrap().success());
        let pkg = operator.path().join("s.wacz");
        let c = checks(
            &operator,
            &["s.wacz", "--trust-operator", &ofp, "--trust-notary", &nfp],
            0,
        );
        let (v, d) = check(&c, "supervision.live");
        assert_eq!(v, "pass", "{d}");
        assert!(d.starts_with("supervised live by notary 王公证"), "{d}");

        // Countersign after review, on the Verify screen: a new package beside the original.
        ui.click("[data-testid=nav-verify]").await;
        ui.fill("[data-testid=verify-path]", pkg.to_str().unwrap())
            .await;
        ui.click("[data-testid=verify-run]").await;
        ui.attr_until("[data-testid=verify-result]", "data-verdict", 120, |_| true)
            .await;
        ui.click("[data-testid=review] summary").await;
        ui.fill(
            "[data-testid=review-statement]",
            "I reviewed this preservation of evidence.",
        )
        .await;
        ui.fill("[data-testid=review-passphrase]", PASS).await;
        ui.shot("15-review").await;
        ui.click("[data-testid=review-sign]").await;
        let countersigned = operator.path().join("s.countersigned.wacz");
        let t0 = Instant::now();
        while !countersigned.exists() {
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "no countersigned package"
            );
            ui.no_error().await;
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        // The window verifies the new package: the review is there.
        ui.at_least("[data-testid=check][data-id='review.signature']", 1, 60)
            .await;
        ui.no_error().await;
        ui.shot("16-review-verified").await;
        let root = tsa.root.display().to_string();
        let c = checks(
            &operator,
            &[
                "s.countersigned.wacz",
                "--trust-operator",
                &ofp,
                "--trust-notary",
                &nfp,
                "--trust-tsa",
                &root,
            ],
            // Untrusted: the operator sealed without trusted time (the review has it).
            3,
        );
        for id in ["review.signature", "review.token", "review.time"] {
            let (v, d) = check(&c, id);
            assert_eq!(v, "pass", "{id}: {d}");
        }

        // The operator's side: a capture supervised live by a notary on another computer.
        let notary = Env::new();
        init_notary(&notary, "ed25519");
        ui.click("[data-testid=nav-cases]").await;
        ui.fill(
            "[data-testid=case-matter]",
            "Listing copied by Example Shop",
        )
        .await;
        ui.click("[data-testid=case-create]").await;
        ui.find("[data-screen=case]", 10).await;
        ui.click("[data-testid=case-new-capture]").await;
        ui.fill("[data-testid=capture-url]", &format!("{site}/index.html"))
            .await;
        ui.find("[data-testid=capture-profile]", 5)
            .await
            .select_by_value("generic")
            .await
            .unwrap();
        ui.fill("[data-testid=capture-passphrase]", PASS).await;
        ui.click("[data-testid=capture-live-notary]").await;
        ui.shot("17-new-capture-live-notary").await;
        ui.click("[data-testid=capture-check]").await;
        pass_environment(&ui).await;
        ui.click("[data-testid=capture-start]").await;
        ui.find("[data-screen=live]", 20).await;
        let code = ui.text("[data-testid=live-join-code]").await;
        ui.shot("18-live-join-code").await;
        let answering = std::thread::spawn({
            let code = code.clone();
            move || supervise(&notary, &code, "yes\nyes\n")
        });
        ui.find("[data-screen=sealing]", 240).await;
        let status = ui
            .attr_until("[data-testid=seal-done]", "data-status", 240, |_| true)
            .await;
        assert_eq!(status, "sealed");
        let o = answering.join().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let said = String::from_utf8_lossy(&o.stdout);
        assert!(said.contains("step 0: environment"), "{said}");
        ui.click("[data-testid=seal-verify]").await;
        ui.attr_until("[data-testid=verify-result]", "data-verdict", 120, |_| true)
            .await;
        let live = ui
            .attr(
                "[data-testid=check][data-id='supervision.live']",
                "data-verdict",
            )
            .await;
        assert_ne!(live.as_deref(), Some("fail"));
        let detail = ui
            .text("[data-testid=check][data-id='supervision.live']")
            .await;
        assert!(
            detail.contains("supervised live by notary 王公证"),
            "{detail}"
        );
        ui.shot("19-verify-supervised").await;
        ui.c.close().await.unwrap();
    });
}

#[test]
fn an_agency_captures_a_batch_and_exports_the_evidence_catalogue_in_the_window() {
    let site = crate::site::serve();
    let env = Env::new();
    env.init_operator("ed25519");
    let launched = launch(&env);
    let rt = runtime();
    rt.block_on(async {
        let c = connect(launched.port).await;
        let ui = Ui { c, lang: "en" };
        ui.find("[data-screen=cases]", 30).await;
        ui.fill(
            "[data-testid=case-matter]",
            "Listings copied by Example Shop",
        )
        .await;
        ui.click("[data-testid=case-create]").await;
        ui.find("[data-screen=case]", 10).await;

        // Batch: three URLs, one of which nothing answers; two at a time.
        ui.click("[data-testid=case-batch]").await;
        ui.find("[data-testid=batch-form]", 10).await;
        // (Set directly: the driver types a newline as nothing.)
        let urls = format!("{site}/index.html\n{site}/gallery.html\nhttp://127.0.0.1:9/\n");
        ui.js(&format!(
            "document.querySelector('[data-testid=batch-urls]').value = {}; return 0;",
            serde_json::to_string(&urls).unwrap()
        ))
        .await;
        ui.js("document.querySelector('[data-testid=batch-parallel]').value = '2'; return 0;")
            .await;
        ui.click("[data-testid=batch-headless]").await;
        ui.fill("[data-testid=batch-passphrase]", PASS).await;
        ui.click("[data-testid=batch-start]").await;
        ui.no_error().await;
        ui.find("[data-testid=batch-running]", 30).await;
        ui.shot("20-batch-running").await;
        let ok = ui
            .attr_until("[data-testid=batch-ended]", "data-ok", 240, |_| true)
            .await;
        assert_eq!(
            ok,
            "false",
            "one URL cannot be captured: {} / {}",
            ui.text("[data-testid=batch-ended]").await,
            ui.text("[data-testid=batch-rows]").await
        );
        let states: Vec<String> = {
            let mut v = Vec::new();
            for n in 1..=3 {
                v.push(
                    ui.attr(
                        &format!("[data-testid=batch-row][data-n='{n}']"),
                        "data-state",
                    )
                    .await
                    .unwrap_or_default(),
                );
            }
            v
        };
        assert_eq!(states, ["sealed", "sealed", "failed"]);
        assert!(
            ui.text("[data-testid=batch-ended]")
                .await
                .contains("1 failed"),
            "the summary is shown"
        );
        ui.shot("21-batch-ended").await;

        // The packages joined the case: two sealed, one failed with its reason.
        let table = packages_after(&ui, "[data-testid=batch-ended] button.primary", 2).await;
        assert!(table.contains("failed"), "{table}");

        // The case's evidence catalogue, as CSV.
        let out = env.path().join("catalogue.csv");
        ui.fill("[data-testid=catalogue-out]", out.to_str().unwrap())
            .await;
        ui.js("document.querySelector('[data-testid=catalogue-lang]').value = 'en'; return 0;")
            .await;
        ui.click("[data-testid=catalogue-export]").await;
        ui.find("[data-testid=catalogue-done]:not([hidden])", 60)
            .await;
        ui.no_error().await;
        ui.shot("22-catalogue").await;
    });
    let out = env.path().join("catalogue.csv");
    let t0 = Instant::now();
    while !out.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no catalogue written"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "a header and the two sealed packages: {csv}"
    );
    assert!(
        csv.contains("/index.html") && csv.contains("/gallery.html"),
        "{csv}"
    );
    assert!(csv.contains("Listings copied by Example Shop"), "{csv}");
}

/// Clicks `back` to the case screen and returns its packages table, which must show
/// `sealed` packages sealed.
async fn packages_after(ui: &Ui, back: &str, sealed: usize) -> String {
    ui.click(back).await;
    ui.find("[data-screen=case]", 10).await;
    let table = ui.text("table.packages").await;
    assert_eq!(table.matches("sealed").count(), sealed, "{table}");
    table
}

/// Waits until the first watch row has `n` captures, with no error said; then its last
/// outcome and state.
async fn watch_row_after(ui: &Ui, n: u32) -> (String, String) {
    let row = "[data-testid=watch-row]";
    let n = n.to_string();
    ui.attr_until(row, "data-captures", 180, |v| v == n).await;
    ui.no_error().await;
    (
        ui.attr(row, "data-outcome").await.unwrap_or_default(),
        ui.attr(row, "data-state").await.unwrap_or_default(),
    )
}

#[test]
fn an_agency_watches_a_listing_in_the_window_until_it_is_taken_down() {
    let env = Env::new();
    env.init_operator("ed25519");
    let site_root = env.path().join("site");
    std::fs::create_dir_all(&site_root).unwrap();
    std::fs::write(
        site_root.join("item.html"),
        "<!doctype html><title>Item 42</title><h1>Item 42</h1><p>Price: 99</p>",
    )
    .unwrap();
    let base = crate::site::serve_root(site_root.clone());
    let launched = launch(&env);
    let rt = runtime();
    rt.block_on(async {
        let c = connect(launched.port).await;
        let ui = Ui { c, lang: "en" };
        ui.find("[data-screen=cases]", 30).await;
        ui.fill("[data-testid=case-matter]", "Item 42 copied").await;
        ui.click("[data-testid=case-create]").await;
        ui.find("[data-screen=case]", 10).await;
        ui.click("[data-testid=case-watch]").await;
        ui.find("[data-testid=watch-none]", 30).await;
        // Not installed: the engine says so.
        let state = ui.text("[data-testid=watch-service-state]").await;
        assert!(state.contains("not installed"), "{state}");

        ui.fill("[data-testid=watch-passphrase]", PASS).await;
        ui.fill("[data-testid=watch-url]", &format!("{base}/item.html"))
            .await;
        ui.js("document.querySelector('[data-testid=watch-every]').value = '1h'; return 0;")
            .await;
        ui.click("[data-testid=watch-until-gone]").await;
        ui.click("[data-testid=watch-headless]").await;
        ui.click("[data-testid=watch-add]").await;
        assert_eq!(
            watch_row_after(&ui, 1).await,
            ("present".into(), "active".into())
        );
        ui.shot("23-watch-present").await;

        // Taken down: the next capture, made now, finds 404; the watch ends by itself and
        // names the package in which the page was last present.
        std::fs::remove_file(site_root.join("item.html")).unwrap();
        ui.click("[data-testid=watch-now]").await;
        assert_eq!(
            watch_row_after(&ui, 2).await,
            ("gone".into(), "ended".into())
        );
        let row = ui.text("[data-testid=watch-row]").await;
        assert!(row.contains("GONE — the page answers 404"), "{row}");
        let last = ui.text("[data-testid=watch-last-present]").await;
        assert!(
            last.contains("/watches/") && last.contains("0001-"),
            "{last}"
        );
        assert_eq!(
            ui.count("[data-testid=watch-now]").await,
            0,
            "an ended watch is not captured"
        );
        ui.shot("24-watch-gone").await;

        // The timer: installing it keeps the passphrase; where no systemd user manager runs
        // (this test's container) the engine's refusal is said, naming systemctl.
        ui.click("[data-testid=watch-service-install]").await;
        let t0 = Instant::now();
        loop {
            let active = ui
                .attr("[data-testid=watch-service-state]", "data-active")
                .await;
            let err = ui.count("[data-testid=error]:not([hidden])").await;
            if active.as_deref() == Some("true") {
                break;
            }
            if err > 0 {
                let said = ui.text("[data-testid=error]").await;
                assert!(said.contains("systemctl"), "{said}");
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "the timer's install said nothing"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }

        // Both captures are packages of the case.
        let table = packages_after(&ui, "[data-testid=watch-back]", 2).await;
        assert!(table.contains("/item.html"), "{table}");

        // Another case of the same matter watches nothing: the watch is the first case's.
        ui.click("[data-testid=nav-cases]").await;
        ui.fill("[data-testid=case-matter]", "Item 42 copied").await;
        ui.click("[data-testid=case-create]").await;
        ui.find("[data-screen=case]", 10).await;
        ui.click("[data-testid=case-watch]").await;
        ui.find("[data-testid=watch-none]", 30).await;
        ui.no_error().await;
    });
    let units = env.path().join("config/systemd/user/webproof-watch.timer");
    assert!(units.exists(), "the timer's unit was written");
    let pass = env.home().join("watches/passphrase");
    assert!(pass.exists(), "the passphrase is kept for the timer");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&pass).unwrap().permissions().mode() & 0o077,
        0,
        "readable by the user only"
    );
}

/// Walks the first-run wizard: the language, a new identity typed twice.
async fn wizard_identity(ui: &Ui, name: &str) {
    ui.find("[data-screen=setup]", 30).await;
    // The language takes effect at once, and back.
    ui.click("[data-testid=setup-lang-zh-CN]").await;
    let t0 = Instant::now();
    while !ui.text("[data-screen=setup] h1").await.contains("设置") {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "the wizard did not turn Chinese"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ui.click("[data-testid=setup-lang-en]").await;
    let t0 = Instant::now();
    while ui.text("[data-screen=setup] h1").await != "Set up webproof" {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "the wizard did not turn English"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ui.click("[data-testid=setup-next]").await;
    ui.find("[data-testid=setup-init]", 10).await;
    ui.fill("[data-testid=setup-init] [name=name]", name).await;
    ui.fill(
        "[data-testid=setup-init] [name=org]",
        "Example Copyright Agency",
    )
    .await;
    ui.fill("[data-testid=setup-init] [name=passphrase]", PASS)
        .await;
    // Typed differently the second time: refused, nothing made.
    ui.fill(
        "[data-testid=setup-init] [name=repeat]",
        "another passphrase",
    )
    .await;
    ui.click("[data-testid=setup-init] button[type=submit]")
        .await;
    let said = ui.text("[data-testid=error-message]").await;
    assert!(said.contains("differ"), "{said}");
    ui.fill("[data-testid=setup-init] [name=repeat]", PASS)
        .await;
    ui.click("[data-testid=setup-init] button[type=submit]")
        .await;
    ui.find("[data-testid=setup-join]", 30).await;
    ui.no_error().await;
}

/// The wizard's last step: what is trusted, and the operator enrolled.
async fn wizard_done(ui: &Ui, origin: &str) {
    let card = ui.find("[data-testid=setup-trust]", 120).await;
    ui.no_error().await;
    assert_eq!(
        card.attr("data-origin").await.unwrap().as_deref(),
        Some(origin)
    );
    assert_eq!(ui.text("[data-testid=setup-enrolled]").await, "yes");
    // Both alliances of this test are development ones: said in the wizard and on every
    // screen.
    assert_eq!(
        card.attr("data-development").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(
        ui.text("[data-testid=setup-trust]")
            .await
            .contains("NOT for court use")
    );
}

/// Seals a file with the command line in the home the app set up — found by the same rule
/// (`home`: HOME and XDG_DATA_HOME, no WEBPROOF_HOME) — and verifies it: VERIFIED, with no
/// restart and no flag.
fn seal_and_verify_there(env: &Env, vars: &[(&str, &Path)]) {
    let f = env.write("exhibit.txt", b"an exhibit");
    let pkg = env.path().join("exhibit.wacz");
    let run = |args: &[&str]| {
        let mut c = env.cmd();
        c.env_remove("WEBPROOF_HOME").env_remove("XDG_DATA_HOME");
        for (k, v) in vars {
            c.env(k, v);
        }
        c.args(args).output().unwrap()
    };
    let o = run(&["seal", f.to_str().unwrap(), "--out", pkg.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&["verify", pkg.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("VERIFIED"), "{out}");
}

/// Issue 21, point 2: a first start with nothing set up walks the user through language,
/// identity and trust, with no script and no restart, keeping everything in the XDG data
/// directory. Once with the local development alliance (which the app runs and labels "not
/// for court use"), once joining an alliance from its log's URL with the registrar's code.
#[test]
fn a_first_start_sets_up_identity_and_trust_in_the_window() {
    // 1. The development alliance; HOME only: ~/.local/share/webproof.
    let env = Env::new();
    let user = env.path().join("user");
    std::fs::create_dir_all(&user).unwrap();
    let data = user.join(".local/share/webproof");
    {
        let launched = launch_with(&env, |c| {
            c.env_remove("WEBPROOF_HOME")
                .env_remove("XDG_DATA_HOME")
                .env("HOME", &user);
        });
        let rt = runtime();
        rt.block_on(async {
            let c = connect(launched.port).await;
            let ui = Ui { c, lang: "en" };
            wizard_identity(&ui, "Li Wei").await;
            ui.shot("30-setup-trust").await;
            ui.fill("[data-testid=setup-dev] [name=passphrase]", PASS)
                .await;
            ui.click("[data-testid=setup-dev-submit]").await;
            wizard_done(&ui, "development").await;
            ui.shot("31-setup-dev-done").await;
            ui.click("[data-testid=setup-finish]").await;
            ui.find("[data-screen=cases]", 30).await;
            assert!(
                ui.text("[data-testid=dev-alliance]")
                    .await
                    .contains("NOT for court use")
            );
            // Everything in the XDG data directory, nothing in ~/.webproof.
            assert!(data.join("operator/identity.json").is_file());
            assert!(data.join("operator/certificate.pem").is_file());
            let config = std::fs::read_to_string(data.join("config.toml")).unwrap();
            assert!(
                config.starts_with("# Written by `webproof dev up`"),
                "{config}"
            );
            assert!(!user.join(".webproof").exists());
            // The alliance the app runs serves the command line too, now.
            seal_and_verify_there(&env, &[("HOME", &user)]);
            // Finished: the next start opens the cases.
            let _ = ui.c.clone().close().await;
        });
    }
    assert!(
        std::fs::read_to_string(data.join("app.json"))
            .unwrap()
            .contains("\"dev_alliance\": true"),
        "the next start runs the development alliance again"
    );

    // 2. Joining an alliance: its log publishes the bundle; its TSAs' addresses and a
    // registrar's code are handed over. XDG_DATA_HOME given.
    let alliance = Env::new();
    std::fs::create_dir_all(alliance.home()).unwrap();
    let dev = crate::alliance::DevUp::start(&alliance);
    let cfg: toml::Table =
        toml::from_str(&std::fs::read_to_string(alliance.home().join("config.toml")).unwrap())
            .unwrap();
    let tsas: Vec<String> = cfg["timestamp"]["tsa"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let env = Env::new();
    let xdg = env.path().join("xdg-data");
    let data = xdg.join("webproof");
    let launched = launch_with(&env, |c| {
        c.env_remove("WEBPROOF_HOME")
            .env("HOME", env.path())
            .env("XDG_DATA_HOME", &xdg);
    });
    let rt = runtime();
    rt.block_on(async {
        let c = connect(launched.port).await;
        let ui = Ui { c, lang: "en" };
        wizard_identity(&ui, "Zhang Min").await;
        // The registrar issues a code for the name the operator gave.
        let out = alliance.ok(
            &[
                "dev",
                "code",
                "--name",
                "Zhang Min",
                "--org",
                "Example Copyright Agency",
            ],
            0,
        );
        let code = out.rsplit(": ").next().unwrap().trim().to_owned();
        // With no TSA the form is not sent: nothing is written.
        ui.fill("[data-testid=setup-join] [name=source]", &dev.log_url)
            .await;
        ui.click("[data-testid=setup-join-submit]").await;
        ui.no_error().await;
        assert!(!data.join("config.toml").exists());
        ui.js(&format!(
            "document.querySelector('[data-testid=setup-join] [name=tsas]').value = {}; return 0;",
            serde_json::to_string(&tsas.join("\n")).unwrap()
        ))
        .await;
        ui.fill("[data-testid=setup-join] [name=code]", &code).await;
        ui.fill("[data-testid=setup-join] [name=passphrase]", PASS)
            .await;
        ui.click("[data-testid=setup-join-submit]").await;
        wizard_done(&ui, "imported").await;
        assert_eq!(
            ui.text("[data-testid=setup-alliance]").await,
            "log.webproof.dev/evidence"
        );
        ui.shot("32-setup-joined").await;
        ui.click("[data-testid=setup-finish]").await;
        ui.find("[data-screen=cases]", 30).await;
        let config = std::fs::read_to_string(data.join("config.toml")).unwrap();
        assert!(
            config.contains(&format!("url = {:?}", dev.log_url)),
            "{config}"
        );
        assert!(data.join("trust/trust-bundle.json").is_file());
        assert!(data.join("operator/certificate.pem").is_file());
        seal_and_verify_there(&env, &[("HOME", env.path()), ("XDG_DATA_HOME", &xdg)]);
    });
}
