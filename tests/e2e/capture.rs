//! `webproof capture` with the real Chromium and chromedriver (headless, and headful in
//! webproof's own Xvfb) against the fixture site.

use crate::site;
use crate::util::*;

fn png_size(b: &[u8]) -> (u32, u32) {
    assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    (
        u32::from_be_bytes([b[16], b[17], b[18], b[19]]),
        u32::from_be_bytes([b[20], b[21], b[22], b[23]]),
    )
}

/// The path of the artifact of the first `kind` step whose name ends with `suffix`.
fn artifact(recs: &[serde_json::Value], kind: &str, suffix: &str) -> String {
    recs.iter()
        .filter(|r| r["kind"] == kind)
        .flat_map(|r| r["artifacts"].as_array().unwrap().iter())
        .map(|a| a["path"].as_str().unwrap().to_owned())
        .find(|p| p.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {kind} artifact *{suffix}"))
}

fn capture_and_check_with(headless: bool, extra: &[&str]) -> (Env, String, Vec<serde_json::Value>) {
    let base = site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let url = format!("{base}/redirect");
    let mut args = vec!["capture", &url, "--out", "c.wacz", "--case", "SHOP-42"];
    if headless {
        args.push("--headless");
    }
    args.extend_from_slice(extra);
    env.ok(&args, 0);
    let wacz = env.path().join("c.wacz");
    let out = env.ok(&["verify", "c.wacz", "--trust-operator", &fpr], 0);
    assert!(out.contains("VERIFIED"), "{out}");

    // Steps in order, the redirect followed, URL and title recorded.
    let recs = journal(&wacz);
    // Video segments (and their subtitle track) are journaled when they close, between the
    // other steps.
    let kinds: Vec<&str> = recs
        .iter()
        .filter(|r| {
            !r["artifacts"][0]["path"]
                .as_str()
                .unwrap_or("")
                .starts_with("video/")
        })
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "environment",
            "note",
            "navigate",
            "scroll",
            "screenshot",
            "snapshot",
            "network-archive",
            "seal"
        ]
    );
    assert!(
        recs[1]["params"]["browser"]
            .as_str()
            .unwrap()
            .contains("Chromium"),
        "{}",
        recs[0]
    );
    assert_eq!(recs[2]["params"]["requested_url"], url.as_str());
    assert_eq!(recs[2]["url"], format!("{base}/index.html"));
    assert_eq!(recs[2]["params"]["title"], "Example Shop – Item 42");

    // Real PNGs of the right size: full width, full page height beyond the viewport.
    let full = entry(&wacz, &artifact(&recs, "screenshot", "full-page.png"));
    let view = entry(&wacz, &artifact(&recs, "screenshot", "viewport.png"));
    let (fw, fh) = png_size(&full);
    let (vw, vh) = png_size(&view);
    assert_eq!((fw, vw), (1280, 1280));
    assert!(
        fh > 2500 && fh > vh && vh >= 500,
        "full {fw}x{fh}, viewport {vw}x{vh}"
    );

    // The DOM snapshot holds what the page showed; MHTML carries the image.
    let dom = String::from_utf8(entry(&wacz, &artifact(&recs, "snapshot", "dom.html"))).unwrap();
    assert!(
        dom.contains("PhotoCopy Ltd") && dom.contains("data-loaded=\"yes\""),
        "{dom}"
    );
    let mhtml = String::from_utf8_lossy(&entry(&wacz, &artifact(&recs, "snapshot", "page.mhtml")))
        .into_owned();
    assert!(
        mhtml.contains("Content-Type: image/png"),
        "MHTML lacks the image"
    );

    // The network archive: the redirect chain and the page in the WARC, indexed by CDXJ
    // entries that point at their response records.
    let na = recs
        .iter()
        .find(|r| r["kind"] == "network-archive")
        .expect("network-archive step");
    let paths: Vec<&str> = na["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "archive/data.warc",
            "indexes/index.cdx",
            "pages/pages.jsonl"
        ]
    );
    let warc_bytes = entry(&wacz, "archive/data.warc");
    let cdx = String::from_utf8(entry(&wacz, "indexes/index.cdx")).unwrap();
    let mut statuses = std::collections::BTreeMap::new();
    for line in cdx.lines() {
        let j: serde_json::Value =
            serde_json::from_str(line.splitn(3, ' ').nth(2).unwrap()).unwrap();
        let off = j["offset"].as_u64().unwrap() as usize;
        let len = j["length"].as_u64().unwrap() as usize;
        let rec = &warc_bytes[off..off + len];
        assert!(
            rec.starts_with(b"WARC/1.1\r\nWARC-Type: response"),
            "{line}"
        );
        statuses.insert(
            j["url"].as_str().unwrap().to_owned(),
            j["status"].as_str().unwrap().to_owned(),
        );
    }
    assert_eq!(statuses.get(&url).map(String::as_str), Some("302"), "{cdx}");
    assert_eq!(
        statuses
            .get(&format!("{base}/index.html"))
            .map(String::as_str),
        Some("200"),
        "{cdx}"
    );
    let pages = String::from_utf8(entry(&wacz, "pages/pages.jsonl")).unwrap();
    assert!(
        pages.lines().nth(1).unwrap().contains("/index.html"),
        "{pages}"
    );

    assert_wacz_valid(&env, "c.wacz");
    (env, fpr, recs)
}

