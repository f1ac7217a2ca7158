//! A group's round — the count of its live tasks and their failures — and how tasks and workers refer to a
//! round and give its counts back without writing its lines on every task.
//!
//! # Protocol: round lifetime and held counts
//!
//! 1. **An open round keeps itself alive.** A round opens counting one task, with one strong reference that
//!    belongs to its open latch. The count-down that releases the latch — the one call
//!    [`Latch::count_down_by`] tells so — drops that reference. So a round is alive while its latch counts
//!    anything.
//! 2. **A task refers to its round without a reference count** ([`RoundRef`] in its header). The task is
//!    counted in the round from its admission to its release, so the round is open, and alive, in between;
//!    the header's reference is used only in between. What needs the round later — a handle's late
//!    done-callbacks and continuations — uses the counted reference the handle took at spawn, while the task
//!    was still counted. Listings read the group's id, which the header keeps by value.
//! 3. **Held counts.** A worker that releases a task keeps its count ([`HeldCounts`]) instead of counting the
//!    round down; a spawn on that worker into the same round takes a held count instead of adding one. The
//!    worker gives what it holds back in one count-down (a flush) before it runs anything that is not a member
//!    of that round — a task of another round or of none, a join half — and as soon as it finds no work, so
//!    before it spins, sleeps or parks in a blocking wait.
//!    - Never early: a held count is still in the latch.
//!    - Never late: while a worker holds counts of a round, it runs, or is about to run, a member of that
//!      round, which holds a count of its own; the round could not be released before that member finishes
//!      anyway (also if the member blocks meanwhile).
//!    - The flush that releases the round drops the latch's reference (step 1), and the worker forgets the
//!      round; a worker that holds counts may use its reference (its counts keep the round alive).
//!
//! Why: with an `Arc` and a latch count per task, every tracked task wrote the round's line four times — a
//! reference taken and a count added on the spawning core, a count given back and the reference dropped on
//! the finishing one — so the line bounced between the cores on every task. Now the spawning core adds a
//! count and the finishing cores write nothing until they flush. The measurements are in
//! `docs/decisions.md`.

use std::fmt;
use std::ptr::NonNull;
use std::sync::Weak;

use wove_latch::{Latch, LatchWait};

use crate::error::GroupError;
use crate::id::GroupId;
use crate::info::TaskInfo;
use crate::membership::group_core::GroupCore;
use crate::sync::{Arc, Mutex};

/// One round of a group: the count of its live tasks and their failures. Holds its group weakly, so a group
/// and its rounds never keep each other alive.
pub(crate) struct Round {
    id: GroupId,
    group: Weak<GroupCore>,
    latch: Latch,
    failures: Mutex<Vec<(TaskInfo, String)>>,
}

impl Round {
    /// A round that is already released: what an idle group holds before its first spawn.
    pub(crate) fn released(id: GroupId, group: Weak<GroupCore>) -> Arc<Self> {
        Arc::new(Self { id, group, latch: Latch::new(0), failures: Mutex::new(Vec::new()) })
    }

    /// Opens a round counting one task, which keeps itself alive while open (step 1).
    pub(crate) fn open(id: GroupId, group: Weak<GroupCore>) -> Arc<Self> {
        let round = Arc::new(Self { id, group, latch: Latch::new(1), failures: Mutex::new(Vec::new()) });
        // The open latch's reference: dropped by the count-down that releases it (`RoundRef::count_down`).
        let _ = Arc::into_raw(round.clone());
        round
    }

    /// The id of the round's group.
    pub(crate) fn group_id(&self) -> GroupId {
        self.id
    }

    /// The round's group, unless every handle to it is gone (then nobody can wait on it).
    pub(crate) fn group(&self) -> Option<Arc<GroupCore>> {
        self.group.upgrade()
    }

    /// Counts one more task in this round while it is open; false if it is released. (A worker that holds a
    /// count of this round uses that instead: `HeldCounts::take`, step 3.)
    pub(crate) fn try_admit(&self) -> bool {
        self.latch.add(1).is_ok()
    }

    /// A tracked task (or one of its callbacks) just failed: true if the group is fail-fast, and the caller must
    /// cancel its other tasks now, before the failure is published, so that nobody who sees the failure can see
    /// another member start after it.
    pub(crate) fn fails_fast(&self) -> bool {
        self.group().is_some_and(|group| group.is_fail_fast())
    }

