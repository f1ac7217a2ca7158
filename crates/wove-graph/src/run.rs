//! A run of a graph: its nodes as the engine's light jobs, one tracked unit per run.
//!
//! # Protocol
//!
//! 1. A run owns, per node, a counter of the strong dependencies not yet finished and a slot for its output.
//!    `in_flight` counts the nodes queued or running. The run sets it to the number of sources, then queues them.
//! 2. A node, when it runs, first resets its counter to its number of strong dependencies (for its next visit
//!    in a condition loop), then runs its body with clones of its inputs' outputs, under `catch_unwind`, and
//!    stores its output.
//! 3. Then it readies its successors: each strong successor's counter is decremented (`AcqRel`: the output
//!    stored in step 2 happens before the successor reads it), and the decrement that brings it to zero readies
//!    the successor. Every readied successor but the last adds one to `in_flight` and is queued at once; the
//!    last is returned to the engine as the job to run next in this one's place: it takes over the node's count
//!    in `in_flight` and its light job's count of the unit, and runs next on this core — so `in_flight` cannot
//!    reach zero while the node still has successors to queue, and a chain link writes no shared counter. A condition node queues the one successor its
//!    body chose, which takes over its count. A node that failed readies nobody, so its dependents never run.
//! 4. A node that readied nobody takes itself off `in_flight`. The decrement that reaches zero ends the
//!    iteration: nothing is queued or running, so every slot is final. It starts the next iteration (`run_n`, `run_until`) or
//!    finishes the run: the outcome is stored, the run lets go of its light-job unit (so the engine no longer
//!    counts it), and the latch that `join` and `.await` wait on is released.
//!
//! A cancelled run (by `cancel`, or by the first failure of a fail-fast run) runs no further node bodies and
//! readies nobody, so `in_flight` drains to zero the same way.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::task::{Context, Poll};

use parking_lot::Mutex;
use wove_executor::{Engine, LightJob, LightJobs};
use wove_latch::{Latch, LatchWait};

use crate::error::GraphError;
use crate::inputs::Value;
use crate::outputs::Outputs;
use crate::spec::{GraphSpec, Outcome};

/// Options of a run: see [`Graph::run_with`](crate::Graph::run_with).
///
/// # Examples
///
/// See [`fail_fast`](Self::fail_fast).
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    fail_fast: bool,
}

impl RunOptions {
    /// The defaults: a failed node skips only its dependents.
    ///
    /// # Examples
    ///
    /// See [`fail_fast`](Self::fail_fast).
    pub fn new() -> Self {
        Self::default()
    }

    /// The first failure cancels the rest of the run (Taskflow's behaviour on an exception), instead of
    /// skipping only the failed node's dependents; the run's error is then [`GraphError::is_cancelled`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wove_graph::{RunOptions, TaskGraph};
    /// let mut g = TaskGraph::new();
    /// let fails = g.add("fails", || -> () { panic!("no") });
    /// let after = g.add("after", || ());
    /// g.precede(fails, after);
    /// let engine = wove_executor::Engine::builder().threads(1).panic_handler(|_| {}).build().unwrap();
    /// let error = g.build()?.run_with(&engine, RunOptions::new().fail_fast()).join().unwrap_err();
    /// assert!(error.is_cancelled());
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn fail_fast(mut self) -> Self {
        self.fail_fast = true;
        self
    }
}

/// How many times a run goes through the graph.
pub(crate) enum Repeat {
    Times(usize),
    Until(Box<dyn FnMut() -> bool + Send>),
}

/// What `join` and `.await` wait on, shared by the handle and the run.
struct Completion {
    done: Latch,
    outcome: Mutex<Option<Result<Outputs, GraphError>>>,
    /// The run's unit, until the run ends (then the engine no longer counts it).
    jobs: Mutex<Option<LightJobs<RunState>>>,
    cancelled: AtomicBool,
}

/// One run's state: the light job that runs its nodes.
struct RunState {
    spec: Arc<GraphSpec>,
    options: RunOptions,
    /// Per node: strong dependencies not yet finished (step 1).
    pending: Box<[AtomicUsize]>,
    /// Per node: visits in this iteration.
    visits: Box<[AtomicU32]>,
    /// Per node: its output of its last visit.
    slots: Box<[Mutex<Option<Value>>]>,
    in_flight: AtomicUsize,
    failures: Mutex<Vec<(usize, String)>>,
    repeat: Mutex<Repeat>,
    completion: Arc<Completion>,
}

