//! `TaskBuilder`: spawn with a name, done-callbacks in place before the task can finish, or untracked.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::error::{SpawnError, TaskError};
use crate::group::Group;
use crate::handle::Task;
use crate::scheduler::shared::Shared;
use crate::spawn::spec::{SpawnSpec, Tracking};
use crate::task::core::Callback;

/// Configures one task before it is spawned: from [`Engine::task`](crate::Engine::task) or
/// [`Group::task`](crate::Group::task).
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let (tx, rx) = mpsc::channel();
/// let task = engine
///     .task()
///     .name("fetch")
///     .on_done(move |outcome: &Result<u32, _>| tx.send(outcome.is_ok()).unwrap())
///     .spawn(|| 200);
/// assert_eq!(task.join().unwrap(), 200);
/// assert!(rx.recv().unwrap());
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[must_use = "a TaskBuilder does nothing until one of its spawn methods is called"]
pub struct TaskBuilder<T> {
    shared: Arc<Shared>,
    name: Option<Arc<str>>,
    callbacks: Vec<Callback<T>>,
    /// The group it spawns into (`None`: the spawner's, as `Tracking::Ambient`), unless `untracked`.
    group: Option<Group>,
    untracked: bool,
}

impl<T: Send + 'static> TaskBuilder<T> {
    pub(crate) fn new(shared: Arc<Shared>, group: Option<Group>) -> Self {
        Self { shared, name: None, callbacks: Vec::new(), group, untracked: false }
    }

    /// Names the task: shown by [`Task::name`], [`current_task`](crate::current_task), `engine.tasks()`, errors
    /// and traces.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let task = engine.task().name("MyTask").spawn(|| wove_executor::current_task().unwrap());
    /// assert_eq!(task.join().unwrap().name(), Some("MyTask"));
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(Arc::from(name));
        self
    }

    /// Adds a done-callback that is in place before the task can possibly finish (see [`Task::on_done`] for
    /// the rules). May be called several times; callbacks run in the order they were added.
    ///
    /// # Examples
    ///
    /// See [`TaskBuilder`].
    pub fn on_done(mut self, callback: impl FnOnce(&Result<T, TaskError>) + Send + 'static) -> Self {
        self.callbacks.push(Box::new(callback));
        self
    }

    /// Keeps the task out of any group, even when spawned from inside a group's task or callback.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let group = engine.group();
    /// let (tx, rx) = std::sync::mpsc::channel::<()>();
    /// let inner = engine.clone();
    /// group.spawn(move || {
    ///     // Outlives the group's wait: it is not a member.
    ///     inner.task().untracked().spawn(move || drop(rx.recv()));
    /// });
    /// group.wait().unwrap();
    /// drop(tx);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn untracked(mut self) -> Self {
        self.untracked = true;
        self
    }

    /// Spawns `func` as the task.
    ///
    /// # Panics
    ///
    /// If the engine is shut down; [`try_spawn`](Self::try_spawn) returns the closure instead.
    ///
    /// # Examples
    ///
    /// See [`TaskBuilder`].
    pub fn spawn<F>(self, func: F) -> Task<T>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.try_spawn(func).unwrap_or_else(|err| panic!("{err}"))
    }

    /// Spawns `func` as the task, or hands it back if the engine is shut down.
    ///
    /// # Errors
    ///
    /// [`SpawnError::is_shutdown`], with the closure inside, uncalled.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// engine.shutdown();
    /// let err = engine.task().name("late").try_spawn(|| 1).unwrap_err();
    /// assert_eq!((err.into_inner())(), 1);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn try_spawn<F>(self, func: F) -> Result<Task<T>, SpawnError<F>>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.launch(|shared, spec| shared.spawn_closure(spec, func).map(|spawned| Task::new(spawned, shared.clone())))
            .map_err(SpawnError::shutdown)
    }

    /// Spawns `func` as a task without a handle: [`spawn`](Self::spawn) followed by [`Task::detach`], but
    /// cheaper (see [`Engine::spawn_detached`](crate::Engine::spawn_detached)). Its done-callbacks still run.
    ///
    /// # Panics
    ///
    /// If the engine is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// engine
    ///     .task()
    ///     .name("report")
    ///     .on_done(move |outcome: &Result<u32, _>| tx.send(*outcome.as_ref().unwrap()).unwrap())
    ///     .spawn_detached(|| 7);
    /// assert_eq!(rx.recv().unwrap(), 7);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn spawn_detached<F>(self, func: F)
    where
        F: FnOnce() -> T + Send + 'static,
    {
        if self.launch(|shared, spec| shared.spawn_closure_detached(spec, func)).is_err() {
            SpawnError::panic_shutdown();
        }
    }

    /// Spawns `future` as the task.
    ///
    /// # Panics
    ///
    /// If the engine is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let task = engine.task().name("io").spawn_async(async { 5 });
    /// assert_eq!(task.join().unwrap(), 5);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn spawn_async<Fut>(self, future: Fut) -> Task<T>
    where
        Fut: Future<Output = T> + Send + 'static,
    {
        self.launch(|shared, spec| shared.spawn_future(spec, future).map(|spawned| Task::new(spawned, shared.clone())))
            .unwrap_or_else(|_| SpawnError::panic_shutdown())
    }

    /// Calls `spawn` with the engine and this builder's spawn spec.
    fn launch<R>(self, spawn: impl FnOnce(&Arc<Shared>, SpawnSpec<'_, T>) -> R) -> R {
        let Self { shared, name, callbacks, group, untracked } = self;
        let tracking = tracking(group.as_ref(), untracked);
        spawn(&shared, SpawnSpec { name, callbacks, tracking, follow_up: None, detached: false })
    }
}

/// How a builder's task is tracked: into `group`, or the spawner's group (`None`), unless `untracked`.
fn tracking(group: Option<&Group>, untracked: bool) -> Tracking<'_> {
    match (group, untracked) {
        (_, true) => Tracking::Untracked,
        (Some(group), false) => Tracking::Group(group.core()),
        (None, false) => Tracking::Ambient,
    }
}

impl<T> fmt::Debug for TaskBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskBuilder")
            .field("name", &self.name.as_deref())
            .field("callbacks", &self.callbacks.len())
            .field("tracking", &tracking(self.group.as_ref(), self.untracked))
            .finish()
    }
}
