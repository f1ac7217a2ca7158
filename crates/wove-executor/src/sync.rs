//! The synchronization facade. Everything else uses `std` and `parking_lot` directly through the re-exports at
//! the top; the hand-written protocols (task state and completion, admission against shutdown, sleep and wake)
//! take their atomics, locks and parking from [`model`], which becomes loom's model-checked versions under
//! `--cfg loom`, so the loom tests exercise the real protocol code.

pub(crate) use parking_lot::Mutex;
pub(crate) use std::sync::Arc;
pub(crate) use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};

/// The primitives of the loom-checked protocols.
pub(crate) mod model {
    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, fence};
    #[cfg(loom)]
    pub(crate) use loom::thread::{Thread, current as current_thread, park, yield_now};

    #[cfg(not(loom))]
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, fence};
    #[cfg(not(loom))]
    pub(crate) use std::thread::{Thread, current as current_thread, park, yield_now};

    #[cfg(not(loom))]
    pub(crate) use parking_lot::Mutex;

    /// loom's mutex behind `parking_lot`'s signature (`lock()` without poisoning). Every access to the value —
    /// through `lock()` or [`exclusive`] — also writes a loom cell beside it, so loom's causality checker
    /// reports any two accesses that are not ordered by happens-before (a lock alone would not show it: loom
    /// does not preempt a thread inside a critical section without atomics in it).
    #[cfg(loom)]
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>, loom::cell::UnsafeCell<()>);

    // SAFETY: the loom cell holds `()`: it carries no data, only loom's record of who accessed the value when,
    // and loom serialises the model's threads. The value itself is behind loom's `Mutex`.
    #[cfg(loom)]
    unsafe impl<T: Send> Sync for Mutex<T> {}

    #[cfg(loom)]
    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value), loom::cell::UnsafeCell::new(()))
        }

        pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
            let guard = self.0.lock().expect("loom mutexes are not poisoned in these models");
            self.1.with_mut(|_| ());
            guard
        }
    }

    /// The value of `mutex`, without locking it.
    ///
    /// # Safety
    ///
    /// No other thread may access the value (nor lock the mutex) while the returned reference lives. Under loom
    /// this is checked: the mutex must be unlocked.
    #[cfg(not(loom))]
    #[allow(clippy::mut_from_ref)] // the caller vouches that the reference is exclusive (see "Safety")
    pub(crate) unsafe fn exclusive<T>(mutex: &Mutex<T>) -> &mut T {
        // SAFETY: the caller guarantees that nobody else accesses the value meanwhile.
        unsafe { &mut *mutex.data_ptr() }
    }

    /// The value of `mutex`, without locking it (loom: checks that nobody holds the lock).
    ///
    /// # Safety
    ///
    /// As without loom.
    #[cfg(loom)]
    pub(crate) unsafe fn exclusive<T>(mutex: &Mutex<T>) -> loom::sync::MutexGuard<'_, T> {
        // The access must happen after every earlier one by happens-before, not merely at a moment when
        // nobody holds the lock (see `Mutex`).
        mutex.1.with_mut(|_| ());
        mutex.0.try_lock().expect("a value taken as exclusive is not locked by anyone")
    }

    /// Parks the calling thread until unparked or `deadline` (loom has no timed park: it parks until unparked).
    pub(crate) fn park_until(deadline: Option<std::time::Instant>) {
        match deadline {
            #[cfg(not(loom))]
            Some(deadline) => std::thread::park_timeout(deadline.saturating_duration_since(std::time::Instant::now())),
            _ => park(),
        }
    }
}