/// A run in flight: [`join`](Self::join) it (blocking; helps on a worker) or `.await` it for its
/// [`Outputs`]. Dropping it does not cancel the run.
///
/// # Examples
///
/// ```
/// let mut g = wove_graph::TaskGraph::new();
/// let n = g.add("n", || 1u8);
/// let graph = g.build()?;
/// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
/// let run = graph.run(&engine);
/// let outputs = engine.block_on(run)?; // a GraphRun is a Future too
/// assert_eq!(outputs.get(n), Some(&1));
/// # Ok::<(), wove_graph::GraphError>(())
/// ```
#[must_use = "a GraphRun does nothing by itself: join or await it for the outputs (dropping it does not cancel)"]
pub struct GraphRun {
    completion: Arc<Completion>,
    wait: Option<LatchWait>,
}

impl GraphRun {
    pub(crate) fn start(spec: Arc<GraphSpec>, engine: &Engine, options: RunOptions, repeat: Repeat) -> Self {
        let nodes = spec.nodes.len();
        let completion = Arc::new(Completion {
            done: Latch::new(1),
            outcome: Mutex::new(None),
            jobs: Mutex::new(None),
            cancelled: AtomicBool::new(false),
        });
        let state = RunState {
            pending: spec.nodes.iter().map(|node| AtomicUsize::new(node.strong_predecessors)).collect(),
            visits: (0..nodes).map(|_| AtomicU32::new(0)).collect(),
            slots: (0..nodes).map(|_| Mutex::new(None)).collect(),
            in_flight: AtomicUsize::new(0),
            failures: Mutex::new(Vec::new()),
            repeat: Mutex::new(repeat),
            completion: completion.clone(),
            spec,
            options,
        };
        let jobs = engine.light_jobs("graph run", state, nodes);
        *completion.jobs.lock() = Some(jobs.clone());
        jobs.job().next_iteration(&jobs);
        Self { completion, wait: None }
    }

    /// Blocks until the run has finished, then returns its outputs. On a wove worker it runs queued jobs
    /// meanwhile (the run's nodes among them), so a node — or any task — may run a graph and join it.
    ///
    /// # Errors
    ///
    /// [`GraphError::is_failed`] (with the failed and skipped nodes) or [`GraphError::is_cancelled`].
    ///
    /// # Examples
    ///
    /// See [`Graph`](crate::Graph).
    pub fn join(self) -> Result<Outputs, GraphError> {
        self.completion.done.wait();
        self.completion.outcome.lock().take().expect("a finished run has an outcome, taken once")
    }

    /// Cancels the run: nodes not started never run; running ones see `wove_executor::is_cancelled()` turn
    /// true. The run then ends with [`GraphError::is_cancelled`]. Returns false if it had already finished or
    /// was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = wove_graph::TaskGraph::new();
    /// let (open, gate) = std::sync::mpsc::channel::<()>();
    /// let gate = std::sync::Mutex::new(gate);
    /// let first = g.add("first", move || gate.lock().unwrap().recv().unwrap());
    /// let second = g.add("second", || ());
    /// g.precede(first, second);
    /// let engine = wove_executor::Engine::builder().threads(1).build().unwrap();
    /// let run = g.build()?.run(&engine);
    /// assert!(run.cancel());
    /// open.send(()).unwrap();
    /// assert!(run.join().unwrap_err().is_cancelled()); // "second" never ran
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn cancel(&self) -> bool {
        if self.completion.done.is_released() || self.completion.cancelled.swap(true, Ordering::AcqRel) {
            return false;
        }
        if let Some(jobs) = self.completion.jobs.lock().as_ref() {
            jobs.cancel();
        }
        true
    }

    /// True once the run has finished.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build().unwrap();
    /// let run = wove_graph::TaskGraph::new().build()?.run(&engine);
    /// while !run.is_finished() {
    ///     std::thread::yield_now();
    /// }
    /// assert!(run.join().is_ok());
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn is_finished(&self) -> bool {
        self.completion.done.is_released()
    }
}

impl Future for GraphRun {
    type Output = Result<Outputs, GraphError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let completion = self.completion.clone();
        let wait = self.wait.get_or_insert_with(|| completion.done.wait_async());
        match Pin::new(wait).poll(cx) {
            Poll::Ready(()) => {
                Poll::Ready(completion.outcome.lock().take().expect("a finished run has an outcome, taken once"))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl std::fmt::Debug for GraphRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphRun").field("finished", &self.is_finished()).finish_non_exhaustive()
    }
}

impl RunState {
    fn is_cancelled(&self) -> bool {
        self.completion.cancelled.load(Ordering::Acquire)
    }

