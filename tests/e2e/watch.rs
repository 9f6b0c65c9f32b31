//! `webproof watch` (issue 20): a URL re-captured until it is taken down — each capture a
//! package, consecutive captures compared (text, screenshot, media) into the watch's history,
//! "gone" (404, the tracked element removed, a redirect home) reported with the last package
//! in which the page was present; the systemd user units it writes, checked by systemd itself.

use crate::site;
use crate::util::*;
use std::path::{Path, PathBuf};

const ITEM_V1: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Item 42</title></head>
<body style="margin:0;background:#fff"><h1>Item 42 — copied photograph</h1>
<p>Price: 99</p><div id="listing"><img src="pic.png" width="200" height="200"></div></body></html>"#;

const ITEM_V2: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Item 42</title></head>
<body style="margin:0;background:#000;color:#fff"><h1>Item 42 — copied photograph</h1>
<p>Price: 79</p><div id="listing"><img src="pic.png" width="200" height="200"></div></body></html>"#;

/// A 1×1 PNG: the listing's picture after it was replaced.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn history(env: &Env, id: &str) -> Vec<serde_json::Value> {
    let out = env.ok(&["watch", "history", id, "--json"], 0);
    serde_json::from_str(&out).unwrap()
}

fn watch_dir(env: &Env, id: &str) -> PathBuf {
    env.home().join("watches").join(id)
}

/// The ID `watch` said it made ("… (watch ID, in …)").
fn said_id(out: &str) -> String {
    out.split("(watch ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .unwrap_or_else(|| panic!("no watch id in {out}"))
        .to_owned()
}

fn site_dir(env: &Env) -> PathBuf {
    let d = env.path().join("site");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("item.html"), ITEM_V1).unwrap();
    std::fs::copy(site::root().join("photo.png"), d.join("pic.png")).unwrap();
    std::fs::write(
        d.join("index.html"),
        "<!doctype html><title>Shop</title><h1>Welcome to the shop</h1>",
    )
    .unwrap();
    d
}

