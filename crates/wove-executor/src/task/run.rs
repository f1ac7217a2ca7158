//! How a task's body runs, for both kinds of task:
//!
//! - a **closure** lives in a [`ClosureCell`] — one allocation holding the core and the closure — queued as
//!   `Arc<dyn ClosureJob>`; it runs once: the worker that claims it (sets `RUNNING`, see `Core::claim`) is the
//!   only one ever to touch the closure, so the closure needs no lock (two atomic operations less per task);
//! - a **future** runs in an `async-task` cell, as a [`TaskFuture`] that holds the future and an `Arc` of its
//!   core; it is polled until it finishes.
//!
//! Both make the task current, honour cancellation before each step, contain panics, drop the body before
//! the outcome is published, and finish the task's [`Core`].

use std::any::Any;
use std::cell::UnsafeCell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::context;
use crate::scheduler::{ClosureEntry, ThinCell, closure_entry};
use crate::sync::Arc;
use crate::task::core::{AsCore, Core, EngineHooks, Header, TaskControl};

/// A queued closure task, type-erased.
pub(crate) trait ClosureJob: TaskControl {
    /// Runs the task on a worker of `engine`.
    fn run(self: Arc<Self>, engine: &dyn EngineHooks);
}

/// A closure task: its core and its closure in one allocation.
#[repr(C)]
pub(crate) struct ClosureCell<T, F> {
    /// Must stay the first field (`ThinCell`).
    entry: ClosureEntry,
    core: Core<T>,
    /// Taken by the worker that claims the task; dropped with the cell if nobody ever does.
    func: UnsafeCell<Option<F>>,
}

// SAFETY: the only shared access to `func` is `run`'s, by the one thread whose `claim` succeeded (the claim is
// a read-modify-write of the state word, so exactly one caller ever succeeds); that thread moves `F` out, which
// `F: Send` allows. Everything else in the cell is `Sync` itself.
unsafe impl<T: Send, F: Send> Sync for ClosureCell<T, F> {}

impl<T: Send + 'static, F: FnOnce() -> T + Send + 'static> ClosureCell<T, F> {
    pub(crate) fn new(core: Core<T>, func: F) -> Self {
        Self { entry: closure_entry::<Self>, core, func: UnsafeCell::new(Some(func)) }
    }
}

// SAFETY: `repr(C)`, with `closure_entry::<Self>` as its first field (`new`).
unsafe impl<T: Send + 'static, F: FnOnce() -> T + Send + 'static> ThinCell for ClosureCell<T, F> {}

impl<T: Send + 'static, F: FnOnce() -> T + Send + 'static> ClosureJob for ClosureCell<T, F> {
    fn run(self: Arc<Self>, engine: &dyn EngineHooks) {
        let _current = context::enter_task(&self.core.header);
        let core = &self.core;
        let Some(proceed) = core.claim() else { return };
        // SAFETY: `claim` succeeded, so this thread is the only one ever to access `func` (see the `Sync` impl).
        let Some(func) = (unsafe { &mut *self.func.get() }).take() else { return };
        if !proceed {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(func))) {
                engine.report_panic(core.header.error_panic(payload));
            }
            core.finish(Err(core.header.error_cancelled()), false, engine);
            return;
        }
        // Calling consumes the closure: its captured values are dropped before `finish` publishes the outcome.
        let outcome = catch_unwind(AssertUnwindSafe(func)).map_err(|payload| core.header.error_panic(payload));
        core.finish(outcome, false, engine);
    }
}

impl<T: Send + 'static, F: Send + 'static> TaskControl for ClosureCell<T, F> {
    fn header(&self) -> &Header {
        &self.core.header
    }

    fn cancel(&self) -> bool {
        self.core.cancel()
    }
}

impl<T: Send + 'static, F: Send + 'static> AsCore<T> for ClosureCell<T, F> {
    fn core(&self) -> &Core<T> {
        &self.core
    }
}

pin_project! {
    /// The future async-task polls for a future task: the future plus the task's core.
    pub(crate) struct TaskFuture<T, Fut> {
        core: Arc<Core<T>>,
        #[pin]
        future: Option<Fut>,
    }
}

impl<T, Fut> TaskFuture<T, Fut> {
    pub(crate) fn new(core: Arc<Core<T>>, future: Fut) -> Self {
        Self { core, future: Some(future) }
    }
}

impl<T: Send + 'static, Fut: Future<Output = T> + Send> Future for TaskFuture<T, Fut> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let core: &Arc<Core<T>> = this.core;
        if this.future.is_none() {
            return Poll::Ready(());
        }
        let _current = context::enter_task(&core.header);
        if !core.begin_step() {
            let dropped = drop_future(this.future.as_mut());
            context::finish_on_worker(|engine| {
                if let Err(payload) = dropped {
                    engine.report_panic(core.header.error_panic(payload));
                }
                core.finish(Err(core.header.error_cancelled()), false, engine);
            });
            return Poll::Ready(());
        }
        let future = this.future.as_mut().as_pin_mut().expect("checked above");
        let outcome = match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => {
                core.suspended(cx);
                return Poll::Pending;
            }
            Ok(Poll::Ready(value)) => {
                drop_future(this.future.as_mut()).map(|()| value).map_err(|payload| core.header.error_panic(payload))
            }
            Err(payload) => {
                // The future's own panic wins over one from dropping what it captured.
                let _ = drop_future(this.future.as_mut());
                Err(core.header.error_panic(payload))
            }
        };
        context::finish_on_worker(|engine| core.finish(outcome, false, engine));
        Poll::Ready(())
    }
}

/// Drops the future (its captured values) before the outcome is published; a panic in a `Drop` is contained.
fn drop_future<Fut>(mut future: Pin<&mut Option<Fut>>) -> Result<(), Box<dyn Any + Send>> {
    catch_unwind(AssertUnwindSafe(|| future.set(None)))
}
