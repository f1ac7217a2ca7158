//! Engine metrics: what each worker did, counted where it happens at almost no cost.
//!
//! Each worker owns a cache-padded block of counters that only it writes (plain load + store, no
//! read-modify-write) and anyone may read. Busy time is measured at park boundaries — the time a worker was not
//! parked — so nothing is timed per task.

use std::fmt;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

use crate::sync::{AtomicU64, Ordering};

/// One worker's counters, written by that worker only.
#[derive(Default)]
pub(crate) struct Counters {
    tasks_run: AtomicU64,
    stolen: AtomicU64,
    parks: AtomicU64,
    parked_ns: AtomicU64,
    /// When the current park began (ns since the engine started, plus one); zero while not parked.
    parked_since: AtomicU64,
}

impl Counters {
    fn bump(counter: &AtomicU64, by: u64) {
        counter.store(counter.load(Ordering::Relaxed) + by, Ordering::Relaxed);
    }

    pub(crate) fn task_run(&self) {
        Self::bump(&self.tasks_run, 1);
    }

    pub(crate) fn stole(&self) {
        Self::bump(&self.stolen, 1);
    }

    /// The worker parks now (`since`: time since the engine started).
    pub(crate) fn parking(&self, since: Duration) {
        self.parked_since.store(since.as_nanos() as u64 + 1, Ordering::Relaxed);
    }

    /// The park that began at `since` ended at `until`.
    pub(crate) fn unparked(&self, since: Duration, until: Duration) {
        Self::bump(&self.parks, 1);
        Self::bump(&self.parked_ns, until.saturating_sub(since).as_nanos() as u64);
        self.parked_since.store(0, Ordering::Relaxed);
    }
}

/// Every worker's counters, and when the engine started.
pub(crate) struct Board {
    started: Instant,
    workers: Box<[CachePadded<Counters>]>,
}

impl Board {
    pub(crate) fn new(workers: usize) -> Self {
        Self { started: Instant::now(), workers: (0..workers).map(|_| CachePadded::new(Counters::default())).collect() }
    }

    pub(crate) fn worker(&self, index: usize) -> &Counters {
        &self.workers[index]
    }

    /// Time since the engine started: the clock of the counters.
    pub(crate) fn now(&self) -> Duration {
        self.started.elapsed()
    }

    pub(crate) fn snapshot(&self, queue_depths: impl Fn(usize) -> usize, injector_depth: usize) -> Metrics {
        let alive = self.started.elapsed();
        let workers = self
            .workers
            .iter()
            .enumerate()
            .map(|(index, c)| WorkerMetrics {
                index,
                tasks_run: c.tasks_run.load(Ordering::Relaxed),
                stolen: c.stolen.load(Ordering::Relaxed),
                parks: c.parks.load(Ordering::Relaxed),
                busy: {
                    let since = c.parked_since.load(Ordering::Relaxed);
                    let parking_now = if since == 0 { 0 } else { (alive.as_nanos() as u64).saturating_sub(since - 1) };
                    alive.saturating_sub(Duration::from_nanos(c.parked_ns.load(Ordering::Relaxed) + parking_now))
                },
                queue_depth: queue_depths(index),
            })
            .collect();
        Metrics { workers, injector_depth }
    }
}

/// A snapshot of an engine's activity: per worker and in total. From [`Engine::metrics`](crate::Engine::metrics).
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let group = engine.group();
/// for i in 0..100 {
///     group.spawn(move || i * 2).detach();
/// }
/// group.wait().unwrap();
/// let metrics = engine.metrics();
/// assert_eq!(metrics.tasks_run(), 100);
/// assert_eq!(metrics.workers().len(), 2);
/// println!("{metrics}");
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Metrics {
    workers: Vec<WorkerMetrics>,
    injector_depth: usize,
}

impl Metrics {
    /// Each worker's numbers, by worker index.
    ///
    /// # Examples
    ///
    /// See [`Metrics`].
    pub fn workers(&self) -> &[WorkerMetrics] {
        &self.workers
    }

