//! Stack jobs: a closure and its result slot on the stack of the thread that waits for them — what fork-join
//! (`Engine::join`) and running a borrowing closure on a worker (`Engine::install`) queue, without allocating.
//!
//! # Protocol
//!
//! 1. The owner builds a [`StackJob`] on its stack and pushes a [`StackJobRef`] to it (on its own deque for
//!    `join`, on the injector for `install`).
//! 2. Whoever runs the job takes the closure, runs it under `catch_unwind`, stores the result, clones the
//!    owner's thread handle, sets `done` (`Release`) and unparks the owner. After setting `done` it never
//!    touches the job again: the owner may return and free it at once.
//! 3. The owner does not return, nor unwind, before either (a) it popped the reference back from its own deque
//!    — then nobody else has it and the owner runs the closure itself — or (b) it has seen `done` with an
//!    `Acquire` load. So the job outlives every use of the reference: that is what the `unsafe` relies on.
//!
//! `join` pushes `b`, runs `a` itself, then pops its deque: finding `b` on top means nobody stole it, and `b`
//! runs inline — no allocation and no synchronization beyond the deque. Otherwise it runs whatever it pops (jobs
//! `a` left behind) and, once its deque is empty, helps with other work until `b`'s thief is done.

use std::cell::UnsafeCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::thread::{self, Thread};

use crate::sync::{AtomicBool, Ordering};

/// How a [`StackJobRef`] runs its job: the first field of every `StackJob`, so that the reference is one
/// pointer (see `job.rs`).
type Execute = unsafe fn(*const ());

/// A closure and its result slot, on the stack of the thread that waits for it.
#[repr(C)]
pub(crate) struct StackJob<'o, F, R> {
    /// Must stay the first field (see [`Execute`]).
    execute: Execute,
    func: UnsafeCell<Option<F>>,
    result: UnsafeCell<Option<thread::Result<R>>>,
    done: AtomicBool,
    /// The waiting thread's handle, borrowed from where it lives (the worker context, or the installer's
    /// stack): cloned only by a thief, before it sets `done`.
    owner: &'o Thread,
}

/// A type-erased pointer to a [`StackJob`], whose first field is the function that runs it.
pub(crate) struct StackJobRef {
    job: NonNull<Execute>,
}

// SAFETY: a `StackJobRef` is only created for a `StackJob` whose closure and result are `Send`, and the job is
// reached through it by exactly one thread, once (protocol step 2); the owner keeps the job alive until then
// (step 3).
unsafe impl Send for StackJobRef {}

impl StackJobRef {
    /// Runs the job it points to (protocol step 2).
    #[inline]
    pub(crate) fn execute(self) {
        // SAFETY: protocol step 3 keeps the job alive until `done` is set, and this reference is the only one
        // the owner handed out, so this is the one execution of it. The job is `repr(C)` with its `Execute`
        // first, so the pointer to the job points to that function.
        unsafe {
            let execute = *self.job.as_ptr();
            execute(self.job.as_ptr().cast())
        }
    }

    /// The pointer, for a queue to carry (`Job::stack`).
    #[inline]
    pub(crate) fn into_raw(self) -> NonNull<()> {
        self.job.cast()
    }

    /// # Safety
    ///
    /// `raw` must come from [`Self::into_raw`], and be turned back once.
    #[inline]
    pub(crate) unsafe fn from_raw(raw: NonNull<()>) -> Self {
        Self { job: raw.cast() }
    }
}

impl<'o, F: FnOnce() -> R + Send, R: Send> StackJob<'o, F, R> {
    #[inline]
    pub(crate) fn new(func: F, owner: &'o Thread) -> Self {
        Self {
            execute: Self::execute,
            func: UnsafeCell::new(Some(func)),
            result: UnsafeCell::new(None),
            done: AtomicBool::new(false),
            owner,
        }
    }

    /// # Safety
    ///
    /// The caller must keep `self` alive, and must not touch it except through [`Self::take_back`] or
    /// [`Self::into_result`], until the reference was executed (seen through [`Self::is_done`]) or taken back
    /// from its own deque unexecuted (protocol step 3).
    #[inline]
    pub(crate) unsafe fn as_job_ref(&self) -> StackJobRef {
        StackJobRef { job: NonNull::from(self).cast() }
    }

    /// # Safety
    ///
    /// `job` must point to a live `StackJob<F, R>` whose reference has not been executed before.
    unsafe fn execute(job: *const ()) {
        // SAFETY: the caller guarantees `job` points to a live `StackJob<F, R>`.
        let this = unsafe { &*job.cast::<Self>() };
        // SAFETY: only the one executor touches `func` and `result` until it sets `done` (the owner waits
        // for `done` before reading `result`, protocol step 3).
        let func = unsafe { (*this.func.get()).take() }.expect("a stack job runs once");
        let result = catch_unwind(AssertUnwindSafe(func));
        // SAFETY: as above: the owner reads `result` only after the `Release` store of `done` below.
        unsafe { *this.result.get() = Some(result) };
        let owner = this.owner.clone();
        this.done.store(true, Ordering::Release);
        // `this` may be freed from here on: only the cloned handle is used.
        owner.unpark();
    }

    #[inline]
    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// Runs the closure on the owner's thread after popping the reference back unexecuted.
    #[inline]
    pub(crate) fn take_back(self) -> R {
        let func = self.func.into_inner().expect("a stack job that was taken back has not run");
        func()
    }

    /// The executor's result, once [`Self::is_done`].
    #[inline]
    pub(crate) fn into_result(self) -> thread::Result<R> {
        self.result.into_inner().expect("a done stack job has a result")
    }
}
