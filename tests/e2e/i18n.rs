//! The command line in Chinese and English: `verify` names every check and says what it found
//! in the chosen language (`--lang`, `WEBPROOF_LANG`), while `--json` keeps the stable check
//! identifiers, the English detail and the catalogue message beside the localized text; the
//! environment check likewise.

use crate::util::*;

#[test]
fn verify_and_env_check_speak_chinese_and_json_stays_stable() {
    let env = Env::new();
    env.init_operator("ed25519");
    let site = crate::site::serve();
    let pkg = env.path().join("p.wacz");
    capture_headless(&env, &format!("{site}/"), pkg.to_str().unwrap());
    let bad = env.path().join("bad.wacz");
    let mut done = false;
    rewrite_zip(&pkg, &bad, |name, bytes| {
        if !done && name.ends_with(".png") {
            let i = bytes.len() / 2;
            bytes[i] ^= 1;
            done = true;
        }
    });
    let bad_s = bad.to_str().unwrap();

    // Text, in Chinese: names, verdict words, the finding, the summary line.
    let o = env.run(&["verify", bad_s, "--lang", "zh-CN"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("失败  文件摘要 (file.digest)"), "{out}");
    assert!(out.contains("已被改动：其 SHA-256 为"), "{out}");
    assert!(out.contains("通过  步骤链 (journal.chain)"), "{out}");
    assert!(
        out.trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("验证失败："),
        "{out}"
    );
    // WEBPROOF_LANG does the same; English stays as it was.
    let o = env
        .cmd()
        .args(["verify", bad_s])
        .env("WEBPROOF_LANG", "zh-CN")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("文件摘要"));
    let o = env
        .cmd()
        .args(["verify", bad_s])
        .env("WEBPROOF_LANG", "en")
        .output()
        .unwrap();
    let en = String::from_utf8(o.stdout).unwrap();
    assert!(en.contains("FAIL      file.digest"), "{en}");
    assert!(
        en.trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("FAILED: "),
        "{en}"
    );

    // JSON: the same identifiers and verdicts in both languages; text localized.
    let json = |lang: &str| -> serde_json::Value {
        let o = env.run(&["verify", bad_s, "--json", "--lang", lang]);
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let (zh, en) = (json("zh-CN"), json("en"));
    let ids = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_owned(),
                    c["verdict"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(ids(&zh), ids(&en));
    assert_eq!(zh["verdict"], en["verdict"]);
    assert_eq!(zh["lang"], "zh-CN");
    let altered = zh["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["verdict"] == "fail" && c["id"] == "file.digest")
        .unwrap();
    assert_eq!(altered["message"]["key"], "msg-file-altered");
    assert_eq!(altered["name"], "文件摘要");
    assert!(altered["text"].as_str().unwrap().starts_with("已被改动"));
    assert!(altered["detail"].as_str().unwrap().starts_with("altered: "));
    for c in zh["checks"].as_array().unwrap() {
        assert!(c["message"]["key"].is_string(), "{c}");
    }

    // A finding that quotes an error says the error in Chinese too.
    let junk = env.path().join("junk.wacz");
    std::fs::write(&junk, b"PK\x03\x04 this is not a ZIP archive").unwrap();
    let o = env.run(&["verify", junk.to_str().unwrap(), "--lang", "zh-CN"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("证据包容器")
            && out.contains("拒绝处理：第 0..30 字节不符合 webproof 写出的唯一 ZIP 形式"),
        "{out}"
    );

    // Sealing says what it did in Chinese, and in English as before.
    let zh_pkg = env.path().join("zh.wacz");
    let o = env
        .cmd()
        .args([
            "seal",
            samples()[0].to_str().unwrap(),
            "--out",
            zh_pkg.to_str().unwrap(),
        ])
        .env("WEBPROOF_LANG", "zh-CN")
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.starts_with("已将 ") && out.contains("个步骤封存至"),
        "{out}"
    );
    assert!(out.contains("取证人："), "{out}");

    // The environment check, in Chinese.
    let o = env.run(&["env-check", &format!("{site}/"), "--lang", "zh-CN"]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("环境中未配置代理") || err.contains("流量可能经过代理"),
        "{err}"
    );
    assert!(err.contains("解析为"), "{err}");
    let o = env.run(&[
        "env-check",
        &format!("{site}/"),
        "--json",
        "--lang",
        "zh-CN",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let dns = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "dns")
        .unwrap();
    assert_eq!(dns["message"]["key"], "env-dns-resolves");
    assert!(dns["text"].as_str().unwrap().contains("解析为"));
    assert!(dns["summary"].as_str().unwrap().contains("resolves to"));
}

/// The command line's own messages and errors follow `--lang` too (a global flag, before or
/// after the command), with the causes that webproof knows said in the same language.
#[test]
fn errors_and_command_output_speak_the_chosen_language() {
    let env = Env::new();
    let text = |o: &std::process::Output| {
        (
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    // No identity yet: sealing fails, saying why, in Chinese down to the I/O error.
    let sample = samples()[0].to_str().unwrap().to_owned();
    let o = env.run(&["--lang", "zh-CN", "seal", &sample, "--out", "x.wacz"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.starts_with("webproof：错误："), "{err}");
    assert!(err.contains("没有操作员身份"), "{err}");
    assert!(err.contains("文件或目录不存在"), "{err}");
    // The same in English, each cause once.
    let o = env.run(&["seal", &sample, "--out", "x.wacz"]);
    let (_, err) = text(&o);
    assert!(
        err.starts_with("webproof: error: no operator identity at "),
        "{err}"
    );
    let o = env.run(&["verify", "/nonexistent.wacz"]);
    let (_, err) = text(&o);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    let o = env.run(&["verify", "/nonexistent.wacz", "--lang", "zh-CN"]);
    let (_, err) = text(&o);
    assert!(err.contains("/nonexistent.wacz：文件或目录不存在"), "{err}");

    // The operator's identity, in Chinese.
    let o = env
        .cmd()
        .args(["operator", "init", "--name", "李伟", "--lang", "zh-CN"])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("创建操作员身份"), "{out}");
    assert!(out.contains("姓名：") && out.contains("指纹："), "{out}");
    // A refused second init, and an unknown language.
    let o = env.run(&["operator", "init", "--name", "李伟", "--lang", "zh-CN"]);
    let (_, err) = text(&o);
    assert!(err.contains("已有操作员身份"), "{err}");
    let o = env.run(&["--lang", "fr", "operator", "show"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("unknown language \"fr\""), "{err}");
    // The help, in Chinese when asked (before or after the command), English otherwise.
    let o = env.run(&["--lang", "zh-CN", "verify", "--help"]);
    let (out, _) = text(&o);
    assert!(o.status.success());
    assert!(
        out.contains("离线验证证据包") && out.contains("用法："),
        "{out}"
    );
    assert!(out.contains("要信任的操作员密钥指纹"), "{out}");
    let o = env.run(&["seal", "--help", "--lang=zh-CN"]);
    assert!(text(&o).0.contains("封存为签名的证据包"));
    let o = env.run(&["verify", "--help"]);
    assert!(text(&o).0.contains("Verify an evidence package offline"));
    // A package that is not there, in the report command.
    let o = env.run(&["report", "nothing.wacz", "--lang", "zh-CN"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.starts_with("webproof：错误："), "{err}");
}
