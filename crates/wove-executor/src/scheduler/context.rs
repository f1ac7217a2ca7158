//! The scheduler's per-thread state: which engine's worker this thread is, for its whole life, and the engine
//! of a `block_on` running on it. (Which task runs on this thread is the task layer's: `task/current.rs`.)

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use crate::scheduler::shared::Shared;
use crate::scheduler::worker::WorkerContext;
use crate::sync::Arc;

/// The scheduler's per-thread state.
struct SchedulerContext {
    /// The worker this thread is, for its whole life (set once, when the worker starts).
    worker: OnceCell<Rc<WorkerContext>>,
    /// The engine of a `block_on` running on this thread.
    block_on: RefCell<Option<Arc<Shared>>>,
}

thread_local! {
    static CONTEXT: SchedulerContext = const {
        SchedulerContext { worker: OnceCell::new(), block_on: RefCell::new(None) }
    };
}

/// Makes this thread a worker of an engine, for the rest of its life.
pub(crate) fn enter_worker(worker: Rc<WorkerContext>) {
    CONTEXT.with(|cx| {
        if cx.worker.set(worker).is_err() {
            unreachable!("a thread becomes a worker once");
        }
    });
}

/// The worker context of this thread, if it is a wove worker.
pub(crate) fn worker() -> Option<Rc<WorkerContext>> {
    CONTEXT.with(|cx| cx.worker.get().cloned())
}

/// Calls `f` with this thread's worker context, borrowed, if it is a wove worker.
#[inline]
pub(crate) fn with_worker<R>(f: impl FnOnce(Option<&WorkerContext>) -> R) -> R {
    CONTEXT.with(|cx| f(cx.worker.get().map(|worker| &**worker)))
}

/// Runs `f` with this thread's worker context if it is a worker of `shared`.
#[inline]
pub(crate) fn with_worker_of<R>(shared: &Shared, f: impl FnOnce(Option<&WorkerContext>) -> R) -> R {
    CONTEXT.with(|cx| f(cx.worker.get().map(|worker| &**worker).filter(|worker| std::ptr::eq(worker.shared(), shared))))
}

/// The engine this thread belongs to: its worker's engine, or the engine running a `block_on` here.
pub(crate) fn current_engine() -> Option<Arc<Shared>> {
    with_current_engine(|shared| shared.cloned())
}

/// Calls `f` with the engine this thread belongs to, borrowed (no reference count is touched).
#[inline]
pub(crate) fn with_current_engine<R>(f: impl FnOnce(Option<&Arc<Shared>>) -> R) -> R {
    CONTEXT.with(|cx| match cx.worker.get() {
        Some(worker) => f(Some(worker.shared_arc())),
        None => f(cx.block_on.borrow().as_ref()),
    })
}

/// Makes `shared` this thread's engine while a `block_on` runs here.
pub(crate) fn enter_block_on(shared: Arc<Shared>) -> impl Drop {
    let previous = CONTEXT.with(|cx| cx.block_on.borrow_mut().replace(shared));
    Restore(Some(move || CONTEXT.with(|cx| *cx.block_on.borrow_mut() = previous)))
}

/// Runs its closure when dropped.
struct Restore<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> Drop for Restore<F> {
    fn drop(&mut self) {
        if let Some(restore) = self.0.take() {
            restore();
        }
    }
}
