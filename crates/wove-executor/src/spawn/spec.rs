//! What a spawn asks for besides its body: a name, done-callbacks, and how the new task is tracked.

use crate::id::TaskId;
use crate::membership::group_core::GroupCore;
use crate::membership::round::Round;
use crate::sync::Arc;
use crate::task::core::Callback;

/// How a new task is tracked. Borrows the group, so that a spawn into a group touches no reference count of it.
#[derive(Debug)]
pub(crate) enum Tracking<'g> {
    /// The group of the task (or callback) that spawns it, if any.
    Ambient,
    /// No group.
    Untracked,
    /// This group.
    Group(&'g Arc<GroupCore>),
    /// The group of the task a continuation follows (that task's round, from its handle), if it is tracked.
    After(Option<&'g Arc<Round>>),
}

/// Everything about a spawn but its body.
pub(crate) struct SpawnSpec<'g, T> {
    pub(crate) name: Option<Arc<str>>,
    pub(crate) callbacks: Vec<Callback<T>>,
    pub(crate) tracking: Tracking<'g>,
    /// Set for follow-up work of an existing task (a late done-callback): its parent, and accepted while the
    /// engine is closing.
    pub(crate) follow_up: Option<TaskId>,
    /// Born detached: no handle is made (`Shared::spawn_closure_detached`).
    pub(crate) detached: bool,
}

impl<'g, T> SpawnSpec<'g, T> {
    /// No name, no callbacks, ambient tracking.
    pub(crate) fn plain() -> Self {
        Self::tracked(Tracking::Ambient)
    }

    /// No name, no callbacks.
    pub(crate) fn tracked(tracking: Tracking<'g>) -> Self {
        Self { name: None, callbacks: Vec::new(), tracking, follow_up: None, detached: false }
    }

    /// Follow-up work of task `parent` (a continuation, late done-callbacks): no name, no callbacks.
    pub(crate) fn follow_up(tracking: Tracking<'g>, parent: TaskId) -> Self {
        Self { follow_up: Some(parent), ..Self::tracked(tracking) }
    }
}
