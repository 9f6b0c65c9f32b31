//! docs/verify-by-hand.sh (standard tools only) accepts webproof's packages and rejects
//! altered ones: the format really is checkable without webproof.

use std::path::Path;

use crate::util::*;

fn by_hand(dir: &Path) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/verify-by-hand.sh");
    // A package file is checked from the directory it is in.
    let cwd = if dir.is_file() {
        dir.parent().unwrap()
    } else {
        dir
    };
    let o = tool(
        "bash",
        &[script.to_str().unwrap(), dir.to_str().unwrap()],
        cwd,
    );
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn standard_tools_verify_ed25519_and_sm2_packages_and_catch_tampering() {
    for alg in ["ed25519", "sm2"] {
        let env = Env::new();
        env.init_operator(alg);
        let files: Vec<String> = samples().iter().map(|p| p.display().to_string()).collect();
        let mut args = vec!["seal"];
        args.extend(files.iter().map(|s| s.as_str()));
        args.extend(["--out", "p.wacz", "--note", "by hand"]);
        env.ok(&args, 0);
        let dir = env.path().join("x");
        unzip(&env.path().join("p.wacz"), &dir);
        let (ok, out) = by_hand(&dir);
        assert!(ok && out.contains("ALL CHECKS PASSED"), "{alg}: {out}");
        assert!(
            out.contains(&format!("operator {alg} signature verifies")),
            "{out}"
        );

        // One changed byte in an artifact: caught by sha256sum.
        let victim = dir.join("artifacts/000000-contract.txt");
        let mut b = std::fs::read(&victim).unwrap();
        b[0] ^= 1;
        std::fs::write(&victim, &b).unwrap();
        let (ok, out) = by_hand(&dir);
        assert!(!ok && out.contains("SHA-256 mismatch"), "{alg}: {out}");
        b[0] ^= 1;
        std::fs::write(&victim, &b).unwrap();

        // One changed byte in the manifest: caught by openssl.
        let m = dir.join("evidence/manifest.json");
        let orig = std::fs::read(&m).unwrap();
        let mut b = orig.clone();
        let i = b.len() / 2;
        b[i] ^= 1;
        std::fs::write(&m, &b).unwrap();
        let (ok, out) = by_hand(&dir);
        assert!(!ok, "{alg}: altered manifest passed: {out}");
        std::fs::write(&m, &orig).unwrap();

        // A file nobody listed, and a datapackage.json that lists something else.
        std::fs::write(dir.join("artifacts/999999-planted.txt"), b"planted").unwrap();
        let (ok, out) = by_hand(&dir);
        assert!(
            !ok && out.contains("not listed in the signed manifest"),
            "{alg}: {out}"
        );
        std::fs::remove_file(dir.join("artifacts/999999-planted.txt")).unwrap();
        let dp = dir.join("datapackage.json");
        let orig = std::fs::read_to_string(&dp).unwrap();
        std::fs::write(&dp, orig.replace("\"bytes\":", "\"bytes\": ")).unwrap();
        let (ok, out) = by_hand(&dir);
        assert!(!ok && out.contains("datapackage"), "{alg}: {out}");
        std::fs::write(&dp, &orig).unwrap();
        // The package file itself: its ZIP form is checked too.
        let (ok, out) = by_hand(&env.path().join("p.wacz"));
        assert!(ok && out.contains("ok container"), "{alg}: {out}");
    }
}