/// Unzips the package into `dir` and checks every `video-segment` step: an H.264 1280x720
/// MP4 holding exactly the journaled frames, recorded from `source`. Returns the segment
/// steps and the frame total.
pub fn check_video<'r>(
    wacz: &std::path::Path,
    dir: &std::path::Path,
    recs: &'r [serde_json::Value],
    source: &str,
) -> (Vec<&'r serde_json::Value>, u64) {
    let segs: Vec<&serde_json::Value> = recs
        .iter()
        .filter(|r| r["kind"] == "video-segment")
        .collect();
    assert!(!segs.is_empty(), "no video-segment step");
    unzip(wacz, dir);
    let mut frames = 0u64;
    for s in &segs {
        assert_eq!(s["params"]["source"], source);
        let path = s["artifacts"][0]["path"].as_str().unwrap();
        assert!(
            path.starts_with("video/segment-") && path.ends_with(".mp4"),
            "{path}"
        );
        // The segment decodes: H.264, 1280x720, as many frames as journaled.
        let o = tool(
            "ffprobe",
            &[
                "-v",
                "error",
                "-count_frames",
                "-count_packets",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=codec_name,width,height,nb_read_frames,nb_read_packets",
                "-of",
                "csv=p=0",
                path,
            ],
            dir,
        );
        let text = String::from_utf8_lossy(&o.stdout).trim().to_owned();
        let journaled = s["params"]["frames"].as_u64().unwrap();
        // The segment holds and decodes to exactly the journaled number of frames (one
        // packet each, no B-frames, every packet one frame long: a last sample of duration 0
        // would be dropped by demuxers under the MP4 edit list).
        let fields: Vec<&str> = text.split(',').collect();
        assert_eq!(&fields[..3], ["h264", "1280", "720"], "{path}: {text}");
        let decoded: u64 = fields[3].parse().unwrap();
        let packets: u64 = fields[4].parse().unwrap();
        assert_eq!(packets, journaled, "{path}: {text}");
        assert_eq!(decoded, journaled, "{path}: {text}");
        frames += journaled;
    }
    (segs, frames)
}

#[test]
fn headless_capture_of_the_fixture_site_verifies() {
    let (env, _, recs) = capture_and_check_with(true, &[]);
    // Headless sessions are recorded from the DevTools screencast at a constant 25 fps.
    let (segs, frames) = check_video(
        &env.path().join("c.wacz"),
        &env.path().join("x"),
        &recs,
        "DevTools screencast",
    );
    let seconds: f64 = segs
        .iter()
        .map(|s| {
            let t = |k: &str| {
                time::OffsetDateTime::parse(
                    s[k].as_str().unwrap(),
                    &time::format_description::well_known::Rfc3339,
                )
                .unwrap()
            };
            (t("ended") - t("started")).as_seconds_f64()
        })
        .sum();
    let fps = frames as f64 / seconds;
    assert!(
        (20.0..=30.0).contains(&fps),
        "{frames} frames in {seconds:.1} s"
    );
}

