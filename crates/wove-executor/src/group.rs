//! `Group`: the completion latch for task trees — asyncio's "wait until everything, including follow-ups
//! spawned from callbacks, is finished", without a global `Event`.
//!
//! # Protocol: group release
//!
//! A group runs in rounds. A [`Round`] holds a [`Latch`](wove_latch::Latch) with one count per live tracked
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

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use wove_latch::LatchWait;

use crate::context;
use crate::round::{HeldCounts, Round, RoundRef};
use crate::shared::{Shared, SpawnSpec, Tracking};
use crate::sync::{Arc, AtomicBool, Mutex, Ordering};
use crate::task::core::Header;
use crate::{GroupError, GroupId, Task, TaskBuilder, TaskInfo};

/// Tracks every task spawned into it — and, transitively, every task spawned inside its members' bodies and
/// done-callbacks (unless spawned [`untracked`](crate::TaskBuilder::untracked)) — so that
/// [`wait`](Self::wait) returns only when the whole tree is finished. Reusable: spawning into an idle group
/// starts a new round. A cheap `Clone` handle.
///
/// # Examples
///
/// The asyncio pattern "a callback schedules a follow-up; the caller waits for all of it":
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let group = engine.group();
/// let done = Arc::new(AtomicUsize::new(0));
/// let seen = done.clone();
/// let first = group.spawn(|| 1);
/// first.on_done(move |_| {
///     // Spawned from a callback of a member: tracked by the same group.
///     wove_executor::spawn(move || seen.fetch_add(1, Ordering::SeqCst));
/// });
/// group.wait().unwrap();
/// assert_eq!(done.load(Ordering::SeqCst), 1);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[derive(Clone)]
pub struct Group {
    inner: Arc<GroupShared>,
}

/// What a group's handles share; its rounds hold it weakly.
pub(crate) struct GroupShared {
    id: GroupId,
    shared: Arc<Shared>,
    fail_fast: AtomicBool,
    /// The current (or last) round; an idle group's round is released.
    current: Mutex<Arc<Round>>,
}

