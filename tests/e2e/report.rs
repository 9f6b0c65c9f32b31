//! `webproof report`: the HTML and PDF report of a real capture, in English, Chinese and both.
//! The PDF is read back with poppler's pdftotext (the step URLs, the chain head and every artifact's SHA-256 are in it;
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
    capture_headless(&env, &url, "c.wacz");
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
    let o = tool("pdftotext", &["-raw", "c.pdf", "-"], env.path());
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
    let qr = qr_of_first_page(&env, "c.pdf");
    let sha = sha256sum(&env, "c.wacz");
    assert_eq!(qr, format!("sha256:{sha} c.wacz"));

    // In Chinese (WEBPROOF_LANG as a user would set it): the Chinese headings and the step
    // URLs, in a PDF that embeds a font covering Chinese.
    let o = env
        .cmd()
        .env("WEBPROOF_LANG", "zh-CN")
        .args(["report", "c.wacz", "--out", "zh.html", "--pdf", "zh.pdf"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = tool("pdftotext", &["-raw", "zh.pdf", "-"], env.path());
    let zh = squeeze(&String::from_utf8_lossy(&o.stdout));
    for heading in [
        "电子证据报告",
        "全部步骤时间线",
        "清洁环境检查",
        "不借助webproof的核验方法",
    ] {
        assert!(zh.contains(heading), "{heading}");
    }
    assert!(zh.contains(&squeeze(&url)));
    // Labels and check identifiers are laid out whole: each on one line of the PDF's text,
    // not one character a line (案/号) or broken mid-word (journal.c / hain).
    let lines = String::from_utf8_lossy(&o.stdout).into_owned();
    let whole = |w: &str| lines.lines().any(|l| l.contains(w));
    for w in [
        "案号",
        "取证人员",
        "journal.chain",
        "step.artifact",
        "capture.outcome",
    ] {
        assert!(whole(w), "{w} is broken across lines:\n{lines}");
    }
    // The same package reported twice without --out: the second takes the next free name,
    // under the trust options verify takes.
    let said = env.ok(
        &["report", "c.wacz", "--trust-operator", &"00".repeat(32)],
        0,
    );
    assert!(said.contains("c.report-2.html"), "{said}");
    assert!(said.contains("verdict: UNTRUSTED"), "{said}");
    // The steps, the environment findings and webproof's own notes in Chinese too.
    let html = std::fs::read_to_string(env.path().join("zh.html")).unwrap();
    for said in [
        "<b>导航</b>",
        "<b>截图</b>",
        "时钟",
        "浏览器会话开始",
        "应输出",
    ] {
        assert!(html.contains(said), "{said}");
    }
    for english in ["<b>navigate</b>", "browser session started", "# must print"] {
        assert!(!html.contains(english), "{english}");
    }
    // (Chromium embeds its fonts as unnamed Type 3 fonts; that the same Chromium draws
    // Chinese as real glyphs, not boxes, is tests/e2e/cjk.rs's check.)
    let o = tool("pdffonts", &["zh.pdf"], env.path());
    let fonts = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        fonts.lines().skip(2).any(|l| l.contains(" yes ")),
        "{fonts}"
    );
    // Both languages side by side; times in the machine's zone (here Beijing's) beside UTC.
    let o = env
        .cmd()
        .env("TZ", "Asia/Shanghai")
        .args(["report", "c.wacz", "--lang", "both", "--out", "both.html"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let both = std::fs::read_to_string(env.path().join("both.html")).unwrap();
    assert!(both.contains("电子证据报告 / Evidence report"));
    assert!(both.contains(" UTC+08:00 · "), "local time beside UTC");
    env.ok(
        &["report", "c.wacz", "--tz", "-05:00", "--out", "ny.html"],
        0,
    );
    let ny = std::fs::read_to_string(env.path().join("ny.html")).unwrap();
    assert!(ny.contains(" UTC-05:00 · "));
}

#[test]
fn a_sealed_package_carries_its_report_covered_by_the_seal() {
    let env = Env::new();
    let fpr = env.init_operator("ed25519");
    let sample = samples()[0].display().to_string();
    env.ok(
        &[
            "seal",
            &sample,
            "--out",
            "s.wacz",
            "--report-pdf",
            "--lang",
            "zh-CN",
            "--case",
            "案-1",
        ],
        0,
    );
    let wacz = env.path().join("s.wacz");
    let manifest: serde_json::Value =
        serde_json::from_slice(&entry(&wacz, "evidence/manifest.json")).unwrap();
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&"report/report.html") && listed.contains(&"report/report.pdf"));
    // Covered: the package verifies, and a changed report does not.
    let c = checks(&env, &["s.wacz", "--trust-operator", &fpr], 0);
    assert!(
        c.iter()
            .any(|x| x["subject"] == "report/report.pdf" && x["verdict"] == "pass")
    );
    rewrite_zip(&wacz, &env.path().join("t.wacz"), |name, bytes| {
        if name == "report/report.html" {
            bytes.extend_from_slice(b"<!-- edited -->");
        }
    });
    env.ok(&["verify", "t.wacz", "--trust-operator", &fpr], 1);
    // The PDF in the package is Chinese and its QR code carries the final chain head.
    std::fs::write(env.path().join("r.pdf"), entry(&wacz, "report/report.pdf")).unwrap();
    let o = tool("pdftotext", &["-raw", "r.pdf", "-"], env.path());
    let text = squeeze(&String::from_utf8_lossy(&o.stdout));
    assert!(text.contains("电子证据报告") && text.contains("案-1"));
    // The sealer's verdict on the steps before the seal step (no TSA used, none trusted), and
    // the request to verify again.
    assert!(
        text.contains("封存者在封存步骤之前的结论：目前验证通过") && text.contains("重新验证"),
        "{text}"
    );
    tool(
        "pdftoppm",
        &["-png", "-r", "150", "-f", "1", "-l", "1", "r.pdf", "r"],
        env.path(),
    );
    // The report was made before the seal step, which names it: its QR code carries the
    // chain head after the step before.
    let o = tool("zbarimg", &["-q", "--raw", "r-1.png"], env.path());
    let heads = manifest["heads"].as_array().unwrap();
    let before = &heads[heads.len() - 2];
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!(
            "webproof capture {} step {} chain head sha256:{}",
            manifest["capture"].as_str().unwrap(),
            before["seq"],
            before["head"]["sha256"].as_str().unwrap()
        )
    );
    let journal = String::from_utf8(entry(&wacz, "evidence/journal.jsonl")).unwrap();
    let seal: serde_json::Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!(seal["kind"], "seal");
    let named: Vec<&str> = seal["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert!(
        named.contains(&"report/report.html") && named.contains(&"report/report.pdf"),
        "{named:?}"
    );
    // --no-report leaves it out.
    env.ok(&["seal", &sample, "--out", "n.wacz", "--no-report"], 0);
    let m: serde_json::Value =
        serde_json::from_slice(&entry(&env.path().join("n.wacz"), "evidence/manifest.json"))
            .unwrap();
    assert!(!m.to_string().contains("report/"));
}

