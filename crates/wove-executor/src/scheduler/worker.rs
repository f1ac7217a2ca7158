//! The worker: its deque, how it finds work, its loop, and how it sleeps.
//!
//! # Finding work
//!
//! First the next-task slot (`slot.rs`): the task that the running task just spawned or woke runs next, on
//! this core. Then the own deque's top (LIFO, for the same locality, and for `join`), then a batch of resumed
//! futures (woken by themselves or from outside the workers: `schedule.rs`), then a batch from the injector
//! (new work from outside), then a batch stolen from another worker, starting at a pseudo-random one. Every
//! 61st look starts at the injector, then goes on in that order, so work spawned from outside is never starved
//! by a worker that keeps feeding itself. When a whole spin finds nothing, a worker may take the job in another
//! worker's slot if that worker made no progress meanwhile (`slot.rs`, step 3).
//!
//! **Patience.** A worker whose last steal (from the injector or another worker) brought back less than a full
//! batch does not steal again the moment its own work runs out: it first waits out the quiet part of its spin
//! (about a microsecond), so that it takes what the producer pushed meanwhile as one batch. Right behind a
//! producer that is only a few tasks ahead, it took them one or two at a time, and every steal, and every look
//! that found little, wrote or read lines the producer was writing (the deque's indices and buffer, the cells):
//! a fan-out of 100,000 tiny tasks ran slower on 2 workers than on 1 (see `docs/decisions.md`). A full
//! batch says the producer is far ahead: the next steal is at once. Blocking waits that help
//! (`wait.rs`) always look everywhere.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::Thread;
use std::time::{Duration, Instant};

use crossbeam_deque::{Injector, Steal, Worker};

use crate::membership::held::HeldCounts;
use crate::registry::live_tasks::Registry;
use crate::registry::shard::SlotAllocator;
use crate::scheduler::admission::Admitted;
use crate::scheduler::shared::Shared;
use crate::scheduler::sleep::Sleep;
use crate::scheduler::slot::MAX_STREAK;
use crate::sync::Arc;
use crate::task::current;
use crate::task::header::{Header, TaskControl};
use crate::task::job::Job;

/// How often the injector is looked at first.
const INJECTOR_INTERVAL: u32 = 61;
/// Looks for work before going to sleep: a few with spin hints, then with `yield_now`, so that a worker stays
/// awake through the short gaps of a burst (a park and its wake cost a system call each) without taking the CPU
/// from a spawning thread on a busy machine. Idle workers are asleep after well under a millisecond.
const SPIN_ROUNDS: u32 = 6;
const YIELD_ROUNDS: u32 = 32;
/// The first spin rounds pass without a look: a worker that ran dry waits 31 spin hints (about a microsecond)
/// before it looks again, so that work fed from outside the engine is taken a batch at a time rather than
/// task by task, right behind the thread writing it (see `docs/decisions.md`).
const QUIET_ROUNDS: u32 = 5;
/// How long a worker sleeps before it frees the finished cells waiting for spawns from outside
/// (`registry/inbox.rs`). Freed at once, they went back to the spawning thread's heap under its lock while that
/// thread allocated from it: a worker sleeps between the links of a `then` chain built from outside.
const OUTSIDE_GRACE: Duration = Duration::from_millis(10);
/// Finished tasks a worker removes from the engine's registry at once; see `released`.
const RELEASE_BATCH: usize = 64;
/// The most jobs one steal brings back (crossbeam-deque's batch limit): a steal that brings back fewer leaves
/// the worker patient (module docs).
const FULL_BATCH: usize = 32;
/// Admission credits a worker reserves at once when it has none left (`admission.rs`).
const CREDIT_RESERVE: usize = 32;

/// How far a look for work reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// The own slot and deque only (a patient thief: module docs).
    Own,
    /// The own slot and deque, and resumed futures: no new work (a wait deep in its stack: `wait.rs`).
    Started,
    /// Everywhere.
    Everywhere,
}

