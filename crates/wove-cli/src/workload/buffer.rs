//! Result slots shared by a run's tasks without reference counting: one buffer, leaked once and reused by
//! every run (runs never overlap), so no engine pays an `Arc` clone per task just for the harness.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

static BUFFER: Mutex<&'static [AtomicU64]> = Mutex::new(&[]);

/// `len` zeroed slots, valid for the rest of the process.
pub(crate) fn slots(len: usize) -> &'static [AtomicU64] {
    let mut buffer = BUFFER.lock().expect("the buffer lock is never poisoned");
    if buffer.len() < len {
        *buffer = Box::leak((0..len).map(|_| AtomicU64::new(0)).collect::<Vec<_>>().into_boxed_slice());
    }
    let slots = &buffer[..len];
    slots.iter().for_each(|slot| slot.store(0, Ordering::Relaxed));
    slots
}

/// Checks that slot `i` holds `expected(i)`: every task ran exactly once, with its own input.
pub(crate) fn verify(slots: &[AtomicU64], what: &str, expected: impl Fn(usize) -> u64) -> Result<(), String> {
    match slots.iter().enumerate().find(|(i, slot)| slot.load(Ordering::Acquire) != expected(*i)) {
        None => Ok(()),
        Some((i, slot)) => {
            Err(format!("{what}: slot {i} holds {}, expected {}", slot.load(Ordering::Acquire), expected(i)))
        }
    }
}
