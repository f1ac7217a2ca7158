//! `wove graph FILE`: a graph file's nodes as busy work of their cost on wove-graph, run at several thread
//! counts, against the lower bound no schedule can beat: LB = max(critical path, total work / threads).

use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use serde::Serialize;
use wove_graph::{Graph, RunOptions};

use crate::graph_file::GraphFile;

/// How to run a graph file.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let file = wove_cli::GraphFile::parse("g.dot", "digraph { a [cost=1]; b [cost=1]; c [cost=1]; a -> c; b -> c }", None)?;
/// let plan = wove_cli::GraphPlan { threads: vec![1, 2], unit: Duration::from_micros(200), runs: 1 };
/// let report = wove_cli::run_graph_file(&file, &plan, &indicatif::ProgressBar::hidden())?;
/// assert_eq!(report.runs.len(), 2);
/// assert!(report.runs[0].makespan >= Duration::from_micros(600)); // one thread: all the work
/// assert!(report.runs[1].makespan >= Duration::from_micros(400)); // two: the critical path
/// println!("{}", report.table());
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug)]
pub struct GraphPlan {
    /// Thread counts, ascending.
    pub threads: Vec<usize>,
    /// How long one unit of cost is: busy work on the node's worker.
    pub unit: Duration,
    /// Timed runs per thread count (after a warm-up); the median is reported.
    pub runs: usize,
}

/// One thread count's result.
///
/// # Examples
///
/// ```
/// # use std::time::Duration;
/// let file = wove_cli::GraphFile::parse("g.dot", "digraph { a [cost=1] }", None)?;
/// let plan = wove_cli::GraphPlan { threads: vec![1], unit: Duration::from_micros(500), runs: 1 };
/// let run = &wove_cli::run_graph_file(&file, &plan, &indicatif::ProgressBar::hidden())?.runs[0];
/// assert!(run.makespan_over_lower_bound >= 0.99 && run.lower_bound_ms == 0.5);
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct GraphRunResult {
    /// Worker threads.
    pub threads: usize,
    /// The median makespan: from the run's start to its end, as its caller sees it.
    #[serde(skip)]
    pub makespan: Duration,
    /// The same, in milliseconds.
    pub makespan_ms: f64,
    /// max(critical path, work / threads), in milliseconds.
    pub lower_bound_ms: f64,
    /// How far from the lower bound: 1.0 is a perfect schedule.
    pub makespan_over_lower_bound: f64,
    /// Work / (threads x makespan).
    pub efficiency: f64,
    /// The makespan at the fewest threads measured / this one.
    pub speedup: f64,
}

/// What `wove graph` reports: the graph's figures and a result per thread count.
///
/// # Examples
///
/// ```
/// # use std::time::Duration;
/// let file = wove_cli::GraphFile::parse("g.dot", "digraph { a [cost=1]; b [cost=2]; a -> b }", None)?;
/// let plan = wove_cli::GraphPlan { threads: vec![1], unit: Duration::from_micros(100), runs: 1 };
/// let report = wove_cli::run_graph_file(&file, &plan, &indicatif::ProgressBar::hidden())?;
/// assert_eq!((report.work_units, report.critical_path_units), (3.0, 3.0));
/// assert_eq!(report.critical_path, ["a", "b"]);
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug)]
pub struct GraphReport {
    /// Nodes in the file.
    pub nodes: usize,
    /// Edges in the file.
    pub edges: usize,
    /// Total work W, in units.
    pub work_units: f64,
    /// The critical path CP, in units.
    pub critical_path_units: f64,
    /// The critical path's nodes, by name.
    pub critical_path: Vec<String>,
    /// One unit.
    pub unit: Duration,
    /// Timed runs per thread count.
    pub runs_per_count: usize,
    /// A result per thread count.
    pub runs: Vec<GraphRunResult>,
}