fn package_verifies(env: &Env, dir: &Path, package: &str) {
    let p = dir.join(package);
    let o = env.run(&["verify", p.to_str().unwrap()]);
    // 0 verified, 3 intact under a key this home does not trust: never 1.
    assert!(
        matches!(o.status.code(), Some(0) | Some(3)),
        "{package}: {}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn a_watch_records_changes_and_reports_the_page_gone_with_the_last_package_showing_it() {
    let env = Env::new();
    env.init_operator("ed25519");
    let site_root = site_dir(&env);
    let base = site::serve_root(site_root.clone());
    let url = format!("{base}/item.html");
    let out = env.ok(
        &[
            "watch",
            &url,
            "--every",
            "1h",
            "--until-gone",
            "--element",
            "#listing img",
            "--case",
            "CASE-9",
            "--no-service",
            "--",
            "--headless",
            "--no-video",
        ],
        0,
    );
    assert!(out.contains("capture 1 of"), "{out}");
    assert!(out.contains(": present ("), "{out}");
    let id = said_id(&out);
    let dir = watch_dir(&env, &id);
    // Not due again within the hour: a tick captures nothing.
    let out = env.ok(&["watch", "tick"], 0);
    assert!(out.contains("No watch is due."), "{out}");
    assert_eq!(history(&env, &id).len(), 1);

    // The listing changes: its price, its look and its picture.
    std::fs::write(site_root.join("item.html"), ITEM_V2).unwrap();
    std::fs::write(site_root.join("pic.png"), TINY_PNG).unwrap();
    let out = env.ok(&["watch", "tick", &id], 0);
    assert!(out.contains("capture 2 of"), "{out}");
    assert!(
        out.contains("text: 1 line(s) added, 1 removed (0002.diff)"),
        "{out}"
    );
    assert!(out.contains("the screenshot looks different"), "{out}");
    assert!(out.contains("media: 0 new, 0 gone, 1 changed"), "{out}");
    let h = history(&env, &id);
    assert_eq!(h.len(), 2);
    assert_eq!(h[1]["outcome"], "present");
    assert_eq!(h[1]["http_status"], 200);
    assert_eq!(
        h[1]["changes"]["media_changed"][0],
        format!("{base}/pic.png")
    );
    let diff = std::fs::read_to_string(dir.join("0002.diff")).unwrap();
    assert!(diff.contains("-Price: 99\n+Price: 79\n"), "{diff}");
    let second = h[1]["package"].as_str().unwrap().to_owned();
    package_verifies(&env, &dir, &second);

    // Taken down: 404. The watch says so, names the last package showing the page, and ends.
    std::fs::remove_file(site_root.join("item.html")).unwrap();
    let out = env.ok(&["watch", "tick", &id], 0);
    assert!(out.contains("GONE (the page answers 404"), "{out}");
    assert!(out.contains(&format!("Last present in {second}.")), "{out}");
    let h = history(&env, &id);
    assert_eq!(h.len(), 3);
    assert_eq!(h[2]["outcome"], "gone");
    assert_eq!(h[2]["why"], "status");
    assert_eq!(h[2]["status"], 404);
    assert_eq!(h[2]["last_present"], second.as_str());
    // The capture of the gone page is itself a package: evidence of the takedown's time.
    package_verifies(&env, &dir, h[2]["package"].as_str().unwrap());
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["watch", "list", "--json"], 0)).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["active"], false);
    assert!(
        list[0]["ended"].as_str().unwrap().contains("capture 3"),
        "{list:?}"
    );
    // An ended watch is not captured again until started.
    let o = env.run(&["watch", "tick", &id]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is stopped"));
    assert_eq!(history(&env, &id).len(), 3);
    // The same URL is not watched twice.
    let o = env.run(&["watch", &url, "--every", "1h", "--no-service"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is watched already"));
}

#[test]
fn a_redirect_home_or_a_removed_element_is_gone_too() {
    let env = Env::new();
    env.init_operator("ed25519");
    let site_root = site_dir(&env);
    let base = site::serve_root(site_root.clone());
    let args = |url: &str, element: Option<&str>| {
        let mut a = vec![
            "watch".to_owned(),
            url.to_owned(),
            "--every".into(),
            "1h".into(),
            "--no-service".into(),
        ];
        if let Some(e) = element {
            a.extend(["--element".to_owned(), e.to_owned()]);
        }
        a.extend(["--".into(), "--headless".into(), "--no-video".into()]);
        a
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        env.ok(&a, 0)
    };
    let moved = said_id(&run(args(&format!("{base}/item.html"), None)));
    std::fs::write(site_root.join("item.html.redirect"), "/").unwrap();
    let out = env.ok(&["watch", "tick", &moved], 0);
    assert!(
        out.contains(&format!("it now leads to the home page {base}/")),
        "{out}"
    );
    // Without --until-gone the watch goes on.
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["watch", "list", "--json"], 0)).unwrap();
    assert_eq!(list[0]["active"], true);
    std::fs::remove_file(site_root.join("item.html.redirect")).unwrap();

    // The tracked element: present, then removed from a page still served.
    std::fs::write(site_root.join("shop.html"), ITEM_V1).unwrap();
    let el = said_id(&run(args(
        &format!("{base}/shop.html"),
        Some("#listing img"),
    )));
    std::fs::write(
        site_root.join("shop.html"),
        ITEM_V1.replace(
            r#"<img src="pic.png" width="200" height="200">"#,
            "Sold out",
        ),
    )
    .unwrap();
    let out = env.ok(&["watch", "tick", &el], 0);
    assert!(
        out.contains("GONE (#listing img is no longer in the page"),
        "{out}"
    );
    let h = history(&env, &el);
    assert_eq!(h[1]["why"], "element_removed");
    assert_eq!(
        h[1]["changes"]["media_removed"][0],
        format!("{base}/pic.png")
    );
    // Stop and start by hand.
    env.ok(&["watch", "stop", &el], 0);
    let o = env.run(&["watch", "tick", &el]);
    assert_eq!(o.status.code(), Some(2));
    env.ok(&["watch", "start", &el], 0);
    // Mistakes are said before anything is written.
    for (bad, says) in [
        (
            vec!["watch", "http://127.0.0.1:9/x", "--every", "10s"],
            "at most every minute",
        ),
        (
            vec!["watch", "http://127.0.0.1:9/x", "--every", "soon"],
            "not a duration",
        ),
        (
            vec![
                "watch",
                "http://127.0.0.1:9/x",
                "--every",
                "1h",
                "--element",
                "div[",
            ],
            "not a CSS selector",
        ),
        (
            vec!["watch", "ftp://127.0.0.1/x", "--every", "1h"],
            "not an http(s) URL",
        ),
        (vec!["watch", "history", "nope"], "there is no watch nope"),
    ] {
        let o = env.run(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{bad:?}: {err}");
    }
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["watch", "list", "--json"], 0)).unwrap();
    assert_eq!(list.len(), 2);

    // One watch damaged on disk does not stop the timer's tick: the watch before the other in
    // the order ticks take them is damaged, the other falls due (its interval shortened to a
    // second: its last capture began seconds ago) and is still captured; both commands say which watch
    // is broken, and exit 4.
    let mut ids = [moved.clone(), el.clone()];
    ids.sort();
    let [broken, due] = ids;
    std::fs::write(watch_dir(&env, &broken).join("watch.json"), "{ torn").unwrap();
    let spec_path = watch_dir(&env, &due).join("watch.json");
    let mut spec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&spec_path).unwrap()).unwrap();
    spec["every_secs"] = 1.into();
    std::fs::write(&spec_path, serde_json::to_vec(&spec).unwrap()).unwrap();
    let before = history(&env, &due).len();
    let o = env.run(&["watch", "tick"]);
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(4), "{out}\n{err}");
    assert!(
        err.contains(&format!("watch {broken} could not be read or captured"))
            && err.contains("watch.json"),
        "{err}"
    );
    assert!(out.contains(&format!("capture {}", before + 1)), "{out}");
    assert_eq!(history(&env, &due).len(), before + 1);
    let o = env.run(&["watch", "list", "--json"]);
    assert_eq!(o.status.code(), Some(4));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], due.as_str());
    assert!(String::from_utf8_lossy(&o.stderr).contains(&broken));
}

