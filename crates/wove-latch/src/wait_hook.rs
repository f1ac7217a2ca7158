//! The per-thread wait hook: how an executor makes a blocking wait on its worker threads run queued work
//! instead of parking the thread.
//!
//! # Protocol
//!
//! 1. An executor calls [`install_wait_hook`] once on each worker thread; the returned guard restores the
//!    previous hook when dropped, so hooks nest and a thread never keeps a hook past its worker's life.
//! 2. A blocking wait ([`Latch::wait`](crate::Latch::wait), [`Event::wait`](crate::Event::wait) and their
//!    timeout forms) first checks its condition; only if it does not hold yet does it look for a hook.
//! 3. With a hook, the wait calls [`WaitHook::block`] with a [`Blocker`] and returns once `block` returns. The
//!    hook must not return before [`Blocker::is_done`] is true or [`Blocker::deadline`] has passed; in between
//!    it may run any work it likes (which may itself wait, re-entering the hook) and may park the thread with
//!    [`Blocker::park_until`], which returns early when the condition becomes true.
//! 4. Without a hook, the wait parks the thread on the primitive's `event-listener` event.
//!
//! The hook is held in an `Rc`, cloned out of the thread-local slot before it is called, so a hook that
//! re-enters itself (a job that waits inside a job) never holds a borrow across the call.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use event_listener::{Event, EventListener, Listener};

thread_local! {
    static HOOK: RefCell<Option<Rc<dyn WaitHook>>> = const { RefCell::new(None) };
}

/// What a blocking wait does on a thread where an executor installed it: typically "run queued jobs until the
/// condition holds", so that a blocking wait inside a worker never idles a core or deadlocks the pool.
///
/// # Examples
///
/// A hook that counts how often it was asked to block, then parks like the default:
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use wove_latch::{install_wait_hook, Blocker, Latch, WaitHook};
///
/// struct Counting(Cell<usize>);
/// impl WaitHook for Counting {
///     fn block(&self, blocker: &Blocker<'_>) {
///         self.0.set(self.0.get() + 1);
///         blocker.park_until(blocker.deadline());
///     }
/// }
///
/// let hook = Rc::new(Counting(Cell::new(0)));
/// let _guard = install_wait_hook(hook.clone());
/// let latch = Latch::new(1);
/// let remote = latch.clone();
/// std::thread::spawn(move || remote.count_down().unwrap());
/// latch.wait();
/// assert!(hook.0.get() <= 1); // zero if the count-down won the race
/// ```
pub trait WaitHook {
    /// Blocks the calling thread until `blocker.is_done()` is true or `blocker.deadline()` has passed.
    fn block(&self, blocker: &Blocker<'_>);
}

/// One blocking wait, as seen by a [`WaitHook`]: its condition, its deadline and a way to park on it.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// use wove_latch::{install_wait_hook, Blocker, Event, WaitHook};
///
/// struct Park;
/// impl WaitHook for Park {
///     fn block(&self, blocker: &Blocker<'_>) {
///         while !blocker.is_done() && !blocker.park_until(blocker.deadline()) {
///             if blocker.deadline().is_some_and(|d| d <= std::time::Instant::now()) {
///                 return;
///             }
///         }
///     }
/// }
///
/// let _guard = install_wait_hook(Rc::new(Park));
/// let event = Event::new();
/// assert!(!event.wait_timeout(std::time::Duration::from_millis(5)));
/// ```
pub struct Blocker<'a> {
    event: &'a Event,
    done: &'a dyn Fn() -> bool,
    deadline: Option<Instant>,
    listener: RefCell<Option<EventListener>>,
}

impl<'a> Blocker<'a> {
    pub(crate) fn new(event: &'a Event, done: &'a dyn Fn() -> bool, deadline: Option<Instant>) -> Self {
        Self { event, done, deadline, listener: RefCell::new(None) }
    }

    /// True once the wait's condition holds (the latch is released, the event was set).
    ///
    /// # Examples
    ///
    /// See [`WaitHook`].
    pub fn is_done(&self) -> bool {
        (self.done)()
    }