/// `report --notarial`: a draft record of the preservation for a notary, in Chinese and English,
/// labelled as a draft, naming applicant, place, operator, the environment check, each step,
/// the package's digests and every file of the evidence, as HTML and as PDF.
#[test]
fn a_notarial_draft_records_the_capture_for_the_notary_to_adapt() {
    let base = crate::site::serve();
    let env = Env::new();
    env.init_operator("ed25519");
    let url = format!("{base}/index.html");
    capture_headless(&env, &url, "c.wacz");
    let said = env.ok(
        &[
            "report",
            "c.wacz",
            "--notarial",
            "--applicant",
            "杭州某某科技有限公司",
            "--place",
            "杭州互联网公证处 3 号取证室",
            "--pdf",
            "n.pdf",
        ],
        0,
    );
    assert!(said.contains("c.notarial.html"), "{said}");
    // The flags that only make sense for the draft are refused without it.
    let o = env.run(&["report", "c.wacz", "--applicant", "x"]);
    assert_eq!(o.status.code(), Some(2));

    let html = std::fs::read_to_string(env.path().join("c.notarial.html")).unwrap();
    for words in [
        "保全证据公证记录 / Record of evidence preservation",
        "草稿：由 webproof 根据证据包生成",
        "DRAFT made by webproof",
        "杭州某某科技有限公司",
        "杭州互联网公证处 3 号取证室",
        "清洁性检查",
        "证据清单 / List of evidence",
    ] {
        assert!(html.contains(words), "{words}");
    }
    // The package file's digests, and every file the manifest lists with its SHA-256.
    let sha = sha256sum(&env, "c.wacz");
    assert!(html.contains(&sha), "the package's SHA-256");
    let manifest: serde_json::Value =
        serde_json::from_slice(&entry(&env.path().join("c.wacz"), "evidence/manifest.json"))
            .unwrap();
    for f in manifest["files"].as_array().unwrap() {
        assert!(
            html.contains(f["sha256"].as_str().unwrap()),
            "{}",
            f["path"]
        );
    }
    // Every step, with its URL.
    assert!(html.contains(&url));
    let steps = journal(&env.path().join("c.wacz")).len();
    let rows = html.matches("<tr><td>").count();
    assert!(rows >= steps, "{rows} rows for {steps} steps");
    // The PDF says the same (the draft label on it).
    let o = tool("pdftotext", &["-raw", "n.pdf", "-"], env.path());
    assert!(o.status.success());
    let text = squeeze(&String::from_utf8_lossy(&o.stdout));
    assert!(text.contains("保全证据公证记录"), "{text}");
    assert!(text.contains("DRAFTmadebywebproof"), "{text}");
    assert!(text.contains(&sha), "{text}");
}
