//! Fork-join without allocation (`Engine::join`) and running a borrowing closure on a worker
//! (`Engine::install`): jobs that live on the stack of the thread that waits for them.
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
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr::NonNull;
use std::task::Poll;
use std::thread::{self, Thread};

use crate::context;
use crate::scheduler::{Job, WorkerContext};
use crate::shared::Shared;
use crate::sync::{AtomicBool, Ordering};

/// How a [`StackJobRef`] runs its job: the first field of every `StackJob`, so that the reference is one
/// pointer (see `queue.rs`).
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
    pub(crate) fn into_raw(self) -> NonNull<()> {
        self.job.cast()
    }

    /// # Safety
    ///
    /// `raw` must come from [`Self::into_raw`], and be turned back once.
    pub(crate) unsafe fn from_raw(raw: NonNull<()>) -> Self {
        Self { job: raw.cast() }
    }
}

impl<'o, F: FnOnce() -> R + Send, R: Send> StackJob<'o, F, R> {
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
    unsafe fn as_job_ref(&self) -> StackJobRef {
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

    fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// Runs the closure on the owner's thread after popping the reference back unexecuted.
    fn take_back(self) -> R {
        let func = self.func.into_inner().expect("a stack job that was taken back has not run");
        func()
    }

    /// The executor's result, once [`Self::is_done`].
    fn into_result(self) -> thread::Result<R> {
        self.result.into_inner().expect("a done stack job has a result")
    }
}

/// `join` on `worker`: the protocol above.
pub(crate) fn join_on<A, B, RA, RB>(worker: &WorkerContext, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    let job_b = StackJob::new(b, worker.thread());
    // SAFETY: this function returns or unwinds only after `job_b` ran (`is_done`) or was popped back.
    let job_ref = unsafe { job_b.as_job_ref() };
    worker.push(Job::stack(job_ref));
    // If nobody takes `b`, this thread runs it below: a hint is enough (see `sleep.rs`).
    worker.shared().sleep.hint();
    let result_a = catch_unwind(AssertUnwindSafe(a));
    let result_b = loop {
        if job_b.is_done() {
            break job_b.into_result();
        }
        match worker.pop_local() {
            Some(popped) if popped.stack_address() == Some((&raw const job_b).addr()) => {
                // Our own reference, popped back unexecuted (dropping it does nothing).
                break catch_unwind(AssertUnwindSafe(|| job_b.take_back()));
            }
            Some(other) => worker.run(other),
            None => {
                context::wait_for(&mut |_, _| if job_b.is_done() { Poll::Ready(()) } else { Poll::Pending }, None);
            }
        }
    };
    match (result_a, result_b) {
        (Ok(ra), Ok(rb)) => (ra, rb),
        (Err(payload), _) | (_, Err(payload)) => resume_unwind(payload),
    }
}

/// `install` from a thread that is not one of `shared`'s workers: inject the closure, wait for it.
pub(crate) fn install_from_outside<F, R>(shared: &Shared, func: F) -> R
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    assert!(shared.admit_outside_job(), "install on an engine that is shut down");
    let me = thread::current();
    let job = StackJob::new(func, &me);
    // SAFETY: we return only after `job` ran: `wait_for` below returns once `is_done` holds, and nothing
    // between here and there can unwind.
    let job_ref = unsafe { job.as_job_ref() };
    shared.injector.push(Job::stack(job_ref));
    shared.sleep.notify();
    context::wait_for(&mut |_, _| if job.is_done() { Poll::Ready(()) } else { Poll::Pending }, None);
    shared.outside_job_done();
    match job.into_result() {
        Ok(value) => value,
        Err(payload) => resume_unwind(payload),
    }
}
