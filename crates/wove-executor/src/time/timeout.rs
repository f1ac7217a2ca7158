//! `timeout`: a future with a deadline, like `asyncio.wait_for`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::time::sleep::{Sleep, sleep};

/// Runs `future` for at most `duration`: its output, or [`Elapsed`] if the time ran out first (then `future`
/// is dropped, which cancels what it was waiting for — a [`Task`](crate::Task) awaited this way is *not*
/// cancelled: dropping a handle detaches it). asyncio's `wait_for`. Composes with everything awaitable: task
/// handles, `group.wait()` as `&group`, latches and events.
///
/// # Errors
///
/// [`Elapsed`] if `duration` passed before `future` was ready.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let slow = wove_executor::timeout(Duration::from_millis(10), std::future::pending::<()>());
/// assert_eq!(engine.block_on(slow).unwrap_err().to_string(), "deadline has elapsed");
///
/// let group = engine.group();
/// group.spawn(|| ());
/// let waited = engine.block_on(wove_executor::timeout(Duration::from_secs(10), &group));
/// assert!(waited.unwrap().is_ok()); // the group finished in time, with no failure
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn timeout<F: std::future::IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout { future: future.into_future(), sleep: sleep(duration) }
}

pin_project! {
    /// The future of [`timeout`].
    ///
    /// # Examples
    ///
    /// See [`timeout`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless awaited"]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        #[pin]
        sleep: Sleep,
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        this.sleep.poll(cx).map(|()| Err(Elapsed(())))
    }
}

/// The error of a [`timeout`] whose time ran out.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let elapsed = engine.block_on(wove_executor::timeout(Duration::ZERO, std::future::pending::<()>()));
/// let error: Box<dyn std::error::Error> = Box::new(elapsed.unwrap_err());
/// assert_eq!(error.to_string(), "deadline has elapsed");
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}
