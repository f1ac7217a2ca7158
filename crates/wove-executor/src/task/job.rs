//! What the queues hold: a cell that knows how to run itself (a closure task, a continuation, a light job), a
//! future task's runnable, or a job that lives on a waiting thread's stack — as one tagged pointer.
//!
//! One word, so that queues and the next-task slot move a job in a register: as a three-way enum (three words)
//! every push copied the job through a 16-byte load of two 8-byte stores, a store-forwarding stall that cost
//! `join` about a third of its time; and the slot can be a single atomic pointer instead of a lock.
//!
//! The two low bits of the pointer (free: every pointee is aligned to 8) say what it points to:
//! - a **cell**: a `#[repr(C)]` value whose first field is a `&'static` [`JobVTable`] — how to run it, drop it
//!   unrun and show it in a trace (as tokio's raw tasks carry their vtable). Closure tasks and continuations
//!   are `Arc`s of such cells ([`ArcJob`], [`ThinCell`]); a light job is a slot of its unit (`light.rs`);
//! - a **runnable** of a future task, from `Runnable::into_raw`;
//! - a **stack job**, from `StackJobRef::into_raw` (`stack_job.rs`).
//!
//! A `Job` owns what it points to: running or dropping it gives that up exactly once. Running a job takes the
//! engine's hooks (`hooks.rs`), never the engine itself (as rayon-core's `JobRef::execute` takes no registry).

use std::mem::ManuallyDrop;
use std::num::NonZero;
use std::ptr::NonNull;

use async_task::Runnable;

use crate::id::TaskId;
use crate::sync::Arc;
use crate::task::hooks::EngineHooks;
use crate::task::stack_job::StackJobRef;
use crate::trace::What;

/// What a future task's async-task cell carries besides the future: its identity, for traces (the name only
/// when tracing is on, so an untraced spawn does not pay for it).
pub(crate) struct TaskMeta {
    pub(crate) id: TaskId,
    pub(crate) name: Option<std::sync::Arc<str>>,
}

/// How a cell runs: the first field of every cell a [`Job`] points to.
pub(crate) struct JobVTable {
    /// Runs the job on a worker whose engine's hooks are given, and gives up what the pointer owns.
    pub(crate) run: unsafe fn(NonNull<()>, &dyn EngineHooks),
    /// Gives up what the pointer owns without running the job (its engine's queues are dropped).
    pub(crate) drop: unsafe fn(NonNull<()>),
    /// What a trace shows for the job; the pointer stays owned.
    pub(crate) traced: unsafe fn(NonNull<()>) -> What,
}

/// A cell kept in an `Arc` that a [`Job`] can own a count of.
pub(crate) trait ArcJob: Send + Sync + Sized + 'static {
    /// Runs the job on a worker whose engine's hooks are given.
    fn run(self: Arc<Self>, hooks: &dyn EngineHooks);
    /// What a trace shows for it.
    fn traced(&self) -> What;
}

/// The vtable of the `Arc` cells of type `C`.
pub(crate) fn arc_vtable<C: ArcJob>() -> &'static JobVTable {
    &JobVTable { run: run_arc::<C>, drop: drop_arc::<C>, traced: traced_arc::<C> }
}

/// # Safety
///
/// `raw` comes from `Arc::<C>::into_raw`, and is given up here.
unsafe fn run_arc<C: ArcJob>(raw: NonNull<()>, hooks: &dyn EngineHooks) {
    // SAFETY: the caller's promise.
    unsafe { Arc::<C>::from_raw(raw.cast::<C>().as_ptr()) }.run(hooks);
}

/// # Safety
///
/// As for [`run_arc`].
unsafe fn drop_arc<C: ArcJob>(raw: NonNull<()>) {
    // SAFETY: the caller's promise.
    drop(unsafe { Arc::<C>::from_raw(raw.cast::<C>().as_ptr()) });
}

/// # Safety
///
/// `raw` comes from `Arc::<C>::into_raw` and is still owned.
unsafe fn traced_arc<C: ArcJob>(raw: NonNull<()>) -> What {
    // SAFETY: the caller's promise: the cell is alive.
    unsafe { raw.cast::<C>().as_ref() }.traced()
}

/// An `Arc` cell whose pointer a [`Job`] can carry.
///
/// # Safety
///
/// The implementor is `#[repr(C)]` and its first field is a `&'static JobVTable` equal to
/// `arc_vtable::<Self>()`.
pub(crate) unsafe trait ThinCell: ArcJob {}

const TAG: usize = 0b11;
const CELL: usize = 0;
const TASK: usize = 1;
const STACK: usize = 2;

/// One unit of work in a deque, the injector or a next-task slot (see the module docs).
pub(crate) struct Job(NonNull<()>);

// SAFETY: a job owns a count of an `ArcJob` cell (`Send + Sync`), a light job's count of its unit (`Send +
// Sync`, `light.rs`), a `Runnable` (`Send`) or a `StackJobRef` (`Send`).
unsafe impl Send for Job {}

