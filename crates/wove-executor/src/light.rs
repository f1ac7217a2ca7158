//! Light jobs: many small jobs run on an engine as one tracked unit, without a task per job.

use std::fmt;
use std::sync::Arc;

use crate::engine::Engine;
use crate::error::SpawnError;
use crate::id::TaskId;
use crate::scheduler::context;
use crate::scheduler::shared::Shared;
use crate::spawn::spec::SpawnSpec;
use crate::task::header::Header;
use crate::task::hooks::EngineHooks;
use crate::task::light::{LightRunner, LightUnit};
use crate::task::state::CancelRequest;

/// What a unit of light jobs runs: job `index` is `run(index, jobs)`. Implemented by whoever drives the
/// unit — wove's task graphs run each node of a graph run this way.
///
/// # Examples
///
/// See [`LightJobs`].
pub trait LightJob: Send + Sync + Sized + 'static {
    /// Runs job `index`. `jobs` is the unit it belongs to: submit the jobs this one readies with
    /// [`LightJobs::submit`], and return the one to run next in this job's place, if any — it is queued in this
    /// worker's next-task slot and takes over this job's count of the unit, which makes it cheaper than a
    /// `submit` (no shared count is written). A panic is contained: it goes to the engine's panic handler and,
    /// if the unit was created inside a group's task, to that group as a failure; the worker and the unit's
    /// other jobs go on.
    ///
    /// # Panics
    ///
    /// A returned index not below [`LightJobs::len`] panics here, as the job's own panic.
    fn run(&self, index: usize, jobs: &LightJobs<Self>) -> Option<usize>;

    /// Job `index`'s name in the engine's trace (default: the unit's name).
    fn name(&self, index: usize) -> Option<&str> {
        let _ = index;
        None
    }
}

/// A unit of light jobs on an engine: up to [`len`](Self::len) small jobs, each queued by index with
/// [`submit`](Self::submit), run by one [`LightJob`].
///
/// A light job is what a task costs without its extras: no [`Task`](crate::Task) handle, no entry in
/// [`Engine::tasks`], no group count, no outcome — queuing one takes a reference count of the unit and a push,
/// and no allocation. Instead, the **unit** is what the engine and groups track, once: it is counted as one
/// live task from its creation until its last handle is dropped and its last queued job has run, so
/// [`Engine::wait_idle`], [`Engine::shutdown`] and the [`Group`](crate::Group) of the task that created it
/// (ambient tracking, as for a spawn) wait for it. While a job runs, the unit is the current task: tasks it
/// spawns join the unit's group, [`current_task`](crate::current_task) names the unit, and
/// [`is_cancelled`](crate::is_cancelled) turns true once the unit is [cancelled](Self::cancel). Each job shows
/// in the engine's trace ([`Builder::trace`](crate::Builder::trace)) under its [`LightJob::name`].
///
/// Cancelling does not skip queued jobs: the runner decides, with [`is_cancelled`](Self::is_cancelled), which
/// also turns true when the engine is shut down with [`Engine::shutdown_now`].
///
/// # Warning
///
/// The engine counts the unit as live while any handle to it exists: drop the handles once the work is done,
/// or a shutdown (and the drop of the last engine handle) waits for them.
///
/// # Examples
///
/// A chain of 1,000 steps, each readying the next:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use wove_executor::{Engine, LightJob, LightJobs};
///
/// struct Steps(Arc<AtomicUsize>);
///
/// impl LightJob for Steps {
///     fn run(&self, index: usize, jobs: &LightJobs<Self>) -> Option<usize> {
///         self.0.fetch_add(1, Ordering::Relaxed);
///         (index + 1 < jobs.len()).then_some(index + 1) // the next step, in this one's place
///     }
/// }
///
/// let engine = Engine::builder().threads(2).build()?;
/// let steps = Arc::new(AtomicUsize::new(0));
/// let jobs = engine.light_jobs("steps", Steps(steps.clone()), 1_000);
/// jobs.submit(0);
/// drop(jobs); // the unit lives on while its jobs are queued or running
/// engine.wait_idle(); // which waits for it
/// assert_eq!(steps.load(Ordering::Relaxed), 1_000);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[repr(transparent)]
pub struct LightJobs<J: LightJob> {
    unit: Arc<LightUnit<Runner<J>>>,
}

