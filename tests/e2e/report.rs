//! `webproof report`: the HTML and PDF report of a real capture. The PDF is read back with
//! poppler's pdftotext (the step URLs, the chain head and every artifact's SHA-256 are in it;
//! the page count is sane) and its QR code, rendered by pdftoppm, decodes with zbarimg to the
//! package file's SHA-256.

use crate::util::*;

/// `text` without any whitespace (PDF text breaks long digests across lines).
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_report_of_a_capture_carries_its_steps_digests_and_a_qr_code_of_the_package() {
    let base = crate::site::serve();
    let env = Env::new();
    env.init_operator("ed25519");
    let url = format!("{base}/index.html");
    let out = env.run(&[
        "capture",
        &url,
        "--out",
        "c.wacz",
        "--headless",
        "--no-video",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = env.ok(&["report", "c.wacz", "--pdf", "c.pdf"], 0);
    assert!(said.contains("report: c.report.html"), "{said}");
    // Never overwritten.
    let o = env.run(&["report", "c.wacz", "--pdf", "c.pdf"]);
    assert_eq!(o.status.code(), Some(2));

    let html = std::fs::read_to_string(env.path().join("c.report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("data:image/png;base64,"));
    let o = tool("pdfinfo", &["c.pdf"], env.path());
    let info = String::from_utf8_lossy(&o.stdout).into_owned();
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&pages), "{info}");
    let o = tool("pdftotext", &["c.pdf", "-"], env.path());
    assert!(o.status.success());
    let text = squeeze(&String::from_utf8_lossy(&o.stdout));
    assert!(text.contains(&squeeze(&url)), "the URL");
    let manifest: serde_json::Value =
        serde_json::from_slice(&entry(&env.path().join("c.wacz"), "evidence/manifest.json"))
            .unwrap();
    let head = manifest["journal"]["head"]["sha256"].as_str().unwrap();
    assert!(text.contains(head), "the chain head");
    for rec in journal(&env.path().join("c.wacz")) {
        for a in rec["artifacts"].as_array().unwrap() {
            let d = a["sha256"].as_str().unwrap();
            assert!(text.contains(d), "{} {d}", a["path"]);
        }
    }
    // The QR code on page 1 is the package file's SHA-256.
    let o = tool(
        "pdftoppm",
        &["-png", "-r", "150", "-f", "1", "-l", "1", "c.pdf", "page"],
        env.path(),
    );
    assert!(o.status.success());
    let o = tool("zbarimg", &["-q", "--raw", "page-1.png"], env.path());
    let qr = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    let o = tool("sha256sum", &["c.wacz"], env.path());
    let sha = String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(qr, format!("sha256:{sha} c.wacz"));
}
