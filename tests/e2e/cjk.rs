//! Chinese pages as they really look: with the CJK fonts the setup installs, a capture of the
//! Chinese fixture page shows two different characters as two different glyphs. Without a
//! font covering them, Chromium draws both as the same empty box (the fallback font's
//! .notdef), and this test fails.

use crate::util::*;

/// The RGBA pixels and width of a PNG.
fn decode(png_bytes: &[u8]) -> (Vec<u8>, usize) {
    let mut dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let bpp = info.line_size / info.width as usize;
    // Normalise to RGBA-ish: keep the first channel only (the page is black on white).
    let gray: Vec<u8> = buf.chunks(bpp).map(|p| p[0]).collect();
    (gray, info.width as usize)
}

/// The dark pixels of the `w`×`h` box at (`x`, `y`), as a bitmap.
fn crop(gray: &[u8], width: usize, x: usize, y: usize, w: usize, h: usize) -> Vec<bool> {
    let mut out = Vec::with_capacity(w * h);
    for row in y..y + h {
        for col in x..x + w {
            out.push(gray[row * width + col] < 128);
        }
    }
    out
}

/// Captures `page` of the fixture site; its journal and how many pixels differ between the
/// glyph boxes at (20, 20) and (320, 20), with the ink in each.
fn glyphs(env: &Env, base: &str, page: &str) -> (Vec<serde_json::Value>, usize, usize, usize) {
    let url = format!("{base}/{page}");
    let out_name = format!("{page}.wacz");
    capture_headless(env, &url, &out_name);
    let wacz = env.path().join(&out_name);
    let recs = journal(&wacz);
    let shot = recs
        .iter()
        .flat_map(|r| r["artifacts"].as_array().unwrap().iter())
        .map(|a| a["path"].as_str().unwrap().to_owned())
        .find(|p| p.ends_with("viewport.png"))
        .unwrap();
    let (gray, width) = decode(&entry(&wacz, &shot));
    let a = crop(&gray, width, 20, 20, 260, 260);
    let b = crop(&gray, width, 320, 20, 260, 260);
    let ink = |g: &[bool]| g.iter().filter(|p| **p).count();
    let differ = a.iter().zip(&b).filter(|(x, y)| x != y).count();
    (recs, differ, ink(&a), ink(&b))
}

#[test]
fn a_chinese_page_is_captured_with_real_glyphs_not_boxes() {
    let base = crate::site::serve();
    let env = Env::new();
    env.init_operator("ed25519");
    // The check's negative control: two characters no font has are drawn alike.
    let (_, differ, _, _) = glyphs(&env, &base, "notdef.html");
    assert!(differ < 500, "two missing glyphs differ in {differ} pixels");
    let (recs, differ, ink_a, ink_b) = glyphs(&env, &base, "zh.html");
    // The environment check found the CJK fonts.
    let findings = &recs[0]["params"]["findings"];
    let cjk = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "cjk-fonts")
        .unwrap();
    assert_eq!(cjk["grade"], "ok", "{cjk}");
    // 证 and 据: both drawn, and drawn differently.
    assert!(ink_a > 2000 && ink_b > 2000, "the glyphs are drawn");
    assert!(
        differ > 4000,
        "两个不同的汉字 render alike ({differ} pixels differ): boxes, not glyphs"
    );
}
