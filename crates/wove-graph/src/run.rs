//! A run of a graph as its caller sees it: the options it was started with, and the handle to join, await or
//! cancel it. How the run goes is in `state.rs`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use parking_lot::Mutex;
use wove_executor::Engine;
use wove_latch::{Latch, LatchWait};

use crate::error::GraphError;
use crate::outputs::Outputs;
use crate::spec::GraphSpec;
use crate::state::{Completion, Repeat, RunState};

/// Options of a run: see [`Graph::run_with`](crate::Graph::run_with).
///
/// # Examples
///
/// See [`fail_fast`](Self::fail_fast).
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    pub(crate) fail_fast: bool,
    pub(crate) profile: bool,
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

    /// Profiles the run: each node's start and end are measured, and the run's
    /// [`RunReport`](crate::RunReport) — makespan, work, critical path, parallelism, efficiency, DOT coloured by
    /// time — comes with its [`Outputs::report`] (or [`GraphError::report`]). Costs two clock reads per node.
    ///
    /// # Examples
    ///
    /// See [`RunReport`](crate::RunReport).
    pub fn profile(mut self) -> Self {
        self.profile = true;
        self
    }
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
        let completion =
            Arc::new(Completion { done: Latch::new(1), outcome: Mutex::new(None), jobs: Mutex::new(None) });
        let profile = options.profile.then(|| engine.threads());
        let state = RunState::new(spec, options.fail_fast, profile, repeat, completion.clone());
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
        self.completion.cancel()
    }

    /// What the run shares with its handle.
    pub(crate) fn completion(&self) -> &Arc<Completion> {
        &self.completion
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
