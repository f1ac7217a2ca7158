//! The counting latch: released exactly once, when its count reaches zero.
//!
//! # Protocol
//!
//! The whole state is one atomic count; zero means released. Because `add` refuses a zero count, zero is
//! terminal and release is one-shot.
//!
//! 1. `count_down` (by one or by `n`) and `add` change the count with a compare-and-swap loop, so an
//!    operation that would underflow, grow a released latch or overflow fails without changing anything.
//! 2. The one `count_down` whose swap takes the count to 0 notifies every listener of the event (and is the
//!    one told so); no other operation notifies, so releasing costs one notification however many
//!    count-downs there were.
//! 3. A waiter checks the count, registers a listener, checks again, and only then parks (see
//!    [`Blocker::park_until`](crate::Blocker::park_until)); the listener registration and the notification
//!    both issue a `SeqCst` fence, so either the waiter's second check sees zero or the notifier sees the
//!    listener. No wakeup is lost.
//!
//! # Memory ordering
//!
//! Every count-down is a `Release` read-modify-write and every check by a waiter an `Acquire` load. All the
//! read-modify-writes of one atomic form a single release sequence, so a waiter that reads zero
//! synchronizes with *every* count-down, not only the last: all writes made by any thread before its
//! `count_down` (or before dropping its [`LatchGuard`]) are visible to a waiter once its wait returns.

use std::fmt;
use std::future::IntoFuture;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use event_listener::Event;

use crate::LatchError;
use crate::guard::LatchGuard;
use crate::sync::{Arc, AtomicUsize, Ordering};
use crate::wait_future::{Condition, WaitFuture};
use crate::wait_hook::{block_until, deadline_after};

/// A counting latch: it is released exactly once, when its count reaches zero, and every waiter — blocking
/// or async, any number — returns then. While it is open the count may grow ([`add`](Self::add),
/// [`guard`](Self::guard)); once released it stays released.
///
/// `Latch` is a cheap handle: clones share one state.
///
/// # Examples
///
/// The pattern that replaces "the last task sets a global event". The creator holds one count while it
/// registers the work, so the latch cannot be released before everything is registered (a latch that
/// starts at zero is already released, and `guard` on it fails):
///
/// ```
/// use wove_latch::Latch;
///
/// let latch = Latch::new(1); // the creator's share
/// let mut threads = Vec::new();
/// for i in 0..4 {
///     let guard = latch.guard()?; // counted before the thread exists
///     threads.push(std::thread::spawn(move || {
///         let _done = guard; // counts down when dropped, also if the work panics
///         i * 2
///     }));
/// }
/// latch.count_down()?; // everything is registered
/// latch.wait();
/// assert!(latch.is_released());
/// # for t in threads { t.join().unwrap(); }
/// # Ok::<(), wove_latch::LatchError>(())
/// ```
#[derive(Clone)]
pub struct Latch {
    inner: Arc<Inner>,
}

struct Inner {
    count: AtomicUsize,
    released: Event,
}

impl Latch {
    /// A latch that is released after `count` count-downs. `Latch::new(0)` is released at once.
    ///
    /// # Examples
    ///
    /// ```
    /// let latch = wove_latch::Latch::new(0);
    /// assert!(latch.is_released());
    /// latch.wait(); // returns at once
    /// ```
    pub fn new(count: usize) -> Self {
        Self { inner: Arc::new(Inner { count: AtomicUsize::new(count), released: Event::new() }) }
    }

    /// Decrements the count; the call that reaches zero releases every waiter.
    ///
    /// # Errors
    ///
    /// [`LatchError::is_underflow`] if the count is already zero; the latch is unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// let latch = wove_latch::Latch::new(2);
    /// latch.count_down()?;
    /// assert!(!latch.is_released());
    /// latch.count_down()?;
    /// assert!(latch.is_released());
    /// # Ok::<(), wove_latch::LatchError>(())
    /// ```
    pub fn count_down(&self) -> Result<(), LatchError> {
        self.count_down_by(1).map(drop)
    }

