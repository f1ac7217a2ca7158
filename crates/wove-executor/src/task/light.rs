//! Light jobs: many small jobs of one *unit* — a task-like header (id, name, group round, cancellation) that is
//! counted once in the engine and its group, with no handle, no registry entry and no outcome — queued without
//! an allocation each. What the engine's `LightJobs` (and the task graphs above it) are built on.
//!
//! A unit is one `Arc` holding its runner and one [`LightSlot`] per job index. Queuing job `i` takes one count
//! of the `Arc` and queues a pointer to slot `i` (`job.rs`: a cell whose vtable runs it); running it gives
//! that count back — unless the job names a job to run next in its place, which takes the count over and is
//! queued in the worker's next-task slot, so a chain of jobs moves no count at all. So the unit lives while any of its jobs is queued or running, and its runner's `Drop` is
//! where the engine releases it (`light.rs` of the public API).
//!
//! A job runs with its unit as the current task — spawns inside it join the unit's group, and
//! `is_cancelled()` says whether the unit was cancelled — and under `catch_unwind`: a panic is reported to the
//! panic handler and recorded as a failure of the unit's group (cancelling a fail-fast group's other members),
//! and the worker goes on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::sync::Weak;

use crate::sync::Arc;
use crate::task::current;
use crate::task::header::Header;
use crate::task::hooks::EngineHooks;
use crate::task::job::{Job, JobVTable};
use crate::trace::What;

/// What a unit runs.
pub(crate) trait LightRunner: Send + Sync + Sized + 'static {
    /// The unit's header: its identity, group round and cancellation.
    fn header(&self) -> &Header;
    /// Runs job `index` of `unit`; may unwind (the caller contains it). Returns the job to run next in this
    /// job's place (an index below the unit's length), if any.
    fn run_job(unit: &Arc<LightUnit<Self>>, index: usize) -> Option<usize>;
    /// Job `index`'s name, for traces (the unit's name if `None`).
    fn job_name(&self, index: usize) -> Option<&str>;
}

/// One job of a unit, as a queue sees it: its vtable first (`job.rs`), then its unit. Its index is its place in
/// the unit's slots (two words a job, not three: a run of a large task graph has one per node).
#[repr(C)]
pub(crate) struct LightSlot {
    /// Must stay the first field (`Job::cell`).
    vtable: &'static JobVTable,
    /// The unit's `Arc` pointer (`Arc::as_ptr`): a queued slot owns one count of it.
    unit: *const (),
}

/// A unit: its runner and a slot per job index.
pub(crate) struct LightUnit<R: LightRunner> {
    runner: R,
    slots: Box<[LightSlot]>,
}

// SAFETY: the slots' raw pointers point to the unit itself, which is `Send + Sync` through `R`; they are read
// only to find the unit.
unsafe impl<R: LightRunner> Send for LightUnit<R> {}
// SAFETY: as for `Send`.
unsafe impl<R: LightRunner> Sync for LightUnit<R> {}

impl<R: LightRunner> LightUnit<R> {
    /// A unit of `jobs` jobs run by `runner`.
    pub(crate) fn new(runner: R, jobs: usize) -> Arc<Self> {
        Arc::new_cyclic(|unit: &Weak<Self>| {
            let unit = unit.as_ptr().cast::<()>();
            let vtable = slot_vtable::<R>();
            Self { runner, slots: (0..jobs).map(|_| LightSlot { vtable, unit }).collect() }
        })
    }

    pub(crate) fn runner(&self) -> &R {
        &self.runner
    }

    /// How many job indices the unit has.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The index of `slot`, one of this unit's slots.
    fn index_of(&self, slot: &LightSlot) -> usize {
        // Both addresses are in the one `slots` allocation (the caller's promise), `slot` at or after its start.
        (std::ptr::from_ref(slot) as usize - self.slots.as_ptr() as usize) / std::mem::size_of::<LightSlot>()
    }