/// A profile for the media page: wait for the late change, take every video and document.
const MEDIA_PROFILE: &str = r##"
name = "media-test"
description = "media page of the fixture site"

[[steps]]
action = "navigate"

[[steps]]
action = "wait"
selector = "#status.updated"
timeout_ms = 10000

[[steps]]
action = "extract"
fields = { status = "#status", video = "video@src" }

[[steps]]
action = "download"
what = "videos"
max_files = 3

[[steps]]
action = "download"
what = "links"
max_files = 3

[[steps]]
action = "screenshot"

[[steps]]
action = "snapshot"
"##;

#[test]
fn media_page_iframe_video_download_and_late_change_are_all_kept() {
    let base = site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let profile = env.write("media.toml", MEDIA_PROFILE.as_bytes());
    let url = format!("{base}/media.html");
    env.ok(
        &[
            "capture",
            &url,
            "--out",
            "c.wacz",
            "--headless",
            "--profile",
            profile.to_str().unwrap(),
        ],
        0,
    );
    let out = env.ok(&["verify", "c.wacz", "--trust-operator", &fpr], 0);
    assert!(out.contains("VERIFIED"), "{out}");
    let wacz = env.path().join("c.wacz");
    let recs = journal(&wacz);

    // The text that changed after load is what was extracted, waited for.
    let wait = recs.iter().find(|r| r["kind"] == "wait").unwrap();
    assert_eq!(wait["params"]["found"], true, "{wait}");
    let extract: serde_json::Value =
        serde_json::from_slice(&entry(&wacz, &artifact(&recs, "snapshot", "extract.json")))
            .unwrap();
    assert_eq!(extract["extracted"]["status"], "Status: updated after load");

    // The HTML5 video and the PDF, byte for byte as served, as artifacts and in the WARC.
    let site_file = |n: &str| std::fs::read(site::root().join(n)).unwrap();
    let clip = entry(&wacz, &artifact(&recs, "download", "clip.mp4"));
    let pdf = entry(&wacz, &artifact(&recs, "download", "report.pdf"));
    assert_eq!(clip, site_file("clip.mp4"));
    assert_eq!(pdf, site_file("report.pdf"));
    let warc = entry(&wacz, "archive/data.warc");
    let contains = |needle: &[u8]| warc.windows(needle.len()).any(|w| w == needle);
    assert!(contains(&pdf), "the PDF's bytes are not in the WARC");
    assert!(contains(&clip), "the video's bytes are not in the WARC");

    // The iframe's document and its image were archived too.
    let cdx = String::from_utf8(entry(&wacz, "indexes/index.cdx")).unwrap();
    for page in ["/frame.html", "/photo.png", "/clip.mp4", "/media.html"] {
        assert!(
            cdx.contains(&format!("{base}{page}")),
            "{page} not indexed:\n{cdx}"
        );
    }
    // ...and the DOM snapshot's MHTML holds the frame's content.
    let mhtml = String::from_utf8_lossy(&entry(&wacz, &artifact(&recs, "snapshot", "page.mhtml")))
        .into_owned();
    assert!(
        mhtml.contains("Embedded review"),
        "the MHTML lacks the iframe"
    );

    assert_wacz_valid(&env, "c.wacz");
}

#[test]
fn headful_capture_in_xvfb_is_screen_recorded_and_verifies() {
    let (env, fpr, recs) = capture_and_check_with(false, &["--segment-secs", "1"]);
    let wacz = env.path().join("c.wacz");
    let dir = env.path().join("x");
    let (segs, frames) = check_video(&wacz, &dir, &recs, "x11grab");
    assert!(frames >= 10, "only {frames} frames recorded");

    // The step timeline as WebVTT, journaled after the last segment.
    let vtt = std::fs::read_to_string(dir.join("video/steps.vtt")).unwrap();
    assert!(
        vtt.starts_with("WEBVTT")
            && (vtt.contains("step 2 · navigate")
                || vtt.contains(
                    "before the recording started: steps 0 environment, 1 note, 2 navigate"
                ))
            && vtt.contains(" --> "),
        "{vtt}"
    );
    assert!(
        recs.iter()
            .any(|r| r["artifacts"][0]["path"] == "video/steps.vtt")
    );

    // A tampered video segment fails verification, naming the segment.
    let victim = segs[0]["artifacts"][0]["path"].as_str().unwrap().to_owned();
    rewrite_zip(&wacz, &env.path().join("t.wacz"), |name, b| {
        if name == victim {
            let n = b.len() / 2;
            b[n] ^= 0x20;
        }
    });
    let out = env.ok(&["verify", "t.wacz", "--trust-operator", &fpr], 1);
    assert!(
        out.contains(&format!("FAIL      file.digest        {victim}")),
        "{out}"
    );
}