    /// Records the failures of a member about to be released (`task` describes it).
    pub(crate) fn record_failures(&self, task: impl FnOnce() -> TaskInfo, failures: Vec<String>) {
        if !failures.is_empty() {
            let info = task();
            self.failures.lock().extend(failures.into_iter().map(|message| (info.clone(), message)));
        }
    }

    /// Records a failure that happened after its task was released (a late callback's panic).
    pub(crate) fn record_late_failure(&self, task: TaskInfo, message: String) {
        self.failures.lock().push((task, message));
    }

    /// The tasks counted now (a snapshot), held counts included: zero once the round is released.
    #[inline]
    pub(crate) fn live(&self) -> usize {
        self.latch.count()
    }

    /// A future that is ready once the round is released.
    pub(crate) fn wait_async(&self) -> LatchWait {
        self.latch.wait_async()
    }

    /// What a wait for this round reports once it is released.
    pub(crate) fn outcome(&self) -> Result<(), GroupError> {
        let failures = self.failures.lock();
        if failures.is_empty() { Ok(()) } else { Err(GroupError::failed(failures.clone())) }
    }
}

impl fmt::Debug for Round {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Round").field("group", &self.id).field("live", &self.latch.count()).finish()
    }
}

/// A reference to a round that holds no reference count (step 2): valid while the one who uses it holds a
/// count in the round's latch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RoundRef(NonNull<Round>);

// SAFETY: a `RoundRef` only gives out `&Round` (which is `Sync`), under the rule of `get`; it owns nothing.
unsafe impl Send for RoundRef {}
// SAFETY: as for `Send`.
unsafe impl Sync for RoundRef {}

impl RoundRef {
    pub(crate) fn new(round: &Round) -> Self {
        Self(NonNull::from(round))
    }

    /// The round.
    ///
    /// # Safety
    ///
    /// The caller holds a count in the round (a task between its admission and its release, or a worker's
    /// held counts) or a counted reference to it, for as long as it uses the returned reference.
    pub(crate) unsafe fn get<'a>(self) -> &'a Round {
        // SAFETY: the caller's count keeps the round open, and an open round keeps itself alive (step 1).
        unsafe { self.0.as_ref() }
    }

    /// A counted reference to the round, which outlives the caller's count.
    ///
    /// # Safety
    ///
    /// As for [`get`](Self::get).
    pub(crate) unsafe fn counted(self) -> Arc<Round> {
        let round = self.0.as_ptr().cast_const();
        // SAFETY: the round is alive (see `get`) and was made by `Arc::new` (`Round::open`): one more strong
        // count, owned by the returned `Arc`.
        unsafe {
            Arc::increment_strong_count(round);
            Arc::from_raw(round)
        }
    }

    /// Gives `n` counts back; the count-down that releases the round drops the open latch's reference.
    ///
    /// # Safety
    ///
    /// The caller holds `n` counts in the round and gives them up: it must not use this reference afterwards
    /// unless it holds more.
    pub(crate) unsafe fn count_down(self, n: usize) {
        // SAFETY: the caller's counts keep the round alive until this count-down.
        let latch = unsafe { &self.0.as_ref().latch };
        if latch.count_down_by(n).expect("a round is counted down only by counts it holds") {
            // SAFETY: this call released the latch, so the open latch's reference (`Round::open`) is dropped
            // here, once; nothing counted is left that could use the round through a `RoundRef`.
            drop(unsafe { Arc::from_raw(self.0.as_ptr().cast_const()) });
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    //! Round lifetime (step 1): of two workers giving their counts back at once, exactly one drops the open
    //! latch's reference, whatever the interleaving.

    use std::sync::{Arc, Weak};

    use loom::thread;

    use super::{Round, RoundRef};
    use crate::id::GroupId;
    use crate::membership::held::HeldCounts;

    #[test]
    fn exactly_one_release_drops_the_latch_reference() {
        loom::model(|| {
            let round = Round::open(GroupId::next(), Weak::new());
            assert!(round.try_admit(), "an open round admits");
            assert_eq!(Arc::strong_count(&round), 2, "the waiter's reference and the open latch's");
            let held = RoundRef::new(&round);
            let other = thread::spawn(move || {
                let counts = HeldCounts::new();
                // SAFETY: one of the two counts admitted above, handed to this thread.
                unsafe { counts.keep(held) };
                counts.flush();
            });
            // SAFETY: the other count.
            unsafe { held.count_down(1) };
            other.join().unwrap();
            assert!(round.live() == 0, "both counts are back");
            assert_eq!(Arc::strong_count(&round), 1, "the open latch's reference was dropped, once");
        });
    }
}