    /// Job `index`, to queue: takes a count of the unit, which the job gives back when it has run.
    ///
    /// # Panics
    ///
    /// If `index` is out of range.
    pub(crate) fn job(self: &Arc<Self>, index: usize) -> Job {
        let slot = &self.slots[index];
        // SAFETY: `self` is an `Arc` (alive), and this count is owned by the job made below.
        unsafe { Arc::increment_strong_count(Arc::as_ptr(self)) };
        // SAFETY: a slot is `#[repr(C)]`, aligned to 8, with its vtable first; the vtable's functions take slots
        // of a `LightUnit<R>` whose count the job owns (just taken).
        unsafe { Job::cell(NonNull::from(slot).cast()) }
    }

    /// Runs job `index` on a worker whose engine's hooks are `hooks`, as the module docs say; returns the job to
    /// run next in its place.
    fn run(self: &Arc<Self>, index: usize, hooks: &dyn EngineHooks) -> Option<usize> {
        let header = self.runner.header();
        let _current = current::enter_task(header);
        // A capture of the job that runs this one while it waits does not reach into this job.
        let _capture = current::enter_capture(std::ptr::null());
        let payload = match catch_unwind(AssertUnwindSafe(|| R::run_job(self, index))) {
            Ok(next) => return next,
            Err(payload) => payload,
        };
        let error = header.error_panic(payload);
        // SAFETY: the unit holds its count in its round until its runner is dropped, and `self` keeps it.
        if let Some(round) = unsafe { header.round() } {
            if round.fails_fast() {
                hooks.cancel_group(round.group_id());
            }
            round.record_failures(|| header.info(), vec![error.message()]);
        }
        hooks.report_panic(error);
        None
    }
}

/// The vtable of the slots of units run by `R`.
fn slot_vtable<R: LightRunner>() -> &'static JobVTable {
    &JobVTable { run: run_slot::<R>, drop: drop_slot::<R>, traced: traced_slot::<R> }
}

/// The unit of a queued slot, with the count the job owns.
///
/// # Safety
///
/// `raw` points to a slot of a `LightUnit<R>`, queued by [`LightUnit::job`]; its count is given up here.
unsafe fn take_unit<R: LightRunner>(raw: NonNull<()>) -> (Arc<LightUnit<R>>, usize) {
    // SAFETY: the caller's promise: the slot lives in its unit, which the job's count keeps alive.
    let slot = unsafe { raw.cast::<LightSlot>().as_ref() };
    // SAFETY: `slot.unit` is the unit's `Arc` pointer, and the job owns one count of it.
    let unit = unsafe { Arc::from_raw(slot.unit.cast::<LightUnit<R>>()) };
    let index = unit.index_of(slot);
    (unit, index)
}

/// # Safety
///
/// As for [`take_unit`].
unsafe fn run_slot<R: LightRunner>(raw: NonNull<()>, hooks: &dyn EngineHooks) {
    // SAFETY: the caller's promise.
    let (unit, index) = unsafe { take_unit::<R>(raw) };
    if let Some(next) = unit.run(index, hooks) {
        // The next job takes over this job's count of the unit: no count is taken or given back.
        let unit = std::mem::ManuallyDrop::new(unit);
        let slot = NonNull::from(&unit.slots[next]).cast();
        // SAFETY: as in `LightUnit::job`: a slot of this unit, whose count the job owns (this job's, not given
        // back: `ManuallyDrop`).
        hooks.schedule_ready(unsafe { Job::cell(slot) });
    }
}

/// # Safety
///
/// As for [`take_unit`].
unsafe fn drop_slot<R: LightRunner>(raw: NonNull<()>) {
    // SAFETY: the caller's promise.
    drop(unsafe { take_unit::<R>(raw) });
}

/// # Safety
///
/// `raw` points to a queued slot of a `LightUnit<R>` (alive: the job owns a count).
unsafe fn traced_slot<R: LightRunner>(raw: NonNull<()>) -> What {
    // SAFETY: the caller's promise.
    let slot = unsafe { raw.cast::<LightSlot>().as_ref() };
    // SAFETY: as above: the unit is alive.
    let unit = unsafe { &*slot.unit.cast::<LightUnit<R>>() };
    let header = unit.runner.header();
    let name = unit.runner.job_name(unit.index_of(slot)).map(Into::into).or_else(|| header.name.clone());
    What::Task { id: header.id, name }
}
