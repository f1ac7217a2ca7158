//! The task layer's per-thread state: which task is running on this thread, the block of task ids this thread
//! hands out, and the group round counts it holds (only a worker holds any: `membership/round.rs`, step 3).
//! The scheduler keeps its own per-thread state (which worker this thread is) in `scheduler/context.rs`.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;

use crate::id::TaskId;
use crate::membership::held::HeldCounts;
use crate::task::header::Header;

/// The task layer's per-thread state, in one `const`-initialized thread-local of types without `Drop`: reaching
/// it is an address computation (no lazy initialization, no destructor registration, no borrow flag).
pub(crate) struct TaskContext {
    /// The header of the task running on this thread (its body or one of its callbacks), set only while the
    /// [`TaskGuard`] that borrows it lives.
    current: Cell<Option<NonNull<Header>>>,
    /// The block of task ids this thread hands out.
    ids: Cell<(u64, u64)>,
    /// The group round counts this thread holds. Kept here rather than in the worker's state, so that the
    /// check before each task is one load.
    held: HeldCounts,
    /// The capture in force on this thread (`spawn/capture.rs`, which owns the type), or null: set only while
    /// the [`CaptureGuard`] that installed it lives.
    capture: Cell<*const ()>,
}

thread_local! {
    static CONTEXT: TaskContext = const {
        TaskContext {
            current: Cell::new(None),
            ids: Cell::new((0, 0)),
            held: HeldCounts::new(),
            capture: Cell::new(std::ptr::null()),
        }
    };
}

impl TaskContext {
    /// Calls `f` with the header of the task running on this thread, if any (a spawn's tracking and parent
    /// come from it).
    #[inline]
    pub(crate) fn with_spawner<R>(&self, f: impl FnOnce(Option<&Header>) -> R) -> R {
        // SAFETY: a header is current only while the `TaskGuard` borrowing it lives (`enter_task`), and guards
        // are dropped in the reverse order of their creation on this thread, so the header outlives this call.
        f(self.current.get().map(|header| unsafe { header.as_ref() }))
    }

    /// A fresh task id.
    #[inline]
    pub(crate) fn next_task_id(&self) -> TaskId {
        TaskId::next_from(&self.ids)
    }

    /// The group round counts this thread holds (`membership/round.rs`, step 3).
    #[inline]
    pub(crate) fn held(&self) -> &HeldCounts {
        &self.held
    }

    /// The capture in force on this thread, or null (an opaque pointer: `spawn/capture.rs` knows its type).
    #[inline]
    pub(crate) fn capture(&self) -> *const () {
        self.capture.get()
    }
}

/// Puts `capture` (null: none) in force on this thread until the returned guard is dropped, which restores the
/// previous one — also when unwinding.
#[inline]
pub(crate) fn enter_capture(capture: *const ()) -> CaptureGuard {
    CaptureGuard { previous: CONTEXT.with(|cx| cx.capture.replace(capture)) }
}

/// Keeps a capture in force (see [`enter_capture`]).
pub(crate) struct CaptureGuard {
    previous: *const (),
}

impl Drop for CaptureGuard {
    #[inline]
    fn drop(&mut self) {
        CONTEXT.with(|cx| cx.capture.set(self.previous));
    }
}

/// Calls `f` with this thread's task context.
#[inline]
pub(crate) fn with_task_context<R>(f: impl FnOnce(&TaskContext) -> R) -> R {
    CONTEXT.with(f)
}

/// A fresh task id (a spawn takes its id inside its one access to the context).
pub(crate) fn next_task_id() -> TaskId {
    CONTEXT.with(TaskContext::next_task_id)
}

/// Gives back the group round counts this thread holds (`membership/round.rs`, step 3).
#[inline]
pub(crate) fn flush_held() {
    CONTEXT.with(|cx| cx.held.flush());
}

/// The task running on this thread goes on after a wait: counts held of another round go back first
/// (`membership/round.rs`, step 3).
#[inline]
pub(crate) fn resume_current() {
    CONTEXT.with(|cx| cx.with_spawner(|task| cx.held.entering(task.and_then(|task| task.round))));
}

/// Makes the task with `header` the current task until the returned guard is dropped (restoring the previous
/// one, so jobs run while helping inside a task nest correctly). Touches no reference count.
#[inline]
pub(crate) fn enter_task(header: &Header) -> TaskGuard<'_> {
    let previous = CONTEXT.with(|cx| {
        // Held counts of another round go back before this task runs (`membership/round.rs`, step 3).
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
    #[inline]
    fn drop(&mut self) {
        CONTEXT.with(|cx| cx.current.set(self.previous));
    }
}

/// Calls `f` with the header of the task running on this thread, if any.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Header>) -> R) -> R {
    CONTEXT.with(|cx| cx.with_spawner(f))
}
