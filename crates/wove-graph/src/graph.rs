//! `Graph`: a validated, immutable graph, reusable and runnable any number of times at once; and its DOT form.

use std::fmt;
use std::sync::Arc;

use wove_executor::Engine;

use crate::dot::graph_dot;
use crate::run::{GraphRun, RunOptions};
use crate::spec::GraphSpec;
use crate::state::Repeat;

/// A validated graph, from [`TaskGraph::build`](crate::TaskGraph::build): immutable, a cheap `Clone`,
/// `Send + Sync`. Any number of runs of it may be in flight at once, on one engine or several, each with its
/// own outputs (Taskflow serializes the runs of one taskflow; wove does not need to).
///
/// # Examples
///
/// ```
/// let mut g = wove_graph::TaskGraph::new();
/// let n = g.add("n", || 7u32);
/// let graph = g.build()?;
/// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
/// let runs: Vec<_> = (0..4).map(|_| graph.run(&engine)).collect(); // all in flight at once
/// for run in runs {
///     assert_eq!(run.join()?.get(n), Some(&7));
/// }
/// # Ok::<(), wove_graph::GraphError>(())
/// ```
#[derive(Clone)]
pub struct Graph {
    spec: Arc<GraphSpec>,
}

impl Graph {
    pub(crate) fn new(spec: GraphSpec) -> Self {
        Self { spec: Arc::new(spec) }
    }

    /// Runs the graph once on `engine`: its sources are queued at once, every other node when the nodes it
    /// depends on have finished. The caller does not block; join or await the [`GraphRun`].
    ///
    /// # Panics
    ///
    /// If `engine` is shut down.
    ///
    /// # Examples
    ///
    /// See [`Graph`].
    pub fn run(&self, engine: &Engine) -> GraphRun {
        self.run_with(engine, RunOptions::new())
    }

    /// Runs the graph once with `options` ([`RunOptions::fail_fast`]).
    ///
    /// # Panics
    ///
    /// If `engine` is shut down.
    ///
    /// # Examples
    ///
    /// See [`RunOptions::fail_fast`].
    pub fn run_with(&self, engine: &Engine, options: RunOptions) -> GraphRun {
        GraphRun::start(self.spec.clone(), engine, options, Repeat::Times(1))
    }

    /// Runs the graph `n` times, one run after another; the outputs are the last run's. Stops at the first run
    /// that fails.
    ///
    /// # Panics
    ///
    /// If `engine` is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// let runs = Arc::new(AtomicUsize::new(0));
    /// let counter = runs.clone();
    /// let mut g = wove_graph::TaskGraph::new();
    /// g.add("count", move || counter.fetch_add(1, Ordering::SeqCst));
    /// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
    /// g.build()?.run_n(&engine, 10).join()?;
    /// assert_eq!(runs.load(Ordering::SeqCst), 10);
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn run_n(&self, engine: &Engine, n: usize) -> GraphRun {
        GraphRun::start(self.spec.clone(), engine, RunOptions::new(), Repeat::Times(n))
    }

    /// Runs the graph again and again until `done` returns true; `done` is asked before every run (as in
    /// Taskflow), so a `done` that is true at once runs the graph zero times.
    ///
    /// # Panics
    ///
    /// If `engine` is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// let runs = Arc::new(AtomicUsize::new(0));
    /// let (counter, seen) = (runs.clone(), runs.clone());
    /// let mut g = wove_graph::TaskGraph::new();
    /// g.add("count", move || counter.fetch_add(1, Ordering::SeqCst));
    /// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
    /// g.build()?.run_until(&engine, move || seen.load(Ordering::SeqCst) == 5).join()?;
    /// assert_eq!(runs.load(Ordering::SeqCst), 5);
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn run_until(&self, engine: &Engine, done: impl FnMut() -> bool + Send + 'static) -> GraphRun {
        GraphRun::start(self.spec.clone(), engine, RunOptions::new(), Repeat::Until(Box::new(done)))
    }

    /// The number of nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = wove_graph::TaskGraph::new();
    /// g.add("a", || ());
    /// assert_eq!(g.build()?.len(), 1);
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.spec.nodes.len()
    }

    /// True if the graph has no node.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wove_graph::TaskGraph::new().build()?.is_empty());
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.spec.nodes.is_empty()
    }

    /// The graph in Graphviz DOT (Taskflow's `dump`): a node per node, labelled with its name; condition nodes
    /// are diamonds, and their edges dashed and labelled with the branch index.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = wove_graph::TaskGraph::new();
    /// let a = g.add("load \"data\"", || ());
    /// let b = g.add("parse", || ());
    /// g.precede(a, b);
    /// let dot = g.build()?.to_dot();
    /// assert!(dot.starts_with("digraph wove {"));
    /// assert!(dot.contains(r#"n0 [label="load \"data\""];"#));
    /// assert!(dot.contains("n0 -> n1;"));
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn to_dot(&self) -> String {
        graph_dot(&self.spec, "", |_, name, shape| format!("label=\"{name}\"{shape}"), |_, _| false)
    }
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graph").field("nodes", &self.spec.nodes.len()).finish_non_exhaustive()
    }
}
