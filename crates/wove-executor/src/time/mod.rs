//! Time: `sleep`, `sleep_until` and `timeout` for futures, on one timer thread per process. A leaf: it knows
//! nothing of engines (a sleep's waker queues its future on whatever engine it belongs to).

pub(crate) mod sleep;
pub(crate) mod timeout;
pub(crate) mod timer;
