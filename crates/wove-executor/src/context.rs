//! Per-thread context: which engine's worker this thread is, which task is running on it, and the one
//! blocking-wait loop that every wait in the crate goes through.

use std::cell::{Cell, OnceCell, RefCell};
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::rc::Rc;
use std::task::{Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Instant;

use crate::round::HeldCounts;
use crate::scheduler::WorkerContext;
use crate::shared::Shared;
use crate::sync::Arc;
use crate::task::core::Header;

/// Everything this crate keeps per thread, in one `const`-initialized thread-local: one cheap access (no lazy
/// initialization check, no borrow flag on the hot paths) serves a whole spawn.
pub(crate) struct Context {
    /// The worker this thread is, for its whole life (set once, when the worker starts).
    worker: OnceCell<Rc<WorkerContext>>,
    /// The header of the task running on this thread (its body or one of its callbacks), set only while the
    /// [`TaskGuard`] that borrows it lives.
    current: Cell<Option<NonNull<Header>>>,
    /// The engine of a `block_on` running on this thread.
    block_on: RefCell<Option<Arc<Shared>>>,
    /// The block of task ids this thread hands out.
    ids: Cell<(u64, u64)>,
    /// The group round counts this thread holds: only a worker holds any (`round.rs`, step 3). Kept here
    /// rather than in the worker's state, so that the check before each task is one load.
    held: HeldCounts,
}

thread_local! {
    static CONTEXT: Context = const {
        Context {
            worker: OnceCell::new(),
            current: Cell::new(None),
            block_on: RefCell::new(None),
            ids: Cell::new((0, 0)),
            held: HeldCounts::new(),
        }
    };
    static THREAD_WAKER: Waker = Waker::from(Arc::new(Unpark(std::thread::current())));
}

impl Context {
    /// This thread's worker context if it is a worker of `shared`.
    pub(crate) fn worker_of(&self, shared: &Shared) -> Option<&WorkerContext> {
        self.worker.get().map(|worker| &**worker).filter(|worker| std::ptr::eq(worker.shared(), shared))
    }

    /// Calls `f` with the header of the task running on this thread, if any (a spawn's tracking and parent
    /// come from it).
    pub(crate) fn with_spawner<R>(&self, f: impl FnOnce(Option<&Header>) -> R) -> R {
        // SAFETY: a header is current only while the `TaskGuard` borrowing it lives (`enter_task`), and guards
        // are dropped in the reverse order of their creation on this thread, so the header outlives this call.
        f(self.current.get().map(|header| unsafe { header.as_ref() }))
    }

    /// A fresh task id.
    pub(crate) fn next_task_id(&self) -> crate::TaskId {
        crate::TaskId::next_from(&self.ids)
    }

    /// The group round counts this thread holds (`round.rs`, step 3).
    pub(crate) fn held(&self) -> &HeldCounts {
        &self.held
    }
}

/// Gives back the group round counts this thread holds (`round.rs`, step 3).
pub(crate) fn flush_held() {
    CONTEXT.with(|cx| cx.held.flush());
}

/// Calls `f` with this thread's context.
pub(crate) fn with_context<R>(f: impl FnOnce(&Context) -> R) -> R {
    CONTEXT.with(f)
}

/// A waker that unparks one thread: how a blocked thread learns that its condition may hold.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
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
pub(crate) fn with_worker<R>(f: impl FnOnce(Option<&WorkerContext>) -> R) -> R {
    CONTEXT.with(|cx| f(cx.worker.get().map(|worker| &**worker)))
}

/// Calls `f` with the engine of the worker this runs on, after counting a finished task in the worker's
/// metrics: how a future task reaches its engine as it finishes (tasks run only on their engine's workers).
pub(crate) fn finish_on_worker<R>(f: impl FnOnce(&Arc<Shared>) -> R) -> R {
    with_worker(|worker| {
        let worker = worker.expect("tasks run on their engine's workers");
        worker.count_task();
        f(worker.shared_arc())
    })
}

/// Runs `f` with this thread's worker context if it is a worker of `shared`.
pub(crate) fn with_worker_of<R>(shared: &Shared, f: impl FnOnce(Option<&WorkerContext>) -> R) -> R {
    CONTEXT.with(|cx| f(cx.worker_of(shared)))
}

/// The engine this thread belongs to: its worker's engine, or the engine running a `block_on` here.
pub(crate) fn current_engine() -> Option<Arc<Shared>> {
    with_current_engine(|shared| shared.cloned())
}

/// Calls `f` with the engine this thread belongs to, borrowed (no reference count is touched).
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

/// Makes the task with `header` the current task until the returned guard is dropped (restoring the previous
/// one, so jobs run while helping inside a task nest correctly). Touches no reference count.
pub(crate) fn enter_task(header: &Header) -> TaskGuard<'_> {
    let previous = CONTEXT.with(|cx| {
        // Held counts of another round go back before this task runs (`round.rs`, step 3).
        cx.held.entering(header.round);
        cx.current.replace(Some(NonNull::from(header)))
    });
    TaskGuard { previous, _header: PhantomData }
}

