//! The SVG plot: throughput against threads, one panel per workload, one line per engine.

use std::path::Path;

use plotters::prelude::*;

use crate::{Peer, Report};

/// One colour per engine, the same in every panel.
fn colour(peer: Peer) -> RGBColor {
    match peer {
        Peer::Wove => RGBColor(214, 39, 40),
        Peer::Rayon => RGBColor(31, 119, 180),
        Peer::Tokio => RGBColor(44, 160, 44),
        Peer::AsyncExecutor => RGBColor(255, 127, 14),
    }
}

/// Draws `report` as an SVG file at `path`.
///
/// # Errors
///
/// If the file cannot be written.
///
/// # Examples
///
/// ```
/// use wove_cli::{Peer, Plan, Report, Sizes, Workload};
/// let plan = Plan { workloads: vec![Workload::Fib], peers: vec![Peer::Wove], threads: vec![1, 2], reps: 1, sizes: Sizes::quick() };
/// let report = Report::new(plan.clone(), wove_cli::sweep(&plan, &indicatif::ProgressBar::hidden())?);
/// let path = std::env::temp_dir().join(format!("wove-cli-doc-{}.svg", std::process::id()));
/// wove_cli::write_svg(&report, &path)?;
/// assert!(std::fs::read_to_string(&path).unwrap().starts_with("<svg"));
/// # std::fs::remove_file(path).ok();
/// # Ok::<(), String>(())
/// ```
pub fn write_svg(report: &Report, path: &Path) -> Result<(), String> {
    draw(report, path).map_err(|e| format!("could not draw {}: {e}", path.display()))
}

fn draw(report: &Report, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let workloads = &report.plan.workloads;
    let columns = workloads.len().clamp(1, 3);
    let rows = workloads.len().div_ceil(columns).max(1);
    let root = SVGBackend::new(path, (420 * columns as u32, 320 * rows as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let max_threads = report.plan.threads.iter().copied().max().unwrap_or(1) as u32;
    for (panel, &workload) in root.split_evenly((rows, columns)).iter().zip(workloads) {
        let points = |peer: Peer| -> Vec<(u32, f64)> {
            report
                .measurements
                .iter()
                .filter(|m| m.workload == workload && m.peer == peer)
                .map(|m| (m.threads as u32, m.mega_units_per_second()))
                .collect()
        };
        let top = report.plan.peers.iter().flat_map(|&p| points(p)).map(|(_, y)| y).fold(0.0, f64::max) * 1.1;
        let mut chart = ChartBuilder::on(panel)
            .caption(workload.name(), ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(1u32..max_threads.max(2), 0f64..top.max(1e-9))?;
        chart.configure_mesh().x_desc("threads").y_desc("million units / s").draw()?;
        for &peer in &report.plan.peers {
            let style = colour(peer).stroke_width(2);
            chart
                .draw_series(LineSeries::new(points(peer), style))?
                .label(peer.name())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
        }
        chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    }
    root.present()?;
    Ok(())
}
