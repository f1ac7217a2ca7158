//! A loop in a task graph: a condition node sends the run back to an earlier node until a value converges —
//! Newton's method for √2. Taskflow's condition tasks, with the loop's state in the graph's closures.
//!
//! `guess` → `improve` → `converged?` —0→ `improve` (again) · —1→ `report`

use std::sync::{Arc, Mutex};

use wove::graph::TaskGraph;

fn main() {
    let engine = wove::Engine::new();
    // The loop's state: the current estimate and how many times it was improved.
    let state = Arc::new(Mutex::new((0.0f64, 0u32)));
    let mut g = TaskGraph::new();
    let start = state.clone();
    let guess = g.add("guess", move || *start.lock().unwrap() = (1.0, 0));
    let step = state.clone();
    let improve = g.add("improve", move || {
        let mut state = step.lock().unwrap();
        state.0 = (state.0 + 2.0 / state.0) / 2.0;
        state.1 += 1;
    });
    let check = state.clone();
    let converged = g.condition("converged?", move || {
        let (x, _) = *check.lock().unwrap();
        usize::from((x * x - 2.0).abs() < 1e-12) // 0: improve again, 1: report
    });
    let result = state.clone();
    let report = g.add("report", move || {
        let (x, steps) = *result.lock().unwrap();
        format!("√2 ≈ {x:.12} after {steps} steps")
    });
    g.precede(guess, improve);
    g.precede(improve, converged);
    g.precede(converged, improve); // branch 0: a weak edge back, so no cycle error
    g.precede(converged, report); // branch 1
    let graph = g.build().expect("a loop through a condition node is not a cycle");
    for run in 1..=2 {
        let outputs = graph.run(&engine).join().expect("no node fails");
        println!("run {run}: {}", outputs.get(report).expect("the loop ended"));
    }
}
