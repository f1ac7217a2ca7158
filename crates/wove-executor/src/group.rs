//! `Group`: the completion latch for task trees — asyncio's "wait until everything, including follow-ups
//! spawned from callbacks, is finished", without a global `Event`.
//!
//! # Protocol: group release
//!
//! A group runs in rounds. Each round has its own [`Latch`] (holding one count per live member) and its own
//! list of failures. The group's state lock guards the current round and the member table.
//!
//! 1. Admission (at spawn, before the task is scheduled): under the lock, take a guard on the current round's
//!    latch; if that latch is already released, the group was idle, so start a new round (a fresh latch and
//!    failure list) and take the guard there. Insert the member.
//! 2. A member's tasks and callbacks spawn children, which are admitted (step 1) while the member still holds
//!    its own guard: the round's count cannot reach zero between a parent and its children.
//! 3. Release (after the member's body and all its callbacks ran): remove it from the table, record its
//!    failures in its round, then drop its guard. The last guard releases the round's latch.
//! 4. A wait takes the current round's latch and failure list under the lock, waits on the latch (running
//!    queued jobs if on a worker), then reports that round's failures. A late done-callback on a finished
//!    member is admitted like a member (step 1), so a wait that starts after it was registered waits for it.
//!
//! Why never early: every count is taken under the lock before the spawn that needs it, and given back
//! only after the member is entirely done (step 3), so zero means nothing tracked is left.

use std::collections::HashMap;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use wove_latch::{Latch, LatchGuard, LatchWait};

use crate::context;
use crate::engine::{Shared, Tracking};
use crate::sync::{Arc, AtomicBool, Mutex, Ordering};
use crate::task::core::TaskControl;
use crate::{GroupError, GroupId, Task, TaskBuilder, TaskId, TaskInfo};

type Failures = Arc<Mutex<Vec<(TaskInfo, String)>>>;

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
    inner: Arc<Inner>,
}

struct Inner {
    id: GroupId,
    shared: Arc<Shared>,
    fail_fast: AtomicBool,
    state: Mutex<State>,
}

struct State {
    latch: Latch,
    failures: Failures,
    members: HashMap<TaskId, Arc<dyn TaskControl>>,
}

/// A member's hold on its group: its latch guard and its round's failure list.
pub(crate) struct Membership {
    group: Group,
    guard: LatchGuard,
    failures: Failures,
}

impl Group {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            inner: Arc::new(Inner {
                id: GroupId::next(),
                shared,
                fail_fast: AtomicBool::new(false),
                state: Mutex::new(State {
                    latch: Latch::new(0),
                    failures: Failures::default(),
                    members: HashMap::new(),
                }),
            }),
        }
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
        self.task().spawn(func)
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
        self.task().spawn_async(future)
    }

    /// A [`TaskBuilder`] whose tasks are members of this group.
    ///
    /// # Examples
    ///
    /// See [`GroupError`].
    pub fn task<T: Send + 'static>(&self) -> TaskBuilder<T> {
        TaskBuilder::new(self.inner.shared.clone(), Tracking::group(self))
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
        let (latch, failures) = self.round_to_wait_for()?;
        latch.wait();
        Self::outcome(&failures)
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
        let (latch, failures) = self.round_to_wait_for()?;
        if !latch.wait_timeout(timeout) {
            return Err(GroupError::timeout(timeout, self.tasks()));
        }
        Self::outcome(&failures)
    }

    fn round_to_wait_for(&self) -> Result<(Latch, Failures), GroupError> {
        let member = context::with_current(|task| {
            task.filter(|task| task.header().group.as_ref().is_some_and(|g| g.id() == self.id()))
                .map(|task| task.header().info())
        });
        if let Some(member) = member {
            return Err(GroupError::self_wait(member));
        }
        let state = self.inner.state.lock();
        Ok((state.latch.clone(), state.failures.clone()))
    }

    fn outcome(failures: &Failures) -> Result<(), GroupError> {
        let failures = failures.lock();
        if failures.is_empty() { Ok(()) } else { Err(GroupError::failed(failures.clone())) }
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
        let members: Vec<_> = self.inner.state.lock().members.values().cloned().collect();
        members.iter().filter(|member| member.cancel()).count()
    }

    /// The number of live members.
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
        self.inner.state.lock().members.len()
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
        let members: Vec<_> = self.inner.state.lock().members.values().cloned().collect();
        let mut tasks: Vec<TaskInfo> = members.iter().map(|m| m.header().info()).collect();
        tasks.sort_by_key(TaskInfo::id);
        tasks
    }

    /// Admits a new member (release protocol, step 1).
    pub(crate) fn admit(&self, member: &Arc<dyn TaskControl>) -> Membership {
        let mut state = self.inner.state.lock();
        let guard = match state.latch.guard() {
            Ok(guard) => guard,
            Err(_) => {
                state.latch = Latch::new(1);
                state.failures = Failures::default();
                let guard = state.latch.guard().expect("a fresh latch is open");
                state.latch.count_down().expect("the fresh latch's own count");
                guard
            }
        };
        state.members.insert(member.header().id, member.clone());
        Membership { group: self.clone(), guard, failures: state.failures.clone() }
    }

    /// Records a failure that happened outside a member's own completion (a late callback's panic).
    pub(crate) fn record_failure(&self, task: TaskInfo, message: String) {
        self.inner.state.lock().failures.lock().push((task, message));
        if self.inner.fail_fast.load(Ordering::Relaxed) {
            self.cancel();
        }
    }
}

impl Membership {
    /// The member is entirely done (release protocol, step 3).
    pub(crate) fn release(self, task: TaskInfo, failures: Vec<String>) {
        let inner = &self.group.inner;
        let failed = !failures.is_empty();
        inner.state.lock().members.remove(&task.id);
        if failed {
            let mut round = self.failures.lock();
            round.extend(failures.into_iter().map(|message| (task.clone(), message)));
        }
        if failed && inner.fail_fast.load(Ordering::Relaxed) {
            self.group.cancel();
        }
        drop(self.guard);
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
    round: Result<(LatchWait, Failures), Option<GroupError>>,
}

impl Future for GroupWait {
    type Output = Result<(), GroupError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.round {
            Ok((wait, failures)) => match Pin::new(wait).poll(cx) {
                Poll::Ready(()) => Poll::Ready(Group::outcome(failures)),
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
        GroupWait {
            round: self.round_to_wait_for().map(|(latch, failures)| (latch.wait_async(), failures)).map_err(Some),
        }
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