impl Group {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        let id = GroupId::next();
        let inner = Arc::new_cyclic(|weak| GroupShared {
            id,
            shared,
            fail_fast: AtomicBool::new(false),
            current: Mutex::new(Round::released(id, weak.clone())),
        });
        Self { inner }
    }

    pub(crate) fn from_shared(inner: Arc<GroupShared>) -> Self {
        Self { inner }
    }

    pub(crate) fn is_fail_fast(&self) -> bool {
        self.inner.fail_fast.load(Ordering::Relaxed)
    }

    /// The group's id, as shown in [`TaskInfo::group`].
    ///
    /// # Examples
    ///
    /// See [`TaskInfo::group`].
    pub fn id(&self) -> GroupId {
        self.inner.id
    }

    /// Makes the group fail fast: the first member that panics cancels every other member. Returns the group,
    /// so `engine.group().fail_fast()` reads naturally.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).panic_handler(|_| {}).build()?;
    /// let group = engine.group().fail_fast();
    /// let (open, gate) = std::sync::mpsc::channel::<()>();
    /// let first = group.spawn(move || gate.recv()); // occupies the worker until the gate opens
    /// let failing = group.spawn(|| panic!("stop everything"));
    /// let queued = group.spawn(|| 3);
    /// open.send(()).unwrap();
    /// assert!(group.wait().unwrap_err().is_failed());
    /// assert!(failing.join().unwrap_err().is_panic());
    /// assert!(queued.join().unwrap_err().is_cancelled());
    /// # drop(first);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn fail_fast(self) -> Self {
        self.inner.fail_fast.store(true, Ordering::Relaxed);
        self
    }

    /// Spawns a closure as a member.
    ///
    /// # Panics
    ///
    /// If the engine is shut down.
    ///
    /// # Examples
    ///
    /// See [`Group`].
    pub fn spawn<F, T>(&self, func: F) -> Task<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // Not through `task()`: no builder, so no reference count of the engine or the group is touched.
        match self.inner.shared.spawn_closure(SpawnSpec::tracked(Tracking::Group(self)), func) {
            Ok(task) => task,
            Err(_) => crate::SpawnError::panic_shutdown(),
        }
    }

    /// Spawns a closure as a member without a handle: [`spawn`](Self::spawn) followed by [`Task::detach`],
    /// but cheaper (see [`Engine::spawn_detached`](crate::Engine::spawn_detached)). [`wait`](Self::wait) still
    /// waits for it and reports its panic.
    ///
    /// # Panics
    ///
    /// If the engine is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let engine = wove_executor::Engine::builder().threads(2).build()?;
    /// let group = engine.group();
    /// let done = Arc::new(AtomicUsize::new(0));
    /// for _ in 0..100 {
    ///     let done = done.clone();
    ///     group.spawn_detached(move || done.fetch_add(1, Ordering::Relaxed));
    /// }
    /// group.wait().unwrap();
    /// assert_eq!(done.load(Ordering::Relaxed), 100);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn spawn_detached<F, T>(&self, func: F)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        if self.inner.shared.spawn_closure_detached(SpawnSpec::tracked(Tracking::Group(self)), func).is_err() {
            crate::SpawnError::panic_shutdown();
        }
    }

    /// Spawns a future as a member.
    ///
    /// # Panics
    ///
    /// If the engine is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let group = engine.group();
    /// let task = group.spawn_async(async { 1 });
    /// engine.block_on(async { (&group).await }).unwrap();
    /// assert!(task.is_finished());
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn spawn_async<Fut>(&self, future: Fut) -> Task<Fut::Output>
    where
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        match self.inner.shared.spawn_future(SpawnSpec::tracked(Tracking::Group(self)), future) {
            Ok(task) => task,
            Err(_) => crate::SpawnError::panic_shutdown(),
        }
    }

    /// A [`TaskBuilder`] whose tasks are members of this group.
    ///
    /// # Examples
    ///
    /// See [`GroupError`].
    pub fn task<T: Send + 'static>(&self) -> TaskBuilder<T> {
        TaskBuilder::new(self.inner.shared.clone(), Some(self.clone()))
    }

    /// Blocks until no tracked task is left. On a worker thread it runs queued jobs while it waits, so a task
    /// may wait on a group it is not a member of, even on a one-worker engine.
    ///
    /// # Errors
    ///
    /// [`GroupError::is_failed`] listing the members (and callbacks) of this round that panicked; cancelled
    /// members are not failures. [`GroupError::is_self_wait`] at once if the caller is itself a member.
    ///
    /// # Examples
    ///
    /// See [`Group`].
    pub fn wait(&self) -> Result<(), GroupError> {
        let round = self.round_to_wait_for()?;
        round.wait();
        round.outcome()
    }

    /// Like [`wait`](Self::wait), giving up after `timeout`.
    ///
    /// # Errors
    ///
    /// As [`wait`](Self::wait); [`GroupError::is_timeout`] naming the members still running.
    ///
    /// # Examples
    ///
    /// See [`GroupError::is_timeout`].
    pub fn wait_timeout(&self, timeout: Duration) -> Result<(), GroupError> {
        let round = self.round_to_wait_for()?;
        if !round.wait_timeout(timeout) {
            return Err(GroupError::timeout(timeout, self.tasks()));
        }
        round.outcome()
    }

    fn round_to_wait_for(&self) -> Result<Arc<Round>, GroupError> {
        let member =
            context::with_current(|task| task.filter(|header| header.group == Some(self.id())).map(Header::info));
        match member {
            Some(member) => Err(GroupError::self_wait(member)),
            None => Ok(self.inner.current.lock().clone()),
        }
    }

    /// Cancels every live member; returns how many will end as cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let group = engine.group();
    /// let (open, gate) = std::sync::mpsc::channel::<()>();
    /// let busy = engine.spawn(move || gate.recv()); // not a member: keeps the worker busy
    /// let member = group.spawn(|| 1);
    /// assert_eq!(group.cancel(), 1);
    /// open.send(()).unwrap();
    /// group.wait().unwrap(); // cancelled members are not failures
    /// assert!(member.join().unwrap_err().is_cancelled());
    /// # drop(busy);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn cancel(&self) -> usize {
        let members = self.inner.shared.registry().all();
        members.iter().filter(|task| task.header().group == Some(self.id())).filter(|task| task.cancel()).count()
    }

    /// The number of live members (tasks of the current round not yet finished). A snapshot, and an upper
    /// bound: a member that finished on a worker which went on to run another member may be counted until that
    /// one finishes too (the worker gives their counts back together); once nothing is left it reads zero.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// let group = engine.group();
    /// assert_eq!(group.len(), 0);
    /// assert!(group.is_empty());
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.inner.current.lock().live()
    }

    /// True when no member is live.
    ///
    /// # Examples
    ///
    /// See [`len`](Self::len).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Snapshots of the live members, in id order.
    ///
    /// # Examples
    ///
    /// See [`TaskInfo::group`].
    pub fn tasks(&self) -> Vec<TaskInfo> {
        self.inner.shared.registry().snapshot(Some(self.id()))
    }

    /// Admits a task into the current round: with a count `held` holds of it (`round.rs`, step 3); into
    /// `spawner`'s round if that is this group's and still open (protocol step 2; a continuation's predecessor
    /// may have finished already); else from outside (step 1). The round is open while the task is counted.
    pub(crate) fn admit(&self, spawner: Option<&Round>, held: Option<&HeldCounts>) -> RoundRef {
        if let Some(round) = held.and_then(|held| held.take_of_group(self.id())) {
            return round;
        }
        if let Some(round) = spawner.filter(|round| round.group_id() == self.id()) {
            if round.try_admit(None) {
                return RoundRef::new(round);
            }
        }
        let mut current = self.inner.current.lock();
        if !current.try_admit(None) {
            *current = Round::open(self.id(), Arc::downgrade(&self.inner));
        }
        RoundRef::new(&current)
    }

    /// Records a failure that happened outside a task's own completion (a late callback's panic), in the
    /// current round.
    pub(crate) fn record_failure(&self, task: TaskInfo, message: String) {
        let round = self.inner.current.lock().clone();
        round.record_late_failure(task, message);
        if self.inner.fail_fast.load(Ordering::Relaxed) {
            self.cancel();
        }
    }
}

