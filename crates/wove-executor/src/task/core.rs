//! The shared state of one task: its header (id, name, group, state word) and the slot where its outcome and
//! done-callbacks meet.
//!
//! # Protocol: completion and done-callbacks
//!
//! 1. The worker decides the outcome (see `state.rs`), then runs the callbacks registered so far, in
//!    registration order, each under `catch_unwind`, with the outcome borrowed from the worker's stack.
//! 2. It takes the slot lock. If callbacks were registered meanwhile (step 1 ran without the lock), it
//!    releases the lock and runs them too; otherwise it stores the outcome, sets `COMPLETE` and takes the
//!    join waker and the group membership — all under the lock. So a callback registered concurrently is
//!    either in a batch of step 1–2, or sees `COMPLETE` under the lock and becomes a late callback.
//! 3. A late callback (registered after `COMPLETE`) is queued under the lock. If no late job is running, the
//!    registration marks one running and schedules it on the engine, tracked by the task's group. The job
//!    takes the outcome out of the slot and runs the queued callbacks batch by batch, in registration order,
//!    until the queue is empty under the lock; then it puts the outcome back and clears the mark. The handle
//!    only hands the outcome out when `COMPLETE` is set and no late job runs, so the job always finds it.
//! 4. After `COMPLETE`: notify the joiner (wake a handle's waker, or schedule a continuation on the engine
//!    that finishes the task), dispose of an outcome nobody will read (handle detached), then record its
//!    failures in its group round and release it in the engine, which gives its count back to the round last
//!    (and then it must not touch the round: `round.rs`, step 2). So a group is released only after the body
//!    and every callback finished, and any task they spawned was counted in the group before that.
//!
//! Fast path: when the handle was dropped before the outcome was decided and no cancellation is under way
//! (the `fetch_or(DECIDED)` tells both), nobody else can reach the slot any more — callbacks, joins and late
//! jobs need the handle, and a `cancel()` after `DECIDED` fails before it looks at the slot — and nobody else
//! can change the state word. So a task without callbacks completes with that one read-modify-write and a
//! store, taking no lock: the common "spawn and forget" task costs four atomic operations less. A task
//! spawned with `spawn_detached` is born detached, so it takes this path unless it has callbacks.
//!
//! Racing cases: "callback registered while completing" is step 2; "handle dropped while completing" is the
//! `DETACHED`/`COMPLETE` pair of `state.rs`, checked under the slot lock together with the late-job mark.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::{Context, Poll, Waker};

use crate::error::TaskError;
use crate::membership::group_core::GroupCore;
use crate::membership::round::Round;
use crate::sync::Arc;
use crate::sync::model::{self, Mutex};
use crate::task::header::{Header, TaskControl};
use crate::task::hooks::EngineHooks;
use crate::task::job::Job;
use crate::task::state::CancelRequest;

/// Who waits for a task's outcome: a handle's poll, or a continuation, which the engine that finishes the task
/// schedules (so a continuation keeps no reference to an engine while it waits).
enum Joiner {
    Waker(Waker),
    Continuation(Job),
}

impl Joiner {
    fn notify(self, engine: &dyn EngineHooks) {
        match self {
            Self::Waker(waker) => waker.wake(),
            Self::Continuation(job) => engine.schedule_ready(job),
        }
    }
}

/// A done-callback, boxed.
pub(crate) type Callback<T> = Box<dyn FnOnce(&Result<T, TaskError>) + Send>;

/// What a `Task<T>` handle holds: a task's cell (a closure cell, or a future's core), seen as its core.
pub(crate) trait AsCore<T>: TaskControl {
    fn core(&self) -> &Core<T>;
}

/// One task's shared state: the header and the outcome slot.
pub(crate) struct Core<T> {
    pub(crate) header: Header,
    slot: Mutex<Slot<T>>,
}

struct Slot<T> {
    outcome: Option<Result<T, TaskError>>,
    late_running: bool,
    joiner: Option<Joiner>,
    /// What most tasks never need, boxed when first needed: every task pays one word for it, not five.
    extras: Option<Box<Extras<T>>>,
}

/// The rarer parts of a slot.
struct Extras<T> {
    /// Done-callbacks not yet run, in registration order.
    callbacks: Vec<Callback<T>>,
    /// A suspended future's waker, for `cancel()` to get it polled again (future tasks only).
    task_waker: Option<Waker>,
}