/// The runner of a unit: the engine, the unit's header, and the user's job.
struct Runner<J> {
    engine: Arc<Shared>,
    header: Header,
    job: J,
}

impl<J: LightJob> LightRunner for Runner<J> {
    fn header(&self) -> &Header {
        &self.header
    }

    fn run_job(unit: &Arc<LightUnit<Self>>, index: usize) -> Option<usize> {
        let next = unit.runner().job.run(index, LightJobs::from_unit(unit));
        if let Some(next) = next {
            assert!(next < unit.len(), "light job {index} named job {next} to run next, of {}", unit.len());
        }
        next
    }

    fn job_name(&self, index: usize) -> Option<&str> {
        self.job.name(index)
    }
}

impl<J> Drop for Runner<J> {
    fn drop(&mut self) {
        // The unit's last count is gone: nothing of it can run any more. It leaves the engine and its group.
        self.engine.released(&self.header);
    }
}

impl<J: LightJob> LightJobs<J> {
    /// A unit of `len` jobs run by `job` on `engine`, counted in the engine and in the current task's group.
    ///
    /// # Errors
    ///
    /// The engine is shut down ([`SpawnError::is_shutdown`]): `job` is handed back.
    ///
    /// # Examples
    ///
    /// ```
    /// # use wove_executor::{Engine, LightJob, LightJobs};
    /// struct Nothing;
    /// impl LightJob for Nothing {
    ///     fn run(&self, _: usize, _: &LightJobs<Self>) -> Option<usize> {
    ///         None
    ///     }
    /// }
    /// let engine = Engine::builder().threads(1).build()?;
    /// engine.shutdown();
    /// let refused = LightJobs::try_new(&engine, "late", Nothing, 1).unwrap_err();
    /// assert!(refused.is_shutdown());
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn try_new(engine: &Engine, name: &str, job: J, len: usize) -> Result<Self, SpawnError<J>> {
        let shared = engine.shared();
        let spec = SpawnSpec::<()> { name: Some(name.into()), ..SpawnSpec::plain() };
        let admitted = context::with_worker_of(shared, |worker| shared.admit(&spec, worker));
        let Some((header, cancelled)) = admitted else { return Err(SpawnError::shutdown(job)) };
        if cancelled {
            let _ = header.state.request_cancel();
        }
        let runner = Runner { engine: shared.clone(), header, job };
        Ok(Self { unit: LightUnit::new(runner, len) })
    }

    /// Views a unit as its handle, without touching its count.
    fn from_unit(unit: &Arc<LightUnit<Runner<J>>>) -> &Self {
        // SAFETY: `LightJobs` is `#[repr(transparent)]` over that `Arc`, so the reference may be reinterpreted.
        unsafe { &*std::ptr::from_ref(unit).cast::<Self>() }
    }

    /// Queues job `index`: on this worker's next-task slot if called from a worker of the unit's engine (it runs
    /// next, on this core; what was there becomes stealable), else on the engine's injector. A job may be
    /// queued any number of times, also while it runs; each submission runs once.
    ///
    /// # Panics
    ///
    /// If `index` is not below [`len`](Self::len).
    ///
    /// # Examples
    ///
    /// See [`LightJobs`].
    pub fn submit(&self, index: usize) {
        let job = self.unit.job(index);
        self.unit.runner().engine.schedule(job);
    }