/// The future of `group.await`: resolves when no tracked task is left, with the same result as
/// [`Group::wait`].
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let group = engine.group();
/// group.spawn(|| ());
/// let wait: wove_executor::GroupWait = (&group).into_future();
/// engine.block_on(wait).unwrap();
/// # use std::future::IntoFuture;
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct GroupWait {
    round: Result<(LatchWait, Arc<Round>), Option<GroupError>>,
}

impl Future for GroupWait {
    type Output = Result<(), GroupError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.round {
            Ok((wait, round)) => match Pin::new(wait).poll(cx) {
                Poll::Ready(()) => Poll::Ready(round.outcome()),
                Poll::Pending => Poll::Pending,
            },
            Err(error) => Poll::Ready(Err(error.take().expect("GroupWait polled after it resolved"))),
        }
    }
}

impl IntoFuture for &Group {
    type Output = Result<(), GroupError>;
    type IntoFuture = GroupWait;

    fn into_future(self) -> GroupWait {
        GroupWait { round: self.round_to_wait_for().map(|round| (round.wait_async(), round)).map_err(Some) }
    }
}

impl IntoFuture for Group {
    type Output = Result<(), GroupError>;
    type IntoFuture = GroupWait;

    fn into_future(self) -> GroupWait {
        (&self).into_future()
    }
}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group").field("id", &self.id()).field("tasks", &self.tasks()).finish()
    }
}

impl fmt::Debug for GroupWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupWait").finish_non_exhaustive()
    }
}

// As for `Engine`: the group's state is consistent across any panic of its members or callbacks.
impl std::panic::UnwindSafe for Group {}
impl std::panic::RefUnwindSafe for Group {}
