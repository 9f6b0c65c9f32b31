//! The one background-worker type of a session: requests run as tasks on a tokio runtime and
//! their answers come back over a channel, to be kept (written into the capture) by the
//! session's own thread, in order of arrival. The time-stamper and the depositor are each a
//! `Worker` of their answers.

use std::future::Future;
use std::time::Instant;

use tokio::runtime::Handle;
use tokio::sync::mpsc;

pub struct Worker<T> {
    handle: Handle,
    tx: mpsc::UnboundedSender<T>,
    rx: mpsc::UnboundedReceiver<T>,
    pending: usize,
}

impl<T: Send + 'static> Worker<T> {
    pub fn new(handle: Handle) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Worker {
            handle,
            tx,
            rx,
            pending: 0,
        }
    }

    /// Runs `task` in the background; its answer arrives through [`Self::next`] or
    /// [`Self::ready`].
    pub fn spawn(&mut self, task: impl Future<Output = T> + Send + 'static) {
        let tx = self.tx.clone();
        self.pending += 1;
        self.handle.spawn(async move {
            // The receiver lives as long as the worker; a worker dropped mid-request has no
            // one left to tell.
            let _ = tx.send(task.await);
        });
    }

    /// Answers not yet taken (requests in flight, or answered and waiting).
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// An answer that has already arrived, without waiting.
    pub fn ready(&mut self) -> Option<T> {
        let t = self.rx.try_recv().ok()?;
        self.pending -= 1;
        Some(t)
    }

    /// The next answer, waiting until `deadline` at most (`None`: time is up, or nothing is
    /// pending).
    pub fn next(&mut self, deadline: Instant) -> Option<T> {
        if self.pending == 0 {
            return None;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let t = self
            .handle
            .block_on(async { tokio::time::timeout(left, self.rx.recv()).await })
            .ok()
            .flatten()?;
        self.pending -= 1;
        Some(t)
    }

    /// Runs `f` to completion on the worker's runtime (a request the session waits for).
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.handle.block_on(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn answers_come_back_counted_and_waiting_is_bounded() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let mut w: Worker<u32> = Worker::new(rt.handle().clone());
        let soon = Instant::now() + Duration::from_secs(5);
        assert_eq!(w.next(soon), None, "nothing pending: no wait");
        w.spawn(async { 7 });
        w.spawn(async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            8
        });
        assert_eq!(w.pending(), 2);
        assert_eq!(w.next(soon), Some(7));
        assert_eq!(w.pending(), 1);
        assert_eq!(w.ready(), None);
        // The slow one is not waited for past the deadline, and stays pending.
        assert_eq!(w.next(Instant::now() + Duration::from_millis(50)), None);
        assert_eq!(w.pending(), 1);
    }
}
