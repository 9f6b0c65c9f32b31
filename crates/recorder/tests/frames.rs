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
    // About 1.2 s at 25 fps, whatever the pictures' own rate.
    assert!((26..=36).contains(&stats.frames), "{stats:?}");
    let o = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_packets",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,width,height,nb_read_packets",
            "-of",
            "csv=p=0",
        ])
        .arg(&segs[0].path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    assert_eq!(text, format!("h264,1280,720,{}", stats.frames), "{text}");
}
