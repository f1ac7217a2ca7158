//! A worker's held counts: counts of one group round that no task holds, kept by the worker that released
//! the tasks, so that the cores finishing a round's members do not write its line per task (the round
//! protocol, step 3, in `round.rs`).

use std::cell::Cell;

use crate::id::GroupId;
use crate::membership::round::{Round, RoundRef};

/// A worker's held counts (step 3): counts in one round's latch that no task holds. It has no `Drop` (a worker
/// gives its counts back before it exits), so the thread-local that holds it costs nothing to reach.
#[derive(Debug)]
pub(crate) struct HeldCounts(Cell<Option<(RoundRef, usize)>>);

impl HeldCounts {
    pub(crate) const fn new() -> Self {
        Self(Cell::new(None))
    }

    /// A task of `round` was released on this worker: keeps its count.
    ///
    /// # Safety
    ///
    /// The caller hands over a count it holds in `round` (the released task's).
    pub(crate) unsafe fn keep(&self, round: RoundRef) {
        match self.0.get() {
            Some((held, n)) if held == round => self.0.set(Some((held, n + 1))),
            _ => {
                self.flush();
                self.0.set(Some((round, 1)));
            }
        }
    }

    /// Takes a held count of `round` for a task spawned into it, if there is one.
    pub(crate) fn take(&self, round: RoundRef) -> bool {
        match self.0.get() {
            Some((held, n)) if held == round => {
                self.0.set((n > 1).then_some((held, n - 1)));
                true
            }
            _ => false,
        }
    }

    /// Takes a held count of the current round of group `group`, if there is one: a round with held counts is
    /// open, so it is its group's current round.
    pub(crate) fn take_of_group(&self, group: GroupId) -> Option<RoundRef> {
        let (held, _) = self.0.get()?;
        // SAFETY: this holds counts of `held`.
        let of_group = unsafe { held.get() }.group_id() == group;
        (of_group && self.take(held)).then_some(held)
    }

    /// The worker is about to run a task of `round` (`None`: an untracked one): gives back the counts of any
    /// other round.
    #[inline(always)]
    pub(crate) fn entering(&self, round: Option<RoundRef>) {
        if let Some((held, _)) = self.0.get() {
            if Some(held) != round {
                self.flush();
            }
        }
    }

    /// If the counts held are all that is left of `round` (`live`, read just before), gives them back (which
    /// releases it) and returns true.
    #[inline]
    pub(crate) fn give_back_if_all_of(&self, round: &Round, live: usize) -> bool {
        match self.0.get() {
            Some((held, n)) if held == RoundRef::new(round) && n == live => {
                self.flush();
                true
            }
            _ => false,
        }
    }

    /// Gives every held count back.
    #[inline(never)]
    pub(crate) fn flush(&self) {
        if let Some((held, n)) = self.0.take() {
            // SAFETY: these are counts this holds (`keep`), given up here and forgotten.
            unsafe { held.count_down(n) };
        }
    }
}
