//! One run's state and how its nodes run: each node is a light job of the run's unit.
//!
//! # Protocol
//!
//! 1. A run owns, per node, a counter of the strong dependencies not yet finished and a slot for its output.
//!    `in_flight` counts the nodes queued, running, or waiting for the tasks they spawned. The run sets it to
//!    the number of sources, then queues them.
//! 2. A node, when it runs, first resets its counter to its number of strong dependencies (for its next visit in
//!    a condition loop), then runs its body with its inputs' outputs, under `catch_unwind` and under a capture
//!    (`wove_executor::Group::capture`): what the body spawns joins a group made at its first spawn. An async
//!    node's future is spawned there too, and stores its output when it ends.
//! 3. If the body spawned nothing, the node is done at once; else an untracked task waits for the captured
//!    group and then finishes the node (a failure of a spawned task is the node's). Either way the node, once
//!    done, stores its output, and readies its successors: each strong successor's counter is decremented
//!    (`AcqRel`: the output stored before happens before the successor reads it), and the decrement that brings
//!    it to zero readies the successor. Every readied successor but the last adds one to `in_flight` and is
//!    queued at once; the last takes over the node's count in `in_flight` (and, when the node finishes inside
//!    its own job, its light job's count of the unit: it runs next on this core) — so `in_flight` cannot
//!    reach zero while the node still has successors to queue, and a chain link writes no shared counter. A
//!    condition node readies the one successor its body chose, which takes over its count. A node that failed
//!    readies nobody, so its dependents never run.
//! 4. A node that readied nobody takes itself off `in_flight`. The decrement that reaches zero ends the
//!    iteration: nothing is queued, running or waiting, so every slot is final. It starts the next iteration
//!    (`run_n`, `run_until`) or finishes the run: the outcome is stored, the run lets go of its light-job unit
//!    (so the engine no longer counts it), and the latch that `join` and `.await` wait on is released.
//!
//! A cancelled run (by `cancel`, by the first failure of a fail-fast run, or by `shutdown_now`) runs no further
//! node bodies and readies nobody, and cancels the groups its nodes' spawned tasks are in, so `in_flight`
//! drains to zero the same way.

// The slots' protocol is carried out here (`slots.rs`).
#![allow(unsafe_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use wove_executor::{Group, LightJob, LightJobs};
use wove_latch::Latch;

use crate::error::GraphError;
use crate::outcome::Outcome;
use crate::outputs::Outputs;
use crate::report::RunReport;
use crate::slots::Value;
use crate::slots::{Finished, Input, Output, Slot};
use crate::spec::GraphSpec;

/// How many times a run goes through the graph.
pub(crate) enum Repeat {
    Times(usize),
    Until(Box<dyn FnMut() -> bool + Send>),
}

/// What `join` and `.await` wait on, shared by the handle and the run.
pub(crate) struct Completion {
    pub(crate) done: Latch,
    pub(crate) outcome: Mutex<Option<Result<Outputs, GraphError>>>,
    /// The run's unit, until the run ends (then the engine no longer counts it).
    pub(crate) jobs: Mutex<Option<LightJobs<RunState>>>,
}

impl Completion {
    /// Cancels the run unless it has finished or was cancelled: false then.
    pub(crate) fn cancel(&self) -> bool {
        if self.done.is_released() {
            return false;
        }
        match self.jobs.lock().as_ref() {
            Some(jobs) => jobs.job().cancel(jobs),
            None => false,
        }
    }
}

/// What a node started that the run's cancel must reach: the group of the tasks it spawned, a module's run.
enum Child {
    Group(Group),
    Run(Arc<dyn Fn() + Send + Sync>),
}

/// What a node's body came to: its outcome, or its failure's message.
type BodyResult = Result<Outcome, String>;

/// A profiled run's clock and node times (nanoseconds from the start of the iteration).
struct Profile {
    threads: usize,
    iteration_start: Mutex<Instant>,
    starts: Box<[AtomicU64]>,
    ends: Box<[AtomicU64]>,
    work: AtomicU64,
}

/// "Did not run", for a profiled node's start.
const NOT_RUN: u64 = u64::MAX;

