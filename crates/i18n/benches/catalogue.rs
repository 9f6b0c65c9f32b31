//! What speaking a language costs: building a catalogue (what every `webproof` command does
//! once per thread) and saying messages with their causes (`cargo bench -p webproof-i18n`).

use std::hint::black_box;
use std::time::Instant;

use webproof_i18n::{Catalogue, Lang};
use webproof_message::msg;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for lang in [Lang::En, Lang::ZhCn] {
        let n = 200;
        let t = Instant::now();
        for _ in 0..n {
            black_box(Catalogue::new(lang)?);
        }
        let build = t.elapsed() / n;
        let cat = Catalogue::new(lang)?;
        let m = msg!("msg-refused").because(
            msg!("err-pkg-entry-large")
                .arg("name", "artifacts/000003-page.mhtml")
                .arg("size", 412_000_000)
                .arg("limit", 100_000_000),
        );
        let n = 100_000;
        let t = Instant::now();
        for _ in 0..n {
            black_box(cat.message(black_box(&m)));
        }
        let say = t.elapsed() / n;
        println!(
            "{:<6} catalogue built in {:>7.1} µs; a finding with its cause said in {:>5.2} µs ({:?})",
            lang.tag(),
            build.as_secs_f64() * 1e6,
            say.as_secs_f64() * 1e6,
            cat.message(&m)
        );
    }
    Ok(())
}
