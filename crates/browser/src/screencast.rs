//! Headless recording source: the DevTools screencast of one tab. Chromium sends a JPEG each
//! time the page paints; each is acknowledged at once (or the browser stops sending) and
//! handed on. The recorder turns them into a constant-rate video.

use base64::Engine as _;
use serde_json::json;
use tokio::sync::mpsc;
use webproof_capture::BrowserError;

use crate::cdp::Hub;

/// Starts the screencast of the tab with DevTools session `session`; pictures arrive on the
/// returned channel until the tab or the connection goes away.
pub async fn start(
    hub: &Hub,
    session: &str,
    width: u32,
    height: u32,
) -> Result<mpsc::UnboundedReceiver<Vec<u8>>, BrowserError> {
    let mut events = hub.subscribe(&["Page.screencastFrame"]);
    let caller = hub.caller();
    let (tx, rx) = mpsc::unbounded_channel();
    let own = session.to_owned();
    tokio::spawn(async move {
        while let Some(ev) = events.recv().await {
            if ev.session.as_deref() != Some(own.as_str()) {
                continue;
            }
            caller.send(
                "Page.screencastFrameAck",
                json!({"sessionId": ev.params["sessionId"]}),
                Some(&own),
            );
            let Some(data) = ev.params["data"].as_str() else {
                continue;
            };
            if let Ok(jpeg) = base64::engine::general_purpose::STANDARD.decode(data)
                && tx.send(jpeg).is_err()
            {
                break;
            }
        }
    });
    hub.call(
        "Page.startScreencast",
        json!({"format": "jpeg", "quality": 80, "maxWidth": width, "maxHeight": height, "everyNthFrame": 1}),
        Some(session),
    )
    .await?;
    Ok(rx)
}
