//! `yield_now`: let other tasks run, like `await asyncio.sleep(0)`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Lets other tasks run before this one goes on: the task is re-queued behind the engine's other work
/// (`await asyncio.sleep(0)` in asyncio).
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let task = engine.spawn_async(async {
///     for _ in 0..3 {
///         wove_executor::yield_now().await;
///     }
///     "done"
/// });
/// assert_eq!(task.join().unwrap(), "done");
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
///
/// # Examples
///
/// See [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
