//! The synchronization facade: every atomic, `Arc` and lock in this crate comes from here, so the crate has one
//! place to swap in loom's model-checked versions.

pub(crate) use parking_lot::Mutex;
pub(crate) use std::sync::Arc;
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence};
