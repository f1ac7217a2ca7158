//! A task's body that runs once — a closure task's closure, a continuation's step: the one thread whose claim on
//! the task's state word succeeds (`Core::claim`, a read-modify-write, so exactly one caller ever succeeds) takes
//! it, and nobody else ever touches it, so it needs no lock (two atomic operations less per task).

use std::cell::UnsafeCell;

use crate::task::core::Core;

/// A body taken once, by the thread that claims its task.
pub(crate) struct OnceBody<B>(UnsafeCell<Option<B>>);

// SAFETY: the body is reached only through `claim`, whose contract makes the caller the one thread whose claim
// of the task succeeded; that thread moves `B` out, which `B: Send` allows. A body never taken is dropped with its
// cell, by whoever drops the last reference.
unsafe impl<B: Send> Sync for OnceBody<B> {}

impl<B> OnceBody<B> {
    pub(crate) fn new(body: B) -> Self {
        Self(UnsafeCell::new(Some(body)))
    }

    /// Claims the task of `core` and takes its body: `None` if it was claimed before; else whether to run it
    /// (`false`: the task ends as cancelled, its body dropped unrun) and the body.
    ///
    /// # Safety
    ///
    /// `self` is the body of the task whose core is `core`, so that no other task's claim can reach it.
    #[inline]
    pub(crate) unsafe fn claim<T: Send + 'static>(&self, core: &Core<T>) -> Option<(bool, B)> {
        let proceed = core.claim()?;
        // SAFETY: the claim succeeded, so this thread is the only one ever to access the body (see `Sync`).
        let body = unsafe { &mut *self.0.get() }.take()?;
        Some((proceed, body))
    }
}