#[test]
fn a_failed_navigation_still_yields_a_sealed_package_saying_why() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    // A server that accepts connections (so step 0 reaches it) and closes each one without an
    // answer: the browser shows its error page (ERR_EMPTY_RESPONSE), or chromedriver reports
    // the navigation failed (ERR_CONNECTION_RESET, when the close beats the request) — the
    // same finding either way.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            drop(stream);
        }
    });
    let url = format!("http://127.0.0.1:{port}/gone");
    env.ok(&["capture", &url, "--out", "u.wacz", "--headless"], 0);
    // Intact, but it captured no page: the failed navigation is a finding, not VERIFIED.
    let out = env.ok(&["verify", "u.wacz", "--trust-operator", &fpr], 4);
    assert!(
        out.contains("INTACT WITH FINDINGS") && out.contains("reached no web page"),
        "{out}"
    );
    // The report sealed inside says so too, as the sealer's verdict.
    let html = String::from_utf8(entry(&env.path().join("u.wacz"), "report/report.html")).unwrap();
    assert!(
        html.contains("verdict before the seal step: INTACT WITH FINDINGS")
            && html.contains("reached no web page"),
        "{html}"
    );
}

#[test]
fn a_failing_environment_stops_the_capture_unless_overridden() {
    let base = site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    // A correct TSA seen from a machine whose clock is three hours behind (libfaketime runs
    // the TSA three hours ahead): step 0's clock check fails.
    let tsa = crate::timestamp::OpensslTsa::start_shifted(&env, Some("+3h"));
    let root = tsa.root.display().to_string();
    let url = format!("{base}/index.html");
    let o = env.run(&[
        "capture",
        &url,
        "--out",
        "e.wacz",
        "--headless",
        "--no-video",
        "--tsa",
        &tsa.url,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("FAIL     clock") && err.contains("environment check failed"),
        "{err}"
    );
    let out = env.ok(
        &[
            "verify",
            "e.wacz",
            "--trust-operator",
            &fpr,
            "--trust-tsa",
            &root,
        ],
        4,
    );
    assert!(
        out.contains("the environment check failed (clock") && out.contains("holds no evidence"),
        "{out}"
    );
    assert_eq!(
        kinds(&env.path().join("e.wacz")),
        ["environment", "interruption", "seal"]
    );
    let report: serde_json::Value = serde_json::from_slice(&entry(
        &env.path().join("e.wacz"),
        "artifacts/000000-environment.json",
    ))
    .unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "clock" && f["grade"] == "fail")
    );

    // With an override the capture goes on, and the override's reason is in step 0.
    let o = env.run(&[
        "capture",
        &url,
        "--out",
        "o.wacz",
        "--headless",
        "--no-video",
        "--tsa",
        &tsa.url,
        "--override-env",
        "testing the override",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let recs = journal(&env.path().join("o.wacz"));
    assert_eq!(recs[0]["params"]["override"], "testing the override");
    assert!(recs.iter().any(|r| r["kind"] == "navigate"));
    // Overridden or not, the failed check is a finding.
    let out = env.ok(
        &[
            "verify",
            "o.wacz",
            "--trust-operator",
            &fpr,
            "--trust-tsa",
            &root,
        ],
        4,
    );
    assert!(
        out.contains("the operator overrode it: testing the override"),
        "{out}"
    );
}

/// A page that cannot be reached from here — a host that does not resolve, a port where
/// nothing listens — is said to be the target's problem (not the machine's, and no override
/// changes it), no browser starts, and nothing is written: no package, no directory to resume.
#[test]
fn an_unreachable_target_is_refused_without_a_package() {
    let env = Env::new();
    env.init_operator("ed25519");
    let closed = free_port();
    for (url, said) in [
        (
            "http://nonexistent.invalid/listing".to_owned(),
            "nonexistent.invalid does not resolve",
        ),
        (
            format!("http://127.0.0.1:{closed}/"),
            "nothing accepts connections at 127.0.0.1:",
        ),
    ] {
        for extra in [
            &[][..],
            &["--override-env", "the site is down; capture anyway"][..],
        ] {
            let mut args = vec!["capture", url.as_str(), "--out", "u.wacz", "--headless"];
            args.extend_from_slice(extra);
            let o = env.run(&args);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{err}");
            assert!(err.contains(said), "{err}");
            assert!(
                err.contains("cannot be captured from this machine")
                    && err.contains("no package was written")
                    && !err.contains("Fix the machine"),
                "{err}"
            );
            assert!(!env.path().join("u.wacz").exists());
            assert_eq!(env.ok(&["captures", "list"], 0).trim(), "", "{err}");
        }
    }
}

#[test]
fn gallery_profile_scrolls_infinite_list_and_downloads_every_image() {
    let base = site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let url = format!("{base}/gallery.html");
    env.ok(
        &[
            "capture",
            &url,
            "--out",
            "g.wacz",
            "--headless",
            "--profile",
            "gallery",
        ],
        0,
    );
    env.ok(&["verify", "g.wacz", "--trust-operator", &fpr], 0);
    let wacz = env.path().join("g.wacz");
    let recs = journal(&wacz);
    let scroll = recs
        .iter()
        .find(|r| r["kind"] == "scroll")
        .expect("scroll step");
    assert_eq!(scroll["params"]["reached_end"], true, "{scroll}");
    let download = recs
        .iter()
        .find(|r| r["kind"] == "download")
        .expect("download step");
    let arts = download["artifacts"].as_array().unwrap();
    // 3 images at load + 2 batches of 3 from infinite scroll.
    assert_eq!(arts.len(), 9, "{download}");
    let original = std::fs::read(site::root().join("photo.png")).unwrap();
    for a in arts {
        assert_eq!(a["media_type"], "image/png");
        assert_eq!(entry(&wacz, a["path"].as_str().unwrap()), original, "{a}");
    }
    // The downloaded bytes are in the WARC too (the page fetched them).
    let warc_bytes = entry(&wacz, "archive/data.warc");
    let payload = format!(
        "WARC-Payload-Digest: sha256:{}",
        webproof_evidence::digest::sha256(&original)
    );
    assert!(
        String::from_utf8_lossy(&warc_bytes)
            .matches(&payload)
            .count()
            >= 9
    );
    let files = download["params"]["files"].as_array().unwrap();
    assert!(
        files
            .iter()
            .all(|f| f["status"] == 200 && f["url"].as_str().unwrap().contains("photo.png?n="))
    );
}

#[test]
fn profiles_are_listed_shown_and_checked() {
    let env = Env::new();
    let out = env.ok(&["profiles", "list"], 0);
    for n in [
        "generic",
        "gallery",
        "article",
        "ecommerce",
        "video",
        "login",
        "social",
    ] {
        assert!(out.contains(n), "{out}");
    }
    assert!(
        env.ok(&["profiles", "show", "gallery"], 0)
            .contains("action = \"download\"")
    );
    let good = env.write(
        "p.toml",
        b"name = \"mine\"\ndescription = \"d\"\n[[steps]]\naction = \"navigate\"\n",
    );
    assert!(
        env.ok(&["profiles", "check", good.to_str().unwrap()], 0)
            .contains("valid: mine")
    );
    let bad = env.write(
        "b.toml",
        b"name = \"mine\"\ndescription = \"d\"\n[[steps]]\naction = \"click\"\nselector = \"\"\n",
    );
    assert!(
        env.ok(&["profiles", "check", bad.to_str().unwrap()], 1)
            .contains("invalid")
    );
}

#[test]
fn login_profile_signs_in_with_asked_credentials_that_are_never_stored() {
    let base = site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let url = format!("{base}/login.html");
    // Without the credentials and without a terminal: refused before anything starts.
    let o = env.run(&[
        "capture",
        &url,
        "--out",
        "l.wacz",
        "--headless",
        "--profile",
        "login",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("WEBPROOF_ASK_USERNAME"));
    let o = env
        .cmd()
        .env("WEBPROOF_ASK_USERNAME", "agent7")
        .env("WEBPROOF_ASK_PASSWORD", "s3cret")
        .args([
            "capture",
            &url,
            "--out",
            "l.wacz",
            "--headless",
            "--profile",
            "login",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    env.ok(&["verify", "l.wacz", "--trust-operator", &fpr], 0);
    let wacz = env.path().join("l.wacz");
    let recs = journal(&wacz);
    let dom = String::from_utf8(entry(&wacz, &artifact(&recs, "snapshot", "dom.html"))).unwrap();
    assert!(
        dom.contains("Welcome back"),
        "the cookie login did not hold: {dom}"
    );
    let wait = recs.iter().find(|r| r["kind"] == "wait").unwrap();
    assert_eq!(wait["params"]["found"], true);
    let inputs: Vec<&serde_json::Value> = recs.iter().filter(|r| r["kind"] == "input").collect();
    assert_eq!(inputs[0]["params"]["text"], "agent7");
    assert_eq!(inputs[1]["params"]["text"], "••••••");
    assert_eq!(inputs[1]["params"]["masked"], true);
    // The password appears nowhere in the package.
    assert_nowhere_in_package(&env, &wacz, b"s3cret");
    // The archive says what it redacted, and why: the sign-in request's body. (Chromium
    // reports cookies only in its raw "extra info" events, which the archive does not keep;
    // credential headers it does report are redacted too, as the evidence core's tests show.)
    let warc = String::from_utf8_lossy(&entry(&wacz, "archive/data.warc")).into_owned();
    assert!(
        warc.contains("\"webproof\":\"redaction\""),
        "no redaction record"
    );
    assert!(warc.contains("\"part\":\"request body\""), "{warc}");
    assert!(warc.contains("POST /login HTTP/1.1"), "{warc}");
}

#[test]
fn a_capture_is_time_stamped_as_it_goes_and_every_step_gets_trusted_time() {
    let base = site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let tsa = crate::timestamp::DevTsa::start(&env);
    let url = format!("{base}/index.html");
    let out = env.run(&[
        "capture",
        &url,
        "--out",
        "c.wacz",
        "--headless",
        "--tsa",
        &tsa.url,
        "--stamp-every",
        "2",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let wacz = env.path().join("c.wacz");
    let recs = journal(&wacz);
    // Step 0 keeps the TSA's answer to the clock probe, and its clock finding cites it.
    let env_step = &recs[0];
    assert!(
        env_step["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["path"].as_str().unwrap().ends_with("clock-check.tsr")),
        "{env_step}"
    );
    let report: serde_json::Value = serde_json::from_slice(&entry(
        &wacz,
        &artifact(&recs, "environment", "environment.json"),
    ))
    .unwrap();
    let clock = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "clock")
        .unwrap();
    assert_eq!(clock["grade"], "ok", "{clock}");

    // Tokens at the start (over step 0), along the way, and over the final head.
    let dir = env.path().join("x");
    unzip(&wacz, &dir);
    let names: Vec<String> = std::fs::read_dir(dir.join("timestamps"))
        .unwrap()
        .flatten()
        .map(|e| format!("timestamps/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".tsr"))
        .collect();
    let last = recs.len() - 1;
    assert!(
        names.iter().any(|n| n.starts_with("timestamps/000000-")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with(&format!("timestamps/{last:06}-"))),
        "{names:?}"
    );
    assert!(names.len() >= 3, "{names:?}");

    let root = tsa.root.to_str().unwrap();
    let out = env.ok(
        &[
            "verify",
            "c.wacz",
            "--trust-operator",
            &fpr,
            "--trust-tsa",
            root,
            "--json",
        ],
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let time = v["time"].as_array().unwrap();
    assert_eq!(time.len(), recs.len());
    // Each step's time comes from the first checkpoint at or after it.
    for t in time {
        let seq = t["seq"].as_u64().unwrap();
        let token = t["token"].as_str().unwrap();
        let covered: u64 = token["timestamps/".len()..][..6].parse().unwrap();
        assert!(covered >= seq, "{t}");
    }
}

#[test]
fn click_by_point_network_idle_and_a_40000_px_full_page_screenshot() {
    let base = site::serve();
    let env = Env::new();
    env.init_operator("ed25519");
    let profile = env.write(
        "long.toml",
        br##"
name = "long-test"
description = "long page of the fixture site"

[[steps]]
action = "navigate"

[[steps]]
action = "click"
x = 150
y = 150

[[steps]]
action = "wait"
network_idle_ms = 600
timeout_ms = 15000

[[steps]]
action = "extract"
fields = { status = "#status", loaded = "#loaded" }

[[steps]]
action = "screenshot"
"##,
    );
    let url = format!("{base}/long.html");
    env.ok(
        &[
            "capture",
            &url,
            "--out",
            "c.wacz",
            "--headless",
            "--no-video",
            "--profile",
            profile.to_str().unwrap(),
        ],
        0,
    );
    let wacz = env.path().join("c.wacz");
    let recs = journal(&wacz);
    let click = recs.iter().find(|r| r["kind"] == "click").unwrap();
    assert_eq!(click["params"]["point"], serde_json::json!([150, 150]));
    let wait = recs.iter().find(|r| r["kind"] == "wait").unwrap();
    assert_eq!(wait["params"]["idle"], true, "{wait}");
    let extract: serde_json::Value =
        serde_json::from_slice(&entry(&wacz, &artifact(&recs, "snapshot", "extract.json")))
            .unwrap();
    // The point click hit the button, and the wait lasted until all five loads were done.
    assert_eq!(extract["extracted"]["status"], "clicked", "{extract}");
    assert_eq!(extract["extracted"]["loaded"], "5", "{extract}");
    // The whole page in one PNG, no size limit.
    let (w, h) = png_size(&entry(
        &wacz,
        &artifact(&recs, "screenshot", "full-page.png"),
    ));
    assert_eq!(w, 1280);
    assert!(h >= 40_000, "full page is {w}x{h}");
}

/// webproof's own X display admits the holder of its cookie (the browser) and this user (the
/// in-process screen recorder), and nobody else: another local user can neither watch nor
/// drive the capture.
#[test]
fn the_capture_display_admits_only_the_browser_and_this_user() {
    use std::process::{Command, Stdio};
    let base = site::serve();
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let profile = env.write(
        "wait.toml",
        br##"
name = "wait-test"
description = "waits for what never comes, so the display can be probed"

[[steps]]
action = "navigate"

[[steps]]
action = "wait"
selector = "#never-there"
timeout_ms = 8000
"##,
    );
    let url = format!("{base}/index.html");
    let child = env
        .cmd()
        .args(["capture", &url, "--out", "c.wacz", "--profile"])
        .arg(&profile)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // webproof's Xvfb, and the arguments it was started with.
    let mut args: Vec<String> = Vec::new();
    for _ in 0..200 {
        if let Some(pid) = descendants(child.id()).into_iter().find(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "Xvfb")
        }) {
            args = std::fs::read(format!("/proc/{pid}/cmdline"))
                .unwrap_or_default()
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let display = args
        .iter()
        .find(|a| a.starts_with(':'))
        .unwrap_or_else(|| panic!("no Xvfb display in {args:?}"))
        .clone();
    let auth = args
        .iter()
        .position(|a| a == "-auth")
        .map(|i| args[i + 1].clone())
        .unwrap_or_else(|| panic!("Xvfb runs without -auth: {args:?}"));
    // Let the browser get going, then probe while the wait step holds the session open.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let probe = |xauthority: &str, as_nobody: bool| {
        let mut c = if as_nobody {
            let mut c = Command::new("setpriv");
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "xdpyinfo",
            ]);
            c
        } else {
            Command::new("xdpyinfo")
        };
        c.args(["-display", &display])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("XAUTHORITY", xauthority)
            .output()
            .expect("xdpyinfo (apt-get install x11-utils)")
    };
    let with_cookie = probe(&auth, false);
    assert!(
        with_cookie.status.success(),
        "the cookie holder was refused: {}",
        String::from_utf8_lossy(&with_cookie.stderr)
    );
    let this_user = probe("/dev/null", false);
    assert!(
        this_user.status.success(),
        "this user (as the recorder connects) was refused: {}",
        String::from_utf8_lossy(&this_user.stderr)
    );
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if root {
        let other = probe("/dev/null", true);
        assert!(
            !other.status.success(),
            "another user reached the capture display: {}",
            String::from_utf8_lossy(&other.stdout)
        );
        let mut cat = Command::new("setpriv");
        cat.args(["--reuid=65534", "--regid=65534", "--clear-groups", "cat"])
            .arg(&auth);
        assert!(
            !cat.output().unwrap().status.success(),
            "another user read the cookie"
        );
    } else {
        eprintln!("(not root: cannot act as another user; the other-user probe is skipped)");
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.ok(&["verify", "c.wacz", "--trust-operator", &fpr], 0);
    // The display's access is described with the browser in the package.
    let recs = journal(&env.path().join("c.wacz"));
    assert!(
        recs.iter().any(|r| r["params"]["display_access"]
            .as_str()
            .is_some_and(|s| s.contains("MIT-MAGIC-COOKIE-1"))),
        "no display_access in the browser's description"
    );
    // Gone with the capture.
    assert!(!std::path::Path::new(&auth).exists(), "{auth} left behind");
}

/// Issue 20, point 4: a URL that answers with a file — an attachment, an archive, a PDF, a
/// video — is captured as the file itself: its bytes an artifact of the navigation step, the
/// same bytes in the WARC, and no failed request for the page.
#[test]
fn a_url_that_answers_with_a_file_is_captured_as_that_file() {
    let base = site::serve();
    let env = Env::new();
    let op = env.init_operator("ed25519");
    let served = |name: &str| std::fs::read(site::root().join(name)).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "files/notice.txt",
            site::NOTICE.as_bytes().to_vec(),
            "download",
        ),
        ("files/evidence.zip", site::archive(), "download"),
        ("report.pdf", served("report.pdf"), ""),
        ("clip.mp4", served("clip.mp4"), "document"),
    ];
    for (i, (path, bytes, how)) in cases.iter().enumerate() {
        let out = format!("f{i}.wacz");
        let url = format!("{base}/{path}");
        capture_headless(&env, &url, &out);
        let wacz = env.path().join(&out);
        let recs = journal(&wacz);
        let nav = recs
            .iter()
            .find(|r| r["kind"] == "navigate")
            .unwrap_or_else(|| panic!("{path}: no navigate step"));
        let file = &nav["params"]["file"];
        assert_eq!(file["size"], bytes.len(), "{path}: {nav}");
        // A PDF is downloaded by a headless browser and shown by a headful one: either is the file.
        if !how.is_empty() {
            assert_eq!(file["how"], *how, "{path}: {nav}");
        }
        assert_eq!(nav["url"], url, "{path}");
        let kept = nav["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["path"].as_str().unwrap().contains("-file-"))
            .unwrap_or_else(|| panic!("{path}: no file artifact: {nav}"));
        assert_eq!(
            &entry(&wacz, kept["path"].as_str().unwrap()),
            bytes,
            "{path}"
        );
        let warc = entry(&wacz, "archive/data.warc");
        assert!(
            warc.windows(bytes.len()).any(|w| w == bytes.as_slice()),
            "{path}: the file's bytes are not in the WARC"
        );
        // The request that brought the file is archived as answered, not as failed.
        let net = recs
            .iter()
            .find(|r| r["kind"] == "network-archive")
            .unwrap();
        assert_eq!(net["params"]["failed_requests"], 0, "{path}: {net}");
        assert_wacz_valid(&env, &out);
        env.ok(&["verify", &out, "--trust-operator", &op], 0);
    }
}
