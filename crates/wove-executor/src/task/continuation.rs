//! Continuations: a task that runs once another has finished, with its outcome — what `wove-chain`'s `then`,
//! `recover` and friends are built on.
//!
//! # Protocol
//!
//! 1. The continuation is admitted like a spawn (into the predecessor's group), registered, but not scheduled.
//!    The predecessor's handle is taken apart: the continuation keeps the predecessor's cell (so nobody else
//!    can join it), the new handle takes over its count of the engine, and its round reference is dropped
//!    once the continuation is admitted. The continuation's job is registered as the predecessor's joiner.
//! 2. The engine that finishes the predecessor schedules that job once the outcome can be handed out — after
//!    its callbacks, from the worker that finished it, in that worker's next-task slot: a chain runs link
//!    after link on one warm core. If the predecessor had already finished at registration, the continuation
//!    is scheduled at once — never run inline on the caller.
//! 3. The continuation takes the predecessor's outcome and passes it to its body. An `Err` the body returns is
//!    carried as is (it still names the task that failed) and is not counted again as a group failure.
//! 4. Cancelling a task walks up the chain (`Task::cancel`, iteratively, so a million links cost no stack):
//!    every step that has not started ends cancelled, its body dropped unrun. Each step drops its
//!    predecessor's cell when it runs, so finished links are freed as the chain advances.
//!
//! A waiting continuation holds no reference count of the engine, and the predecessor's cell it drops holds
//! none either: the engine is reached through the worker that finishes the predecessor (step 2) or runs the
//! continuation. So a chain built on one thread and run on another moves no count of the engine per link — a
//! line the builder and the workers otherwise wrote in turn on every link (the measurements are in the
//! `docs/decisions.md`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Poll;

use crate::error::TaskError;
use crate::sync::{Arc, Mutex};
use crate::task::core::{AsCore, Core};
use crate::task::current;
use crate::task::header::{Header, TaskControl};
use crate::task::hooks::EngineHooks;
use crate::task::job::{ArcJob, Job, JobVTable, ThinCell, arc_vtable};
use crate::task::once_body::OnceBody;
use crate::trace::What;

/// A continuation: its core, the predecessor it waits for, and its body.
#[repr(C)]
pub(crate) struct ContinuationCell<P: Send + 'static, T, F> {
    /// Must stay the first field (`ThinCell`).
    vtable: &'static JobVTable,
    core: Core<T>,
    /// The predecessor's cell, until this continuation runs.
    predecessor: Mutex<Option<Arc<dyn AsCore<P>>>>,
    /// Taken by the worker that claims the continuation (`once_body.rs`).
    body: OnceBody<F>,
}

// SAFETY: `repr(C)`, with `arc_vtable::<Self>()` as its first field (`new`).
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
    pub(crate) fn new(core: Core<T>, predecessor: Arc<dyn AsCore<P>>, body: F) -> Self {
        Self {
            vtable: arc_vtable::<Self>(),
            core,
            predecessor: Mutex::new(Some(predecessor)),
            body: OnceBody::new(body),
        }
    }

    /// Steps 1 and 2: waits for `predecessor` (the one this continuation holds), or schedules at once on the
    /// predecessor's engine (`engine`) if it has finished.
    pub(crate) fn start(self: &Arc<Self>, predecessor: &Core<P>, engine: &dyn EngineHooks) {
        if let Err(job) = predecessor.register_continuation(Job::arc(self.clone())) {
            engine.schedule_ready(job);
        }
    }
}

impl<P, T, F> ArcJob for ContinuationCell<P, T, F>
where
    P: Send + 'static,
    T: Send + 'static,
    F: FnOnce(Result<P, TaskError>) -> Result<T, TaskError> + Send + 'static,
{
    fn traced(&self) -> What {
        self.core.header.traced()
    }

    fn run(self: Arc<Self>, engine: &dyn EngineHooks) {
        let _current = current::enter_task(&self.core.header);
        let core = &self.core;
        // SAFETY: `body` is the body of this continuation, whose core is `core`.
        let Some((proceed, body)) = (unsafe { self.body.claim(core) }) else { return };
        let predecessor = self.predecessor.lock().take().expect("a continuation runs once");
        let outcome = match predecessor.core().poll_join(std::task::Waker::noop()) {
            Poll::Ready(outcome) => outcome,
            Poll::Pending => unreachable!("a continuation runs after its predecessor finished"),
        };
        drop(predecessor);
        if !proceed {
            // Cancelled before it started: the body is dropped unrun. A panic of the predecessor that nobody will
            // now see still reaches the panic handler.
            match outcome {
                Err(error) if error.is_panic() => engine.report_panic(error),
                other => core.drop_contained(other, engine),
            }
            core.drop_contained(body, engine);
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
        self.predecessor.lock().clone().map(|predecessor| predecessor as Arc<dyn TaskControl>)
    }
}

impl<P: Send + 'static, T: Send + 'static, F: Send + 'static> AsCore<T> for ContinuationCell<P, T, F> {
    fn core(&self) -> &Core<T> {
        &self.core
    }
}
