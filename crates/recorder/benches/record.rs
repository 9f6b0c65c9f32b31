//! `cargo bench -p webproof-recorder --bench record`
//!
//! Records an Xvfb display showing Chromium with a moving animation for N seconds
//! (`WEBPROOF_BENCH_SECS`, default 20), once with webproof's recorder and once with the
//! `ffmpeg` command line using the same settings (x11grab 1280x720 at 30 fps, libx264
//! veryfast, crf 28), and reports frames per second, dropped frames, CPU time (user + system,
//! 1 core = 100%) and MB per minute. Goal: >= 25 fps, no dropped frames, CPU <= 1.1x ffmpeg's.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use webproof_recorder::{RecorderOptions, Recording};

const PAGE: &str = "data:text/html,<style>body{margin:0;font:32px sans-serif}\
@keyframes m{from{left:0}to{left:1000px}}@keyframes c{from{background:%23c00}to{background:%2300c}}\
div{position:absolute;top:200px;width:240px;height:240px;animation:m 1.7s infinite alternate,c 1.1s infinite alternate}\
</style><p>webproof recording benchmark: moving box, changing colour, text.</p><div></div>";

fn cpu_ticks_self() -> u64 {
    // utime + stime of this process, in clock ticks (100 per second on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let p = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    p(11) + p(12)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secs: u64 = std::env::var("WEBPROOF_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let display = ":77";
    let mut xvfb = Command::new("Xvfb")
        .args([display, "-screen", "0", "1280x840x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::sleep(Duration::from_millis(800));
    let profile = tempfile::tempdir()?;
    let mut chromium = Command::new("chromium")
        .env("DISPLAY", display)
        .args([
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,720",
            "--window-position=0,0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(PAGE)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::sleep(Duration::from_secs(3));
    let out = tempfile::tempdir()?;

    // webproof's recorder (this process only records; Chromium is another process).
    let c0 = cpu_ticks_self();
    let t0 = Instant::now();
    let mut opts = RecorderOptions::new(display, &out.path().join("ours"));
    opts.segment_secs = 3600;
    let rec = Recording::start(opts)?;
    std::thread::sleep(Duration::from_secs(secs));
    let (segs, stats) = rec.stop()?;
    let wall = t0.elapsed().as_secs_f64();
    let ours_cpu = (cpu_ticks_self() - c0) as f64 / 100.0;
    let ours_bytes: u64 = segs
        .iter()
        .filter_map(|s| std::fs::metadata(&s.path).ok())
        .map(|m| m.len())
        .sum();

    // The ffmpeg command line, same settings; `times` reports the child's CPU.
    let file = out.path().join("cli.mp4");
    let script = format!(
        "ffmpeg -loglevel error -y -f x11grab -framerate 30 -video_size 1280x720 -draw_mouse 1 -i {display} \
         -t {secs} -c:v libx264 -preset veryfast -crf 28 -pix_fmt yuv420p -movflags +faststart {} ; times",
        file.display()
    );
    let o = Command::new("bash").args(["-c", &script]).output()?;
    let times = String::from_utf8_lossy(&o.stdout).to_string();
    let child_line = times.lines().nth(1).unwrap_or("");
    let secs_of = |s: &str| -> f64 {
        let s = s.trim_end_matches('s');
        let (m, rest) = s.split_once('m').unwrap_or(("0", s));
        m.parse::<f64>().unwrap_or(0.0) * 60.0 + rest.parse::<f64>().unwrap_or(0.0)
    };
    let cli_cpu: f64 = child_line.split_whitespace().map(secs_of).sum();
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
        ])
        .arg(&file)
        .output()?;
    let cli_frames: f64 = String::from_utf8_lossy(&probe.stdout)
        .trim()
        .parse()
        .unwrap_or(0.0);
    let cli_bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);

    let _ = chromium.kill();
    let _ = xvfb.kill();
    println!("screen recording, 1280x720 @ 30 fps, libx264 veryfast crf 28, {secs} s:");
    println!(
        "  webproof recorder: {:.1} fps, {} frames in {:.2} s of recording ({} dropped by the source: gaps in x11grab's capture timestamps), CPU {:.0}% of one core, {:.1} MB/min",
        stats.fps(),
        stats.frames,
        wall,
        stats.dropped,
        100.0 * ours_cpu / wall,
        ours_bytes as f64 / 1e6 / (wall / 60.0)
    );
    println!(
        "  ffmpeg CLI:        {:.1} fps, {} frames, CPU {:.0}% of one core, {:.1} MB/min",
        cli_frames / secs as f64,
        cli_frames,
        100.0 * cli_cpu / secs as f64,
        cli_bytes as f64 / 1e6 / (secs as f64 / 60.0)
    );
    println!(
        "  CPU ratio webproof / ffmpeg = {:.2} (goal <= 1.10)",
        (ours_cpu / wall) / (cli_cpu / secs as f64).max(1e-9)
    );
    Ok(())
}
