//! `Group`: the completion latch for task trees — asyncio's "wait until everything, including follow-ups
//! spawned from callbacks, is finished", without a global `Event`.
//!
//! The group release protocol (rounds, admission, release, waits) lives with the group's membership state,
//! below the engine: `membership/group_core.rs`.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use wove_latch::LatchWait;

use crate::error::{GroupError, SpawnError};
use crate::handle::Task;
use crate::id::GroupId;
use crate::info::TaskInfo;
use crate::membership::group_core::GroupCore;
use crate::membership::round::Round;
use crate::scheduler::shared::Shared;
use crate::scheduler::wait::wait_for;
use crate::spawn::capture::Capture;
use crate::spawn::spec::{SpawnSpec, Tracking};
use crate::sync::Arc;
use crate::task::current;
use crate::task::header::Header;
use crate::task_builder::TaskBuilder;

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
    /// The membership state (id, fail-fast flag, rounds); its rounds hold it weakly.
    core: Arc<GroupCore>,
    /// The engine members are spawned on.
    engine: Arc<Shared>,
}

impl Group {
    pub(crate) fn new(engine: Arc<Shared>) -> Self {
        Self { core: GroupCore::new(), engine }
    }

    /// Runs `body` here and returns its value with the group of the tasks it spawned: every task spawned while
    /// `body` runs, by `body` itself, with ambient tracking ([`spawn`](crate::spawn), [`Engine::spawn`](crate::Engine::spawn),
    /// [`spawn_async`](crate::spawn_async), a [`TaskBuilder`] not made by a group, a unit of light jobs), joins
    /// a new group instead of the current task's; and, as for any group, so does everything those tasks spawn.
    /// The group is made at the first such spawn — `None` if there was none, so a `body` that spawns nothing
    /// costs no group. Wait for it (or `.await` it) to know that everything `body` started has finished: this
    /// is what a task graph's node uses to hold back its successors until the tasks it spawned are done.
    ///
    /// Spawns into an explicit group ([`Group::spawn`]) and [`untracked`](TaskBuilder::untracked) ones are not
    /// captured, nor are the spawns of other tasks this thread runs while `body` waits. The captured tasks do
    /// not join the current task's group: whoever captures them waits for them. The returned group's handle
    /// belongs to the engine of the first captured spawn.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use wove_executor::{Engine, Group};
    ///
    /// let engine = Engine::builder().threads(2).build()?;
    /// let leaves = Arc::new(AtomicUsize::new(0));
    /// let counter = leaves.clone();
    /// let ((), spawned) = Group::capture(|| {
    ///     for _ in 0..10 {
    ///         let counter = counter.clone();
    ///         engine.spawn_detached(move || {
    ///             // Spawned by a captured task: in the same group.
    ///             wove_executor::spawn_detached(move || counter.fetch_add(1, Ordering::SeqCst));
    ///         });
    ///     }
    /// });
    /// spawned.expect("ten tasks were spawned").wait().unwrap();
    /// assert_eq!(leaves.load(Ordering::SeqCst), 10);
    ///
    /// let (four, nothing) = Group::capture(|| 2 + 2);
    /// assert_eq!(four, 4);
    /// assert!(nothing.is_none()); // no spawn, no group
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn capture<R>(body: impl FnOnce() -> R) -> (R, Option<Group>) {
        let capture = Capture::new();
        let value = {
            let _in_force = capture.enter();
            body()
        };
        (value, capture.into_group().map(|(core, engine)| Self { core, engine }))
    }

    /// The group's id, as shown in [`TaskInfo::group`].
    ///
    /// # Examples
    ///
    /// See [`TaskInfo::group`].
    pub fn id(&self) -> GroupId {
        self.core.id()
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
        self.core.set_fail_fast();
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
        match self.engine.spawn_closure(SpawnSpec::tracked(Tracking::Group(&self.core)), func) {
            Ok(spawned) => Task::new(spawned, self.engine.clone()),
            Err(_) => SpawnError::panic_shutdown(),
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
        if self.engine.spawn_closure_detached(SpawnSpec::tracked(Tracking::Group(&self.core)), func).is_err() {
            SpawnError::panic_shutdown();
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
        match self.engine.spawn_future(SpawnSpec::tracked(Tracking::Group(&self.core)), future) {
            Ok(spawned) => Task::new(spawned, self.engine.clone()),
            Err(_) => SpawnError::panic_shutdown(),
        }
    }

    /// A [`TaskBuilder`] whose tasks are members of this group.
    ///
    /// # Examples
    ///
    /// See [`GroupError`].
    pub fn task<T: Send + 'static>(&self) -> TaskBuilder<T> {
        TaskBuilder::new(self.engine.clone(), Some(self.clone()))
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
        wait_for_round(&round, None);
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
        if !wait_for_round(&round, Instant::now().checked_add(timeout)) {
            return Err(GroupError::timeout(timeout, self.tasks()));
        }
        round.outcome()
    }

    fn round_to_wait_for(&self) -> Result<Arc<Round>, GroupError> {
        let member =
            current::with_current(|task| task.filter(|header| header.group == Some(self.id())).map(Header::info));
        match member {
            Some(member) => Err(GroupError::self_wait(member)),
            None => Ok(self.core.current_round()),
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
        self.engine.registry().cancel_group(self.id())
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
        self.core.live()
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
        self.engine.registry().snapshot(Some(self.id()))
    }

    /// The membership state, for a task builder's spawns.
    pub(crate) fn core(&self) -> &Arc<GroupCore> {
        &self.core
    }
}

/// Blocks until `round` is released or `deadline` passes (then false), through the one wait loop (helping on a
/// worker). On a worker the jobs it runs meanwhile are often members of the round, whose counts the worker holds
/// back (`membership/round.rs`, step 3): once it holds all that is left, it gives them back, which releases the
/// round — else the wait would go on to run unrelated work, one nested inside another.
fn wait_for_round(round: &Round, deadline: Option<Instant>) -> bool {
    let mut listener = None;
    let mut poll = |waker: &Waker, register: bool| {
        let live = round.live();
        if live == 0 || current::with_task_context(|cx| cx.held().give_back_if_all_of(round, live)) {
            return Poll::Ready(());
        }
        if !register {
            return Poll::Pending;
        }
        let wait = listener.get_or_insert_with(|| round.wait_async());
        Pin::new(wait).poll(&mut Context::from_waker(waker))
    };
    wait_for(&mut poll, deadline).is_some()
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