/// One worker's thread-local state.
pub(crate) struct WorkerContext {
    shared: Arc<Shared>,
    index: usize,
    local: Worker<Job>,
    tick: Cell<u32>,
    searching: Cell<bool>,
    seed: Cell<u32>,
    thread: Thread,
    /// Slot runs in a row (`slot.rs`, step 2).
    streak: Cell<u8>,
    /// The last steal brought back less than a full batch: wait out a quiet spin before the next (module docs).
    patient: Cell<bool>,
    /// The address of the bottom of this worker's stack (about: a local of its first frame), and how deep the
    /// stack may get before a wait stops taking new work (`wait.rs`).
    stack_base: usize,
    stack_limit: usize,
    /// Each other worker's progress when this one last looked at its slot (`slot.rs`, step 3).
    seen: Box<[Cell<usize>]>,
    /// The registry keys of other shards' tasks finished here and not yet removed from the registry, with a
    /// count of each task meanwhile (removing in batches keeps the other shards' lines still). Removed when
    /// the batch is full and before this worker sleeps.
    released: RefCell<Vec<(u64, Arc<dyn TaskControl>)>>,
    /// Hands out the slots of this worker's registry shard.
    slots: RefCell<SlotAllocator>,
    /// Admission credits (`admission.rs`): counts in the engine's live count that no task holds. Tasks that
    /// finish here add one, spawns here take one; all are given back before this worker sleeps — so before
    /// it could exit or let the engine look idle, and nothing waits on them for longer than its spin.
    credits: Cell<usize>,
    /// Scratch space for the counts of a batch.
    removed: RefCell<Vec<Arc<dyn TaskControl>>>,
    /// Scratch space for the counts that other workers sent home to this one (`registry/inbox.rs`).
    sent_home: RefCell<Vec<Arc<dyn TaskControl>>>,
}

impl WorkerContext {
    /// Worker `index` of `shared`, on the calling thread, with its deque `local`.
    /// `stack_base`: the address of a local in the thread's first frame.
    pub(crate) fn new(shared: Arc<Shared>, index: usize, local: Worker<Job>, stack_base: usize) -> Self {
        let workers = shared.stealers.len();
        let stack_limit = shared.stack_size / 4 * 3;
        Self {
            stack_base,
            stack_limit,
            shared,
            index,
            local,
            tick: Cell::new(0),
            searching: Cell::new(false),
            seed: Cell::new((index as u32).wrapping_mul(0x9E37_79B9) | 1),
            thread: std::thread::current(),
            streak: Cell::new(0),
            patient: Cell::new(false),
            seen: (0..workers).map(|_| Cell::new(usize::MAX)).collect(),
            released: RefCell::new(Vec::with_capacity(RELEASE_BATCH)),
            slots: RefCell::new(SlotAllocator::default()),
            credits: Cell::new(0),
            removed: RefCell::new(Vec::with_capacity(RELEASE_BATCH)),
            sent_home: RefCell::new(Vec::new()),
        }
    }

