//! The sweep: every workload on every engine at every thread count, a warm-up run and then timed runs, each
//! run's result checked.

use std::time::Instant;

use indicatif::ProgressBar;
use serde::Serialize;

use crate::{Peer, Pool, Sizes, Workload};

/// What to measure.
///
/// # Examples
///
/// ```
/// use wove_cli::{Peer, Plan, Sizes, Workload};
/// let plan = Plan { workloads: vec![Workload::Fib], peers: vec![Peer::Wove], threads: vec![1], reps: 1, sizes: Sizes::quick() };
/// let measurements = wove_cli::sweep(&plan, &indicatif::ProgressBar::hidden())?;
/// assert_eq!(measurements.len(), 1);
/// assert!(measurements[0].median_ns_per_unit() > 0.0);
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// Workloads, in report order.
    pub workloads: Vec<Workload>,
    /// Engines, in report order.
    pub peers: Vec<Peer>,
    /// Thread counts, ascending.
    pub threads: Vec<usize>,
    /// Timed runs per measurement, after one warm-up run.
    pub reps: usize,
    /// Workload sizes.
    pub sizes: Sizes,
}

/// One workload on one engine at one thread count: the time of each timed run.
///
/// # Examples
///
/// See [`Plan`].
#[derive(Clone, Debug, Serialize)]
pub struct Measurement {
    /// The workload.
    pub workload: Workload,
    /// The engine.
    pub peer: Peer,
    /// Worker threads.
    pub threads: usize,
    /// Units of work per run (tasks, nodes, steps, cells).
    pub units: u64,
    /// Each timed run, in nanoseconds.
    pub runs_ns: Vec<u64>,
    /// Every run's result was checked and right (a wrong one stops the sweep with an error).
    pub verified: bool,
}

impl Measurement {
    fn per_unit(&self, ns: u64) -> f64 {
        ns as f64 / self.units as f64
    }

    /// The median run, in nanoseconds per unit.
    ///
    /// # Examples
    ///
    /// See [`Plan`].
    pub fn median_ns_per_unit(&self) -> f64 {
        let mut runs = self.runs_ns.clone();
        runs.sort_unstable();
        let middle = runs.len() / 2;
        let median =
            if runs.len() % 2 == 1 { runs[middle] as f64 } else { (runs[middle - 1] + runs[middle]) as f64 / 2.0 };
        median / self.units as f64
    }

    /// The fastest run, in nanoseconds per unit.
    ///
    /// # Examples
    ///
    /// See [`Plan`].
    pub fn min_ns_per_unit(&self) -> f64 {
        self.per_unit(*self.runs_ns.iter().min().unwrap_or(&0))
    }

    /// The slowest run, in nanoseconds per unit.
    ///
    /// # Examples
    ///
    /// See [`Plan`].
    pub fn max_ns_per_unit(&self) -> f64 {
        self.per_unit(*self.runs_ns.iter().max().unwrap_or(&0))
    }

    /// Millions of units per second, from the median run.
    ///
    /// # Examples
    ///
    /// See [`Plan`].
    pub fn mega_units_per_second(&self) -> f64 {
        1e3 / self.median_ns_per_unit()
    }
}

/// Runs the plan: for each thread count, each engine is started once and runs every workload; `progress`
/// advances once per measurement.
///
/// # Errors
///
/// The first wrong result (naming the workload, engine and thread count), or an engine that cannot start.
///
/// # Examples
///
/// See [`Plan`].
pub fn sweep(plan: &Plan, progress: &ProgressBar) -> Result<Vec<Measurement>, String> {
    let mut measurements = Vec::new();
    for &threads in &plan.threads {
        for &peer in &plan.peers {
            let pool = Pool::new(peer, threads)?;
            for &workload in &plan.workloads {
                progress.set_message(format!("{workload} on {peer} at {threads} threads"));
                let fail = |e: String| format!("{workload} on {peer} at {threads} threads: {e}");
                let units = workload.run(&pool, &plan.sizes).map_err(fail)?; // warm-up
                let mut runs_ns = Vec::with_capacity(plan.reps);
                for _ in 0..plan.reps {
                    let start = Instant::now();
                    workload.run(&pool, &plan.sizes).map_err(fail)?;
                    runs_ns.push(start.elapsed().as_nanos().max(1) as u64);
                }
                measurements.push(Measurement { workload, peer, threads, units, runs_ns, verified: true });
                progress.inc(1);
            }
        }
    }
    Ok(measurements)
}
