//! `Task<T>`: the handle of a spawned task.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::error::{SpawnError, TaskError};
use crate::id::TaskId;
use crate::membership::round::Round;
use crate::scheduler::shared::Shared;
use crate::scheduler::wait::wait_for;
use crate::spawn::continuation::{HandleParts, spawn_continuation};
use crate::spawn::pipeline::Spawned;
use crate::sync::Arc;
use crate::task::core::{AsCore, Core};
use crate::task::header::TaskControl;

/// The handle of a spawned task: await it or [`join`](Self::join) it for the outcome, add done-callbacks,
/// cancel it, ask its id and name.
///
/// Dropping the handle **detaches** the task: it keeps running and its outcome is dropped (a panic nobody
/// can read goes to the engine's panic handler). Dropping never cancels; call [`cancel`](Self::cancel) for
/// that.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let task = engine.task().name("answer").spawn(|| 6 * 7);
/// assert_eq!(task.name(), Some("answer"));
/// assert_eq!(task.join().unwrap(), 42);
///
/// let later = engine.spawn_async(async { "from a future" });
/// let value = futures_lite::future::block_on(later).unwrap(); // `Task<T>` is a `Future`
/// assert_eq!(value, "from a future");
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[must_use = "dropping a Task detaches it: the task keeps running and its outcome is dropped"]
pub struct Task<T: Send + 'static> {
    cell: Arc<dyn AsCore<T>>,
    /// The engine, for the handle's own needs (late callbacks, disposing of an unread outcome). Held by the
    /// handle rather than the task, so its reference count moves on the spawner's thread only.
    engine: Arc<Shared>,
    /// The task's group round, counted: what the handle's late callbacks and continuations are tracked by,
    /// after the task itself may have given its count back (`round.rs`, step 2).
    round: Option<Arc<Round>>,
}

