//! Task and group identifiers: unique for the life of the process, never reused.

use std::cell::Cell;
use std::fmt;
use std::num::NonZero;

use crate::sync::{AtomicU64, Ordering};

static NEXT_TASK: AtomicU64 = AtomicU64::new(1);
static NEXT_GROUP: AtomicU64 = AtomicU64::new(1);

/// Task ids are handed to each thread in blocks, so spawning from every core does not contend on one counter.
const BLOCK: u64 = 1024;

/// Identifies a task for the life of the process; ids are never reused.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let a = engine.spawn(|| ());
/// let b = engine.spawn(|| ());
/// assert_ne!(a.id(), b.id());
/// assert_eq!(a.id().to_string(), format!("{}", a.id().as_u64()));
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(NonZero<u64>);

impl TaskId {
    /// The next id from a thread's `block` (the next id and the end of the block), refilled from the global
    /// counter when used up.
    pub(crate) fn next_from(block: &Cell<(u64, u64)>) -> Self {
        let (mut next, mut end) = block.get();
        if next == end {
            next = NEXT_TASK.fetch_add(BLOCK, Ordering::Relaxed);
            end = next + BLOCK;
        }
        block.set((next + 1, end));
        // Non-zero (ids start at 1), so that an `Option<TaskId>` — a task's parent — costs one word.
        Self(NonZero::new(next).expect("task ids start at 1"))
    }

    /// The id as a number.
    ///
    /// # Examples
    ///
    /// See [`TaskId`].
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Identifies a [`Group`](crate::Group) for the life of the process.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// assert_ne!(engine.group().id(), engine.group().id());
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupId(u64);

impl GroupId {
    pub(crate) fn next() -> Self {
        Self(NEXT_GROUP.fetch_add(1, Ordering::Relaxed))
    }

    /// The id as a number.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// assert!(engine.group().id().as_u64() > 0);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
