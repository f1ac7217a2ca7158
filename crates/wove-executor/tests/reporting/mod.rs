//! An engine whose panic handler collects what it is told, for the tests of panics nobody reads.

use std::sync::{Arc, Mutex};

use wove_executor::{Engine, TaskError};

/// An engine of `threads` workers, and the reports its panic handler receives, as `Display` strings.
pub(crate) fn collecting_engine(threads: usize) -> (Engine, Arc<Mutex<Vec<String>>>) {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    let engine = Engine::builder()
        .threads(threads)
        .panic_handler(move |err: TaskError| sink.lock().unwrap().push(err.to_string()))
        .build()
        .unwrap();
    (engine, reports)
}
