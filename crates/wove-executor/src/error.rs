//! The errors of the engine: a task's failure, a rejected spawn, a bad build, a failed group wait.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{TaskId, TaskInfo};

/// Why a task has no value: it panicked, or it was cancelled. Opaque; ask with the predicates.
///
/// Its `Display` names the task: `task 42 'fetch' panicked: boom`, `task 7 was cancelled`.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(1).panic_handler(|_| {}).build()?;
/// let task = engine.task().name("fetch").spawn(|| -> u32 { panic!("boom") });
/// let id = task.id();
/// let err = task.join().unwrap_err();
/// assert!(err.is_panic());
/// assert_eq!(err.task_id(), id);
/// assert_eq!(err.to_string(), format!("task {id} 'fetch' panicked: boom"));
/// assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub struct TaskError(Box<Failure>);

/// What a [`TaskError`] says, boxed: a task's outcome slot holds `Result<T, TaskError>`, and a failure is rare,
/// so it costs one pointer there.
struct Failure {
    task_id: TaskId,
    name: Option<Arc<str>>,
    kind: Kind,
}

enum Kind {
    Panic(Box<dyn Any + Send>),
    CallbackPanic(Box<dyn Any + Send>),
    Cancelled,
    /// Still running when its engine's shutdown timed out; its thread was left detached.
    Abandoned,
}

impl TaskError {
    pub(crate) fn panic(task_id: TaskId, name: Option<Arc<str>>, payload: Box<dyn Any + Send>) -> Self {
        Self(Box::new(Failure { task_id, name, kind: Kind::Panic(payload) }))
    }

    pub(crate) fn callback_panic(task_id: TaskId, name: Option<Arc<str>>, payload: Box<dyn Any + Send>) -> Self {
        Self(Box::new(Failure { task_id, name, kind: Kind::CallbackPanic(payload) }))
    }

    pub(crate) fn cancelled(task_id: TaskId, name: Option<Arc<str>>) -> Self {
        Self(Box::new(Failure { task_id, name, kind: Kind::Cancelled }))
    }

    pub(crate) fn abandoned(task_id: TaskId, name: Option<Arc<str>>) -> Self {
        Self(Box::new(Failure { task_id, name, kind: Kind::Abandoned }))
    }

    /// True if the task (or, for errors given to the panic handler, one of its done-callbacks) panicked.
    ///
    /// # Examples
    ///
    /// See [`TaskError`].
    pub fn is_panic(&self) -> bool {
        matches!(self.0.kind, Kind::Panic(_) | Kind::CallbackPanic(_))
    }

    /// True if the task was cancelled before it produced a value.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let (open, gate) = std::sync::mpsc::channel::<()>();
    /// engine.spawn(move || gate.recv()); // occupies the only worker (a plain, non-helping block)
    /// let task = engine.spawn(|| 1);
    /// assert!(task.cancel());
    /// open.send(()).unwrap();
    /// let err = task.join().unwrap_err();
    /// assert!(err.is_cancelled());
    /// assert_eq!(err.to_string(), format!("task {} was cancelled", err.task_id()));
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.0.kind, Kind::Cancelled)
    }

    /// True if the task was still running when its engine's shutdown timed out, and its thread was left
    /// detached (only the panic handler sees these: see [`Builder::shutdown_timeout`](crate::Builder::shutdown_timeout)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Duration;
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let sink = seen.clone();
    /// let engine = wove_executor::Engine::builder()
    ///     .threads(1)
    ///     .shutdown_timeout(Duration::from_millis(50))
    ///     .panic_handler(move |error| sink.lock().unwrap().push(error))
    ///     .build()?;
    /// let (started, running) = std::sync::mpsc::channel();
    /// engine.task().name("stubborn").spawn_detached(move || {
    ///     started.send(()).unwrap();
    ///     std::thread::sleep(Duration::from_secs(2)); // ignores wove_executor::is_cancelled()
    /// });
    /// running.recv().unwrap();
    /// drop(engine); // returns after about 150 ms
    /// let seen = seen.lock().unwrap();
    /// assert!(seen[0].is_abandoned());
    /// assert_eq!(seen[0].name(), Some("stubborn"));
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn is_abandoned(&self) -> bool {
        matches!(self.0.kind, Kind::Abandoned)
    }

    /// The id of the task that failed.
    ///
    /// # Examples
    ///
    /// See [`TaskError`].
    pub fn task_id(&self) -> TaskId {
        self.0.task_id
    }

    /// The name of the task that failed, if it had one.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).panic_handler(|_| {}).build()?;
    /// let err = engine.task().name("parse").spawn(|| panic!("bad input")).join().unwrap_err();
    /// assert_eq!(err.name(), Some("parse"));
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The panic payload, to re-raise with `std::panic::resume_unwind` or to inspect.
    ///
    /// # Panics
    ///
    /// If the error is a cancellation (check [`is_panic`](Self::is_panic) first).
    ///
    /// # Examples
    ///
    /// See [`TaskError`].
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        match self.0.kind {
            Kind::Panic(payload) | Kind::CallbackPanic(payload) => payload,
            Kind::Cancelled | Kind::Abandoned => panic!("into_panic on an error that is not a panic ({self:?})"),
        }
    }

    /// The panic message, if the payload is a string; used by `Display` and group errors.
    pub(crate) fn message(&self) -> String {
        let describe = |what: &str, payload: &Box<dyn Any + Send>| match panic_message(payload) {
            Some(text) => format!("{what}: {text}"),
            None => what.to_string(),
        };
        match &self.0.kind {
            Kind::Panic(payload) => describe("panicked", payload),
            Kind::CallbackPanic(payload) => describe("done-callback panicked", payload),
            Kind::Cancelled => "was cancelled".to_string(),
            Kind::Abandoned => "was still running when its engine shut down; its thread was left detached".to_string(),
        }
    }
}

