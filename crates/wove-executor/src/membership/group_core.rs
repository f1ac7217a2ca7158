//! A group's membership state, without its engine: its id, its fail-fast flag and its current round — the
//! round that new members join, and that a wait waits for. What a `Group` handle adds is the engine (to spawn
//! into, and to list and cancel members).
//!
//! # Protocol: group release
//!
//! A group runs in rounds. A `Round` holds a [`Latch`](wove_latch::Latch) with one count per live tracked
//! task, and that round's failures. Each tracked task's header refers to its round (`round.rs`).
//!
//! 1. Admission from outside the group (a spawn into it from a thread or task that is not a member): under the
//!    group's lock, add a count to the current round's latch; if that latch is already released, the group was
//!    idle, so start a new round (a fresh latch and failure list) counting this task.
//! 2. Admission from inside (a member's body or callback spawns): add a count to the *spawning member's*
//!    round, without the lock. That round is still open, because the spawning member holds its own count.
//! 3. Release (after the task's body and all its callbacks ran): record its failures in its round, then give
//!    its count back — at once, or as a count that its worker holds while it runs more of the round's members
//!    (`round.rs`, step 3). The last count releases the round. (A fail-fast group cancels its other tasks earlier:
//!    the moment a failure is decided, before it is published.)
//! 4. A wait takes the current round under the lock, waits on its latch (running queued jobs if on a worker),
//!    then reports that round's failures. A late done-callback on a finished member is admitted like a spawn
//!    from outside (step 1), so a wait that starts after it was registered waits for it.
//!
//! Why never early: every count is taken before the spawn that needs it, while the spawner's own count keeps
//! the round open, and given back only after the task is entirely done (step 3); so zero means nothing
//! tracked is left.

use std::sync::Weak;

use crate::id::GroupId;
use crate::info::TaskInfo;
use crate::membership::round::{Round, RoundRef};
use crate::sync::{Arc, AtomicBool, Mutex, Ordering};

/// A group's id, fail-fast flag and current round.
pub(crate) struct GroupCore {
    /// The group's id, for listings and for admissions through held counts.
    id: GroupId,
    fail_fast: AtomicBool,
    /// The current (or last) round; an idle group's round is released.
    current: Mutex<Arc<Round>>,
}

impl std::fmt::Debug for GroupCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCore").field("id", &self.id).field("round", &*self.current.lock()).finish()
    }
}

impl GroupCore {
    /// A new group, idle: its current round is already released.
    pub(crate) fn new() -> Arc<Self> {
        let id = GroupId::next();
        Arc::new_cyclic(|weak: &Weak<Self>| Self {
            id,
            fail_fast: AtomicBool::new(false),
            current: Mutex::new(Round::released(id, weak.clone())),
        })
    }

    pub(crate) fn id(&self) -> GroupId {
        self.id
    }

    pub(crate) fn is_fail_fast(&self) -> bool {
        self.fail_fast.load(Ordering::Relaxed)
    }

    pub(crate) fn set_fail_fast(&self) {
        self.fail_fast.store(true, Ordering::Relaxed);
    }

    /// The round a wait started now waits for.
    pub(crate) fn current_round(&self) -> Arc<Round> {
        self.current.lock().clone()
    }

    /// The members counted now (a snapshot).
    pub(crate) fn live(&self) -> usize {
        self.current.lock().live()
    }

    /// Counts a new member (protocol steps 1 and 2): in `spawner`'s round if that is this group's and still
    /// open (a continuation's predecessor may have finished already); else in the current round under the lock,
    /// opening a fresh one if it is released. The round is open while the member is counted. (A worker that
    /// holds counts of the group's current round takes one of those instead: `HeldCounts::take_of_group`.)
    pub(crate) fn admit(self: &Arc<Self>, spawner: Option<&Round>) -> RoundRef {
        if let Some(round) = spawner.filter(|round| round.group_id() == self.id) {
            if round.try_admit() {
                return RoundRef::new(round);
            }
        }
        let mut current = self.current.lock();
        if !current.try_admit() {
            *current = Round::open(self.id, Arc::downgrade(self));
        }
        RoundRef::new(&current)
    }

    /// Records a failure that happened after its task was released (a late done-callback's panic) in the
    /// current round; true if the group is fail-fast, and the caller must cancel its other members.
    pub(crate) fn record_failure(&self, task: TaskInfo, message: String) -> bool {
        self.current_round().record_late_failure(task, message);
        self.is_fail_fast()
    }
}
