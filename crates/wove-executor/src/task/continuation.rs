//! Continuations: a task that runs once another has finished, with its outcome — what `wove-chain`'s `then`,
//! `recover` and friends are built on.
//!
//! # Protocol
//!
//! 1. The continuation is admitted like a spawn (into the predecessor's group), registered, but not scheduled.
//!    Its own cell is registered as the predecessor's join waker: the predecessor's handle is moved into the
//!    continuation, so nobody else can join it.
//! 2. The predecessor wakes that waker once its outcome can be handed out — after its callbacks, from the worker
//!    that finished it — and the wake schedules the continuation there, in that worker's next-task slot: a
//!    chain runs link after link on one warm core. If the predecessor had already finished at registration,
//!    the continuation is scheduled at once — never run inline on the caller.
//! 3. The continuation takes the predecessor's outcome and passes it to its body. An `Err` the body returns is
//!    carried as is (it still names the task that failed) and is not counted again as a group failure.
//! 4. Cancelling a task walks up the chain (`Task::cancel`, iteratively, so a million links cost no stack):
//!    every step that has not started ends cancelled, its body dropped unrun. Each step drops its
//!    predecessor's handle when it runs, so finished links are freed as the chain advances.

use std::cell::UnsafeCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::{Wake, Waker};

use crate::context;
use crate::scheduler::{ClosureEntry, Job, ThinCell, closure_entry};
use crate::shared::Shared;
use crate::sync::{Arc, Mutex};
use crate::task::core::{AsCore, Core, EngineHooks, Header, TaskControl};
use crate::task::run::ClosureJob;
use crate::{Task, TaskError};

/// A continuation: its core, the predecessor it waits for, and its body.
#[repr(C)]
pub(crate) struct ContinuationCell<P: Send + 'static, T, F> {
    /// Must stay the first field (`ThinCell`).
    entry: ClosureEntry,
    core: Core<T>,
    /// The engine's address, only to recognise its workers: the engine itself is reached through a worker or
    /// through the predecessor's handle, so a link costs no reference count of the engine (a count every
    /// core writes; a chain built from one thread and run on another bounced it between them four times per
    /// link).
    engine: usize,
    predecessor: Mutex<Option<Task<P>>>,
    /// Taken by the worker that claims the continuation (as a closure task's body, `run.rs`).
    body: UnsafeCell<Option<F>>,
}

// SAFETY: the only shared access to `body` is `run`'s, by the one thread whose `Core::claim` succeeded; that
// thread moves `F` out, which `F: Send` allows. Everything else in the cell is `Sync` itself.
unsafe impl<P: Send + 'static, T: Send, F: Send> Sync for ContinuationCell<P, T, F> {}

// SAFETY: `repr(C)`, with `closure_entry::<Self>` as its first field (`new`).
unsafe impl<P, T, F> ThinCell for ContinuationCell<P, T, F>
where
    P: Send + 'static,
    T: Send + 'static,
    F: FnOnce(Result<P, TaskError>) -> Result<T, TaskError> + Send + 'static,
{
}

impl<P, T, F> ContinuationCell<P, T, F>
where
    P: Send + 'static,
    T: Send + 'static,
    F: FnOnce(Result<P, TaskError>) -> Result<T, TaskError> + Send + 'static,
{
    pub(crate) fn new(core: Core<T>, engine: &Shared, predecessor: Task<P>, body: F) -> Self {
        Self {
            entry: closure_entry::<Self>,
            core,
            engine: std::ptr::from_ref(engine).addr(),
            predecessor: Mutex::new(Some(predecessor)),
            body: UnsafeCell::new(Some(body)),
        }
    }

    /// Step 1 and 2: waits for the predecessor, or schedules at once on `engine` (the predecessor's) if it has
    /// finished — with the caller's reference: no count of the engine is taken, a line that the workers write
    /// as they drop the handles of finished links.
    pub(crate) fn start(self: &Arc<Self>, engine: &Shared) {
        let waker = Waker::from(self.clone());
        // Registered by value: the slot keeps this waker, no clone of it.
        let unregistered = match &*self.predecessor.lock() {
            Some(predecessor) => predecessor.register_join_waker(waker).err(),
            None => Some(waker),
        };
        if unregistered.is_some() {
            engine.schedule(Job::closure(self.clone()), false);
        }
    }
}

impl<P, T, F> Wake for ContinuationCell<P, T, F>
where
    P: Send + 'static,
    T: Send + 'static,
    F: FnOnce(Result<P, TaskError>) -> Result<T, TaskError> + Send + 'static,
{
    fn wake(self: Arc<Self>) {
        // Woken on one of the engine's workers (the predecessor finished there): its next-task slot. Else (its
        // late callbacks ran off the engine; a predecessor finished before registration is `start`'s case)
        // through the predecessor's handle, which the cell holds until it runs — and it runs only after this.
        context::with_context(|cx| match cx.worker_at(self.engine) {
            Some(worker) => worker.push_next(Job::closure(self)),
            None => {
                let predecessor = self.predecessor.lock().as_ref().map(|predecessor| predecessor.shared().clone());
                predecessor.expect("woken before it runs").schedule(Job::closure(self), false);
            }
        });
    }
}

impl<P, T, F> ClosureJob for ContinuationCell<P, T, F>
where
    P: Send + 'static,
    T: Send + 'static,
    F: FnOnce(Result<P, TaskError>) -> Result<T, TaskError> + Send + 'static,
{
    fn run(self: Arc<Self>, engine: &dyn EngineHooks) {
        let _current = context::enter_task(&self.core.header);
        let core = &self.core;
        let Some(proceed) = core.claim() else { return };
        // SAFETY: `claim` succeeded, so this thread is the only one ever to access `body` (see the `Sync` impl).
        let Some(body) = (unsafe { &mut *self.body.get() }).take() else { return };
        let predecessor = self.predecessor.lock().take();
        let outcome = predecessor.map(Task::take_finished).expect("a continuation runs once, after its predecessor");
        if !proceed {
            // Cancelled before it started: the body is dropped unrun. A panic of the predecessor that nobody will
            // now see still reaches the panic handler.
            match outcome {
                Err(error) if error.is_panic() => engine.report_panic(error),
                other => {
                    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(other))) {
                        engine.report_panic(core.header.error_panic(payload));
                    }
                }
            }
            if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(body))) {
                engine.report_panic(core.header.error_panic(payload));
            }
            core.finish(Err(core.header.error_cancelled()), false, engine);
            return;
        }
        match catch_unwind(AssertUnwindSafe(move || body(outcome))) {
            Ok(Ok(value)) => core.finish(Ok(value), false, engine),
            Ok(Err(carried)) => core.finish(Err(carried), true, engine),
            Err(payload) => core.finish(Err(core.header.error_panic(payload)), false, engine),
        }
    }
}

impl<P: Send + 'static, T: Send + 'static, F: Send + 'static> TaskControl for ContinuationCell<P, T, F> {
    fn header(&self) -> &Header {
        &self.core.header
    }

    fn cancel(&self) -> bool {
        self.core.cancel()
    }

    fn upstream(&self) -> Option<Arc<dyn TaskControl>> {
        self.predecessor.lock().as_ref().map(Task::control)
    }
}

impl<P: Send + 'static, T: Send + 'static, F: Send + 'static> AsCore<T> for ContinuationCell<P, T, F> {
    fn core(&self) -> &Core<T> {
        &self.core
    }
}