impl Profile {
    fn now(&self) -> u64 {
        u64::try_from(self.iteration_start.lock().elapsed().as_nanos()).unwrap_or(u64::MAX - 1)
    }
}

/// One run's state: the light job that runs its nodes.
pub(crate) struct RunState {
    spec: Arc<GraphSpec>,
    fail_fast: bool,
    /// Per node: strong dependencies not yet finished (step 1). Dense (a line holds sixteen), as the decrements of
    /// neighbouring nodes' counters come together.
    pending: Box<[AtomicU32]>,
    /// Per node: visits in this iteration.
    visits: Box<[AtomicU32]>,
    /// Per node: its output of its last visit, in place (`slots.rs`)...
    slots: Arc<[Slot]>,
    /// ... or shared, for nodes a condition node can reach (empty if the graph has none).
    shared: Box<[Mutex<Option<Value>>]>,
    in_flight: AtomicUsize,
    failures: Mutex<Vec<(usize, String)>>,
    repeat: Mutex<Repeat>,
    /// What nodes still waiting (step 3) started, to cancel with the run.
    children: Mutex<Vec<Child>>,
    /// Failures of the work async and module nodes awaited (a module's failed run), by node, for its waiter.
    awaited_failures: Mutex<Vec<(usize, String)>>,
    profile: Option<Profile>,
    pub(crate) completion: Arc<Completion>,
}

impl RunState {
    pub(crate) fn new(
        spec: Arc<GraphSpec>,
        fail_fast: bool,
        profile_threads: Option<usize>,
        repeat: Repeat,
        completion: Arc<Completion>,
    ) -> Self {
        let nodes = spec.nodes.len();
        // A rerun takes the last run's memory (`slots.rs`); `next_iteration` sets the counts.
        let (pending, visits) = spec.spare.counts(nodes);
        let profile = profile_threads.map(|threads| Profile {
            threads,
            iteration_start: Mutex::new(Instant::now()),
            starts: (0..nodes).map(|_| AtomicU64::new(NOT_RUN)).collect(),
            ends: (0..nodes).map(|_| AtomicU64::new(0)).collect(),
            work: AtomicU64::new(0),
        });
        Self {
            pending,
            visits,
            slots: spec.spare.slots(spec.stored),
            shared: (0..if spec.has_revisits { nodes } else { 0 }).map(|_| Mutex::new(None)).collect(),
            in_flight: AtomicUsize::new(0),
            failures: Mutex::new(Vec::new()),
            repeat: Mutex::new(repeat),
            children: Mutex::new(Vec::new()),
            awaited_failures: Mutex::new(Vec::new()),
            profile,
            completion,
            spec,
            fail_fast,
        }
    }

    /// Cancels the run: its unit (running nodes see `is_cancelled()`) and the tasks its nodes spawned. Returns
    /// false if it was cancelled already.
    pub(crate) fn cancel(&self, jobs: &LightJobs<Self>) -> bool {
        // The unit's flag is what running nodes see, and it is set once.
        if !jobs.cancel() {
            return false;
        }
        for child in self.children.lock().iter() {
            match child {
                Child::Group(group) => drop(group.cancel()),
                Child::Run(cancel) => cancel(),
            }
        }
        true
    }