    /// The instant after which the wait gives up, or `None` for a wait without a timeout.
    ///
    /// # Examples
    ///
    /// See [`WaitHook`].
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Parks the thread until the condition holds or `until` passes (`None`: no limit). Returns
    /// [`is_done`](Self::is_done). Never misses a wakeup: it registers a listener, then checks the
    /// condition again before parking.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use wove_latch::{install_wait_hook, Blocker, Latch, WaitHook};
    ///
    /// struct Short;
    /// impl WaitHook for Short {
    ///     fn block(&self, blocker: &Blocker<'_>) {
    ///         assert!(!blocker.park_until(Some(Instant::now() + Duration::from_millis(1))));
    ///     }
    /// }
    ///
    /// let _guard = install_wait_hook(std::rc::Rc::new(Short));
    /// assert!(!Latch::new(1).wait_timeout(Duration::from_secs(60)));
    /// ```
    pub fn park_until(&self, until: Option<Instant>) -> bool {
        loop {
            if self.is_done() {
                return true;
            }
            let listener = self.event.listen();
            if self.is_done() {
                return true;
            }
            match until {
                None => listener.wait(),
                Some(until) => {
                    if listener.wait_deadline(until).is_none() {
                        return self.is_done();
                    }
                }
            }
        }
    }
}

impl Blocker<'_> {
    /// Arranges for `waker` to be woken once the condition may have become true, for an executor that parks
    /// its threads its own way (so that either new work or this wait's release can wake it). Call
    /// [`is_done`](Self::is_done) after registering and before parking: a release that happened before the
    /// registration is seen there, one after it wakes `waker`. Registering again replaces the waker.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::task::{Wake, Waker};
    /// use wove_latch::{install_wait_hook, Blocker, Latch, WaitHook};
    ///
    /// struct Unpark(std::thread::Thread);
    /// impl Wake for Unpark {
    ///     fn wake(self: Arc<Self>) {
    ///         self.0.unpark();
    ///     }
    /// }
    ///
    /// struct ParkOwnWay;
    /// impl WaitHook for ParkOwnWay {
    ///     fn block(&self, blocker: &Blocker<'_>) {
    ///         let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    ///         loop {
    ///             blocker.register(&waker);
    ///             if blocker.is_done() {
    ///                 return;
    ///             }
    ///             std::thread::park();
    ///         }
    ///     }
    /// }
    ///
    /// let _guard = install_wait_hook(std::rc::Rc::new(ParkOwnWay));
    /// let latch = Latch::new(1);
    /// let remote = latch.clone();
    /// std::thread::spawn(move || remote.count_down().unwrap());
    /// latch.wait();
    /// ```
    pub fn register(&self, waker: &Waker) {
        let mut slot = self.listener.borrow_mut();
        let listener = slot.get_or_insert_with(|| self.event.listen());
        if Pin::new(listener).poll(&mut Context::from_waker(waker)).is_ready() {
            // Notified already: consume the notification and make the caller's next park return at once.
            *slot = None;
            waker.wake_by_ref();
        }
    }
}

impl fmt::Debug for Blocker<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocker").field("done", &self.is_done()).field("deadline", &self.deadline).finish()
    }
}

/// Installs `hook` as this thread's wait hook until the returned guard is dropped, which restores the hook
/// that was installed before (if any).
///
/// # Examples
///
/// See [`WaitHook`].
#[must_use = "the hook is uninstalled as soon as the guard is dropped"]
pub fn install_wait_hook(hook: Rc<dyn WaitHook>) -> WaitHookGuard {
    let previous = HOOK.with(|slot| slot.replace(Some(hook)));
    WaitHookGuard { previous, _not_send: std::marker::PhantomData }
}

/// Keeps a [`WaitHook`] installed on the current thread; dropping it restores the previous hook. Not `Send`:
/// a hook belongs to the thread that installed it.
///
/// # Examples
///
/// See [`WaitHook`].
#[must_use = "the hook is uninstalled as soon as the guard is dropped"]
pub struct WaitHookGuard {
    previous: Option<Rc<dyn WaitHook>>,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for WaitHookGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        HOOK.with(|slot| *slot.borrow_mut() = previous);
    }
}

impl fmt::Debug for WaitHookGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitHookGuard").finish_non_exhaustive()
    }
}

/// The deadline `timeout` from now; `None` (no limit) if that instant cannot be represented.
pub(crate) fn deadline_after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// Blocks until `done()` holds or `deadline` passes, through this thread's hook if one is installed. Returns
/// `done()`.
pub(crate) fn block_until(event: &Event, done: &dyn Fn() -> bool, deadline: Option<Instant>) -> bool {
    if done() {
        return true;
    }
    let blocker = Blocker::new(event, done, deadline);
    match HOOK.with(|slot| slot.borrow().clone()) {
        Some(hook) => {
            hook.block(&blocker);
            blocker.is_done()
        }
        None => blocker.park_until(deadline),
    }
}
