//! `graph_wavefront`: the `wavefront` grid as a task graph — cell (i, j) a node whose inputs are (i-1, j) and
//! (i, j-1) — built, run and dropped, as Taskflow's benchmarks time theirs. The peers run the hand-coded DAG of
//! `wavefront` (dependency counters, each cell spawning the successors it readies).

use std::sync::Mutex;

use wove_graph::{Graph, Node, TaskGraph};

use crate::Pool;
use crate::pool::Engine;
use crate::workload::wavefront::{self, expected, value};

pub(crate) fn run(pool: &Pool, side: usize) -> Result<usize, String> {
    let Engine::Wove(engine) = &pool.engine else { return wavefront::run(pool, side) };
    let (graph, last) = build(side)?;
    check(&graph, last, engine, side)
}

/// `graph_rerun`: the same graph built once (by the warm-up run) and run again each time: what a rerun of a
/// built graph costs. The peers run the hand-coded DAG of `wavefront` (which they build each time: they have
/// nothing to reuse but their engine).
pub(crate) fn rerun(pool: &Pool, side: usize) -> Result<usize, String> {
    static BUILT: Mutex<Option<(usize, Graph, Node<u64>)>> = Mutex::new(None);
    let Engine::Wove(engine) = &pool.engine else { return wavefront::run(pool, side) };
    let (graph, last) = {
        let mut built = BUILT.lock().map_err(|_| "a rerun panicked")?;
        match &*built {
            Some((built_side, graph, last)) if *built_side == side => (graph.clone(), *last),
            _ => {
                let (graph, last) = build(side)?;
                *built = Some((side, graph.clone(), last));
                (graph, last)
            }
        }
    };
    check(&graph, last, engine, side)
}

/// The grid as a task graph, and its last cell.
fn build(side: usize) -> Result<(Graph, Node<u64>), String> {
    let mut g = TaskGraph::new();
    let mut cells: Vec<Node<u64>> = Vec::with_capacity(side * side);
    for i in 0..side {
        for j in 0..side {
            let cell = match (i > 0, j > 0) {
                (false, false) => g.add("cell", move || value(i, j, 0, 0)),
                (true, false) => g.add_after("cell", cells[(i - 1) * side + j], move |up| value(i, j, *up, 0)),
                (false, true) => g.add_after("cell", cells[i * side + j - 1], move |left| value(i, j, 0, *left)),
                (true, true) => {
                    let inputs = (cells[(i - 1) * side + j], cells[i * side + j - 1]);
                    g.add_after("cell", inputs, move |(up, left)| value(i, j, *up, *left))
                }
            };
            cells.push(cell);
        }
    }
    let graph = g.build().map_err(|e| e.to_string())?;
    Ok((graph, cells[side * side - 1]))
}

/// Runs the grid's graph once and checks its last cell.
fn check(graph: &Graph, last: Node<u64>, engine: &wove_executor::Engine, side: usize) -> Result<usize, String> {
    let outputs = graph.run(engine).join().map_err(|e| e.to_string())?;
    let got = *outputs.get(last).ok_or("the graph's last cell has no value")?;
    match got == expected(side) {
        true => Ok(side * side),
        false => Err(format!("the {side}x{side} graph wavefront ended at {got}, expected {}", expected(side))),
    }
}