    /// Decrements the count by `n` in one step, and says whether this call released the latch: exactly one
    /// call ever returns `Ok(true)`, so whoever gets it may act on the release (free what the latch guarded,
    /// say) knowing nobody else will. Counting down by zero changes nothing and returns `Ok(false)`.
    ///
    /// # Errors
    ///
    /// [`LatchError::is_underflow`] if the count is below `n` (or already zero); the latch is unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// let latch = wove_latch::Latch::new(5);
    /// assert_eq!(latch.count_down_by(2), Ok(false));
    /// assert_eq!(latch.count(), 3);
    /// assert!(latch.count_down_by(4).unwrap_err().is_underflow());
    /// assert_eq!(latch.count_down_by(3), Ok(true));
    /// assert!(latch.is_released());
    /// # Ok::<(), wove_latch::LatchError>(())
    /// ```
    pub fn count_down_by(&self, n: usize) -> Result<bool, LatchError> {
        if n == 0 {
            return Ok(false);
        }
        let mut current = self.inner.count.load(Ordering::Relaxed);
        loop {
            if current < n {
                return Err(LatchError::underflow(current, n));
            }
            match self.inner.count.compare_exchange_weak(current, current - n, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        let released = current == n;
        if released {
            self.inner.released.notify(usize::MAX);
        }
        Ok(released)
    }

    /// Grows the count by `k` while the latch is open. `add(0)` on an open latch does nothing.
    ///
    /// # Errors
    ///
    /// [`LatchError::is_released`] if the latch is already released (release is one-shot), and
    /// [`LatchError::is_overflow`] if the count would pass `usize::MAX`; the latch is unchanged either way.
    ///
    /// # Examples
    ///
    /// ```
    /// let latch = wove_latch::Latch::new(1);
    /// latch.add(2)?;
    /// assert_eq!(latch.count(), 3);
    /// # Ok::<(), wove_latch::LatchError>(())
    /// ```
    pub fn add(&self, k: usize) -> Result<(), LatchError> {
        let mut current = self.inner.count.load(Ordering::Relaxed);
        loop {
            if current == 0 {
                return Err(LatchError::released());
            }
            let Some(next) = current.checked_add(k) else {
                return Err(LatchError::overflow(current, k));
            };
            match self.inner.count.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return Ok(()),
                Err(actual) => current = actual,
            }
        }
    }

    /// Adds one to the count now and returns a guard that counts it down when dropped — also when the
    /// thread unwinds from a panic, so a failing worker can never leave the latch closed forever.
    ///
    /// # Errors
    ///
    /// As [`add`](Self::add): the latch is already released, or the count would overflow.
    ///
    /// # Examples
    ///
    /// ```
    /// let latch = wove_latch::Latch::new(1);
    /// let guard = latch.guard()?;
    /// let worker = std::thread::spawn(move || {
    ///     let _guard = guard;
    ///     panic!("the guard still counts down");
    /// });
    /// assert!(worker.join().is_err());
    /// latch.count_down()?;
    /// assert!(latch.is_released());
    /// # Ok::<(), wove_latch::LatchError>(())
    /// ```
    pub fn guard(&self) -> Result<LatchGuard, LatchError> {
        self.add(1)?;
        Ok(LatchGuard::new(self.clone()))
    }

    /// The current count; zero once released. A snapshot: other threads may change it at any time.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wove_latch::Latch::new(3).count(), 3);
    /// ```
    pub fn count(&self) -> usize {
        self.inner.count.load(Ordering::Acquire)
    }

    /// True once the count has reached zero; then it stays true.
    ///
    /// # Examples
    ///
    /// ```
    /// let latch = wove_latch::Latch::new(1);
    /// assert!(!latch.is_released());
    /// latch.count_down()?;
    /// assert!(latch.is_released());
    /// # Ok::<(), wove_latch::LatchError>(())
    /// ```
    pub fn is_released(&self) -> bool {
        self.count() == 0
    }

    /// Blocks until the latch is released; returns at once if it already is.
    ///
    /// On a thread where an executor installed a [`WaitHook`](crate::WaitHook) (every wove worker), the
    /// wait runs the engine's queued work instead of parking.
    ///
    /// # Warning
    ///
    /// Blocking on a thread of an executor that installed no hook (tokio, async-executor) holds that thread
    /// for the whole wait; in async code use [`wait_async`](Self::wait_async).
    ///
    /// # Examples
    ///
    /// ```
    /// let latch = wove_latch::Latch::new(1);
    /// let remote = latch.clone();
    /// std::thread::spawn(move || remote.count_down().unwrap());
    /// latch.wait();
    /// assert!(latch.is_released());
    /// ```
    pub fn wait(&self) {
        block_until(&self.inner.released, &|| self.is_released(), None);
    }

    /// Blocks until the latch is released or `timeout` has passed; returns whether it is released.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let latch = wove_latch::Latch::new(1);
    /// assert!(!latch.wait_timeout(Duration::from_millis(1)));
    /// latch.count_down()?;
    /// assert!(latch.wait_timeout(Duration::from_millis(1)));
    /// # Ok::<(), wove_latch::LatchError>(())
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        block_until(&self.inner.released, &|| self.is_released(), deadline_after(timeout))
    }

    /// Blocks until the latch is released or `deadline` has passed; returns whether it is released.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let latch = wove_latch::Latch::new(1);
    /// assert!(!latch.wait_deadline(Instant::now() + Duration::from_millis(1)));
    /// ```
    pub fn wait_deadline(&self, deadline: Instant) -> bool {
        block_until(&self.inner.released, &|| self.is_released(), Some(deadline))
    }

    /// A future that resolves once the latch is released. It holds its own handle to the latch, so it is
    /// `'static`; dropping it before it resolves is harmless. `(&latch).await` and `latch.await` do the same.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures_lite::future::block_on(async {
    /// let latch = wove_latch::Latch::new(1);
    /// let remote = latch.clone();
    /// std::thread::spawn(move || remote.count_down().unwrap());
    /// latch.wait_async().await;
    /// (&latch).await; // already released: resolves at once
    /// assert!(latch.is_released());
    /// # });
    /// ```
    pub fn wait_async(&self) -> LatchWait {
        LatchWait { inner: WaitFuture::new(self.clone()) }
    }
}

impl Condition for Latch {
    fn is_done(&self) -> bool {
        self.is_released()
    }

    fn event(&self) -> &Event {
        &self.inner.released
    }
}

impl fmt::Debug for Latch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Latch").field("count", &self.count()).finish()
    }
}

/// The future returned by [`Latch::wait_async`]; resolves once the latch is released.
///
/// # Examples
///
/// ```
/// # futures_lite::future::block_on(async {
/// let latch = wove_latch::Latch::new(0);
/// let wait: wove_latch::LatchWait = latch.wait_async();
/// wait.await;
/// # });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct LatchWait {
    inner: WaitFuture<Latch>,
}

impl std::future::Future for LatchWait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.inner).poll(cx)
    }
}

impl IntoFuture for &Latch {
    type Output = ();
    type IntoFuture = LatchWait;

    fn into_future(self) -> LatchWait {
        self.wait_async()
    }
}

impl IntoFuture for Latch {
    type Output = ();
    type IntoFuture = LatchWait;

    fn into_future(self) -> LatchWait {
        LatchWait { inner: WaitFuture::new(self) }
    }
}