/// The text of a panic payload made by `panic!` with a message.
pub(crate) fn panic_message(payload: &Box<dyn Any + Send>) -> Option<&str> {
    payload.downcast_ref::<&str>().copied().or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.0.task_id)?;
        if let Some(name) = &self.0.name {
            write!(f, " '{name}'")?;
        }
        write!(f, " {}", self.message())
    }
}

impl fmt::Debug for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TaskError").field(&format_args!("{self}")).finish()
    }
}

impl std::error::Error for TaskError {}

/// A spawn on an engine that is shut down. Hands the rejected closure (or future) back, uncalled.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// engine.shutdown();
/// let err = engine.try_spawn(|| 42).unwrap_err();
/// assert!(err.is_shutdown());
/// assert_eq!(err.to_string(), "spawn on an engine that is shut down");
/// let f = err.into_inner();
/// assert_eq!(f(), 42);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub struct SpawnError<F> {
    rejected: F,
}

impl SpawnError<()> {
    /// What a spawn method that returns no `Result` does on a shut-down engine.
    pub(crate) fn panic_shutdown() -> ! {
        panic!("{}", SpawnError::shutdown(()))
    }
}

impl<F> SpawnError<F> {
    pub(crate) fn shutdown(rejected: F) -> Self {
        Self { rejected }
    }

    /// True if the engine was shut down (the only reason a spawn is rejected today).
    ///
    /// # Examples
    ///
    /// See [`SpawnError`].
    pub fn is_shutdown(&self) -> bool {
        true
    }

    /// The closure or future that was not spawned.
    ///
    /// # Examples
    ///
    /// See [`SpawnError`].
    pub fn into_inner(self) -> F {
        self.rejected
    }
}

impl<F> fmt::Display for SpawnError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("spawn on an engine that is shut down")
    }
}

impl<F> fmt::Debug for SpawnError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpawnError").finish_non_exhaustive()
    }
}

impl<F> std::error::Error for SpawnError<F> {}

/// An engine configuration that cannot be built.
///
/// # Examples
///
/// ```
/// let err = wove_executor::Engine::builder().threads(0).build().unwrap_err();
/// assert_eq!(err.to_string(), "an engine needs at least 1 thread, got threads(0)");
/// ```
#[derive(Debug)]
pub struct BuildError {
    kind: BuildKind,
}

#[derive(Debug)]
enum BuildKind {
    ZeroThreads,
    BadThreadsVariable(String),
    Spawn(std::io::Error),
}

impl BuildError {
    pub(crate) fn zero_threads() -> Self {
        Self { kind: BuildKind::ZeroThreads }
    }

    pub(crate) fn bad_threads_variable(value: String) -> Self {
        Self { kind: BuildKind::BadThreadsVariable(value) }
    }

