//! The spawn pipeline: admission into the engine and the task's group, its header and cell, its registration,
//! and its first queueing. What a spawn returns is the task's cell and counted round ([`Spawned`]), which the
//! public `Task` handle wraps.

use std::future::Future;

use crate::id::TaskId;
use crate::membership::group_core::GroupCore;
use crate::membership::held::HeldCounts;
use crate::membership::round::{Round, RoundRef};
use crate::scheduler::admission::Admitted;
use crate::scheduler::context;
use crate::scheduler::shared::Shared;
use crate::scheduler::worker::WorkerContext;
use crate::spawn::capture::captured_group;
use crate::spawn::spec::{SpawnSpec, Tracking};
use crate::sync::Arc;
use crate::task::closure::ClosureCell;
use crate::task::core::{AsCore, Core};
use crate::task::current::{self, TaskContext};
use crate::task::future::TaskFuture;
use crate::task::header::{Header, TaskControl};
use crate::task::hooks::LateJob;
use crate::task::job::{Job, TaskMeta};
use crate::task::registration::Registration;
use crate::task::state::State;

/// A task just spawned, for its handle: its cell, and its round, counted (taken before the task was queued, so
/// while it was still counted in the round).
pub(crate) struct Spawned<T> {
    pub(crate) cell: Arc<dyn AsCore<T>>,
    pub(crate) round: Option<Arc<Round>>,
}

impl<T: Send + 'static> Spawned<T> {
    /// Must be called before the task is queued (it could be released as soon as it is).
    #[inline]
    pub(crate) fn new(cell: Arc<dyn AsCore<T>>) -> Self {
        // SAFETY: the task is not queued yet, so not released.
        let round = unsafe { cell.header().counted_round() };
        Self { cell, round }
    }
}

impl Shared {
    /// Spawns a closure task; hands the closure back if the engine is shut down.
    pub(crate) fn spawn_closure<T, F>(self: &Arc<Self>, spec: SpawnSpec<'_, T>, func: F) -> Result<Spawned<T>, F>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.launch_closure(spec, func, |cell| Spawned::new(cell.clone()))
    }

    /// Spawns a closure task that no handle will ever refer to: it is born `DETACHED`, so the spawn takes no
    /// reference count of the cell or the engine, and no `fetch_or(DETACHED)` follows — four read-modify-writes
    /// less than `spawn(..).detach()`, about a quarter of a chain link's time (see `docs/decisions.md`).
    /// Hands the closure back if the engine is shut down.
    pub(crate) fn spawn_closure_detached<T, F>(self: &Arc<Self>, spec: SpawnSpec<'_, T>, func: F) -> Result<(), F>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.launch_closure(SpawnSpec { detached: true, ..spec }, func, |_| ())
    }

