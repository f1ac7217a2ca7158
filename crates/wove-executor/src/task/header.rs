//! The part of a task that every layer may see, whatever its output type: its header (identity, tracking, the
//! state word, its registration) and [`TaskControl`], the type-erased view of a task that the registry, groups
//! and listings act on.

use std::any::Any;

use crate::error::TaskError;
use crate::id::{GroupId, TaskId};
use crate::info::{TaskInfo, TaskState};
use crate::membership::round::{Round, RoundRef};
use crate::sync::Arc;
use crate::task::registration::Registration;
use crate::task::state::State;
use crate::trace::What;

/// What every task has, whatever its output type: identity, tracking and the state word.
pub(crate) struct Header {
    pub(crate) id: TaskId,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) parent: Option<TaskId>,
    /// The group of the task's round, for listings: readable at any time, unlike `round`.
    pub(crate) group: Option<GroupId>,
    /// The group round that counts this task, if it is tracked: valid from its admission to its release only
    /// (`round.rs`, step 2).
    pub(crate) round: Option<RoundRef>,
    pub(crate) state: State,
    /// How the engine's registry keeps this task (set once, when it registers the task).
    pub(crate) registration: Registration,
}

impl Header {
    pub(crate) fn info(&self) -> TaskInfo {
        let bits = self.state.load();
        let state = if bits.is_complete() {
            TaskState::Finished
        } else if bits.is_decided() {
            TaskState::Completing
        } else if bits.is_running() {
            TaskState::Running
        } else {
            TaskState::Queued
        };
        TaskInfo { id: self.id, name: self.name.clone(), state, group: self.group, parent: self.parent }
    }

    /// What a trace shows for this task.
    pub(crate) fn traced(&self) -> What {
        What::Task { id: self.id, name: self.name.clone() }
    }

    pub(crate) fn is_cancel_requested(&self) -> bool {
        self.state.load().is_cancel_requested()
    }

    pub(crate) fn error_cancelled(&self) -> TaskError {
        TaskError::cancelled(self.id, self.name.clone())
    }

    pub(crate) fn error_panic(&self, payload: Box<dyn Any + Send>) -> TaskError {
        TaskError::panic(self.id, self.name.clone(), payload)
    }

    /// The task's round, while the task is counted in it.
    ///
    /// # Safety
    ///
    /// The task has not been released: the caller is its spawner (before it is queued) or runs it (before
    /// `EngineHooks::released`), or it is the current task of the calling thread.
    pub(crate) unsafe fn round(&self) -> Option<&Round> {
        // SAFETY: the task is counted in its round until its release (`round.rs`, step 2).
        self.round.map(|round| unsafe { round.get() })
    }

    /// A counted reference to the task's round, for its handle: what outlives the task's count.
    ///
    /// # Safety
    ///
    /// As for [`round`](Self::round).
    pub(crate) unsafe fn counted_round(&self) -> Option<Arc<Round>> {
        // SAFETY: as above.
        self.round.map(|round| unsafe { round.counted() })
    }
}

/// The type-erased view of a task used by the registry, groups and the current-task context.
pub(crate) trait TaskControl: Send + Sync {
    fn header(&self) -> &Header;
    fn cancel(&self) -> bool;
    /// The task this one continues, for cancelling a chain from its tail (continuations only).
    fn upstream(&self) -> Option<Arc<dyn TaskControl>> {
        None
    }
    /// True for a future task (a shutdown cancels futures that nothing will wake: `scheduler/shutdown.rs`).
    fn is_future(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod test_support {
    use super::{Registration, State};

    impl super::Header {
        /// The header of a task of no group, spawned by nobody, not yet registered: for unit tests and models.
        pub(crate) fn for_tests() -> Self {
            Self {
                id: crate::task::current::next_task_id(),
                name: None,
                parent: None,
                group: None,
                round: None,
                state: State::new(false),
                registration: Registration::new(),
            }
        }
    }
}
