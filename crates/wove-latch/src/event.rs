//! The event: the `asyncio.Event` analogue, a flag that waiters wait to see set.
//!
//! # Protocol
//!
//! The state is one atomic word: bit 0 is the flag, the bits above it count the times the flag went from
//! clear to set (the generation).
//!
//! 1. `set` swaps in "flag set, generation + 1" if the flag was clear, then notifies every listener. Setting
//!    an already-set event changes nothing and notifies nobody (nobody can be waiting: waiters return at
//!    once while the flag is set).
//! 2. `clear` only clears bit 0; it never wakes anyone.
//! 3. A wait remembers the generation it started in and is done when the flag is set *or* the generation
//!    has moved on. So a waiter that was waiting when `set` was called returns even if `clear` follows at
//!    once — as in asyncio, where `set` wakes every current waiter.
//! 4. Waiters check, register a listener, check again, then park, as for [`Latch`](crate::Latch): no lost
//!    wakeups.
//!
//! # Memory ordering
//!
//! `set` is a `Release` read-modify-write and a waiter's check an `Acquire` load: everything written before
//! `set` is visible to a waiter once its wait returns.

use std::fmt;
use std::future::IntoFuture;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::sync::{Arc, AtomicUsize, Ordering};
use crate::wait_future::{Condition, WaitFuture};
use crate::wait_hook::{block_until, deadline_after};

const SET: usize = 1;
const GENERATION_ONE: usize = 2;

/// A flag that threads and tasks wait to see set: the analogue of `asyncio.Event`, blocking and async.
/// [`set`](Self::set) wakes every current waiter; [`clear`](Self::clear) makes later waits block again.
///
/// `Event` is a cheap handle: clones share one state.
///
/// # Examples
///
/// ```
/// use wove_latch::Event;
///
/// let ready = Event::new();
/// let remote = ready.clone();
/// let waiter = std::thread::spawn(move || {
///     remote.wait();
///     "saw it"
/// });
/// ready.set();
/// assert_eq!(waiter.join().unwrap(), "saw it");
/// ```
#[derive(Clone)]
pub struct Event {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    changed: event_listener::Event,
}

impl Event {
    /// A new event, not set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!wove_latch::Event::new().is_set());
    /// ```
    pub fn new() -> Self {
        Self { inner: Arc::new(Inner { state: AtomicUsize::new(0), changed: event_listener::Event::new() }) }
    }

    /// Sets the flag and wakes every current waiter. Does nothing if the flag is already set.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = wove_latch::Event::new();
    /// event.set();
    /// assert!(event.is_set());
    /// event.wait(); // returns at once
    /// ```
    pub fn set(&self) {
        let mut current = self.inner.state.load(Ordering::Relaxed);
        loop {
            if current & SET != 0 {
                return;
            }
            let next = (current | SET).wrapping_add(GENERATION_ONE);
            match self.inner.state.compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        self.inner.changed.notify(usize::MAX);
    }

    /// Clears the flag: waits that start after this block until the next [`set`](Self::set). Waiters woken by
    /// an earlier `set` still return.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = wove_latch::Event::new();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// ```
    pub fn clear(&self) {
        self.inner.state.fetch_and(!SET, Ordering::Relaxed);
    }

    /// True while the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = wove_latch::Event::new();
    /// assert!(!event.is_set());
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.inner.state.load(Ordering::Acquire) & SET != 0
    }

    /// Blocks until the flag is set (returns at once if it is). On a wove worker the wait runs queued work
    /// instead of parking (see [`WaitHook`](crate::WaitHook)).
    ///
    /// # Examples
    ///
    /// ```
    /// let event = wove_latch::Event::new();
    /// let remote = event.clone();
    /// std::thread::spawn(move || remote.set());
    /// event.wait();
    /// ```
    pub fn wait(&self) {
        let since = self.watch();
        block_until(&self.inner.changed, &|| since.is_done(), None);
    }

    /// Blocks until the flag is set or `timeout` has passed; returns whether the wait saw it set.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let event = wove_latch::Event::new();
    /// assert!(!event.wait_timeout(Duration::from_millis(1)));
    /// event.set();
    /// assert!(event.wait_timeout(Duration::from_millis(1)));
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let since = self.watch();
        block_until(&self.inner.changed, &|| since.is_done(), deadline_after(timeout))
    }

    /// Blocks until the flag is set or `deadline` has passed; returns whether the wait saw it set.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let event = wove_latch::Event::new();
    /// assert!(!event.wait_deadline(Instant::now() + Duration::from_millis(1)));
    /// ```
    pub fn wait_deadline(&self, deadline: Instant) -> bool {
        let since = self.watch();
        block_until(&self.inner.changed, &|| since.is_done(), Some(deadline))
    }

    /// A future that resolves once the flag is set, or once a `set` happened after this call even if the flag
    /// was cleared again. `'static`; dropping it early is harmless. `(&event).await` does the same.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures_lite::future::block_on(async {
    /// let event = wove_latch::Event::new();
    /// let remote = event.clone();
    /// std::thread::spawn(move || remote.set());
    /// event.wait_async().await;
    /// assert!(event.is_set());
    /// # });
    /// ```
    pub fn wait_async(&self) -> EventWait {
        EventWait { inner: WaitFuture::new(self.watch()) }
    }

    fn watch(&self) -> Watch {
        Watch { event: self.clone(), generation: self.inner.state.load(Ordering::Acquire) & !SET }
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event").field("set", &self.is_set()).finish()
    }
}

/// One wait's view of an event: done when the flag is set or a `set` happened since the wait began.
#[derive(Debug)]
struct Watch {
    event: Event,
    generation: usize,
}

impl Condition for Watch {
    fn is_done(&self) -> bool {
        let state = self.event.inner.state.load(Ordering::Acquire);
        state & SET != 0 || state & !SET != self.generation
    }

    fn event(&self) -> &event_listener::Event {
        &self.event.inner.changed
    }
}

/// The future returned by [`Event::wait_async`].
///
/// # Examples
///
/// ```
/// # futures_lite::future::block_on(async {
/// let event = wove_latch::Event::new();
/// event.set();
/// let wait: wove_latch::EventWait = event.wait_async();
/// wait.await;
/// # });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct EventWait {
    inner: WaitFuture<Watch>,
}

impl std::future::Future for EventWait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.inner).poll(cx)
    }
}

impl IntoFuture for &Event {
    type Output = ();
    type IntoFuture = EventWait;

    fn into_future(self) -> EventWait {
        self.wait_async()
    }
}