    pub(crate) fn index(&self) -> usize {
        self.index
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    pub(crate) fn shared_arc(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// True once this worker's stack is deeper than three quarters of its size at `here` (an address on it).
    #[inline]
    pub(crate) fn is_deep(&self, here: usize) -> bool {
        self.stack_base.saturating_sub(here) > self.stack_limit
    }

    /// This worker's thread, to be unparked by whoever finishes a job it waits for.
    pub(crate) fn thread(&self) -> &Thread {
        &self.thread
    }

    /// Counts a finished task in this worker's metrics.
    pub(crate) fn count_task(&self) {
        self.shared.board.worker(self.index).task_run();
    }

    /// Pushes a job on this worker's deque, where other workers may steal it.
    #[inline]
    pub(crate) fn push(&self, job: Job) {
        self.local.push(job);
    }

    /// Puts a task that the running task just readied in the next-task slot (`slot.rs`, step 1).
    pub(crate) fn push_next(&self, job: Job) {
        if let Some(displaced) = self.shared.slots[self.index].put(job) {
            self.local.push(displaced);
            self.shared.sleep.hint();
        }
    }

    /// Pops the top of this worker's own deque (what it pushed last, if nobody stole it).
    #[inline]
    pub(crate) fn pop_local(&self) -> Option<Job> {
        self.local.pop()
    }

    /// Admits a task spawned on this worker: with a credit if it has one (`admission.rs`).
    pub(crate) fn admit(&self) -> Admitted {
        let admission = &self.shared.admission;
        match self.credits.get() {
            0 => {
                let admitted = admission.admit_many(CREDIT_RESERVE, false);
                if let Admitted::Yes { .. } = admitted {
                    self.credits.set(CREDIT_RESERVE - 1);
                }
                admitted
            }
            credits => {
                self.credits.set(credits - 1);
                Admitted::Yes { cancelled: admission.is_cancelling() }
            }
        }
    }

    /// A task finished on this worker: its count becomes a credit, and its count in its group round a count
    /// this thread holds (`held`, see `round.rs`, step 3). It leaves the registry at once if it is in this
    /// worker's own shard (a store and a read-modify-write of lines this worker owns), else in a batch, which
    /// keeps a count of it until then (`registry.rs`).
    pub(crate) fn defer_release(&self, header: &Header, held: &HeldCounts) {
        self.credits.set(self.credits.get() + 1);
        if let Some(round) = header.round {
            // SAFETY: the task's count in its round, handed over at its release.
            unsafe { held.keep(round) };
        }
        // A light job unit is not registered (`task/light.rs`).
        let Some(key) = header.registration.key() else { return };
        if Registry::shard_of_key(key) == self.index {
            self.shared.registry.remove(key, Some(&self.slots));
            return;
        }
        // SAFETY: the task is finishing in a job that this worker runs and holds.
        let count = unsafe { header.registration.counted() };
        let full = {
            let mut released = self.released.borrow_mut();
            released.push((key, count));
            released.len() >= RELEASE_BATCH
        };
        if full {
            self.remove_released();
        }
    }

    /// Removes the tasks of other shards finished here from the registry.
    fn remove_released(&self) {
        // Taken out of the cells for the call: dropping the batch's counts may free cells, which runs user code
        // that may end up here.
        let mut batch = self.released.take();
        if !batch.is_empty() {
            let mut counts = self.removed.take();
            self.shared.registry.remove_all(&mut batch, &mut counts);
            counts.clear();
            self.removed.replace(counts);
        }
        let mut released = self.released.borrow_mut();
        if released.is_empty() {
            *released = batch;
        }
    }

    /// Drops the counts of this worker's tasks that other workers finished and sent home, if the inbox's hint
    /// says there are any: so their cells are freed on the thread that allocated them (`registry/inbox.rs`).
    /// Called before each spawn here.
    #[inline]
    pub(crate) fn free_sent_home(&self) {
        if self.shared.registry.any_sent_home(self.index) {
            self.free_all_sent_home();
        }
    }

    /// As [`free_sent_home`](Self::free_sent_home), whatever the hint says: before this worker sleeps.
    #[cold]
    fn free_all_sent_home(&self) {
        // Taken out of the cell for the drops: dropping a cell may run user code that spawns.
        let mut counts = self.sent_home.take();
        self.shared.registry.collect_sent_home(self.index, &mut counts);
        counts.clear();
        self.sent_home.replace(counts);
    }

    /// Drops what was sent home to the outside shard and not yet freed by a spawn from outside: once this worker
    /// has slept [`OUTSIDE_GRACE`] with nothing to do, so an idle engine keeps no finished cells.
    #[cold]
    fn free_outside_sent_home(&self) {
        let mut counts = Vec::new();
        self.shared.registry.collect_outside_sent_home(&mut counts);
    }

    /// The allocator of this worker's registry shard.
    pub(crate) fn slot_allocator(&self) -> &RefCell<SlotAllocator> {
        &self.slots
    }

    /// This worker is about to sleep: removes its finished tasks from the registry and gives back its credits.
    /// Not done when it merely runs dry: a worker fed from outside runs dry between most tasks, and giving back
    /// each time made it write the registry's and the live count's lines, which the spawning thread writes on
    /// every spawn (100,000 tasks spawned from outside into a group on 2 workers, best of 10, 8 alternating runs
    /// of each build, ns per task: 412–623 before, 398–587 after; a fan-out of 100,000: 377–402, 369–392).
    fn give_back(&self) {
        current::flush_held();
        self.remove_released();
        self.free_all_sent_home();
        let credits = self.credits.replace(0);
        if credits > 0 {
            self.shared.release_live(credits);
        }
    }

    pub(crate) fn main_loop(&self) {
        loop {
            let reach = if self.patient.get() { Reach::Own } else { Reach::Everywhere };
            if let Some(job) = self.find_work_in(reach) {
                self.run(job);
                continue;
            }
            // No work: held round counts go back before this worker spins (`round.rs`, step 3).
            current::flush_held();
            if let Some(job) = self.spin() {
                self.run(job);
                continue;
            }
            if self.shared.should_exit() {
                break;
            }
            if !self.shared.registry.holds_outside_sent_home() {
                self.sleep(None, false);
            } else if self.sleep(Some(Instant::now() + OUTSIDE_GRACE), false) {
                // Nothing to do for a while: whoever spawned from outside may never come back for them.
                self.free_outside_sent_home();
            }
        }
        // Counts held back go home before the thread ends (held counts have no `Drop`).
        current::flush_held();
        self.stop_searching();
    }

    /// Runs one job. Jobs contain their own panics; this is the last line that keeps the worker alive.
    pub(crate) fn run(&self, job: Job) {
        self.shared.slots[self.index].progressed();
        if job.stack_address().is_some() {
            // A join half belongs to no round this worker could hold counts of (`round.rs`, step 3).
            current::flush_held();
        }
        let traced = self.shared.tracer.as_ref().map(|tracer| (tracer, job.traced()));
        let run = || catch_unwind(AssertUnwindSafe(|| job.run(self)));
        let outcome = match traced {
            None => run(),
            Some((tracer, what)) => tracer.record(self.index, || what, run),
        };
        if let Err(payload) = outcome {
            self.shared.report_stray_panic(payload);
        }
    }

    /// A few more looks before sleeping, for work that is about to arrive — as a searcher (sleep protocol), so
    /// that notifiers leave the sleepers alone meanwhile. None at once if half the workers already search. A
    /// lone worker has nobody to wake, so it spins without writing the word that every notifier reads.
    fn spin(&self) -> Option<Job> {
        // The quiet rounds below are the patience; a worker that cannot spin (too many search) goes through
        // the sleep's re-check, which looks everywhere, and if that finds work it must take it at once.
        self.patient.set(false);
        let workers = self.shared.stealers.len();
        if !self.searching.get() && workers > 1 {
            if !self.shared.sleep.begin_search(workers / 2) {
                return None;
            }
            self.searching.set(true);
        }
        self.note_progress();
        for round in 0..SPIN_ROUNDS + YIELD_ROUNDS {
            if round < SPIN_ROUNDS {
                (0..(1 << round)).for_each(|_| std::hint::spin_loop());
            } else {
                std::thread::yield_now();
            }
            if round < QUIET_ROUNDS {
                continue;
            }
            if let Some(job) = self.find_work() {
                return Some(job);
            }
        }
        self.steal_stale_slot()
    }

    /// The next job for this worker, if any is to be found anywhere.
    pub(crate) fn find_work(&self) -> Option<Job> {
        self.find_work_in(Reach::Everywhere)
    }

    /// The next job, from as far as `reach` says. The order: every 61st look the injector first (so work from
    /// outside is never starved by a worker that keeps feeding itself), then as usual: the next-task slot
    /// (unless it ran [`MAX_STREAK`] times in a row), the own deque, resumed futures, the injector, the slot,
    /// other workers' deques.
    pub(crate) fn find_work_in(&self, reach: Reach) -> Option<Job> {
        let tick = self.tick.get().wrapping_add(1);
        self.tick.set(tick);
        let slot = &self.shared.slots[self.index];
        let new_work = reach == Reach::Everywhere;
        let fair = new_work && tick % INJECTOR_INTERVAL == 0;
        let job = fair
            .then(|| self.steal_from(&self.shared.injector))
            .flatten()
            .or_else(|| {
                let streak = self.streak.get();
                (streak < MAX_STREAK).then(|| slot.take().inspect(|_| self.streak.set(streak + 1))).flatten()
            })
            .or_else(|| {
                self.streak.set(0);
                let own = self.local.pop();
                if own.is_some() || reach == Reach::Own {
                    return own.or_else(|| slot.take());
                }
                self.steal_resumed()
                    .or_else(|| new_work.then(|| self.steal_from(&self.shared.injector)).flatten())
                    .or_else(|| slot.take())
                    .or_else(|| {
                        let stolen = new_work.then(|| self.steal_others()).flatten();
                        if stolen.is_some() {
                            self.shared.board.worker(self.index).stole();
                        }
                        stolen
                    })
            });
        if job.is_some() {
            self.stop_searching();
        }
        job
    }

    /// Ends this worker's search, if it was searching (sleep protocol, step 2).
    pub(crate) fn stop_searching(&self) {
        if self.searching.replace(false) {
            self.shared.sleep.end_search(|| self.shared.has_work(&self.local));
        }
    }

    /// A batch of resumed futures, if any. Looked at before every steal from the injector, so it first checks
    /// with two plain loads: a steal from an empty injector costs a `SeqCst` fence.
    #[inline]
    fn steal_resumed(&self) -> Option<Job> {
        if self.shared.resumed.is_empty() { None } else { self.steal_from(&self.shared.resumed) }
    }

    fn steal_from(&self, injector: &Injector<Job>) -> Option<Job> {
        loop {
            match injector.steal_batch_and_pop(&self.local) {
                Steal::Success(job) => return Some(self.after_steal(job)),
                Steal::Empty => return None,
                Steal::Retry => {}
            }
        }
    }

    fn steal_others(&self) -> Option<Job> {
        let stealers = &self.shared.stealers;
        let n = stealers.len();
        if n <= 1 {
            return None;
        }
        let start = self.next_random() as usize % n;
        loop {
            let mut retry = false;
            for offset in 0..n {
                let victim = (start + offset) % n;
                if victim == self.index {
                    continue;
                }
                match stealers[victim].steal_batch_and_pop(&self.local) {
                    Steal::Success(job) => return Some(self.after_steal(job)),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            if !retry {
                return None;
            }
        }
    }

    /// A steal brought back `job` and put the rest of its batch on this worker's deque: patient unless the batch
    /// was full (module docs).
    fn after_steal(&self, job: Job) -> Job {
        self.patient.set(self.local.len() + 1 < FULL_BATCH);
        job
    }

    /// `slot.rs`, step 3: notes every other worker's progress as this one starts spinning...
    fn note_progress(&self) {
        for (victim, seen) in self.seen.iter().enumerate().filter(|(victim, _)| *victim != self.index) {
            self.shared.slots[victim].note_progress(seen);
        }
    }

    /// ...and, when the spin found nothing, takes a job from the slot of a worker that made no progress in all
    /// that time: it is stuck in a long job. (A worker merely in the middle of a short job is left alone, so a
    /// chain of tasks keeps running on its one core.)
    fn steal_stale_slot(&self) -> Option<Job> {
        let job = (0..self.seen.len())
            .filter(|&victim| victim != self.index)
            .find_map(|victim| self.shared.slots[victim].steal_if_stale(&self.seen[victim]));
        if job.is_some() {
            self.shared.board.worker(self.index).stole();
        }
        job
    }

    /// xorshift32: cheap, and good enough to spread thieves over victims.
    fn next_random(&self) -> u32 {
        let mut x = self.seed.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.seed.set(x);
        x
    }

    /// Sleeps (sleep protocol, step 3) until a notifier wakes this worker, the engine must stop, `deadline`
    /// passes, or — with `any_unpark` — anything unparks the thread (a blocking wait's waker). True if it
    /// woke because `deadline` passed.
    pub(crate) fn sleep(&self, deadline: Option<Instant>, any_unpark: bool) -> bool {
        self.give_back();
        let sleep = &self.shared.sleep;
        sleep.prepare(self.index, self.searching.replace(false));
        // The give-back may have released a group round, and a future waiting for it is then resumed in this
        // worker's next-task slot, which no other worker looks at while they all sleep.
        if self.shared.slots[self.index].is_occupied() || self.shared.has_work(&self.local) || self.shared.should_exit()
        {
            self.cancel_sleep();
            return false;
        }
        loop {
            let (board, counters) = (&self.shared.board, self.shared.board.worker(self.index));
            let since = board.now();
            counters.parking(since);
            Sleep::park(deadline);
            counters.unparked(since, board.now());
            if !sleep.is_asleep(self.index) {
                self.searching.set(true);
                return false;
            }
            let expired = deadline.is_some_and(|deadline| Instant::now() >= deadline);
            if any_unpark || expired || self.shared.should_exit() {
                self.cancel_sleep();
                return expired;
            }
        }
    }

    fn cancel_sleep(&self) {
        if !self.shared.sleep.cancel(self.index) {
            self.searching.set(true);
        }
    }
}