/// A [`Job`], unpacked.
enum Unpacked {
    Cell(&'static JobVTable, NonNull<()>),
    Task(Runnable<TaskMeta>),
    Stack(StackJobRef),
}

impl Job {
    #[inline]
    fn tagged(raw: NonNull<()>, tag: usize) -> Self {
        debug_assert_eq!(raw.addr().get() & TAG, 0, "job pointees are aligned to 8");
        Self(raw.map_addr(|addr| addr | tag))
    }

    /// A closure task's (or continuation's) cell, queued.
    #[inline]
    pub(crate) fn arc<C: ThinCell>(cell: Arc<C>) -> Self {
        let raw = NonNull::new(Arc::into_raw(cell).cast_mut()).expect("an Arc is not null");
        Self::tagged(raw.cast(), CELL)
    }

    /// A cell that runs itself through its vtable.
    ///
    /// # Safety
    ///
    /// `raw` points to a `#[repr(C)]` value aligned to 8 whose first field is a `&'static JobVTable`, whose
    /// functions accept `raw`; the job owns what `raw` stands for until it runs or drops it.
    #[inline]
    pub(crate) unsafe fn cell(raw: NonNull<()>) -> Self {
        Self::tagged(raw, CELL)
    }

    /// A future task's runnable, queued.
    #[inline]
    pub(crate) fn task(runnable: Runnable<TaskMeta>) -> Self {
        Self::tagged(runnable.into_raw(), TASK)
    }

    /// A stack job, queued.
    #[inline]
    pub(crate) fn stack(job: StackJobRef) -> Self {
        Self::tagged(job.into_raw(), STACK)
    }

    /// The pointer, for a slot to hold (`scheduler/slot.rs`); turned back with [`from_raw`](Self::from_raw).
    #[inline]
    pub(crate) fn into_raw(self) -> NonNull<()> {
        ManuallyDrop::new(self).0
    }

    /// # Safety
    ///
    /// `raw` must come from [`into_raw`](Self::into_raw), and be turned back once.
    #[inline]
    pub(crate) unsafe fn from_raw(raw: NonNull<()>) -> Self {
        Self(raw)
    }

    #[inline]
    fn tag(&self) -> usize {
        self.0.addr().get() & TAG
    }

    #[inline]
    fn untagged(&self) -> NonNull<()> {
        self.0.map_addr(|addr| NonZero::new(addr.get() & !TAG).expect("a job pointer is not null"))
    }

    #[inline]
    fn unpack(self) -> Unpacked {
        let (tag, raw) = (self.tag(), self.untagged());
        std::mem::forget(self);
        // SAFETY (all three): the pointer was made by the constructor of its tag from what it owns, and is
        // turned back once: `self` is consumed.
        match tag {
            // SAFETY: a cell is `#[repr(C)]` with its vtable first (`Job::cell`, `ThinCell`).
            CELL => Unpacked::Cell(unsafe { *raw.cast::<&'static JobVTable>().as_ptr() }, raw),
            // SAFETY: see above.
            TASK => Unpacked::Task(unsafe { Runnable::from_raw(raw) }),
            // SAFETY: see above.
            _ => Unpacked::Stack(unsafe { StackJobRef::from_raw(raw) }),
        }
    }

    /// The address of the stack job this is, if it is one.
    #[inline]
    pub(crate) fn stack_address(&self) -> Option<usize> {
        (self.tag() == STACK).then(|| self.untagged().addr().get())
    }

    /// What a trace shows for this job.
    pub(crate) fn traced(&self) -> What {
        // Unpacks a copy of the pointer: the unpacked value is only looked at, never dropped.
        let unpacked = ManuallyDrop::new(Job(self.0).unpack());
        match &*unpacked {
            // SAFETY: the job still owns the cell.
            Unpacked::Cell(vtable, raw) => unsafe { (vtable.traced)(*raw) },
            Unpacked::Task(runnable) => {
                let meta = runnable.metadata();
                What::Task { id: meta.id, name: meta.name.clone() }
            }
            Unpacked::Stack(_) => What::Join,
        }
    }

    /// Runs the job on a worker whose engine's hooks are `hooks`. No kind unwinds: tasks and light jobs contain
    /// their panics and stack jobs hand theirs to the waiter.
    #[inline]
    pub(crate) fn run(self, hooks: &dyn EngineHooks) {
        match self.unpack() {
            // SAFETY: the job owned the cell, and gives it up to `run`.
            Unpacked::Cell(vtable, raw) => unsafe { (vtable.run)(raw, hooks) },
            Unpacked::Task(runnable) => {
                runnable.run();
            }
            Unpacked::Stack(job) => job.execute(),
        }
    }
}

impl Drop for Job {
    #[inline]
    fn drop(&mut self) {
        // A job dropped unrun (its engine's queues are dropped): a runnable's drop cancels its task.
        match Job(self.0).unpack() {
            // SAFETY: the job owned the cell, and gives it up to `drop`.
            Unpacked::Cell(vtable, raw) => unsafe { (vtable.drop)(raw) },
            other => drop(other),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_job_is_one_word() {
        assert_eq!(std::mem::size_of::<Option<super::Job>>(), std::mem::size_of::<usize>());
    }
}
