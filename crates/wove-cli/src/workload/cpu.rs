//! `cpu`: independent tasks of real work, about `micros` µs each (calibrated once on this machine), spawned
//! from outside and waited for: what speed-up and efficiency across cores are measured on.

use std::hint::black_box;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::Pool;
use crate::workload::spawn::spawn_all;

/// The work: a xorshift walk of `steps` steps from a seed derived from the task's index.
fn work(task: usize, steps: u64) -> u64 {
    let mut x = (task as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for _ in 0..steps {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// Steps of [`work`] per microsecond on this machine, measured once (best of a few tries).
fn steps_per_micro() -> f64 {
    static CALIBRATED: OnceLock<f64> = OnceLock::new();
    *CALIBRATED.get_or_init(|| {
        let steps = 1_000_000;
        // Called exactly as the tasks call it, through a function pointer: an inlined call compiles differently
        // (measured: twice as fast), and the tasks would then take twice as long as asked.
        let body: fn(usize, u64) -> u64 = black_box(work);
        let best = (0..5)
            .map(|_| {
                let start = Instant::now();
                black_box(body(black_box(1), black_box(steps)));
                start.elapsed().as_secs_f64() * 1e6
            })
            .fold(f64::INFINITY, f64::min);
        steps as f64 / best.max(1.0)
    })
}

/// The right results for `tasks` tasks of `steps` steps, computed once (outside any timed run: the check inside
/// a run must be cheap, or it would be timed as a sequential part and cap every engine's speed-up).
fn expected(tasks: usize, steps: u64) -> Arc<Vec<u64>> {
    /// The last sizes computed, and their results.
    type Computed = Option<(usize, u64, Arc<Vec<u64>>)>;
    static COMPUTED: Mutex<Computed> = Mutex::new(None);
    let mut computed = COMPUTED.lock().expect("never poisoned");
    match &*computed {
        Some((t, s, results)) if (*t, *s) == (tasks, steps) => results.clone(),
        _ => {
            let results = Arc::new((0..tasks).map(|i| work(i, steps)).collect::<Vec<_>>());
            *computed = Some((tasks, steps, results.clone()));
            results
        }
    }
}

pub(crate) fn run(pool: &Pool, tasks: usize, micros: u64) -> Result<usize, String> {
    let steps = (steps_per_micro() * micros as f64).max(1.0) as u64;
    let expected = expected(tasks, steps);
    spawn_all(pool, tasks, steps, work, |i| expected[i])?;
    Ok(tasks)
}
