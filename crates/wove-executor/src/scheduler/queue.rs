//! What the queues hold: a closure task's cell, a future task's runnable, or a job that lives on a waiting
//! thread's stack — as one tagged pointer.
//!
//! One word, so that queues and the next-task slot move a job in a register: as a three-way enum (three words)
//! every push copied the job through a 16-byte load of two 8-byte stores, a store-forwarding stall that cost
//! `join` about a third of its time; and the slot can be a single atomic pointer instead of a lock.
//!
//! The two low bits of the pointer (free: every pointee is aligned to 8) say what it points to. A closure
//! cell's pointer comes from `Arc::into_raw` of a cell whose first field (`#[repr(C)]`) is its [`ClosureEntry`],
//! which turns the pointer back into the `Arc`; a runnable's from `Runnable::into_raw`; a stack job's from
//! `StackJobRef::into_raw`. A `Job` owns what it points to: running or dropping it turns the pointer back once.

use std::mem::ManuallyDrop;
use std::num::NonZero;
use std::ptr::NonNull;

use async_task::Runnable;

use crate::TaskId;
use crate::join::StackJobRef;
use crate::shared::Shared;
use crate::sync::Arc;
use crate::task::run::ClosureJob;
use crate::trace::What;

/// What a future task's async-task cell carries besides the future: its identity, for traces (the name only
/// when tracing is on, so an untraced spawn does not pay for it).
pub(crate) struct TaskMeta {
    pub(crate) id: TaskId,
    pub(crate) name: Option<std::sync::Arc<str>>,
}

/// The first field of every closure task's cell: turns the cell's thin pointer (from `Arc::into_raw`) back into
/// the type-erased `Arc`. Made by [`closure_entry`].
pub(crate) type ClosureEntry = unsafe fn(NonNull<()>) -> Arc<dyn ClosureJob>;

/// The [`ClosureEntry`] of cells of type `C`.
///
/// # Safety
///
/// `raw` must come from `Arc::<C>::into_raw`, and be turned back once.
pub(crate) unsafe fn closure_entry<C: ClosureJob + 'static>(raw: NonNull<()>) -> Arc<dyn ClosureJob> {
    // SAFETY: the caller guarantees `raw` came from `Arc::<C>::into_raw` and is turned back once.
    unsafe { Arc::<C>::from_raw(raw.cast::<C>().as_ptr()) }
}

/// A closure task's cell, whose pointer a [`Job`] can carry.
///
/// # Safety
///
/// The implementor is `#[repr(C)]` and its first field is a [`ClosureEntry`] equal to `closure_entry::<Self>`.
pub(crate) unsafe trait ThinCell: ClosureJob + Sized + 'static {}

const TAG: usize = 0b11;
const CLOSURE: usize = 0;
const TASK: usize = 1;
const STACK: usize = 2;

/// One unit of work in a deque, the injector or a next-task slot (see the module docs).
pub(crate) struct Job(NonNull<()>);

// SAFETY: a job owns an `Arc<dyn ClosureJob>` (`Send`: closure jobs are `Send + Sync`), a `Runnable` (`Send`)
// or a `StackJobRef` (`Send`).
unsafe impl Send for Job {}

/// A [`Job`], unpacked.
enum Unpacked {
    Closure(Arc<dyn ClosureJob>),
    Task(Runnable<TaskMeta>),
    Stack(StackJobRef),
}

impl Job {
    #[inline]
    fn tagged(raw: NonNull<()>, tag: usize) -> Self {
        debug_assert_eq!(raw.addr().get() & TAG, 0, "job pointees are aligned to 8");
        Self(raw.map_addr(|addr| addr | tag))
    }

    /// A closure task's cell, queued.
    #[inline]
    pub(crate) fn closure<C: ThinCell>(cell: Arc<C>) -> Self {
        let raw = NonNull::new(Arc::into_raw(cell).cast_mut()).expect("an Arc is not null");
        Self::tagged(raw.cast(), CLOSURE)
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

    /// The pointer, for a slot to hold (`slot.rs`); turned back with [`from_raw`](Self::from_raw).
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
            CLOSURE => {
                // SAFETY: a closure cell is `#[repr(C)]` with its entry first (`ThinCell`).
                let entry = unsafe { *raw.cast::<ClosureEntry>().as_ptr() };
                // SAFETY: see above.
                Unpacked::Closure(unsafe { entry(raw) })
            }
            // SAFETY: see above.
            TASK => Unpacked::Task(unsafe { Runnable::from_raw(raw) }),
            // SAFETY: see above.
            _ => Unpacked::Stack(unsafe { StackJobRef::from_raw(raw) }),
        }
    }

    /// True for a closure task (its run finishes it).
    #[inline]
    pub(crate) fn is_closure(&self) -> bool {
        self.tag() == CLOSURE
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
            Unpacked::Closure(cell) => What::Task { id: cell.header().id, name: cell.header().name.clone() },
            Unpacked::Task(runnable) => {
                let meta = runnable.metadata();
                What::Task { id: meta.id, name: meta.name.clone() }
            }
            Unpacked::Stack(_) => What::Join,
        }
    }

    /// Runs the job on a worker of `engine`. No kind unwinds: tasks contain their panics and stack jobs hand
    /// theirs to the waiter.
    pub(crate) fn run(self, engine: &Arc<Shared>) {
        match self.unpack() {
            Unpacked::Closure(cell) => cell.run(engine),
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
        drop(Job(self.0).unpack());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_job_is_one_word() {
        assert_eq!(std::mem::size_of::<Option<super::Job>>(), std::mem::size_of::<usize>());
    }
}
