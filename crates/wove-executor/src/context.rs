//! Per-thread context: which engine's worker this thread is, which task is running on it, and the one
//! blocking-wait loop that every wait in the crate goes through.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc as StdArc;
use std::task::{Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Instant;

use crate::engine::Shared;
use crate::scheduler::WorkerContext;
use crate::sync::Arc;
use crate::task::core::TaskControl;

thread_local! {
    static WORKER: RefCell<Option<Rc<WorkerContext>>> = const { RefCell::new(None) };
    static CURRENT: RefCell<Option<Arc<dyn TaskControl>>> = const { RefCell::new(None) };
    static BLOCK_ON: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
    static THREAD_WAKER: Waker = Waker::from(StdArc::new(Unpark(std::thread::current())));
}

/// A waker that unparks one thread: how a blocked thread learns that its condition may hold.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: StdArc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        self.0.unpark();
    }
}

/// Makes this thread a worker of an engine until the returned guard is dropped.
pub(crate) fn enter_worker(worker: Rc<WorkerContext>) -> impl Drop {
    WORKER.with(|slot| *slot.borrow_mut() = Some(worker));
    Restore(Some(|| drop(WORKER.with(|slot| slot.borrow_mut().take()))))
}

/// The worker context of this thread, if it is a wove worker.
pub(crate) fn worker() -> Option<Rc<WorkerContext>> {
    WORKER.with(|slot| slot.borrow().clone())
}

/// Calls `f` with the engine of the worker this runs on, after counting a finished task in the worker's
/// metrics: how a future task reaches its engine as it finishes (tasks run only on their engine's workers).
pub(crate) fn finish_on_worker<R>(f: impl FnOnce(&Arc<Shared>) -> R) -> R {
    WORKER.with(|slot| {
        let slot = slot.borrow();
        let worker = slot.as_deref().expect("tasks run on their engine's workers");
        worker.count_task();
        f(worker.shared_arc())
    })
}

/// Calls `f` with this thread's worker context, borrowed, if it is a wove worker.
pub(crate) fn with_worker<R>(f: impl FnOnce(Option<&WorkerContext>) -> R) -> R {
    WORKER.with(|slot| f(slot.borrow().as_deref()))
}

/// Runs `f` with this thread's worker context if it is a worker of `shared`.
pub(crate) fn with_worker_of<R>(shared: &Shared, f: impl FnOnce(Option<&WorkerContext>) -> R) -> R {
    WORKER.with(|slot| {
        let slot = slot.borrow();
        f(slot.as_deref().filter(|worker| std::ptr::eq(worker.shared(), shared)))
    })
}

/// The engine this thread belongs to: its worker's engine, or the engine running a `block_on` here.
pub(crate) fn current_engine() -> Option<Arc<Shared>> {
    with_current_engine(|shared| shared.cloned())
}

/// Calls `f` with the engine this thread belongs to, borrowed (no reference count is touched).
pub(crate) fn with_current_engine<R>(f: impl FnOnce(Option<&Arc<Shared>>) -> R) -> R {
    WORKER.with(|worker| match worker.borrow().as_deref() {
        Some(worker) => f(Some(worker.shared_arc())),
        None => BLOCK_ON.with(|slot| f(slot.borrow().as_ref())),
    })
}

/// Makes `shared` this thread's engine while a `block_on` runs here.
pub(crate) fn enter_block_on(shared: Arc<Shared>) -> impl Drop {
    let previous = BLOCK_ON.with(|slot| slot.borrow_mut().replace(shared));
    Restore(Some(move || BLOCK_ON.with(|slot| *slot.borrow_mut() = previous)))
}

/// Makes `task` the current task until the returned guard is dropped (restoring the previous one, so jobs run
/// while helping inside a task nest correctly).
pub(crate) fn enter_task(task: Arc<dyn TaskControl>) -> impl Drop {
    let previous = CURRENT.with(|slot| slot.borrow_mut().replace(task));
    Restore(Some(move || {
        let finished = CURRENT.with(|slot| std::mem::replace(&mut *slot.borrow_mut(), previous));
        drop(finished);
    }))
}

/// Calls `f` with the task running on this thread, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Arc<dyn TaskControl>>) -> R) -> R {
    CURRENT.with(|slot| f(slot.borrow().as_ref()))
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

/// Blocks until `poll` is ready or `deadline` passes (then `None`). `poll` must arrange for the waker it is
/// given to be woken when it may have become ready.
///
/// On a wove worker the thread runs queued jobs of its engine, one at a time, between polls, and when there is
/// none it sleeps where both new work and the waker can wake it. Elsewhere it parks.
pub(crate) fn wait_for<R>(poll: &mut dyn FnMut(&Waker) -> Poll<R>, deadline: Option<Instant>) -> Option<R> {
    let worker = worker();
    THREAD_WAKER.with(|waker| {
        let result = loop {
            if let Poll::Ready(value) = poll(waker) {
                break Some(value);
            }
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                break None;
            }
            match &worker {
                Some(worker) => {
                    if let Some(job) = worker.find_work() {
                        worker.run(job);
                    } else {
                        worker.sleep(deadline, true);
                    }
                }
                None => match deadline {
                    Some(deadline) => std::thread::park_timeout(deadline.saturating_duration_since(Instant::now())),
                    None => std::thread::park(),
                },
            }
        };
        if let Some(worker) = &worker {
            worker.stop_searching();
        }
        result
    })
}
