//! `sleep` and `sleep_until`: suspend a future without blocking its worker, like `await asyncio.sleep(1)`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::sync::Arc;
use crate::time::timer::{Timer, TimerSlot};

/// Waits for `duration` without blocking the worker: the future is suspended and woken by wove's timer thread
/// when the time is up, so thousands of concurrent sleeps cost no worker. The `await asyncio.sleep(1)` of the
/// asyncio tutorials. Works in any executor (the timer is one thread per process, started on first use).
///
/// A duration so long that the deadline is not representable sleeps forever.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let started = Instant::now();
/// let naps: Vec<_> = (0..100)
///     .map(|_| engine.spawn_async(async { wove_executor::sleep(Duration::from_millis(20)).await }))
///     .collect();
/// for nap in naps {
///     nap.join().unwrap();
/// }
/// assert!(started.elapsed() >= Duration::from_millis(20)); // 100 naps on one worker, side by side
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    Sleep::new(Instant::now().checked_add(duration))
}

/// Waits until `deadline` without blocking the worker; see [`sleep`]. A deadline in the past is ready at once.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// let deadline = Instant::now() + Duration::from_millis(10);
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// engine.block_on(wove_executor::sleep_until(deadline));
/// assert!(Instant::now() >= deadline);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(Some(deadline))
}

/// The future of [`sleep`] and [`sleep_until`]. Dropping it before it is ready cancels the wait.
///
/// # Examples
///
/// See [`sleep`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    /// `None`: never (the deadline overflowed).
    deadline: Option<Instant>,
    /// The timer's slot, once registered.
    slot: Option<Arc<TimerSlot>>,
}

impl Sleep {
    fn new(deadline: Option<Instant>) -> Self {
        Self { deadline, slot: None }
    }

    /// When the sleep ends (`None`: never).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(wove_executor::sleep_until(deadline).deadline(), Some(deadline));
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(deadline) = self.deadline else { return Poll::Pending };
        if let Some(slot) = &self.slot {
            if slot.fired() || !slot.set_waker(cx.waker()) {
                return Poll::Ready(());
            }
            return Poll::Pending;
        }
        if Instant::now() >= deadline {
            return Poll::Ready(());
        }
        self.slot = Some(Timer::get().register(deadline, cx.waker()));
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            Timer::get().cancel(&slot);
        }
    }
}