    /// How many job indices the unit has.
    ///
    /// # Examples
    ///
    /// ```
    /// # use wove_executor::{Engine, LightJob, LightJobs};
    /// # struct Nothing;
    /// # impl LightJob for Nothing { fn run(&self, _: usize, _: &LightJobs<Self>) -> Option<usize> { None } }
    /// let engine = Engine::builder().threads(1).build()?;
    /// assert_eq!(engine.light_jobs("unit", Nothing, 8).len(), 8);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.unit.len()
    }

    /// True if the unit has no job index.
    ///
    /// # Examples
    ///
    /// ```
    /// # use wove_executor::{Engine, LightJob, LightJobs};
    /// # struct Nothing;
    /// # impl LightJob for Nothing { fn run(&self, _: usize, _: &LightJobs<Self>) -> Option<usize> { None } }
    /// let engine = Engine::builder().threads(1).build()?;
    /// assert!(engine.light_jobs("unit", Nothing, 0).is_empty());
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The unit's runner.
    ///
    /// # Examples
    ///
    /// ```
    /// # use wove_executor::{Engine, LightJob, LightJobs};
    /// struct Named(&'static str);
    /// impl LightJob for Named {
    ///     fn run(&self, _: usize, _: &LightJobs<Self>) -> Option<usize> {
    ///         None
    ///     }
    /// }
    /// let engine = Engine::builder().threads(1).build()?;
    /// assert_eq!(engine.light_jobs("unit", Named("x"), 1).job().0, "x");
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn job(&self) -> &J {
        &self.unit.runner().job
    }

    /// The unit's id (what [`current_task`](crate::current_task) shows inside its jobs).
    ///
    /// # Examples
    ///
    /// ```
    /// # use wove_executor::{Engine, LightJob, LightJobs};
    /// # struct Nothing;
    /// # impl LightJob for Nothing { fn run(&self, _: usize, _: &LightJobs<Self>) -> Option<usize> { None } }
    /// let engine = Engine::builder().threads(1).build()?;
    /// let (a, b) = (engine.light_jobs("a", Nothing, 1), engine.light_jobs("b", Nothing, 1));
    /// assert_ne!(a.id(), b.id());
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn id(&self) -> TaskId {
        self.unit.runner().header.id
    }

    /// Asks the unit's jobs to stop: from now on [`is_cancelled`](Self::is_cancelled) (and
    /// [`wove_executor::is_cancelled`](crate::is_cancelled) inside its jobs) is true. Queued jobs still run;
    /// the runner decides what to skip. Returns false if it was already cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// # use wove_executor::{Engine, LightJob, LightJobs};
    /// # struct Nothing;
    /// # impl LightJob for Nothing { fn run(&self, _: usize, _: &LightJobs<Self>) -> Option<usize> { None } }
    /// let engine = Engine::builder().threads(1).build()?;
    /// let jobs = engine.light_jobs("unit", Nothing, 1);
    /// assert!(jobs.cancel());
    /// assert!(jobs.is_cancelled());
    /// assert!(!jobs.cancel());
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn cancel(&self) -> bool {
        // A unit's outcome is never decided, so a request is never too late.
        self.unit.runner().header.state.request_cancel() == CancelRequest::Now
    }

    /// True once the unit was [cancelled](Self::cancel) or its engine shut down with
    /// [`Engine::shutdown_now`].
    ///
    /// # Examples
    ///
    /// See [`cancel`](Self::cancel).
    pub fn is_cancelled(&self) -> bool {
        let runner = self.unit.runner();
        runner.header.is_cancel_requested() || runner.engine.admission.is_cancelling()
    }
}

impl Engine {
    /// A unit of `len` light jobs run by `job` on this engine: see [`LightJobs`].
    ///
    /// # Panics
    ///
    /// If the engine is shut down; [`LightJobs::try_new`] returns an error instead.
    ///
    /// # Examples
    ///
    /// See [`LightJobs`].
    pub fn light_jobs<J: LightJob>(&self, name: &str, job: J, len: usize) -> LightJobs<J> {
        LightJobs::try_new(self, name, job, len).unwrap_or_else(|_| SpawnError::panic_shutdown())
    }
}

impl<J: LightJob> Clone for LightJobs<J> {
    fn clone(&self) -> Self {
        Self { unit: self.unit.clone() }
    }
}

impl<J: LightJob> fmt::Debug for LightJobs<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = &self.unit.runner().header;
        f.debug_struct("LightJobs")
            .field("id", &header.id)
            .field("name", &header.name)
            .field("len", &self.len())
            .finish()
    }
}