impl<T> Slot<T> {
    fn extras(&mut self) -> &mut Extras<T> {
        self.extras.get_or_insert_with(|| Box::new(Extras { callbacks: Vec::new(), task_waker: None }))
    }

    fn has_callbacks(&self) -> bool {
        self.extras.as_ref().is_some_and(|extras| !extras.callbacks.is_empty())
    }

    fn take_callbacks(&mut self) -> Vec<Callback<T>> {
        self.extras.as_mut().map(|extras| std::mem::take(&mut extras.callbacks)).unwrap_or_default()
    }

    fn take_task_waker(&mut self) -> Option<Waker> {
        self.extras.as_mut().and_then(|extras| extras.task_waker.take())
    }
}

impl<T: Send + 'static> Core<T> {
    // Out of line (as plain `#[inline]` left it) it cost ~45 instructions per spawn (callgrind).
    #[inline(always)]
    pub(crate) fn new(header: Header, callbacks: Vec<Callback<T>>) -> Self {
        Self {
            header,
            slot: Mutex::new(Slot {
                outcome: None,
                late_running: false,
                joiner: None,
                extras: (!callbacks.is_empty()).then(|| Box::new(Extras { callbacks, task_waker: None })),
            }),
        }
    }

    /// Called before each step of the body; false if the task must end as cancelled instead.
    pub(crate) fn begin_step(&self) -> bool {
        self.header.state.begin_step()
    }

    /// Called before the one step of a body that runs once (a closure): `None` if it was started before —
    /// whoever gets `Some` is the only one ever to run (or drop unrun) the body — else whether to run it
    /// (`Some(false)`: end as cancelled instead).
    pub(crate) fn claim(&self) -> Option<bool> {
        self.header.state.claim()
    }

    /// The body returned `Pending`: keep a waker so that `cancel()` can get it polled again.
    pub(crate) fn suspended(&self, cx: &Context<'_>) {
        {
            let mut slot = self.slot.lock();
            let extras = slot.extras();
            if extras.task_waker.is_none() {
                extras.task_waker = Some(cx.waker().clone());
            }
        }
        if self.header.is_cancel_requested() {
            cx.waker().wake_by_ref();
        }
    }

    /// Decides, publishes and releases the outcome: the completion protocol, steps 1, 2 and 4.
    /// `carried`: an `Err` outcome is another task's failure passed along a chain (it was counted where it
    /// happened, so it is not counted again as a group failure).
    pub(crate) fn finish(&self, outcome: Result<T, TaskError>, carried: bool, engine: &dyn EngineHooks) {
        let header = &self.header;
        engine.finishing();
        let before = header.state.decide();
        let outcome = match outcome {
            Ok(value) if before.is_cancel_requested() => {
                self.dispose(Ok(value), engine);
                Err(header.error_cancelled())
            }
            other => other,
        };
        let mut failures = Vec::new();
        // SAFETY: the task is running here and not released yet.
        let round = unsafe { header.round() };
        // Panics are group failures; cancellations are not (somebody asked for them).
        if let (Some(round), Err(error), false) = (round, &outcome, carried) {
            if error.is_panic() {
                failures.push(error.message());
                if round.fails_fast() {
                    engine.cancel_group(round.group_id());
                }
            }
        }
        if before.is_detached() && !before.is_cancel_requested() {
            let no_callbacks = {
                #[cfg_attr(not(loom), allow(unused_mut))] // a guard under loom, a plain reference otherwise
                // SAFETY: see "Fast path" above: with the handle gone before `DECIDED` and no `cancel()` under
                // way, this thread is the only one left that can reach the slot.
                let mut slot = unsafe { model::exclusive(&self.slot) };
                (!slot.has_callbacks()).then(|| slot.take_task_waker())
            };
            if let Some(task_waker) = no_callbacks {
                // Nobody else writes the word from here on (see "Fast path"), so a store does.
                header.state.complete_alone(before);
                drop(task_waker);
                self.dispose(outcome, engine);
                if let Some(round) = round {
                    round.record_failures(|| header.info(), failures);
                }
                engine.released(header);
                return;
            }
        }
        let mut outcome = Some(outcome);
        let (joiner, task_waker, orphan) = loop {
            let batch = {
                let mut slot = self.slot.lock();
                if !slot.has_callbacks() {
                    slot.outcome = outcome.take();
                    let orphan = if header.state.complete().is_detached() { slot.outcome.take() } else { None };
                    // The task waker points back at this task's cell: dropping it breaks the cycle.
                    break (slot.joiner.take(), slot.take_task_waker(), orphan);
                }
                slot.take_callbacks()
            };
            let current = outcome.as_ref().expect("the outcome is stored only when no callback is left");
            for callback in batch {
                if let Some(message) = self.run_callback(callback, current, engine) {
                    failures.push(message);
                    if let Some(round) = round.filter(|round| round.fails_fast()) {
                        engine.cancel_group(round.group_id());
                    }
                }
            }
        };
        drop(task_waker);
        if let Some(joiner) = joiner {
            joiner.notify(engine);
        }
        if let Some(orphan) = orphan {
            self.dispose(orphan, engine);
        }
        if let Some(round) = round {
            round.record_failures(|| header.info(), failures);
        }
        // The engine gives the round's count back last: whoever a group wait releases sees the task fully
        // accounted for.
        engine.released(header);
    }

    /// Runs one callback, containing its panic: reported to the panic handler, returned for the group.
    fn run_callback(
        &self,
        callback: Callback<T>,
        outcome: &Result<T, TaskError>,
        engine: &dyn EngineHooks,
    ) -> Option<String> {
        let payload = catch_unwind(AssertUnwindSafe(|| callback(outcome))).err()?;
        let error = TaskError::callback_panic(self.header.id, self.header.name.clone(), payload);
        let message = error.message();
        engine.report_panic(error);
        Some(message)
    }

    /// Drops what the task will never use (a body it does not run): a panic in its `Drop` is contained and goes
    /// to the panic handler.
    pub(crate) fn drop_contained<V>(&self, value: V, engine: &dyn EngineHooks) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
            engine.report_panic(self.header.error_panic(payload));
        }
    }

    /// Drops an outcome nobody will read: a value is dropped here (its `Drop` may panic, which is contained),
    /// a panic goes to the panic handler.
    fn dispose(&self, outcome: Result<T, TaskError>, engine: &dyn EngineHooks) {
        match outcome {
            Ok(value) => self.drop_contained(value, engine),
            Err(error) if error.is_panic() => engine.report_panic(error),
            Err(_) => {}
        }
    }

    /// Registers a done-callback: run at completion if the task is not complete, else queued for the late job,
    /// which `cell` (this core's cell) keeps alive, tracked by the group of `round` (the handle's reference to
    /// the task's round).
    pub(crate) fn on_done(
        &self,
        cell: &Arc<dyn AsCore<T>>,
        round: Option<&Round>,
        callback: Callback<T>,
        engine: &dyn EngineHooks,
    ) {
        {
            let mut slot = self.slot.lock();
            slot.extras().callbacks.push(callback);
            if !self.header.state.load().is_complete() || slot.late_running {
                return;
            }
            slot.late_running = true;
        }
        let cell = cell.clone();
        let group = round.and_then(Round::group);
        let tracker = group.clone();
        engine.spawn_late(group, self.header.id, Box::new(move |engine| cell.core().run_late(engine, tracker)));
    }

    /// The job behind late callbacks (completion protocol, step 3); their panics are failures of `group`.
    fn run_late(&self, engine: &dyn EngineHooks, group: Option<Arc<GroupCore>>) {
        let outcome = self.slot.lock().outcome.take().expect("a late job keeps the outcome in the slot");
        let mut failures = Vec::new();
        let (joiner, orphan) = loop {
            let batch = {
                let mut slot = self.slot.lock();
                if !slot.has_callbacks() {
                    slot.late_running = false;
                    if self.header.state.load().is_detached() {
                        break (None, Some(outcome));
                    }
                    slot.outcome = Some(outcome);
                    break (slot.joiner.take(), None);
                }
                slot.take_callbacks()
            };
            for callback in batch {
                failures.extend(self.run_callback(callback, &outcome, engine));
            }
        };
        if let Some(joiner) = joiner {
            joiner.notify(engine);
        }
        if let Some(orphan) = orphan {
            self.dispose(orphan, engine);
        }
        if let Some(group) = group {
            for message in failures {
                if group.record_failure(self.header.info(), message) {
                    engine.cancel_group(group.id());
                }
            }
        }
    }

    /// Registers `continuation` to be scheduled once the outcome can be handed out, or hands it back if it
    /// already can (then nothing is registered). The outcome stays in the slot.
    pub(crate) fn register_continuation(&self, continuation: Job) -> Result<(), Job> {
        let mut slot = self.slot.lock();
        if self.header.state.load().is_complete() && !slot.late_running {
            return Err(continuation);
        }
        slot.joiner = Some(Joiner::Continuation(continuation));
        Ok(())
    }

    /// The handle's poll: the outcome once joinable, else registers `waker`.
    pub(crate) fn poll_join(&self, waker: &Waker) -> Poll<Result<T, TaskError>> {
        let mut slot = self.slot.lock();
        if self.header.state.load().is_complete() && !slot.late_running {
            if let Some(outcome) = slot.outcome.take() {
                return Poll::Ready(outcome);
            }
            panic!("the outcome of task {} was already taken", self.header.id);
        }
        match &mut slot.joiner {
            Some(Joiner::Waker(existing)) if existing.will_wake(waker) => {}
            other => *other = Some(Joiner::Waker(waker.clone())),
        }
        Poll::Pending
    }

    /// Whether the outcome can be handed out, else registers `waker` to be woken when it can (the outcome stays
    /// in the slot): a wait that keeps the handle.
    pub(crate) fn poll_finished(&self, waker: &Waker) -> Poll<()> {
        let mut slot = self.slot.lock();
        if self.header.state.load().is_complete() && !slot.late_running {
            return Poll::Ready(());
        }
        match &mut slot.joiner {
            Some(Joiner::Waker(existing)) if existing.will_wake(waker) => {}
            other => *other = Some(Joiner::Waker(waker.clone())),
        }
        Poll::Pending
    }

    /// The handle is gone: from now on nobody reads the outcome (state protocol, step 5).
    pub(crate) fn detach(&self, engine: &dyn EngineHooks) {
        // Not complete yet: the worker's `fetch_or(COMPLETE)` will see `DETACHED` and dispose (state protocol,
        // step 5). No lock needed on this, the common, path.
        if !self.header.state.detach().is_complete() {
            return;
        }
        let orphan = {
            let mut slot = self.slot.lock();
            if slot.late_running { None } else { slot.outcome.take() }
        };
        if let Some(orphan) = orphan {
            self.dispose(orphan, engine);
        }
    }
}

