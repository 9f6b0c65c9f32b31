//! # webproof-recorder
//!
//! Records webproof's own X display (the Xvfb that shows the real Chromium window, address bar
//! included) with FFmpeg's libraries through ffmpeg-next: x11grab → swscale → libx264 → MP4
//! with `+faststart`, cut into standalone segments of a configurable length. Each segment file
//! is finished, fsynced and reported the moment it is closed, so the capture can hash and
//! journal it at once and a crash loses at most the open segment.
//!
//! Architecture invariant: knows nothing of evidence, journals or browsers; it turns a display
//! into files and reports them.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use webproof_message::{Explain, Message, msg};

#[cfg(unix)]
mod ffmpeg;
#[cfg(unix)]
pub use ffmpeg::{FrameFeed, Recording};

/// FFmpeg's own error (what its libraries said). Recording is for Linux: on other systems
/// (webproof.exe verifies and seals, it does not capture) there is no FFmpeg, and no value of
/// this type.
#[cfg(unix)]
pub type FfmpegError = ffmpeg_next::Error;

/// FFmpeg's own error: none where webproof does not record (see the Unix definition).
#[cfg(not(unix))]
#[derive(Debug, thiserror::Error)]
pub enum FfmpegError {}

/// What to record and how.
#[derive(Clone, Debug)]
pub struct RecorderOptions {
    /// X display, e.g. `:90`.
    pub display: String,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Length of one segment in seconds.
    pub segment_secs: u32,
    /// Folder for segment files (`segment-000001.mp4`, …).
    pub dir: PathBuf,
    /// libx264 preset and constant rate factor.
    pub preset: String,
    pub crf: u32,
}

impl RecorderOptions {
    pub fn new(display: &str, dir: &Path) -> Self {
        RecorderOptions {
            display: display.to_owned(),
            width: 1280,
            height: 720,
            fps: 30,
            segment_secs: 60,
            dir: dir.to_owned(),
            preset: "veryfast".into(),
            crf: 28,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RecorderError {
    #[error("FFmpeg: {context}: {source}")]
    Ffmpeg {
        context: &'static str,
        #[source]
        source: FfmpegError,
    },
    #[error("FFmpeg has no {0} (install Debian's libavdevice/libavcodec with libx264)")]
    Missing(&'static str),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the recording thread stopped unexpectedly")]
    Thread,
}

/// A finished, fsynced segment file.
#[derive(Clone, Debug)]
pub struct Segment {
    pub index: u32,
    pub path: PathBuf,
    pub frames: u64,
    pub started: SystemTime,
    pub ended: SystemTime,
}

/// Totals of a recording.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub frames: u64,
    pub seconds: f64,
    pub segments: u32,
    /// Pictures of a frame recording that could not be decoded (the previous one was kept).
    pub undecodable: u64,
    /// Frames the display source skipped because the recorder fell behind, from the gaps in
    /// x11grab's capture timestamps (0 for frame recordings, which repeat the last picture).
    pub dropped: u64,
}

impl Stats {
    pub fn fps(&self) -> f64 {
        if self.seconds > 0.0 {
            self.frames as f64 / self.seconds
        } else {
            0.0
        }
    }
}

impl Explain for RecorderError {
    /// What FFmpeg said stays in its words.
    fn message(&self) -> Message {
        match self {
            RecorderError::Ffmpeg { context, source } => msg!("err-ffmpeg")
                .arg("context", context)
                .arg("detail", source),
            RecorderError::Missing(what) => msg!("err-ffmpeg-missing").arg("what", what),
            RecorderError::Io { path, source } => msg!("err-file")
                .arg("path", path.display())
                .because(source.message()),
            RecorderError::Thread => msg!("err-recorder-thread"),
        }
    }
}