    pub(crate) fn spawn(error: std::io::Error) -> Self {
        Self { kind: BuildKind::Spawn(error) }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            BuildKind::ZeroThreads => f.write_str("an engine needs at least 1 thread, got threads(0)"),
            BuildKind::BadThreadsVariable(value) => {
                write!(f, "WOVE_THREADS must be a whole number of at least 1, got {value:?}")
            }
            BuildKind::Spawn(error) => write!(f, "could not start a worker thread: {error}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            BuildKind::Spawn(error) => Some(error),
            _ => None,
        }
    }
}

/// Why a [`Group`](crate::Group) wait did not end cleanly: members failed, the timeout passed, or a member
/// waited on its own group.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(1).panic_handler(|_| {}).build()?;
/// let group = engine.group();
/// let id = group.task().name("bad").spawn(|| panic!("oops")).id();
/// let err = group.wait().unwrap_err();
/// assert!(err.is_failed());
/// assert_eq!(err.tasks()[0].id(), id);
/// assert_eq!(err.to_string(), format!("1 task of the group failed: task {id} 'bad' panicked: oops"));
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct GroupError {
    kind: GroupKind,
}

#[derive(Debug, Clone)]
enum GroupKind {
    Failed(Vec<(TaskInfo, String)>),
    Timeout(Duration, Vec<TaskInfo>),
    SelfWait(TaskInfo),
}

impl GroupError {
    pub(crate) fn failed(failures: Vec<(TaskInfo, String)>) -> Self {
        Self { kind: GroupKind::Failed(failures) }
    }

    pub(crate) fn timeout(after: Duration, running: Vec<TaskInfo>) -> Self {
        Self { kind: GroupKind::Timeout(after, running) }
    }

    pub(crate) fn self_wait(member: TaskInfo) -> Self {
        Self { kind: GroupKind::SelfWait(member) }
    }

    /// True if members of the group panicked (or were cancelled by a fail-fast group).
    ///
    /// # Examples
    ///
    /// See [`GroupError`].
    pub fn is_failed(&self) -> bool {
        matches!(self.kind, GroupKind::Failed(_))
    }

    /// True if `wait_timeout` gave up with members still running.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let group = engine.group();
    /// let gate = wove_latch::Latch::new(1);
    /// let held = gate.clone();
    /// let id = group.task().name("slow").spawn(move || held.wait()).id();
    /// let err = group.wait_timeout(Duration::from_millis(10)).unwrap_err();
    /// assert!(err.is_timeout());
    /// assert_eq!(err.to_string(), format!("group wait timed out after 10ms; still running: task {id} 'slow'"));
    /// gate.count_down().unwrap();
    /// group.wait().unwrap();
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, GroupKind::Timeout(..))
    }

    /// True if a member of the group called `wait` on it: it would have waited for itself forever.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let group = engine.group();
    /// let inner = group.clone();
    /// let err = group.spawn(move || inner.wait().unwrap_err()).join().unwrap();
    /// assert!(err.is_self_wait());
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn is_self_wait(&self) -> bool {
        matches!(self.kind, GroupKind::SelfWait(_))
    }

    /// The tasks concerned: those that failed, those still running at the timeout, or the member that waited.
    ///
    /// # Examples
    ///
    /// See [`GroupError`].
    pub fn tasks(&self) -> Vec<TaskInfo> {
        match &self.kind {
            GroupKind::Failed(failures) => failures.iter().map(|(info, _)| info.clone()).collect(),
            GroupKind::Timeout(_, running) => running.clone(),
            GroupKind::SelfWait(member) => vec![member.clone()],
        }
    }
}

impl fmt::Display for GroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            GroupKind::Failed(failures) => {
                let n = failures.len();
                write!(f, "{n} task{} of the group failed: ", if n == 1 { "" } else { "s" })?;
                for (i, (info, message)) in failures.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    write!(f, "{sep}{} {message}", info.label())?;
                }
                Ok(())
            }
            GroupKind::Timeout(after, running) => {
                write!(f, "group wait timed out after {after:?}; still running: ")?;
                for (i, info) in running.iter().enumerate() {
                    write!(f, "{}{}", if i == 0 { "" } else { ", " }, info.label())?;
                }
                Ok(())
            }
            GroupKind::SelfWait(member) => {
                write!(f, "{} waited on its own group, which would wait for it forever", member.label())
            }
        }
    }
}

impl std::error::Error for GroupError {}