impl<T: Send + 'static> AsCore<T> for Core<T> {
    fn core(&self) -> &Core<T> {
        self
    }
}

/// A future task's cell is its core alone (its future lives in its async-task cell), so this is the control of
/// future tasks.
impl<T: Send + 'static> TaskControl for Core<T> {
    fn header(&self) -> &Header {
        &self.header
    }

    fn is_future(&self) -> bool {
        true
    }

    fn cancel(&self) -> bool {
        match self.header.state.request_cancel() {
            CancelRequest::TooLate => return false,
            CancelRequest::Already => return true,
            CancelRequest::Now => {}
        }
        let waker = self.slot.lock().take_task_waker();
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    //! Test plan 11 and the state protocol: completion races registration, cancellation and detaching.

    use std::sync::Arc;
    use std::task::{Poll, Waker};

    use loom::sync::Mutex;
    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::thread;

    use super::{AsCore, Core};
    use crate::error::TaskError;
    use crate::id::{GroupId, TaskId};
    use crate::membership::group_core::GroupCore;
    use crate::task::header::Header;
    use crate::task::hooks::{EngineHooks, LateJob};
    use crate::task::job::Job;

    /// Stands in for the engine: counts releases and panics, keeps late jobs to run them afterwards.
    #[derive(Default)]
    struct Recorder {
        released: AtomicUsize,
        panics: AtomicUsize,
        late: Mutex<Vec<LateJob>>,
    }

    impl EngineHooks for Recorder {
        fn report_panic(&self, _error: TaskError) {
            self.panics.fetch_add(1, Ordering::SeqCst);
        }

        fn finishing(&self) {}

        fn released(&self, _header: &Header) {
            self.released.fetch_add(1, Ordering::SeqCst);
        }

        fn spawn_late(&self, _group: Option<Arc<GroupCore>>, _parent: TaskId, job: LateJob) {
            self.late.lock().unwrap().push(job);
        }

        fn schedule_ready(&self, _continuation: Job) {
            unreachable!("the models register no continuation");
        }

        fn cancel_group(&self, _group: GroupId) {
            unreachable!("the models have no group");
        }
    }

    impl Recorder {
        fn run_late_jobs(&self) {
            let jobs = std::mem::take(&mut *self.late.lock().unwrap());
            for job in jobs {
                job(self);
            }
        }
    }

    fn core<T: Send + 'static>() -> Arc<Core<T>> {
        Arc::new(Core::new(Header::for_tests(), Vec::new()))
    }

    fn outcome<T: Send + 'static>(core: &Core<T>) -> Result<T, TaskError> {
        match core.poll_join(Waker::noop()) {
            Poll::Ready(outcome) => outcome,
            Poll::Pending => panic!("the outcome is not there"),
        }
    }

    /// Test plan 11: complete ‖ register. The callback runs exactly once, sees the value, and the handle
    /// still gets the outcome; the task is released exactly once.
    #[test]
    fn register_vs_complete() {
        loom::model(|| {
            let (core, engine) = (core::<u32>(), Arc::new(Recorder::default()));
            let calls = Arc::new(AtomicUsize::new(0));
            let finisher = {
                let (core, engine) = (core.clone(), engine.clone());
                thread::spawn(move || {
                    assert!(core.begin_step());
                    core.finish(Ok(7), false, &*engine);
                })
            };
            let cell: Arc<dyn AsCore<u32>> = core.clone();
            let seen = calls.clone();
            let callback = Box::new(move |outcome: &Result<u32, TaskError>| {
                assert_eq!(*outcome.as_ref().unwrap(), 7);
                seen.fetch_add(1, Ordering::SeqCst);
            });
            core.on_done(&cell, None, callback, &*engine);
            finisher.join().unwrap();
            engine.run_late_jobs();
            assert_eq!(calls.load(Ordering::SeqCst), 1);
            assert_eq!(engine.released.load(Ordering::SeqCst), 1);
            assert_eq!(outcome(&core).unwrap(), 7);
        });
    }

    /// `cancel()` ‖ completion: `cancel()` returns true exactly when the outcome is `Cancelled`.
    #[test]
    fn cancel_vs_complete() {
        loom::model(|| {
            let (core, engine) = (core::<u32>(), Arc::new(Recorder::default()));
            let finisher = {
                let (core, engine) = (core.clone(), engine.clone());
                thread::spawn(move || {
                    let outcome = if core.begin_step() { Ok(1) } else { Err(core.header.error_cancelled()) };
                    core.finish(outcome, false, &*engine);
                })
            };
            let cancelled = super::TaskControl::cancel(&*core);
            finisher.join().unwrap();
            assert_eq!(outcome(&core).is_err_and(|e| e.is_cancelled()), cancelled);
        });
    }

    struct DropCount(Arc<AtomicUsize>);

    impl Drop for DropCount {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Handle dropped ‖ completion: the unread value is dropped exactly once, by exactly one side.
    #[test]
    fn detach_vs_complete() {
        loom::model(|| {
            let (core, engine) = (core::<DropCount>(), Arc::new(Recorder::default()));
            let drops = Arc::new(AtomicUsize::new(0));
            let finisher = {
                let (core, engine, drops) = (core.clone(), engine.clone(), drops.clone());
                thread::spawn(move || {
                    assert!(core.begin_step());
                    core.finish(Ok(DropCount(drops)), false, &*engine);
                })
            };
            core.detach(&*engine);
            finisher.join().unwrap();
            assert_eq!(drops.load(Ordering::SeqCst), 1);
            assert_eq!(engine.panics.load(Ordering::SeqCst), 0);
        });
    }

    /// The fast path of completion ‖ a `cancel()` from the registry (`shutdown_now`, a group's cancel) after
    /// the handle was dropped: the worker's lock-free access to the slot is ordered after every other access
    /// by happens-before (loom's causality checker, see `sync::model::Mutex`), the value is dropped exactly once
    /// and the task released once.
    #[test]
    fn detached_complete_vs_cancel() {
        loom::model(|| {
            let (core, engine) = (core::<DropCount>(), Arc::new(Recorder::default()));
            let drops = Arc::new(AtomicUsize::new(0));
            core.detach(&*engine);
            let finisher = {
                let (core, engine, drops) = (core.clone(), engine.clone(), drops.clone());
                thread::spawn(move || {
                    let value = DropCount(drops);
                    let outcome = if core.begin_step() { Ok(value) } else { Err(core.header.error_cancelled()) };
                    core.finish(outcome, false, &*engine);
                })
            };
            super::TaskControl::cancel(&*core);
            finisher.join().unwrap();
            assert_eq!(drops.load(Ordering::SeqCst), 1);
            assert_eq!(engine.released.load(Ordering::SeqCst), 1);
            assert_eq!(engine.panics.load(Ordering::SeqCst), 0);
        });
    }
}
