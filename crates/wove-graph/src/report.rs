//! Profiled runs: when each node ran, and what that says about the run — makespan, work, the measured
//! critical path, parallelism and efficiency — and the run drawn in DOT, coloured by time.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::dot::graph_dot;
use crate::spec::GraphSpec;

/// What a profiled run measured ([`RunOptions::profile`](crate::RunOptions::profile)): each node's start and
/// end (of its last visit, from the start of the run's last iteration; the end includes the tasks the node
/// spawned), and from them the figures below. Read it with [`Outputs::report`](crate::Outputs::report), or
/// [`GraphError::report`](crate::GraphError::report) for a run that failed.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use wove_graph::{RunOptions, TaskGraph};
///
/// let mut g = TaskGraph::new();
/// let nap = || std::thread::sleep(Duration::from_millis(5));
/// let a = g.add("a", nap);
/// let b = g.add("b", nap);
/// let c = g.add("c", nap);
/// g.precede(a, c);
/// g.precede(b, c);
/// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
/// let outputs = g.build()?.run_with(&engine, RunOptions::new().profile()).join()?;
/// let report = outputs.report().expect("a profiled run has a report");
/// assert!(report.work() >= Duration::from_millis(15)); // three naps
/// assert_eq!(report.critical_path_nodes().len(), 2); // a or b, then c
/// assert_eq!(report.critical_path_nodes()[1], "c");
/// assert!(report.critical_path() <= report.makespan());
/// println!("{report}");
/// # Ok::<(), wove_graph::GraphError>(())
/// ```
#[derive(Clone)]
pub struct RunReport {
    spec: Arc<GraphSpec>,
    threads: usize,
    makespan: Duration,
    /// Per node: its last visit's start and end, if it ran.
    times: Vec<Option<(Duration, Duration)>>,
    /// Every visit's duration, summed.
    work: Duration,
    failed: Vec<usize>,
    skipped: Vec<usize>,
}

impl RunReport {
    pub(crate) fn new(
        spec: Arc<GraphSpec>,
        threads: usize,
        makespan: Duration,
        times: Vec<Option<(Duration, Duration)>>,
        work: Duration,
    ) -> Self {
        Self { spec, threads, makespan, times, work, failed: Vec::new(), skipped: Vec::new() }
    }

    pub(crate) fn set_failures(&mut self, failed: Vec<usize>, skipped: Vec<usize>) {
        self.failed = failed;
        self.skipped = skipped;
    }

    /// From the start of the run (of its last iteration) to the end of its last node.
    ///
    /// # Examples
    ///
    /// See [`RunReport`].
    pub fn makespan(&self) -> Duration {
        self.makespan
    }

    /// The time spent in nodes, summed over the nodes (and visits) that ran.
    ///
    /// # Examples
    ///
    /// See [`RunReport`].
    pub fn work(&self) -> Duration {
        self.work
    }

    /// The measured critical path: the longest chain of dependent nodes, each weighed by its measured time — no
    /// schedule on any number of threads could have finished sooner. Edges out of condition nodes do not count
    /// (they may loop).
    ///
    /// # Examples
    ///
    /// See [`RunReport`].
    pub fn critical_path(&self) -> Duration {
        self.longest_path().0
    }

    /// The names of the nodes on the [critical path](Self::critical_path), in order.
    ///
    /// # Examples
    ///
    /// See [`RunReport`].
    pub fn critical_path_nodes(&self) -> Vec<&str> {
        self.longest_path().1.into_iter().map(|index| self.spec.name(index)).collect()
    }

    /// Work / critical path: how many threads the graph could keep busy on average (0 if nothing took time).
    ///
    /// # Examples
    ///
    /// ```
    /// # use wove_graph::{RunOptions, TaskGraph};
    /// let mut g = TaskGraph::new();
    /// for i in 0..4 {
    ///     g.add(format!("independent {i}"), || std::thread::sleep(std::time::Duration::from_millis(2)));
    /// }
    /// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
    /// let outputs = g.build()?.run_with(&engine, RunOptions::new().profile()).join()?;
    /// let report = outputs.report().unwrap();
    /// // Four independent nodes: the critical path is the longest one alone.
    /// let expected = report.work().as_secs_f64() / report.critical_path().as_secs_f64();
    /// assert!((report.parallelism() - expected).abs() < 1e-9);
    /// assert!(report.parallelism() > 1.0);
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn parallelism(&self) -> f64 {
        ratio(self.work, self.critical_path())
    }

    /// Work / (threads × makespan): the share of the engine's threads' time the run spent in nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use wove_graph::{RunOptions, TaskGraph};
    /// let mut g = TaskGraph::new();
    /// g.add("alone", || std::thread::sleep(std::time::Duration::from_millis(5)));
    /// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
    /// let outputs = g.build()?.run_with(&engine, RunOptions::new().profile()).join()?;
    /// let efficiency = outputs.report().unwrap().efficiency();
    /// assert!(efficiency > 0.0 && efficiency <= 0.5); // one node: one of two threads at most
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn efficiency(&self) -> f64 {
        ratio(self.work, self.makespan * u32::try_from(self.threads).unwrap_or(u32::MAX))
    }

