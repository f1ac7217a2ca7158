//! The loom facade: every atomic and `Arc` in this crate comes from here, so that `--cfg loom` swaps in loom's
//! model-checked versions and the loom tests exercise the real code.

#[cfg(loom)]
pub(crate) use loom::sync::Arc;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};

#[cfg(not(loom))]
pub(crate) use std::sync::Arc;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