    /// Registers a closure task and queues it, with what `handle` makes of its cell first.
    fn launch_closure<T, F, H>(
        self: &Arc<Self>,
        spec: SpawnSpec<'_, T>,
        func: F,
        handle: impl FnOnce(&Arc<ClosureCell<T, F>>) -> H,
    ) -> Result<H, F>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        context::with_worker_of(self, |worker| {
            let cell = self.register(spec, worker, func, ClosureCell::new)?;
            let handle = handle(&cell);
            self.schedule_from(worker, Job::arc(cell));
            Ok(handle)
        })
    }

    /// Spawns a future task; hands the future back if the engine is shut down.
    pub(crate) fn spawn_future<Fut>(
        self: &Arc<Self>,
        spec: SpawnSpec<'_, Fut::Output>,
        future: Fut,
    ) -> Result<Spawned<Fut::Output>, Fut>
    where
        Fut: Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        // A future task's cell is its core alone: the future lives in its async-task cell.
        context::with_worker_of(self, |worker| {
            let Ok(core) = self.register(spec, worker, (), |core, ()| core) else { return Err(future) };
            let engine = self.clone();
            // Only wakes come through here: the first queueing is below.
            let schedule = move |runnable, info: async_task::ScheduleInfo| {
                engine.schedule_resumed(Job::task(runnable), info.woken_while_running);
            };
            let traced =
                TaskMeta { id: core.header.id, name: self.tracer.as_ref().and_then(|_| core.header.name.clone()) };
            let task_future = TaskFuture::new(core.clone(), self.clone(), future);
            let (runnable, cell) =
                async_task::Builder::new().metadata(traced).spawn(move |_| task_future, async_task::WithInfo(schedule));
            cell.detach();
            // Taken before the task can run (and give its count back).
            let spawned = Spawned::new(core);
            self.schedule_from(worker, Job::task(runnable));
            Ok(spawned)
        })
    }

    /// Admits a task, builds its cell around a fresh core with `cell(core, body)`, registers it, and cancels it
    /// at birth if `shutdown_now` is under way. Hands `body` back if the engine refuses the task.
    pub(crate) fn register<T, B, C>(
        self: &Arc<Self>,
        spec: SpawnSpec<'_, T>,
        worker: Option<&WorkerContext>,
        body: B,
        cell: impl FnOnce(Core<T>, B) -> C,
    ) -> Result<Arc<C>, B>
    where
        T: Send + 'static,
        C: TaskControl + 'static,
    {
        let Some((header, cancel)) = self.admit(&spec, worker) else { return Err(body) };
        if let Some(worker) = worker {
            // Its own cells that came home are freed first, so this allocation can reuse one.
            worker.free_sent_home();
        }
        let cell = Arc::new(cell(Core::new(header, spec.callbacks), body));
        let sent_home = self.registry.insert(worker.map(|worker| (worker.index(), worker.slot_allocator())), &cell);
        // From outside: one finished cell freed here, for this thread's next spawn to reuse (`registry/inbox.rs`).
        drop(sent_home);
        if cancel {
            cell.cancel();
        }
        Ok(cell)
    }

    /// Counts a new task in the engine and its group and makes its header: `None` if the engine refuses it.
    /// Also says whether it is born cancelled (`shutdown_now` is under way).
    pub(crate) fn admit<T>(
        self: &Arc<Self>,
        spec: &SpawnSpec<'_, T>,
        worker: Option<&WorkerContext>,
    ) -> Option<(Header, bool)> {
        let admitted = match worker {
            Some(worker) => worker.admit(),
            None => self.admission.admit(spec.follow_up.is_none()),
        };
        let cancelled = match admitted {
            Admitted::Yes { cancelled } => cancelled,
            Admitted::No { idle } => {
                self.after_release(idle);
                return None;
            }
        };
        current::with_task_context(|cx| {
            let header = self.header_of(spec, cx, worker.is_some());
            Some((header, cancelled))
        })
    }

    /// The header of a task just admitted, spawned on this thread (`worker`: on a worker of this engine): its
    /// round, its parent, a fresh id.
    fn header_of<T>(self: &Arc<Self>, spec: &SpawnSpec<'_, T>, cx: &TaskContext, worker: bool) -> Header {
        // Only a worker holds round counts; elsewhere there is nothing to take.
        let held = worker.then(|| cx.held());
        let (round, parent) = cx.with_spawner(|spawner| {
            // SAFETY: the spawner is the task running on this thread, so it is not released.
            let spawner_round = spawner.and_then(|header| unsafe { header.round() });
            let round = match &spec.tracking {
                Tracking::Ambient => match captured_group(cx, spawner, self) {
                    Some(group) => Some(join_group(&group, spawner_round, held)),
                    None => spawner_round.map(|round| {
                        let reference = RoundRef::new(round);
                        let held = held.is_some_and(|held| held.take(reference));
                        assert!(held || round.try_admit(), "a round is open while one of its members spawns");
                        reference
                    }),
                },
                Tracking::Untracked => None,
                Tracking::Group(group) => Some(join_group(group, spawner_round, held)),
                Tracking::After(round) => {
                    round.and_then(|round| round.group().map(|group| join_group(&group, Some(round), held)))
                }
            };
            (round, spawner.map(|header| header.id))
        });
        // SAFETY: the new task is counted in `round` (just admitted).
        let group = round.map(|round| unsafe { round.get() }.group_id());
        Header {
            id: cx.next_task_id(),
            name: spec.name.clone(),
            parent: spec.follow_up.or(parent),
            group,
            round,
            state: State::new(spec.detached),
            registration: Registration::new(),
        }
    }

    /// Spawns a closure as follow-up work of task `parent` (a late done-callback), tracked by `group`.
    /// Accepted while the engine closes; once its workers are gone, runs `job` here rather than losing it.
    pub(crate) fn spawn_follow_up(self: &Arc<Self>, group: Option<Arc<GroupCore>>, parent: TaskId, job: LateJob) {
        let tracking = group.as_ref().map_or(Tracking::Untracked, Tracking::Group);
        let spec = SpawnSpec::follow_up(tracking, parent);
        let engine = self.clone();
        if let Err(run_here) = self.spawn_closure_detached(spec, move || job(&engine)) {
            run_here();
        }
    }
}

/// Counts a new member of `group`: with a count this worker holds of the group's current round (`held`,
/// `membership/round.rs` step 3), else as the group admits it (`membership/group_core.rs`).
fn join_group(group: &Arc<GroupCore>, spawner: Option<&Round>, held: Option<&HeldCounts>) -> RoundRef {
    held.and_then(|held| held.take_of_group(group.id())).unwrap_or_else(|| group.admit(spawner))
}
