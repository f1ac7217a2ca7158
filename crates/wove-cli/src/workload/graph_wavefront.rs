//! `graph_wavefront`: the `wavefront` grid as a task graph — cell (i, j) a node whose inputs are (i-1, j) and
//! (i, j-1) — built, run and dropped, as Taskflow's benchmarks time theirs. The peers run the hand-coded DAG of
//! `wavefront` (dependency counters, each cell spawning the successors it readies).

use wove_graph::{Node, TaskGraph};

use crate::Pool;
use crate::pool::Engine;
use crate::workload::wavefront::{self, expected, value};

pub(crate) fn run(pool: &Pool, side: usize) -> Result<usize, String> {
    let Engine::Wove(engine) = &pool.engine else { return wavefront::run(pool, side) };
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
    let outputs = graph.run(engine).join().map_err(|e| e.to_string())?;
    let got = *outputs.get(cells[side * side - 1]).ok_or("the graph's last cell has no value")?;
    match got == expected(side) {
        true => Ok(side * side),
        false => Err(format!("the {side}x{side} graph wavefront ended at {got}, expected {}", expected(side))),
    }
}