/// Busy work for `duration` on this thread (a spin on the clock, not a sleep: the worker is held).
fn spin(duration: Duration) {
    let end = Instant::now() + duration;
    while Instant::now() < end {
        std::hint::spin_loop();
    }
}

/// The file's nodes as busy work of their cost, its edges as ordering edges.
///
/// # Errors
///
/// The graph does not build (a checked file always does).
///
/// # Examples
///
/// ```
/// # use std::time::Duration;
/// let file = wove_cli::GraphFile::parse("g.json", r#"{"nodes": [{"id": "a", "cost": 1, "deps": []}]}"#, None)?;
/// let graph = wove_cli::task_graph(&file, Duration::from_micros(10))?;
/// let engine = wove_executor::Engine::builder().threads(1).build().unwrap();
/// assert!(graph.run(&engine).join().is_ok());
/// # Ok::<(), String>(())
/// ```
pub fn task_graph(file: &GraphFile, unit: Duration) -> Result<Graph, String> {
    file.task_graph(|node| {
        let work = unit.mul_f64(node.cost);
        move || spin(work)
    })
    .map_err(|error| error.to_string())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Runs `file` as [`GraphPlan`] says and reports each thread count against its lower bound.
///
/// # Errors
///
/// An engine does not start, or a run fails.
///
/// # Examples
///
/// See [`GraphPlan`].
pub fn run_graph_file(file: &GraphFile, plan: &GraphPlan, progress: &ProgressBar) -> Result<GraphReport, String> {
    let graph = task_graph(file, plan.unit)?;
    let (work, (critical, path)) = (file.work(), file.critical_path());
    let mut runs: Vec<GraphRunResult> = Vec::new();
    for &threads in &plan.threads {
        progress.set_message(format!("{threads} threads"));
        let engine = wove_executor::Engine::builder().threads(threads).build().map_err(|error| error.to_string())?;
        graph.run(&engine).join().map_err(|error| error.to_string())?; // warm-up
        let mut times: Vec<Duration> = (0..plan.runs.max(1))
            .map(|_| {
                let start = Instant::now();
                let outcome = graph.run(&engine).join();
                outcome.map(|_| start.elapsed()).map_err(|error| error.to_string())
            })
            .collect::<Result<_, _>>()?;
        times.sort();
        let makespan = times[times.len() / 2];
        let lower_bound = plan.unit.mul_f64(critical.max(work / threads as f64));
        let base = runs.first().map_or(makespan, |first| first.makespan);
        runs.push(GraphRunResult {
            threads,
            makespan,
            makespan_ms: ms(makespan),
            lower_bound_ms: ms(lower_bound),
            makespan_over_lower_bound: makespan.as_secs_f64() / lower_bound.as_secs_f64().max(f64::MIN_POSITIVE),
            efficiency: plan.unit.mul_f64(work).as_secs_f64() / (threads as f64 * makespan.as_secs_f64()),
            speedup: base.as_secs_f64() / makespan.as_secs_f64(),
        });
        progress.inc(1);
    }
    Ok(GraphReport {
        nodes: file.nodes.len(),
        edges: file.edges.len(),
        work_units: work,
        critical_path_units: critical,
        critical_path: path.into_iter().map(|node| file.nodes[node].name.clone()).collect(),
        unit: plan.unit,
        runs_per_count: plan.runs.max(1),
        runs,
    })
}

/// Runs `file` once on `threads` threads with the engine's trace on, and writes the trace (a slice per node) to
/// `trace`, and the run's DOT (coloured by measured time, the critical path marked) to `dot`.
///
/// # Errors
///
/// The engine does not start, the run fails, or a file cannot be written.
///
/// # Examples
///
/// ```
/// # use std::time::Duration;
/// let file = wove_cli::GraphFile::parse("g.dot", "digraph { a [cost=1]; b [cost=1]; a -> b }", None)?;
/// let dot = std::env::temp_dir().join(format!("wove-doc-{}.dot", std::process::id()));
/// wove_cli::write_profiled_run(&file, Duration::from_micros(10), 1, None, Some(&dot))?;
/// assert!(std::fs::read_to_string(&dot).unwrap().contains("n0 -> n1"));
/// # Ok::<(), String>(())
/// ```
pub fn write_profiled_run(
    file: &GraphFile,
    unit: Duration,
    threads: usize,
    trace: Option<&std::path::Path>,
    dot: Option<&std::path::Path>,
) -> Result<(), String> {
    let graph = task_graph(file, unit)?;
    let engine = wove_executor::Engine::builder()
        .threads(threads)
        .trace(trace.is_some())
        .build()
        .map_err(|error| error.to_string())?;
    let outputs = graph.run_with(&engine, RunOptions::new().profile()).join().map_err(|error| error.to_string())?;
    if let Some(path) = dot {
        let report = outputs.report().expect("a profiled run has a report");
        std::fs::write(path, report.to_dot()).map_err(|e| format!("could not write {}: {e}", path.display()))?;
    }
    if let Some(path) = trace {
        engine.shutdown();
        engine.write_trace(path).map_err(|e| format!("could not write {}: {e}", path.display()))?;
    }
    Ok(())
}

impl GraphReport {
    /// The table: a row per thread count — makespan, W, CP, LB, makespan / LB, efficiency, speed-up — and the
    /// critical path's nodes.
    ///
    /// # Examples
    ///
    /// See [`GraphPlan`].
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let unit_ms = ms(self.unit);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} nodes, {} edges; W = {} units, CP = {} units; 1 unit = {} µs of busy work; median of {} run(s)",
            self.nodes,
            self.edges,
            self.work_units,
            self.critical_path_units,
            self.unit.as_micros(),
            self.runs_per_count
        );
        let _ = writeln!(
            out,
            "  {:>7}  {:>11}  {:>10}  {:>10}  {:>10}  {:>11}  {:>10}  {:>8}",
            "threads", "makespan ms", "W ms", "CP ms", "LB ms", "makespan/LB", "efficiency", "speed-up"
        );
        for run in &self.runs {
            let _ = writeln!(
                out,
                "  {:>7}  {:>11.2}  {:>10.2}  {:>10.2}  {:>10.2}  {:>11.3}  {:>10.2}  {:>8.2}",
                run.threads,
                run.makespan_ms,
                self.work_units * unit_ms,
                self.critical_path_units * unit_ms,
                run.lower_bound_ms,
                run.makespan_over_lower_bound,
                run.efficiency,
                run.speedup
            );
        }
        let _ = writeln!(out, "critical path: {}", self.critical_path.join(" -> "));
        out
    }

    /// The report as JSON: `{"graph": {"nodes", "edges", "work_units", "critical_path_units"}, "runs": [...]}`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let file = wove_cli::GraphFile::parse("g.json", r#"{"nodes": [{"id": 1, "cost": 2, "deps": []}]}"#, None)?;
    /// let plan = wove_cli::GraphPlan { threads: vec![1], unit: Duration::from_micros(100), runs: 1 };
    /// let report = wove_cli::run_graph_file(&file, &plan, &indicatif::ProgressBar::hidden())?;
    /// let json: serde_json::Value = serde_json::from_str(&report.json()).unwrap();
    /// assert_eq!(json["graph"]["work_units"], 2.0);
    /// assert_eq!(json["runs"][0]["threads"], 1);
    /// # Ok::<(), String>(())
    /// ```
    pub fn json(&self) -> String {
        let value = serde_json::json!({
            "graph": {
                "nodes": self.nodes,
                "edges": self.edges,
                "work_units": self.work_units,
                "critical_path_units": self.critical_path_units,
                "critical_path": self.critical_path,
                "unit_us": self.unit.as_micros() as u64,
            },
            "runs": self.runs,
        });
        serde_json::to_string_pretty(&value).expect("a report always serializes")
    }
}
