//! Snapshots of live tasks: what `engine.tasks()`, `group.tasks()` and group errors report.

use std::fmt;
use std::sync::Arc;

use crate::{GroupId, TaskId};

/// Where a task is in its life, as seen by a snapshot.
///
/// # Examples
///
/// ```
/// use wove_executor::TaskState;
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let gate = wove_latch::Latch::new(1);
/// let held = gate.clone();
/// let running = engine.task().name("gatekeeper").spawn(move || held.wait());
/// while engine.tasks().iter().all(|t| t.state() != TaskState::Running) {
///     std::thread::yield_now();
/// }
/// gate.count_down().unwrap();
/// running.join().unwrap();
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// Spawned, not started yet.
    Queued,
    /// Its body has started (a future may be suspended between polls).
    Running,
    /// Its outcome is decided; its done-callbacks are running or about to.
    Completing,
    /// Finished: outcome stored, callbacks done.
    Finished,
}

/// A snapshot of one task: id, name, state, group and the task that spawned it. Its `Debug` output shows the
/// name, so printing `engine.tasks()` tells what is running.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let gate = wove_latch::Latch::new(1);
/// let held = gate.clone();
/// let task = engine.task().name("fetch").spawn(move || held.wait());
/// let listed = engine.tasks();
/// assert!(format!("{listed:?}").contains("\"fetch\""));
/// let info = listed.iter().find(|t| t.id() == task.id()).unwrap();
/// assert_eq!(info.name(), Some("fetch"));
/// assert_eq!(info.parent(), None); // spawned from outside the engine
/// gate.count_down().unwrap();
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[derive(Clone)]
pub struct TaskInfo {
    pub(crate) id: TaskId,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) state: TaskState,
    pub(crate) group: Option<GroupId>,
    pub(crate) parent: Option<TaskId>,
}

impl TaskInfo {
    /// The task's id.
    ///
    /// # Examples
    ///
    /// See [`TaskInfo`].
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if it was given one.
    ///
    /// # Examples
    ///
    /// See [`TaskInfo`].
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the task was when the snapshot was taken.
    ///
    /// # Examples
    ///
    /// See [`TaskState`].
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// The group tracking the task, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let group = engine.group();
    /// let gate = wove_latch::Latch::new(1);
    /// let held = gate.clone();
    /// group.spawn(move || held.wait());
    /// assert_eq!(group.tasks()[0].group(), Some(group.id()));
    /// gate.count_down().unwrap();
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn group(&self) -> Option<GroupId> {
        self.group
    }

    /// The task that spawned this one (from its body or one of its callbacks), if any.
    ///
    /// # Examples
    ///
    /// See [`TaskInfo`].
    pub fn parent(&self) -> Option<TaskId> {
        self.parent
    }

    /// "task 3 'name'", or "task 3" for an unnamed task.
    pub(crate) fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("task {} '{name}'", self.id),
            None => format!("task {}", self.id),
        }
    }
}

impl fmt::Debug for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id.as_u64())
            .field("name", &self.name.as_deref())
            .field("state", &self.state)
            .field("group", &self.group.map(GroupId::as_u64))
            .field("parent", &self.parent.map(TaskId::as_u64))
            .finish()
    }
}
