//! The guard that holds one count of a latch and gives it back on drop.

use std::fmt;

use crate::Latch;

/// Holds one count of a [`Latch`], taken by [`Latch::guard`], and counts it down when dropped — including
/// while unwinding from a panic. `Send`, so it can travel into the thread or task doing the counted work.
///
/// If the latch's owner already counted the latch down past this guard's share (a misuse: the count belongs
/// to the guard), the guard's own count-down finds zero and is ignored rather than panicking inside `drop`.
///
/// # Examples
///
/// ```
/// let latch = wove_latch::Latch::new(1);
/// let guard = latch.guard()?;
/// assert_eq!(latch.count(), 2);
/// drop(guard);
/// assert_eq!(latch.count(), 1);
/// # Ok::<(), wove_latch::LatchError>(())
/// ```
#[must_use = "dropping the guard counts the latch down at once"]
pub struct LatchGuard {
    latch: Latch,
}

impl LatchGuard {
    pub(crate) fn new(latch: Latch) -> Self {
        Self { latch }
    }
}

impl Drop for LatchGuard {
    fn drop(&mut self) {
        // Err only after a misuse described in the type's docs; there is nothing left to give back then.
        let _ = self.latch.count_down();
    }
}

impl fmt::Debug for LatchGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LatchGuard").field("latch", &self.latch).finish()
    }
}