    /// Queues `node`, counted in `in_flight` first (step 3).
    fn ready(&self, node: usize, jobs: &LightJobs<Self>) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        jobs.submit(node);
    }

    /// Starts the next iteration, or finishes the run (step 4).
    fn next_iteration(&self, jobs: &LightJobs<Self>) {
        let failed = !self.failures.lock().is_empty();
        let again = !failed
            && !self.is_cancelled()
            && match &mut *self.repeat.lock() {
                Repeat::Times(left) => {
                    let again = *left > 0;
                    *left = left.saturating_sub(1);
                    again
                }
                Repeat::Until(done) => !done(),
            };
        if !again || self.spec.sources.is_empty() {
            self.finish();
            return;
        }
        self.visits.iter().for_each(|visits| visits.store(0, Ordering::Relaxed));
        // A node that did not run last time (a branch not taken) may have kept a partial count.
        for (pending, node) in self.pending.iter().zip(&self.spec.nodes) {
            pending.store(node.strong_predecessors, Ordering::Relaxed);
        }
        self.in_flight.store(self.spec.sources.len(), Ordering::Relaxed);
        for &source in &self.spec.sources {
            jobs.submit(source);
        }
    }

    /// Stores the run's outcome, lets go of the unit, and wakes whoever waits.
    fn finish(&self) {
        let failures = std::mem::take(&mut *self.failures.lock());
        let outcome = if !failures.is_empty() && !self.options.fail_fast {
            let skipped = self.skipped(&failures);
            let name = |index: usize| self.spec.nodes[index].name.to_string();
            Err(GraphError::new_failed(
                failures.into_iter().map(|(index, why)| (name(index), why)).collect(),
                skipped.into_iter().map(name).collect(),
            ))
        } else if self.is_cancelled() || !failures.is_empty() {
            Err(GraphError::new_cancelled())
        } else {
            let values = self.slots.iter().map(|slot| slot.lock().take()).collect();
            let ran = self.visits.iter().map(|visits| visits.load(Ordering::Relaxed) > 0).collect();
            Ok(Outputs::new(self.spec.id, values, ran))
        };
        *self.completion.outcome.lock() = Some(outcome);
        drop(self.completion.jobs.lock().take());
        self.completion.done.count_down().expect("a run finishes once");
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
}

impl LightJob for RunState {
    fn run(&self, index: usize, jobs: &LightJobs<Self>) -> Option<usize> {
        let node = &self.spec.nodes[index];
        if !self.is_cancelled() {
            self.pending[index].store(node.strong_predecessors, Ordering::Relaxed);
            self.visits[index].fetch_add(1, Ordering::Relaxed);
            // At most 8 inputs (the largest tuple): on the stack.
            let mut inputs: [Option<Value>; 8] = Default::default();
            let node_inputs = self.spec.inputs_of(index);
            for (value, &input) in inputs.iter_mut().zip(node_inputs) {
                if self.spec.nodes[input as usize].stores {
                    *value = self.slots[input as usize].lock().clone();
                }
            }
            let inputs = &inputs[..node_inputs.len()];
            match catch_unwind(AssertUnwindSafe(|| (node.body)(inputs))) {
                Ok(Outcome::Value(value)) => {
                    if node.stores {
                        *self.slots[index].lock() = value;
                    }
                    // Each readied successor but the last is counted in `in_flight` before it is queued; the last
                    // takes over this node's count (step 3), so a chain link writes no shared counter.
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
                Err(payload) => {
                    let message = payload
                        .downcast_ref::<&str>()
                        .map(|text| format!("panicked: {text}"))
                        .or_else(|| payload.downcast_ref::<String>().map(|text| format!("panicked: {text}")))
                        .unwrap_or_else(|| "panicked".to_string());
                    self.failures.lock().push((index, message));
                    if self.options.fail_fast && !self.completion.cancelled.swap(true, Ordering::AcqRel) {
                        jobs.cancel();
                    }
                }
            }
        }
        // Nothing readied: this node's count ends here (step 4).
        if self.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.next_iteration(jobs);
        }
        None
    }

    fn name(&self, index: usize) -> Option<&str> {
        Some(&self.spec.nodes[index].name)
    }
}
