//! Group membership, below tasks and the engine: a group's rounds (the count of its live members and their
//! failures), the counts a worker holds back, and the group's own state. Knows nothing of tasks or engines.

pub(crate) mod group_core;
pub(crate) mod held;
pub(crate) mod round;