    /// The engine's thread count during the run.
    ///
    /// # Examples
    ///
    /// See [`node_time`](Self::node_time).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Node `index`'s last visit: its start and end from the start of the run's last iteration (`None` if it did
    /// not run).
    ///
    /// # Examples
    ///
    /// ```
    /// # use wove_graph::{RunOptions, TaskGraph};
    /// let mut g = TaskGraph::new();
    /// let first = g.add("first", || ());
    /// let engine = wove_executor::Engine::builder().threads(1).build().unwrap();
    /// let outputs = g.build()?.run_with(&engine, RunOptions::new().profile()).join()?;
    /// let report = outputs.report().unwrap();
    /// let (start, end) = report.node_time(first.index()).unwrap();
    /// assert!(start <= end && end <= report.makespan());
    /// assert_eq!(report.threads(), 1);
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn node_time(&self, index: usize) -> Option<(Duration, Duration)> {
        self.times.get(index).copied().flatten()
    }

    /// The run in Graphviz DOT: each node labelled with its time and filled from white (no time) to red (the
    /// longest node); the critical path's edges bold; failed nodes red octagons, skipped ones grey and dashed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use wove_graph::{RunOptions, TaskGraph};
    /// let mut g = TaskGraph::new();
    /// let fails = g.add("fails", || -> u8 { panic!("no") });
    /// g.add_after("never", fails, |x| *x);
    /// let engine = wove_executor::Engine::builder().threads(1).panic_handler(|_| {}).build().unwrap();
    /// let error = g.build()?.run_with(&engine, RunOptions::new().profile()).join().unwrap_err();
    /// let dot = error.report().unwrap().to_dot();
    /// assert!(dot.contains("shape=octagon")); // "fails"
    /// assert!(dot.contains("style=\"dashed,filled\"")); // "never", skipped
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn to_dot(&self) -> String {
        let longest = self.times.iter().flatten().map(|&(start, end)| end - start).max().unwrap_or_default();
        let on_path = {
            let mut on_path = vec![false; self.times.len()];
            self.longest_path().1.into_iter().for_each(|index| on_path[index] = true);
            on_path
        };
        let (mut failed, mut skipped) = (vec![false; self.times.len()], vec![false; self.times.len()]);
        self.failed.iter().for_each(|&index| failed[index] = true);
        self.skipped.iter().for_each(|&index| skipped[index] = true);
        let attributes = |index: usize, name: &str, shape: &str| {
            if failed[index] {
                format!("label=\"{name}\\nfailed\", shape=octagon, color=red, fillcolor=\"#ffb0b0\"")
            } else if skipped[index] {
                format!("label=\"{name}\\nskipped\", style=\"dashed,filled\", color=grey, fillcolor=\"#eeeeee\"{shape}")
            } else if let Some((start, end)) = self.node_time(index) {
                let heat = ratio(end - start, longest);
                // From white (0) to red (1): green and blue fall together.
                let fade = (255.0 * (1.0 - heat)).round() as u8;
                format!("label=\"{name}\\n{}\", fillcolor=\"#ff{fade:02x}{fade:02x}\"{shape}", Millis(end - start))
            } else {
                format!("label=\"{name}\\nnot run\", color=grey{shape}")
            }
        };
        let header = "  node [style=filled, fillcolor=white];\n";
        graph_dot(&self.spec, header, attributes, |from, to| on_path[from] && on_path[to])
    }

    /// The longest path over strong edges, weighed by the nodes' measured times: its length and its nodes.
    fn longest_path(&self) -> (Duration, Vec<usize>) {
        let spec = &self.spec;
        let nodes = spec.nodes.len();
        let weight = |index: usize| self.node_time(index).map_or(Duration::ZERO, |(start, end)| end - start);
        // Kahn's order over strong edges (a built graph has no strong cycle).
        let mut waiting: Vec<u32> = spec.strong_predecessors.clone();
        let mut ready: Vec<usize> = (0..nodes).filter(|&index| waiting[index] == 0).collect();
        let mut best = vec![Duration::ZERO; nodes];
        let mut from = vec![usize::MAX; nodes];
        while let Some(node) = ready.pop() {
            best[node] += weight(node);
            if spec.nodes[node].condition {
                continue;
            }
            for &successor in spec.successors_of(node) {
                let successor = successor as usize;
                if from[successor] == usize::MAX || best[node] > best[successor] {
                    best[successor] = best[node];
                    from[successor] = node;
                }
                waiting[successor] -= 1;
                if waiting[successor] == 0 {
                    ready.push(successor);
                }
            }
        }
        let Some(end) = (0..nodes).max_by_key(|&index| best[index]) else { return (Duration::ZERO, Vec::new()) };
        let mut path = vec![end];
        while from[*path.last().expect("not empty")] != usize::MAX {
            path.push(from[*path.last().expect("not empty")]);
        }
        path.reverse();
        (best[end], path)
    }
}

fn ratio(part: Duration, whole: Duration) -> f64 {
    if whole.is_zero() { 0.0 } else { part.as_secs_f64() / whole.as_secs_f64() }
}

/// A duration in milliseconds, three decimals.
struct Millis(Duration);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} ms", self.0.as_secs_f64() * 1e3)
    }
}

impl fmt::Display for RunReport {
    /// A summary: makespan, work, critical path and its nodes, parallelism, efficiency.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "makespan       {}", Millis(self.makespan))?;
        writeln!(f, "work           {}", Millis(self.work))?;
        writeln!(f, "critical path  {} ({})", Millis(self.critical_path()), self.critical_path_nodes().join(" -> "))?;
        writeln!(f, "parallelism    {:.2}", self.parallelism())?;
        write!(f, "efficiency     {:.1} % of {} threads", 100.0 * self.efficiency(), self.threads)
    }
}

impl fmt::Debug for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunReport")
            .field("makespan", &self.makespan)
            .field("work", &self.work)
            .field("critical_path", &self.critical_path())
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}
