//! Frame recording (the headless screencast path): pictures fed in become a constant-rate
//! H.264 MP4 at the configured size; an undecodable picture is counted and skipped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Duration;

use webproof_recorder::{RecorderOptions, Recording};

#[test]
fn fed_pictures_become_a_constant_rate_video() {
    let dir = tempfile::tempdir().unwrap();
    let pic = dir.path().join("p.jpg");
    let ok = Command::new("ffmpeg")
        .args([
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360",
            "-frames:v",
            "1",
        ])
        .arg(&pic)
        .status()
        .unwrap();
    assert!(ok.success());
    let jpeg = std::fs::read(&pic).unwrap();
    let mut opts = RecorderOptions::new("screencast", &dir.path().join("video"));
    opts.fps = 25;
    let (rec, feed) = Recording::start_frames(opts).unwrap();
    assert!(feed.send(jpeg.clone()));
    std::thread::sleep(Duration::from_millis(600));
    assert!(feed.send(b"not a picture".to_vec()));
    std::thread::sleep(Duration::from_millis(600));
    let (segs, stats) = rec.stop().unwrap();
    assert_eq!(stats.undecodable, 1);
    assert_eq!(segs.len(), 1);
    // One decodable picture became a frame at every tick (about 30 in 1.2 s at 25 fps; at
    // least 10 however slow the machine): the newest picture repeats at the recording's rate,
    // whatever the pictures' own rate.
    assert!(stats.frames >= 10, "{stats:?}");
    let text = probe(&segs[0].path, "codec_name,width,height,nb_read_packets");
    assert_eq!(text, format!("h264,1280,720,{}", stats.frames), "{text}");
    // A constant rate in the file itself: its duration is its frames at 25 fps.
    let text = probe(&segs[0].path, "avg_frame_rate,duration");
    let (rate, duration) = text.split_once(',').unwrap();
    assert_eq!(rate, "25/1", "{text}");
    let duration: f64 = duration.parse().unwrap();
    let expected = stats.frames as f64 / 25.0;
    assert!(
        (duration - expected).abs() < 0.041,
        "{text}: {expected} s expected"
    );
}

/// ffprobe's `entries` of the video stream of `path`, as one CSV line.
fn probe(path: &std::path::Path, entries: &str) -> String {
    let o = Command::new("ffprobe")
        .args(["-v", "error", "-count_packets", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            &format!("stream={entries}"),
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}
