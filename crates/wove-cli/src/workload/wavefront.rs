//! `wavefront`: a grid DAG. Cell (i, j) runs after (i-1, j) and (i, j-1); it computes from their values, then
//! each successor whose last dependency it was is spawned. The bottom-right cell reports its value, which
//! depends on every cell, and is checked against a sequential evaluation.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use crate::Pool;
use crate::pool::Engine;
use crate::workload::spawner::{self, Spawner};

const MODULUS: u64 = 1_000_000_007;

/// A cell's value from its neighbours' (zero where there is none).
pub(crate) fn value(i: usize, j: usize, up: u64, left: u64) -> u64 {
    (up + left + (i as u64) * 31 + j as u64 + 1) % MODULUS
}

struct Grid {
    side: usize,
    waiting: Vec<AtomicU8>,
    values: Vec<AtomicU64>,
    done: Mutex<Option<mpsc::Sender<u64>>>,
}

impl Grid {
    fn new(side: usize, done: mpsc::Sender<u64>) -> Self {
        let waiting =
            (0..side * side).map(|k| AtomicU8::new(u8::from(k / side > 0) + u8::from(k % side > 0))).collect();
        Self {
            side,
            waiting,
            values: (0..side * side).map(|_| AtomicU64::new(0)).collect(),
            done: Mutex::new(Some(done)),
        }
    }
}

fn cell<S: Spawner>(grid: Arc<Grid>, spawner: S, i: usize, j: usize) {
    let side = grid.side;
    let up = if i > 0 { grid.values[(i - 1) * side + j].load(Ordering::Acquire) } else { 0 };
    let left = if j > 0 { grid.values[i * side + j - 1].load(Ordering::Acquire) } else { 0 };
    let v = value(i, j, up, left);
    grid.values[i * side + j].store(v, Ordering::Release);
    if i + 1 == side && j + 1 == side {
        if let Some(done) = grid.done.lock().expect("never poisoned").take() {
            let _ = done.send(v);
        }
        return;
    }
    for (ni, nj) in [(i + 1, j), (i, j + 1)] {
        if ni < side && nj < side && grid.waiting[ni * side + nj].fetch_sub(1, Ordering::AcqRel) == 1 {
            let (grid, next) = (grid.clone(), spawner.clone());
            spawner.spawn(move || cell(grid, next, ni, nj));
        }
    }
}

/// The bottom-right value, computed sequentially.
pub(crate) fn expected(side: usize) -> u64 {
    let mut values = vec![0u64; side * side];
    for i in 0..side {
        for j in 0..side {
            let up = if i > 0 { values[(i - 1) * side + j] } else { 0 };
            let left = if j > 0 { values[i * side + j - 1] } else { 0 };
            values[i * side + j] = value(i, j, up, left);
        }
    }
    values[side * side - 1]
}

pub(crate) fn run(pool: &Pool, side: usize) -> Result<usize, String> {
    let (done, finished) = mpsc::channel();
    let grid = Arc::new(Grid::new(side, done));
    match &pool.engine {
        Engine::Wove(engine) => engine.spawn_detached(move || cell(grid, spawner::Wove, 0, 0)),
        Engine::Rayon(rayon) => rayon.spawn(move || cell(grid, spawner::Rayon, 0, 0)),
        Engine::Tokio(runtime) => drop(runtime.spawn(async move { cell(grid, spawner::Tokio, 0, 0) })),
        Engine::AsyncExecutor(pool) => {
            let spawner = spawner::Executor(pool.executor.clone());
            pool.executor.spawn(async move { cell(grid, spawner, 0, 0) }).detach();
        }
    }
    let got = finished.recv().map_err(|_| "the wavefront ended without its last cell".to_string())?;
    match got == expected(side) {
        true => Ok(side * side),
        false => Err(format!("the {side}x{side} wavefront ended at {got}, expected {}", expected(side))),
    }
}
