//! The recorder itself: FFmpeg's libraries through ffmpeg-next (Linux only).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Instant, SystemTime};

use ff::{Dictionary, Rational, codec, encoder, format, frame, media, software::scaling};
use ffmpeg_next as ff;

use crate::{RecorderError, RecorderOptions, Segment, Stats};

fn ffe(context: &'static str) -> impl FnOnce(ff::Error) -> RecorderError {
    move |source| RecorderError::Ffmpeg { context, source }
}

/// A recording in progress on its own thread.
pub struct Recording {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<Stats, RecorderError>>>,
    segments: mpsc::Receiver<Segment>,
}

impl Recording {
    /// Opens the display and starts recording; returns once the first frame source is open
    /// (or with the error that prevented it).
    pub fn start(opts: RecorderOptions) -> Result<Self, RecorderError> {
        std::fs::create_dir_all(&opts.dir).map_err(|source| RecorderError::Io {
            path: opts.dir.clone(),
            source,
        })?;
        let stop = Arc::new(AtomicBool::new(false));
        let (seg_tx, segments) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let stop2 = stop.clone();
        let thread = std::thread::Builder::new()
            .name("webproof-recorder".into())
            .spawn(move || record(opts, stop2, seg_tx, ready_tx))
            .map_err(|source| RecorderError::Io {
                path: PathBuf::from("recorder thread"),
                source,
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Recording {
                stop,
                thread: Some(thread),
                segments,
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => match thread.join() {
                Ok(Err(e)) => Err(e),
                _ => Err(RecorderError::Thread),
            },
        }
    }

    /// Records pictures handed over through the returned [`FrameFeed`] (JPEG or PNG, e.g. the
    /// DevTools screencast of a headless browser) as a constant-rate video: every tick of
    /// `opts.fps` encodes the newest picture received, so time in the video is wall-clock time
    /// even though a screencast only sends a picture when the page changes. `opts.display` is
    /// only a label here.
    pub fn start_frames(opts: RecorderOptions) -> Result<(Self, FrameFeed), RecorderError> {
        std::fs::create_dir_all(&opts.dir).map_err(|source| RecorderError::Io {
            path: opts.dir.clone(),
            source,
        })?;
        ff::init().map_err(ffe("initialising"))?;
        ff::util::log::set_level(ff::util::log::Level::Quiet);
        let stop = Arc::new(AtomicBool::new(false));
        let (seg_tx, segments) = mpsc::channel();
        let (feed_tx, feed_rx) = mpsc::channel();
        let stop2 = stop.clone();
        let thread = std::thread::Builder::new()
            .name("webproof-recorder".into())
            .spawn(move || record_frames(opts, stop2, seg_tx, feed_rx))
            .map_err(|source| RecorderError::Io {
                path: PathBuf::from("recorder thread"),
                source,
            })?;
        Ok((
            Recording {
                stop,
                thread: Some(thread),
                segments,
            },
            FrameFeed { tx: feed_tx },
        ))
    }

    /// Segments closed since the last call.
    pub fn closed_segments(&self) -> Vec<Segment> {
        self.segments.try_iter().collect()
    }

    /// Stops, finishes the open segment, and returns the segments not yet collected.
    pub fn stop(mut self) -> Result<(Vec<Segment>, Stats), RecorderError> {
        self.stop.store(true, Ordering::SeqCst);
        let stats = match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r?,
            _ => return Err(RecorderError::Thread),
        };
        Ok((self.segments.try_iter().collect(), stats))
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Hands encoded pictures (JPEG or PNG bytes) to a frame recording.
#[derive(Clone)]
pub struct FrameFeed {
    tx: mpsc::Sender<Vec<u8>>,
}

impl FrameFeed {
    /// Queues a picture; false once the recording has stopped.
    pub fn send(&self, picture: Vec<u8>) -> bool {
        self.tx.send(picture).is_ok()
    }
}

/// One open MP4 segment with its encoder.
struct SegmentWriter {
    out: format::context::Output,
    enc: encoder::Video,
    path: PathBuf,
    index: u32,
    frames: u64,
    started: SystemTime,
    enc_tb: Rational,
}

impl SegmentWriter {
    fn open(opts: &RecorderOptions, index: u32) -> Result<Self, RecorderError> {
        let path = opts.dir.join(format!("segment-{index:06}.mp4"));
        let mut out = format::output(&path).map_err(ffe("creating the MP4 file"))?;
        let global = out.format().flags().contains(format::Flags::GLOBAL_HEADER);
        let h264 =
            encoder::find_by_name("libx264").ok_or(RecorderError::Missing("libx264 encoder"))?;
        let mut enc = codec::context::Context::new_with_codec(h264)
            .encoder()
            .video()
            .map_err(ffe("creating the H.264 encoder"))?;
        let enc_tb = Rational(1, opts.fps as i32);
        enc.set_width(opts.width);
        enc.set_height(opts.height);
        enc.set_format(format::Pixel::YUV420P);
        enc.set_time_base(enc_tb);
        enc.set_frame_rate(Some(Rational(opts.fps as i32, 1)));
        enc.set_gop(opts.fps * 2);
        // No B-frames: every frame decodes in order and the MP4 needs no edit list, so a
        // segment holds exactly the frames journaled for it.
        enc.set_max_b_frames(0);
        if global {
            enc.set_flags(codec::Flags::GLOBAL_HEADER);
        }
        let mut x264 = Dictionary::new();
        x264.set("preset", &opts.preset);
        x264.set("crf", &opts.crf.to_string());
        let enc = enc.open_with(x264).map_err(ffe("opening libx264"))?;
        {
            let mut st = out
                .add_stream(h264)
                .map_err(ffe("adding the video stream"))?;
            st.set_parameters(&enc);
            st.set_time_base(enc_tb);
        }
        let mut mux = Dictionary::new();
        mux.set("movflags", "+faststart");
        out.write_header_with(mux)
            .map_err(ffe("writing the MP4 header"))?;
        Ok(SegmentWriter {
            out,
            enc,
            path,
            index,
            frames: 0,
            started: SystemTime::now(),
            enc_tb,
        })
    }

    fn drain(&mut self) -> Result<(), RecorderError> {
        let mut pkt = ff::Packet::empty();
        let ost_tb = self
            .out
            .stream(0)
            .map(|s| s.time_base())
            .unwrap_or(self.enc_tb);
        while self.enc.receive_packet(&mut pkt).is_ok() {
            pkt.set_stream(0);
            // Every frame lasts one frame interval. Left unset, the MP4 muxer gives the last
            // sample duration 0 and demuxers drop it under the edit list: a segment would
            // seem to hold one frame fewer than was recorded and journaled.
            pkt.set_duration(1);
            pkt.rescale_ts(self.enc_tb, ost_tb);
            pkt.write_interleaved(&mut self.out)
                .map_err(ffe("writing a video packet"))?;
        }
        Ok(())
    }

    fn push(&mut self, f: &mut frame::Video) -> Result<(), RecorderError> {
        f.set_pts(Some(self.frames as i64));
        self.enc.send_frame(f).map_err(ffe("encoding a frame"))?;
        self.frames += 1;
        self.drain()
    }

    fn finish(mut self) -> Result<Segment, RecorderError> {
        self.enc.send_eof().map_err(ffe("flushing the encoder"))?;
        self.drain()?;
        self.out
            .write_trailer()
            .map_err(ffe("writing the MP4 trailer"))?;
        drop(self.out);
        std::fs::File::open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(|source| RecorderError::Io {
                path: self.path.clone(),
                source,
            })?;
        Ok(Segment {
            index: self.index,
            path: self.path,
            frames: self.frames,
            started: self.started,
            ended: SystemTime::now(),
        })
    }
}

fn record(
    opts: RecorderOptions,
    stop: Arc<AtomicBool>,
    seg_tx: mpsc::Sender<Segment>,
    ready: mpsc::Sender<Result<(), RecorderError>>,
) -> Result<Stats, RecorderError> {
    let opened = open_input(&opts);
    let (mut ictx, mut dec, idx) = match opened {
        Ok(x) => {
            let _ = ready.send(Ok(()));
            x
        }
        Err(e) => {
            let msg = e.to_string();
            let _ = ready.send(Err(e));
            return Err(RecorderError::Io {
                path: PathBuf::from(&opts.display),
                source: std::io::Error::other(msg),
            });
        }
    };
    let mut scaler = scaling::Context::get(
        dec.format(),
        dec.width(),
        dec.height(),
        format::Pixel::YUV420P,
        opts.width,
        opts.height,
        scaling::Flags::BILINEAR,
    )
    .map_err(ffe("creating the scaler"))?;
    let t0 = Instant::now();
    let mut out = Segmenter::new(&opts, seg_tx)?;
    let mut raw = frame::Video::empty();
    let mut yuv = frame::Video::empty();
    let mut last_pts: Option<f64> = None;
    let mut dropped = 0u64;
    for (stream, packet) in ictx.packets() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        if stream.index() != idx {
            continue;
        }
        // x11grab stamps each frame with its capture time: a gap of more than one frame
        // interval means frames were skipped because we read too late.
        if let Some(pts) = packet.pts() {
            let tb = stream.time_base();
            let t = pts as f64 * f64::from(tb.numerator()) / f64::from(tb.denominator().max(1));
            if let Some(prev) = last_pts {
                let gap = ((t - prev) * f64::from(opts.fps)).round() as i64 - 1;
                if gap > 0 {
                    dropped += gap as u64;
                }
            }
            last_pts = Some(t);
        }
        dec.send_packet(&packet)
            .map_err(ffe("decoding a screen frame"))?;
        while dec.receive_frame(&mut raw).is_ok() {
            scaler
                .run(&raw, &mut yuv)
                .map_err(ffe("converting a frame"))?;
            out.push(&mut yuv)?;
        }
    }
    let mut stats = out.finish(t0)?;
    stats.dropped = dropped;
    Ok(stats)
}

/// Cuts the encoded stream into segments and reports each closed one.
struct Segmenter<'o> {
    opts: &'o RecorderOptions,
    seg: Option<SegmentWriter>,
    per_segment: u64,
    stats: Stats,
    tx: mpsc::Sender<Segment>,
}

impl<'o> Segmenter<'o> {
    fn new(opts: &'o RecorderOptions, tx: mpsc::Sender<Segment>) -> Result<Self, RecorderError> {
        Ok(Segmenter {
            opts,
            seg: Some(SegmentWriter::open(opts, 1)?),
            per_segment: u64::from(opts.fps) * u64::from(opts.segment_secs.max(1)),
            stats: Stats::default(),
            tx,
        })
    }