    /// Tasks finished by all workers since the engine started.
    ///
    /// # Examples
    ///
    /// See [`Metrics`].
    pub fn tasks_run(&self) -> u64 {
        self.workers.iter().map(|w| w.tasks_run).sum()
    }

    /// Jobs taken from another worker's deque or slot, by all workers.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// assert_eq!(engine.metrics().stolen(), 0); // nobody to steal from
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn stolen(&self) -> u64 {
        self.workers.iter().map(|w| w.stolen).sum()
    }

    /// Times any worker parked (went to sleep).
    ///
    /// # Examples
    ///
    /// See [`Metrics`].
    pub fn parks(&self) -> u64 {
        self.workers.iter().map(|w| w.parks).sum()
    }

    /// Jobs waiting in the injector (spawned from outside, not yet taken by a worker).
    ///
    /// # Examples
    ///
    /// See [`Metrics`].
    pub fn injector_depth(&self) -> usize {
        self.injector_depth
    }

    /// Jobs waiting anywhere: the injector, the workers' deques and next-task slots.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// assert_eq!(engine.metrics().queue_depth(), 0);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn queue_depth(&self) -> usize {
        self.injector_depth + self.workers.iter().map(|w| w.queue_depth).sum::<usize>()
    }
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "worker  tasks run    stolen   parks      busy  queued")?;
        for w in &self.workers {
            writeln!(
                f,
                "{:>6} {:>10} {:>9} {:>7} {:>9.3?} {:>7}",
                w.index, w.tasks_run, w.stolen, w.parks, w.busy, w.queue_depth
            )?;
        }
        write!(
            f,
            " total {:>10} {:>9} {:>7}           {:>7} (injector {})",
            self.tasks_run(),
            self.stolen(),
            self.parks(),
            self.queue_depth(),
            self.injector_depth
        )
    }
}

/// One worker's numbers in a [`Metrics`] snapshot.
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// engine.spawn(|| ()).join().unwrap();
/// let busiest = engine.metrics().workers().iter().max_by_key(|w| w.tasks_run()).unwrap().clone();
/// assert_eq!(busiest.tasks_run(), 1);
/// assert!(busiest.index() < 2);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[derive(Clone, Debug)]
pub struct WorkerMetrics {
    index: usize,
    tasks_run: u64,
    stolen: u64,
    parks: u64,
    busy: std::time::Duration,
    queue_depth: usize,
}

impl WorkerMetrics {
    /// The worker's index (its thread is named `{prefix}-{index}`).
    ///
    /// # Examples
    ///
    /// See [`WorkerMetrics`].
    pub fn index(&self) -> usize {
        self.index
    }

    /// Tasks this worker finished.
    ///
    /// # Examples
    ///
    /// See [`WorkerMetrics`].
    pub fn tasks_run(&self) -> u64 {
        self.tasks_run
    }

    /// Jobs this worker took from another worker's deque or slot.
    ///
    /// # Examples
    ///
    /// See [`Metrics::stolen`].
    pub fn stolen(&self) -> u64 {
        self.stolen
    }

    /// Times this worker parked.
    ///
    /// # Examples
    ///
    /// See [`Metrics`].
    pub fn parks(&self) -> u64 {
        self.parks
    }

    /// Time this worker was not parked — running jobs or looking for them — since the engine started.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = wove_executor::Engine::builder().threads(1).build()?;
    /// std::thread::sleep(std::time::Duration::from_millis(20));
    /// let idle = engine.metrics().workers()[0].busy();
    /// assert!(idle < std::time::Duration::from_millis(20)); // it slept most of the time
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn busy(&self) -> std::time::Duration {
        self.busy
    }

    /// Jobs waiting in this worker's deque and next-task slot.
    ///
    /// # Examples
    ///
    /// See [`Metrics::queue_depth`].
    pub fn queue_depth(&self) -> usize {
        self.queue_depth
    }
}
