//! The report: a table per workload, and the JSON of every measurement.

use std::fmt::Write;

use serde::Serialize;

use crate::{Measurement, Peer, Plan, Workload};

/// A finished sweep: the plan, the machine, every measurement.
///
/// # Examples
///
/// ```
/// use wove_cli::{Peer, Plan, Report, Sizes, Workload};
/// let plan = Plan { workloads: vec![Workload::Chain], peers: vec![Peer::Wove, Peer::Rayon], threads: vec![1], reps: 1, sizes: Sizes::quick() };
/// let report = Report::new(plan.clone(), wove_cli::sweep(&plan, &indicatif::ProgressBar::hidden())?);
/// assert!(report.table().contains("chain"));
/// assert!(report.json().contains("\"measurements\""));
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Serialize)]
pub struct Report {
    /// What was measured.
    pub plan: Plan,
    /// Logical CPUs of the machine it ran on.
    pub cpus: usize,
    /// Every measurement.
    pub measurements: Vec<Measurement>,
}

impl Report {
    /// A report of `measurements`, made by `plan` on this machine.
    ///
    /// # Examples
    ///
    /// See [`Report`].
    pub fn new(plan: Plan, measurements: Vec<Measurement>) -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self { plan, cpus, measurements }
    }

    fn find(&self, workload: Workload, peer: Peer, threads: usize) -> Option<&Measurement> {
        self.measurements.iter().find(|m| m.workload == workload && m.peer == peer && m.threads == threads)
    }

    /// wove's median over the best other engine's, at the same workload and thread count: below 1 means wove
    /// was faster than every peer measured.
    ///
    /// # Examples
    ///
    /// See [`Report`].
    pub fn ratio_to_best_peer(&self, workload: Workload, threads: usize) -> Option<f64> {
        let wove = self.find(workload, Peer::Wove, threads)?.median_ns_per_unit();
        let best = self
            .plan
            .peers
            .iter()
            .filter(|&&peer| peer != Peer::Wove)
            .filter_map(|&peer| self.find(workload, peer, threads))
            .map(Measurement::median_ns_per_unit)
            .fold(f64::INFINITY, f64::min);
        best.is_finite().then(|| wove / best)
    }

    /// The tables, one per workload: median ns per unit (min–max), speed-up over the fewest threads measured,
    /// efficiency (speed-up per thread), and wove's ratio to the best peer.
    ///
    /// # Examples
    ///
    /// See [`Report`].
    pub fn table(&self) -> String {
        let mut out = String::from(
            "(vs best peer: wove's time / the fastest other engine's at the same thread count; below 1.00x wove is \
             faster)\n",
        );
        let base_threads = self.plan.threads.first().copied().unwrap_or(1);
        for &workload in &self.plan.workloads {
            let _ = writeln!(out, "\n{workload} — {}", workload.describe(&self.plan.sizes));
            let _ = writeln!(
                out,
                "  {:<16}{:>7}  {:>30}  {:>8}  {:>10}  {:>12}",
                "engine", "threads", "ns/unit median (min–max)", "speed-up", "efficiency", "vs best peer"
            );
            for &threads in &self.plan.threads {
                for &peer in &self.plan.peers {
                    let Some(m) = self.find(workload, peer, threads) else { continue };
                    let median = m.median_ns_per_unit();
                    let speedup = self.find(workload, peer, base_threads).map(|b| b.median_ns_per_unit() / median);
                    let efficiency = speedup.map(|s| s * base_threads as f64 / threads as f64);
                    let ratio = match peer {
                        Peer::Wove => self.ratio_to_best_peer(workload, threads).map(|r| format!("{r:.2}x")),
                        _ => None,
                    };
                    let spread = format!("{median:.1} ({:.1}–{:.1})", m.min_ns_per_unit(), m.max_ns_per_unit());
                    let _ = writeln!(
                        out,
                        "  {:<16}{:>7}  {:>30}  {:>8}  {:>10}  {:>12}",
                        peer.name(),
                        threads,
                        spread,
                        speedup.map_or("-".into(), |s| format!("{s:.2}")),
                        efficiency.map_or("-".into(), |e| format!("{e:.2}")),
                        ratio.unwrap_or_default()
                    );
                }
            }
        }
        out
    }

    /// Every measurement, with the plan and the machine, as pretty JSON.
    ///
    /// # Examples
    ///
    /// See [`Report`].
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }
}