/// Keeps a task current (see [`enter_task`]); borrows its header for as long as it is.
pub(crate) struct TaskGuard<'a> {
    previous: Option<NonNull<Header>>,
    _header: PhantomData<&'a Header>,
}

impl Drop for TaskGuard<'_> {
    fn drop(&mut self) {
        CONTEXT.with(|cx| cx.current.set(self.previous));
    }
}

/// Calls `f` with the header of the task running on this thread, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Header>) -> R) -> R {
    CONTEXT.with(|cx| cx.with_spawner(f))
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

/// Spin rounds of a blocking wait on a worker before it parks (round `r` spins `2^r` times).
const WAIT_SPIN_ROUNDS: u32 = 7;

/// Blocks until `poll` is ready or `deadline` passes (then `None`). `poll(waker, register)` must, when
/// `register` is true, arrange for `waker` to be woken when it may have become ready; when it is false it may
/// only check (a worker asks that between the jobs it runs while it waits, and registers only before it could
/// sleep: a registration costs a lock or an event listener, which a fan-out wait would otherwise pay per job).
///
/// On a wove worker the thread runs queued jobs of its engine, one at a time, between polls, and when there is
/// none it sleeps where both new work and the waker can wake it. Elsewhere it parks.
pub(crate) fn wait_for<R>(poll: &mut dyn FnMut(&Waker, bool) -> Poll<R>, deadline: Option<Instant>) -> Option<R> {
    let worker = worker();
    THREAD_WAKER.with(|waker| {
        // Idle rounds since the last job or wake: a short bounded spin (re-checking the condition each round)
        // before parking, since what a fork waits for — a stolen half — is usually done microseconds later, and
        // a park and its wake cost a system call each.
        let mut idle_rounds = 0u32;
        let result = loop {
            // Registered before the last look for work that can end in a sleep, so no wake is lost.
            let register = worker.is_none() || idle_rounds >= WAIT_SPIN_ROUNDS;
            if let Poll::Ready(value) = poll(waker, register) {
                break Some(value);
            }
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                break None;
            }
            match &worker {
                Some(worker) => {
                    if let Some(job) = worker.find_work() {
                        worker.run(job);
                        idle_rounds = 0;
                    } else if idle_rounds < WAIT_SPIN_ROUNDS {
                        if idle_rounds == 0 {
                            // No work: held round counts go back before this wait spins (`round.rs`, step 3).
                            flush_held();
                        }
                        (0..1u32 << idle_rounds).for_each(|_| std::hint::spin_loop());
                        idle_rounds += 1;
                    } else {
                        worker.sleep(deadline, true);
                        idle_rounds = 0;
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
            // The waiting task goes on: counts held of another round go back first (`round.rs`, step 3).
            CONTEXT.with(|cx| cx.with_spawner(|task| cx.held.entering(task.and_then(|task| task.round))));
        }
        result
    })
}