impl<T: Send + 'static> Task<T> {
    /// The handle of a task just spawned on `engine`.
    pub(crate) fn new(spawned: Spawned<T>, engine: Arc<Shared>) -> Self {
        Self { cell: spawned.cell, engine, round: spawned.round }
    }

    /// The engine's state, for the engine handle (`engine.rs`).
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.engine
    }

    fn core(&self) -> &Core<T> {
        self.cell.core()
    }

    /// Blocks until the task has finished (and its done-callbacks have run), then returns its outcome.
    /// Works on any thread. On a wove worker it runs queued jobs while it waits, so a task may join the
    /// tasks it spawned even on a one-worker engine.
    ///
    /// # Errors
    ///
    /// The task's [`TaskError`]: it panicked, or it was cancelled.
    ///
    /// # Warning
    ///
    /// Joining while holding a lock that the joined task (or any job the worker runs while helping) needs
    /// deadlocks, as with any blocking wait.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let parent = engine.spawn(|| {
    ///     let child = wove_executor::spawn(|| 20);
    ///     child.join().unwrap() + 1 // helps: runs the child on this same worker
    /// });
    /// assert_eq!(parent.join().unwrap(), 21);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn join(self) -> Result<T, TaskError> {
        let core = self.core();
        let mut poll = |waker: &Waker, register: bool| {
            if register || core.header.state.load().is_complete() { core.poll_join(waker) } else { Poll::Pending }
        };
        wait_for(&mut poll, None).expect("a wait without deadline returns a value")
    }

    /// Waits until the task has finished or `timeout` has passed, keeping the handle: true if it finished (then
    /// [`join`](Self::join) returns at once). On a wove worker it runs queued jobs while it waits, as
    /// [`join`](Self::join) does. asyncio's `wait_for` without giving up the task; for a future with a
    /// deadline, see [`timeout`](crate::timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let (open, gate) = std::sync::mpsc::channel::<()>();
    /// let task = engine.spawn(move || gate.recv().unwrap());
    /// assert!(!task.wait_timeout(Duration::from_millis(10)), "still waiting at its gate");
    /// open.send(()).unwrap();
    /// assert!(task.wait_timeout(Duration::from_secs(10)));
    /// task.join().unwrap();
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let core = self.core();
        let mut poll = |waker: &Waker, register: bool| {
            if register {
                core.poll_finished(waker)
            } else if core.header.state.load().is_complete() {
                core.poll_finished(Waker::noop())
            } else {
                Poll::Pending
            }
        };
        let finished = wait_for(&mut poll, Instant::now().checked_add(timeout)).is_some();
        // A wake lost to a second waiter on the same handle ends at the deadline: look once more.
        finished || core.poll_finished(Waker::noop()).is_ready()
    }

    /// True once the task has finished: outcome stored and its done-callbacks run.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let task = engine.spawn(|| 1);
    /// while !task.is_finished() {
    ///     std::thread::yield_now();
    /// }
    /// assert_eq!(task.join().unwrap(), 1);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn is_finished(&self) -> bool {
        self.core().header.state.load().is_complete()
    }

    /// Requests cancellation. A task that has not started never runs (its closure or future is dropped); a
    /// running future is dropped at its next `.await`; a running closure runs on unless it checks
    /// [`is_cancelled`](crate::is_cancelled), and its value is dropped. Returns `true` if the task will end
    /// as cancelled, `false` if its outcome was already decided (then nothing changes).
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let done = engine.spawn(|| 1);
    /// let value = loop {
    ///     if done.is_finished() {
    ///         break done;
    ///     }
    /// };
    /// assert!(!value.cancel()); // too late: changes nothing
    /// assert_eq!(value.join().unwrap(), 1);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn cancel(&self) -> bool {
        let cancelled = self.core().cancel();
        // A continuation's predecessors too (continuation protocol, step 4): iteratively, whatever the length.
        let mut upstream = self.cell.upstream();
        while let Some(task) = upstream {
            task.cancel();
            upstream = task.upstream();
        }
        cancelled
    }

    /// The task's id, unique for the life of the process.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let task = engine.spawn(|| wove_executor::current_task().unwrap().id());
    /// let id = task.id();
    /// assert_eq!(task.join().unwrap(), id);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn id(&self) -> TaskId {
        self.core().header.id
    }

    /// The task's name, if it was given one with [`TaskBuilder::name`](crate::TaskBuilder::name).
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// assert_eq!(engine.task().name("MyTask").spawn(|| ()).name(), Some("MyTask"));
    /// assert_eq!(engine.spawn(|| ()).name(), None);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.core().header.name.as_deref()
    }

    /// Adds a done-callback: it runs exactly once with the outcome — success, panic or cancellation — on an
    /// engine worker, after the outcome is stored, before the task's group is released, in registration
    /// order. Registered after the task finished, it is scheduled as a job (never run on this thread) and is
    /// tracked by the task's group. A panicking callback does not stop the others and does not change the
    /// outcome; its panic goes to the panic handler and the group. Tasks spawned inside a callback join the
    /// task's group.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let (tx, rx) = mpsc::channel();
    /// let task = engine.spawn(|| 7);
    /// task.on_done(move |outcome| tx.send(*outcome.as_ref().unwrap()).unwrap());
    /// assert_eq!(rx.recv().unwrap(), 7);
    /// assert_eq!(task.join().unwrap(), 7); // the outcome is still there for the handle
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn on_done(&self, callback: impl FnOnce(&Result<T, TaskError>) + Send + 'static) {
        self.core().on_done(&self.cell, self.round.as_deref(), Box::new(callback), &self.engine);
    }

    /// Spawns `body` to run once this task has finished — after its done-callbacks — with its outcome, as a new
    /// task tracked by this task's group. An `Err` that `body` returns becomes the new task's outcome as is, so
    /// a chain carries the first failure (naming the task that failed) to its end. Cancelling the new task
    /// before it starts also cancels this one, if it has not started either. The body runs on a worker —
    /// usually the one that finished this task, next — never on the calling thread, even if this task has
    /// already finished. The building block of `wove-chain`'s `then`, `recover` and friends.
    ///
    /// # Panics
    ///
    /// If the engine is shut down and idle (nothing could run the continuation).
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let parsed = engine.spawn(|| "41").continue_with(|text| Ok(text?.parse::<u32>().unwrap() + 1));
    /// assert_eq!(parsed.join().unwrap(), 42);
    ///
    /// let failed = engine.task().name("fetch").spawn(|| -> u32 { panic!("offline") });
    /// let carried = failed.continue_with(|outcome| outcome.map(|n| n + 1)).join().unwrap_err();
    /// assert!(carried.is_panic());
    /// assert_eq!(carried.name(), Some("fetch")); // still names the task that failed
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn continue_with<U, F>(self, body: F) -> Task<U>
    where
        U: Send + 'static,
        F: FnOnce(Result<T, TaskError>) -> Result<U, TaskError> + Send + 'static,
    {
        match spawn_continuation(self.into_parts(), body) {
            Ok((spawned, engine)) => Task::new(spawned, engine),
            Err(predecessor) => {
                // Refused: the predecessor's handle is put back together and dropped, which detaches it.
                drop(Self::from_parts(predecessor));
                SpawnError::panic_shutdown()
            }
        }
    }

    /// Takes the handle apart without detaching the task: for a continuation, which takes the outcome over.
    fn into_parts(self) -> HandleParts<T> {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: each field is read once and `this` is never used or dropped again, so each value is moved out
        // exactly once.
        unsafe {
            HandleParts {
                cell: std::ptr::read(&this.cell),
                engine: std::ptr::read(&this.engine),
                round: std::ptr::read(&this.round),
            }
        }
    }

    /// Puts a handle taken apart back together.
    fn from_parts(parts: HandleParts<T>) -> Self {
        Self { cell: parts.cell, engine: parts.engine, round: parts.round }
    }

    /// Lets the task run on without a handle: the same as dropping it, said out loud. The task is not
    /// cancelled, and it stays in its group. (Leaving a group is the builder's
    /// [`untracked`](crate::TaskBuilder::untracked) — a different word on purpose.) Where the handle is never
    /// needed, [`Engine::spawn_detached`](crate::Engine::spawn_detached) and its siblings do the same without
    /// making it, which is cheaper.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let group = engine.group();
    /// group.spawn(|| ()).detach();
    /// group.wait().unwrap(); // still tracked
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn detach(self) {}
}

impl<T: Send + 'static> Drop for Task<T> {
    fn drop(&mut self) {
        self.core().detach(&self.engine);
    }
}

impl<T: Send + 'static> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.core().poll_join(cx.waker())
    }
}

impl<T: Send + 'static> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Task").field(&self.core().header.info()).finish()
    }
}

// As for `Engine`: a task's shared state is consistent across any panic of its body or callbacks.
impl<T: Send + 'static> std::panic::UnwindSafe for Task<T> {}
impl<T: Send + 'static> std::panic::RefUnwindSafe for Task<T> {}