    /// Queues `node`, counted in `in_flight` first (step 3).
    fn ready(&self, node: usize, jobs: &LightJobs<Self>) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        jobs.submit(node);
    }

    /// Starts the next iteration, or finishes the run (step 4).
    pub(crate) fn next_iteration(&self, jobs: &LightJobs<Self>) {
        let failed = !self.failures.lock().is_empty();
        let again = !failed
            && !jobs.is_cancelled()
            && match &mut *self.repeat.lock() {
                Repeat::Times(left) => {
                    let again = *left > 0;
                    *left = left.saturating_sub(1);
                    again
                }
                Repeat::Until(done) => !done(),
            };
        if !again || self.spec.sources.is_empty() {
            self.finish(jobs);
            return;
        }
        // A node that did not run last time (a branch not taken) may have kept a partial count.
        self.visits.iter().for_each(|visits| visits.store(0, Ordering::Relaxed));
        for (pending, &strong) in self.pending.iter().zip(&self.spec.strong_predecessors) {
            pending.store(strong, Ordering::Relaxed);
        }
        if let Some(profile) = &self.profile {
            profile.starts.iter().for_each(|start| start.store(NOT_RUN, Ordering::Relaxed));
            profile.work.store(0, Ordering::Relaxed);
            *profile.iteration_start.lock() = Instant::now();
        }
        self.in_flight.store(self.spec.sources.len(), Ordering::Relaxed);
        for &source in &self.spec.sources {
            jobs.submit(source);
        }
    }

    /// Stores the run's outcome, lets go of the unit, and wakes whoever waits.
    fn finish(&self, jobs: &LightJobs<Self>) {
        let failures = std::mem::take(&mut *self.failures.lock());
        let mut report = self.report();
        let outcome = if !failures.is_empty() && !self.fail_fast {
            let skipped = self.skipped(&failures);
            if let Some(report) = &mut report {
                report.set_failures(failures.iter().map(|&(index, _)| index).collect(), skipped.clone());
            }
            let name = |index: usize| self.spec.name(index).to_string();
            Err(GraphError::new_failed(
                failures.into_iter().map(|(index, why)| (name(index), why)).collect(),
                skipped.into_iter().map(name).collect(),
            )
            .with_report(report))
        } else if jobs.is_cancelled() || !failures.is_empty() {
            Err(GraphError::new_cancelled().with_report(report))
        } else {
            // SAFETY: nothing of the run is left (`in_flight` reached zero: protocol, step 4), and the run's state
            // touches its slots no more.
            let values = unsafe { Finished::new(self.slots.clone(), self.spec.spare.clone()) };
            let shared = self.shared.iter().map(|shared| shared.lock().take()).collect();
            let ran = self.visits.iter().map(|visits| visits.load(Ordering::Relaxed) > 0).collect();
            Ok(Outputs::new(self.spec.clone(), values, shared, ran, report))
        };
        *self.completion.outcome.lock() = Some(outcome);
        drop(self.completion.jobs.lock().take());
        self.completion.done.count_down().expect("a run finishes once");
    }

    /// The profile of the last iteration, if the run is profiled.
    fn report(&self) -> Option<RunReport> {
        let profile = self.profile.as_ref()?;
        let times = (0..self.spec.nodes.len())
            .map(|index| {
                let start = profile.starts[index].load(Ordering::Relaxed);
                (start != NOT_RUN).then(|| {
                    let end = profile.ends[index].load(Ordering::Relaxed).max(start);
                    (Duration::from_nanos(start), Duration::from_nanos(end))
                })
            })
            .collect::<Vec<_>>();
        let makespan = times.iter().flatten().map(|&(_, end)| end).max().unwrap_or_default();
        let work = Duration::from_nanos(profile.work.load(Ordering::Relaxed));
        Some(RunReport::new(self.spec.clone(), profile.threads, makespan, times, work))
    }

    /// The nodes that never ran because a failed node's output never came: the failed nodes' descendants that
    /// did not run, in index order.
    fn skipped(&self, failures: &[(usize, String)]) -> Vec<usize> {
        let mut skipped = vec![false; self.spec.nodes.len()];
        let mut stack: Vec<usize> = failures.iter().map(|&(index, _)| index).collect();
        while let Some(node) = stack.pop() {
            for &successor in self.spec.successors_of(node) {
                let successor = successor as usize;
                if !skipped[successor] && self.visits[successor].load(Ordering::Relaxed) == 0 {
                    skipped[successor] = true;
                    stack.push(successor);
                }
            }
        }
        (0..skipped.len()).filter(|&index| skipped[index]).collect()
    }

    /// Where node `index` puts its output.
    ///
    /// # Safety
    ///
    /// Called by the node's own visit, before it is done (`slots.rs`, step 1).
    unsafe fn output(&self, index: usize) -> Output<'_> {
        let node = &self.spec.nodes[index];
        match (node.stores, node.revisitable) {
            (false, _) => Output::Unit,
            (true, true) => Output::Shared(&self.shared[index]),
            // SAFETY: the caller's promise.
            (true, false) => unsafe { Output::in_place(&self.slots[node.slot as usize]) },
        }
    }

    /// What node `index`'s body reads of its input `input`.
    ///
    /// # Safety
    ///
    /// Called by a visit of node `index` while it runs: `input` has finished (`slots.rs`, step 2).
    unsafe fn input(&self, input: usize) -> Input<'_> {
        let node = &self.spec.nodes[input];
        match (node.stores, node.revisitable) {
            (false, _) => Input::unit(),
            (true, true) => self.shared[input].lock().clone().map_or_else(Input::unit, Input::shared),
            // SAFETY: the caller's promise.
            (true, false) => unsafe { Input::in_place(&self.slots[node.slot as usize]) },
        }
    }

    /// Runs node `index`'s body (step 2) with its inputs; an async node's future and a module node's run are
    /// spawned here.
    ///
    /// # Safety
    ///
    /// Called by the node's visit, once its inputs have finished (`slots.rs`, steps 1 and 2).
    unsafe fn run_body(&self, index: usize, jobs: &LightJobs<Self>) -> BodyResult {
        let body = &self.spec.nodes[index].body;
        // At most 8 inputs (the largest tuple): on the stack, let go of before the node is done.
        let node_inputs = self.spec.inputs_of(index);
        let mut inputs: [Input<'_>; 8] = std::array::from_fn(|_| Input::unit());
        for (value, &input) in inputs.iter_mut().zip(node_inputs) {
            // SAFETY: the caller's promise.
            *value = unsafe { self.input(input as usize) };
        }
        // SAFETY: the caller's promise.
        let output = unsafe { self.output(index) };
        catch_unwind(AssertUnwindSafe(|| match body.call(&inputs[..node_inputs.len()], &output) {
            Outcome::Await { done, cancel } => {
                if let Some(cancel) = &cancel {
                    self.children.lock().push(Child::Run(cancel.clone()));
                    if jobs.is_cancelled() {
                        cancel();
                    }
                }
                let jobs = jobs.clone();
                wove_executor::spawn_async(async move {
                    let state = jobs.job();
                    match done.await {
                        // SAFETY: the node's visit is not done before this task is (step 3).
                        Ok(put) => put(&unsafe { state.output(index) }),
                        Err(error) => state.awaited_failures.lock().push((index, error)),
                    }
                    if let Some(cancel) = cancel {
                        let mut children = state.children.lock();
                        children.retain(|child| !matches!(child, Child::Run(run) if Arc::ptr_eq(run, &cancel)));
                    }
                })
                .detach();
                Outcome::Done
            }
            outcome => outcome,
        }))
        .map_err(|payload| {
            let text = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
            text.map_or_else(|| "panicked".to_string(), |text| format!("panicked: {text}"))
        })
    }

    /// Node `index` is done (step 3), with the result of its body and of what it spawned: stores its output,
    /// readies its successors and returns the one that takes over its count, or takes itself off `in_flight`.
    fn node_done(
        &self,
        index: usize,
        started: Option<u64>,
        result: BodyResult,
        jobs: &LightJobs<Self>,
    ) -> Option<usize> {
        if let (Some(profile), Some(started)) = (&self.profile, started) {
            let now = profile.now();
            profile.starts[index].store(started, Ordering::Relaxed);
            profile.ends[index].store(now, Ordering::Relaxed);
            profile.work.fetch_add(now.saturating_sub(started), Ordering::Relaxed);
        }
        match result {
            Ok(Outcome::Done) => {
                // Each readied successor but the last is counted in `in_flight` before it is queued; the last
                // takes over this node's count (step 3).
                let mut last = None;
                for &successor in self.spec.successors_of(index) {
                    let successor = successor as usize;
                    if self.pending[successor].fetch_sub(1, Ordering::AcqRel) == 1 {
                        if let Some(earlier) = last.replace(successor) {
                            self.ready(earlier, jobs);
                        }
                    }
                }
                if last.is_some() {
                    return last;
                }
            }
            Ok(Outcome::Branch(branch)) => {
                if let Some(&successor) = self.spec.successors_of(index).get(branch) {
                    return Some(successor as usize);
                }
            }
            Ok(Outcome::Await { .. }) => unreachable!("started by `run_body`"),
            Err(message) => {
                self.failures.lock().push((index, message));
                if self.fail_fast {
                    self.cancel(jobs);
                }
            }
        }
        self.leave(jobs);
        None
    }

    /// A node that readied nobody takes itself off `in_flight` (step 4).
    fn leave(&self, jobs: &LightJobs<Self>) {
        if self.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.next_iteration(jobs);
        }
    }

    /// Node `index` spawned tasks, now in `group`: a task waits for them, then finishes the node (step 3).
    fn finish_after(
        &self,
        index: usize,
        started: Option<u64>,
        result: BodyResult,
        group: Group,
        jobs: &LightJobs<Self>,
    ) {
        self.children.lock().push(Child::Group(group.clone()));
        if jobs.is_cancelled() {
            group.cancel();
        }
        let waiting = WaitingNode { jobs: jobs.clone(), index, started, result: Some(result) };
        group
            .task::<()>()
            .untracked()
            .spawn_async(async move {
                let mut waiting = waiting;
                let waited = (&group).await;
                let state = waiting.jobs.job();
                state
                    .children
                    .lock()
                    .retain(|child| !matches!(child, Child::Group(spawned) if spawned.id() == group.id()));
                let failure = {
                    let mut failures = state.awaited_failures.lock();
                    let position = failures.iter().position(|&(node, _)| node == index);
                    position.map(|position| failures.swap_remove(position).1)
                };
                let result = match (waiting.result.take().expect("taken once"), failure, waited) {
                    (Ok(_), Some(message), _) => Err(message),
                    (Ok(_), None, Err(error)) => Err(format!("its spawned tasks failed: {error}")),
                    (result, _, _) => result,
                };
                waiting.finish(result);
            })
            .detach();
    }
}