    fn push(&mut self, yuv: &mut frame::Video) -> Result<(), RecorderError> {
        let Some(seg) = self.seg.as_mut() else {
            return Err(RecorderError::Thread);
        };
        seg.push(yuv)?;
        self.stats.frames += 1;
        if seg.frames >= self.per_segment {
            let next = seg.index + 1;
            if let Some(done) = self.seg.take() {
                let done = done.finish()?;
                self.stats.segments += 1;
                let _ = self.tx.send(done);
            }
            self.seg = Some(SegmentWriter::open(self.opts, next)?);
        }
        Ok(())
    }

    fn finish(mut self, t0: Instant) -> Result<Stats, RecorderError> {
        if let Some(seg) = self.seg.take() {
            let done = seg.finish()?;
            if done.frames > 0 {
                self.stats.segments += 1;
                let _ = self.tx.send(done);
            } else {
                let _ = std::fs::remove_file(&done.path);
            }
        }
        self.stats.seconds = t0.elapsed().as_secs_f64();
        Ok(self.stats)
    }
}

fn open_input(
    opts: &RecorderOptions,
) -> Result<(format::context::Input, ff::decoder::Video, usize), RecorderError> {
    ff::init().map_err(ffe("initialising"))?;
    // FFmpeg's own log (libx264 statistics, x11grab's complaints when a display goes) stays
    // off the operator's terminal: every failure that matters comes back as a RecorderError.
    ff::util::log::set_level(ff::util::log::Level::Quiet);
    ff::device::register_all();
    let x11 = ff::device::input::video()
        .find(|f| f.name() == "x11grab")
        .ok_or(RecorderError::Missing("x11grab input device"))?;
    let mut d = Dictionary::new();
    d.set("framerate", &opts.fps.to_string());
    d.set("video_size", &format!("{}x{}", opts.width, opts.height));
    d.set("draw_mouse", "1");
    let ictx = format::open_with(&opts.display, &x11, d)
        .map_err(ffe("opening the X display with x11grab"))?
        .input();
    let st = ictx
        .streams()
        .best(media::Type::Video)
        .ok_or(RecorderError::Missing("video stream from x11grab"))?;
    let idx = st.index();
    let dec = codec::context::Context::from_parameters(st.parameters())
        .map_err(ffe("reading x11grab parameters"))?
        .decoder()
        .video()
        .map_err(ffe("opening the rawvideo decoder"))?;
    Ok((ictx, dec, idx))
}

/// Decodes one JPEG or PNG picture.
fn decode_picture(bytes: &[u8]) -> Result<frame::Video, RecorderError> {
    let id = if bytes.starts_with(b"\x89PNG") {
        codec::Id::PNG
    } else {
        codec::Id::MJPEG
    };
    let codec = ff::decoder::find(id).ok_or(RecorderError::Missing("JPEG/PNG decoder"))?;
    let mut dec = codec::context::Context::new_with_codec(codec)
        .decoder()
        .video()
        .map_err(ffe("opening the picture decoder"))?;
    let pkt = ff::Packet::copy(bytes);
    dec.send_packet(&pkt)
        .map_err(ffe("decoding a screencast picture"))?;
    dec.send_eof()
        .map_err(ffe("decoding a screencast picture"))?;
    let mut f = frame::Video::empty();
    dec.receive_frame(&mut f)
        .map_err(ffe("decoding a screencast picture"))?;
    Ok(f)
}

fn record_frames(
    opts: RecorderOptions,
    stop: Arc<AtomicBool>,
    seg_tx: mpsc::Sender<Segment>,
    feed: mpsc::Receiver<Vec<u8>>,
) -> Result<Stats, RecorderError> {
    let t0 = Instant::now();
    let mut out = Segmenter::new(&opts, seg_tx)?;
    // Black until the first picture arrives.
    let mut yuv = frame::Video::new(format::Pixel::YUV420P, opts.width, opts.height);
    for (plane, value) in [(0, 16u8), (1, 128), (2, 128)] {
        yuv.data_mut(plane).fill(value);
    }
    let mut scaler: Option<(scaling::Context, (format::Pixel, u32, u32))> = None;
    let tick = std::time::Duration::from_secs_f64(1.0 / f64::from(opts.fps.max(1)));
    let mut encoded: u64 = 0;
    while !stop.load(Ordering::SeqCst) {
        // The newest picture wins; older ones queued during a slow tick are skipped.
        if let Some(bytes) = feed.try_iter().last() {
            match decode_picture(&bytes) {
                Ok(pic) => {
                    let key = (pic.format(), pic.width(), pic.height());
                    if scaler.as_ref().is_none_or(|(_, k)| *k != key) {
                        let ctx = scaling::Context::get(
                            key.0,
                            key.1,
                            key.2,
                            format::Pixel::YUV420P,
                            opts.width,
                            opts.height,
                            scaling::Flags::BILINEAR,
                        )
                        .map_err(ffe("creating the scaler"))?;
                        scaler = Some((ctx, key));
                    }
                    if let Some((ctx, _)) = scaler.as_mut() {
                        let mut fresh = frame::Video::empty();
                        ctx.run(&pic, &mut fresh)
                            .map_err(ffe("converting a frame"))?;
                        yuv = fresh;
                    }
                }
                Err(_) => out.stats.undecodable += 1,
            }
        }
        // Constant rate: encode as many frames as wall-clock time asks for.
        let due = (t0.elapsed().as_secs_f64() * f64::from(opts.fps)) as u64 + 1;
        while encoded < due {
            out.push(&mut yuv)?;
            encoded += 1;
        }
        let next = t0 + tick.mul_f64(encoded as f64);
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    out.finish(t0)
}