#[test]
fn the_service_units_are_valid_for_systemd_and_the_kept_passphrase_is_private() {
    let env = Env::new();
    env.init_operator("ed25519");
    let config = env.path().join("config");
    let runtime = env.path().join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    let o = env
        .cmd()
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_RUNTIME_DIR", &runtime)
        .args(["watch", "service", "install"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let units = config.join("systemd/user");
    let (service, timer) = (
        units.join("webproof-watch.service"),
        units.join("webproof-watch.timer"),
    );
    assert!(service.is_file() && timer.is_file(), "{err}");
    // Where no user manager runs (a container), enabling fails and says so.
    if !o.status.success() {
        assert!(err.contains("systemctl --user"), "{err}");
    }
    // systemd's own check of the units: every key known, the calendar and program valid.
    let v = std::process::Command::new("systemd-analyze")
        .env("XDG_RUNTIME_DIR", &runtime)
        .args(["verify", "--user"])
        .arg(&timer)
        .arg(&service)
        .output()
        .unwrap();
    assert!(
        v.status.success() && v.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let unit = std::fs::read_to_string(&service).unwrap();
    assert!(
        unit.contains(&format!("ExecStart=\"{}\" watch tick", bin().display())),
        "{unit}"
    );
    // The passphrase the timer's captures use: this user's only, and used.
    let pass = env.home().join("watches/passphrase");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&pass).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let with_file = |args: &[&str]| {
        env.cmd()
            .env_remove("WEBPROOF_PASSPHRASE")
            .env("WEBPROOF_PASSPHRASE_FILE", &pass)
            .args(args)
            .output()
            .unwrap()
    };
    let o = with_file(&["operator", "show", "--fingerprint"]);
    assert!(o.status.success());
    // A kept passphrase others may read is refused, not used.
    std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.write("f.txt", b"sealed with the kept passphrase");
    let o = with_file(&["seal", "f.txt", "--out", "f.wacz"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("chmod 600"));
    std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = with_file(&["seal", "f.txt", "--out", "f.wacz"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Removed: units and passphrase gone.
    let o = env
        .cmd()
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_RUNTIME_DIR", &runtime)
        .args(["watch", "service", "remove"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!service.exists() && !timer.exists() && !pass.exists());
}