/// A node waiting for the tasks it spawned. Finished by its waiting task — or, if that task is dropped
/// unfinished (its engine was shut down), as a failure when dropped, so the run still ends.
struct WaitingNode {
    jobs: LightJobs<RunState>,
    index: usize,
    started: Option<u64>,
    result: Option<BodyResult>,
}

impl WaitingNode {
    fn finish(&mut self, result: BodyResult) {
        let jobs = &self.jobs;
        if let Some(next) = jobs.job().node_done(self.index, self.started, result, jobs) {
            // It takes over the node's count in `in_flight` (step 3).
            jobs.submit(next);
        }
    }
}

impl Drop for WaitingNode {
    fn drop(&mut self) {
        if self.result.take().is_some() {
            self.finish(Err("its spawned tasks were dropped unfinished (the engine shut down)".to_string()));
        }
    }
}

impl Drop for RunState {
    fn drop(&mut self) {
        // The run is over: its memory goes to the graph for the next run (its slots are empty unless its outputs
        // were never made — a failed or cancelled run — and then they are emptied here).
        let spare = &self.spec.spare;
        spare.keep_counts((std::mem::take(&mut self.pending), std::mem::take(&mut self.visits)));
        if let Some(slots) = Arc::get_mut(&mut self.slots) {
            slots.iter_mut().for_each(|slot| drop(std::mem::replace(slot, Slot::new())));
            spare.keep_slots(std::mem::replace(&mut self.slots, Arc::new([])));
        }
    }
}

impl LightJob for RunState {
    fn run(&self, index: usize, jobs: &LightJobs<Self>) -> Option<usize> {
        if jobs.is_cancelled() {
            self.leave(jobs);
            return None;
        }
        self.pending[index].store(self.spec.strong_predecessors[index], Ordering::Relaxed);
        self.visits[index].fetch_add(1, Ordering::Relaxed);
        let started = self.profile.as_ref().map(Profile::now);
        // SAFETY: this is the node's visit, and it was readied once its inputs had finished (protocol, step 3).
        let (result, spawned) = Group::capture(|| unsafe { self.run_body(index, jobs) });
        match spawned {
            None => self.node_done(index, started, result, jobs),
            Some(group) => {
                self.finish_after(index, started, result, group, jobs);
                None
            }
        }
    }

    fn name(&self, index: usize) -> Option<&str> {
        Some(self.spec.name(index))
    }
}
