//! How a closure task's body runs. A closure lives in a [`ClosureCell`] — one allocation holding the core and
//! the closure — queued as one pointer (`job.rs`). It runs once: the worker that claims it is the only one ever to
//! touch the closure (`once_body.rs`). Like a future task (`future.rs`), it makes the task current, honours
//! cancellation, contains panics, drops the body before the outcome is published, and finishes the task's
//! [`Core`].

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::sync::Arc;
use crate::task::core::{AsCore, Core};
use crate::task::current;
use crate::task::header::{Header, TaskControl};
use crate::task::hooks::EngineHooks;
use crate::task::job::{ArcJob, JobVTable, ThinCell, arc_vtable};
use crate::task::once_body::OnceBody;
use crate::trace::What;

/// A closure task: its core and its closure in one allocation.
#[repr(C)]
pub(crate) struct ClosureCell<T, F> {
    /// Must stay the first field (`ThinCell`).
    vtable: &'static JobVTable,
    core: Core<T>,
    /// Taken by the worker that claims the task; dropped with the cell if nobody ever does.
    func: OnceBody<F>,
}

impl<T: Send + 'static, F: FnOnce() -> T + Send + 'static> ClosureCell<T, F> {
    pub(crate) fn new(core: Core<T>, func: F) -> Self {
        Self { vtable: arc_vtable::<Self>(), core, func: OnceBody::new(func) }
    }
}

// SAFETY: `repr(C)`, with `arc_vtable::<Self>()` as its first field (`new`).
unsafe impl<T: Send + 'static, F: FnOnce() -> T + Send + 'static> ThinCell for ClosureCell<T, F> {}

impl<T: Send + 'static, F: FnOnce() -> T + Send + 'static> ArcJob for ClosureCell<T, F> {
    fn traced(&self) -> What {
        self.core.header.traced()
    }

    fn run(self: Arc<Self>, engine: &dyn EngineHooks) {
        let _current = current::enter_task(&self.core.header);
        let core = &self.core;
        // SAFETY: `func` is the body of this task, whose core is `core`.
        let Some((proceed, func)) = (unsafe { self.func.claim(core) }) else { return };
        if !proceed {
            core.drop_contained(func, engine);
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
