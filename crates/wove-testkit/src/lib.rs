//! Test harness shared by the wove crates' tests: every multi-threaded test body runs under [`watchdog`], so a
//! deadlock fails the test by name instead of hanging the suite, and at every worker count of
//! [`WORKER_COUNTS`] ([`each_engine`]).
#![forbid(unsafe_code)]

use std::panic;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use wove_executor::{Builder, Engine};

/// The worker counts every multi-threaded test runs at.
pub const WORKER_COUNTS: [usize; 3] = [1, 2, 4];

/// Runs `body` under the [`watchdog`] (named `name`) with a fresh engine of each worker count of
/// [`WORKER_COUNTS`] in turn; `body` also gets the count. Each engine is dropped (shut down) before the next.
///
/// # Panics
///
/// If `body` panics, or if the whole run takes longer than [`WATCHDOG_LIMIT`].
///
/// # Examples
///
/// ```
/// wove_testkit::each_engine("answers", |engine, threads| {
///     assert_eq!(engine.threads(), threads);
///     assert_eq!(engine.spawn(|| 6 * 7).join().unwrap(), 42);
/// });
/// ```
pub fn each_engine(name: &str, body: impl Fn(&Engine, usize) + Send + 'static) {
    each_engine_with(name, |builder| builder, body);
}

/// As [`each_engine`], with each engine built by `configure` from `Engine::builder().threads(count)`.
///
/// # Panics
///
/// As [`each_engine`]; also if an engine does not build.
///
/// # Examples
///
/// ```
/// wove_testkit::each_engine_with("named", |builder| builder.thread_name("lane"), |engine, _| {
///     let name = engine.install(|| std::thread::current().name().map(str::to_owned));
///     assert!(name.unwrap().starts_with("lane-"));
/// });
/// ```
pub fn each_engine_with(
    name: &str,
    configure: impl Fn(Builder) -> Builder + Send + 'static,
    body: impl Fn(&Engine, usize) + Send + 'static,
) {
    watchdog(name, move || {
        for threads in WORKER_COUNTS {
            let engine = configure(Engine::builder().threads(threads)).build().expect("the engine starts");
            body(&engine, threads);
        }
    });
}

/// Runs test `name` of the calling test binary in a child process, with `env` set (so that the test, seeing it,
/// runs its scenario): a stack overflow or an abort there is a failed test here, not a dead suite. Returns the
/// child's output once it exits.
///
/// # Panics
///
/// If the child does not exit within `limit` (it is killed first).
///
/// # Examples
///
/// ```no_run
/// #[test]
/// fn overflow_is_a_failed_test() {
///     if std::env::var_os("SCENARIO").is_some() {
///         return; // the child's side: run the scenario here
///     }
///     let output = wove_testkit::in_child("overflow_is_a_failed_test", &[("SCENARIO", "1")], std::time::Duration::from_secs(60));
///     assert!(output.status.success());
/// }
/// ```
pub fn in_child(name: &str, env: &[(&str, &str)], limit: Duration) -> std::process::Output {
    let mut command = std::process::Command::new(std::env::current_exe().expect("the test binary knows its path"));
    command.args([name, "--exact", "--nocapture", "--test-threads=1"]);
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the child test starts");
    let started = std::time::Instant::now();
    while child.try_wait().expect("the child can be waited for").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("child test '{name}' did not finish within {limit:?} (killed)");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("the child's output is readable")
}

/// How long a test body may run before the watchdog fails it.
pub const WATCHDOG_LIMIT: Duration = Duration::from_secs(60);

/// Runs `body` on its own thread and returns its value; panics (failing the test, with `name` in the
/// message) if it runs past [`WATCHDOG_LIMIT`]. A panic in `body` is re-raised with its payload.
///
/// # Panics
///
/// If `body` panics, or if it has not finished after [`WATCHDOG_LIMIT`].
///
/// # Examples
///
/// ```
/// let sum = wove_testkit::watchdog("adds", || 1 + 1);
/// assert_eq!(sum, 2);
/// ```
pub fn watchdog<T: Send + 'static>(name: &str, body: impl FnOnce() -> T + Send + 'static) -> T {
    watchdog_with_limit(name, WATCHDOG_LIMIT, body)
}

/// [`watchdog`] with a limit of the caller's choosing.
///
/// # Panics
///
/// If `body` panics, or if it has not finished after `limit`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let hung = std::panic::catch_unwind(|| {
///     wove_testkit::watchdog_with_limit("sleeps", Duration::from_millis(10), || {
///         std::thread::sleep(Duration::from_secs(1))
///     })
/// });
/// assert!(hung.is_err());
/// ```
pub fn watchdog_with_limit<T: Send + 'static>(
    name: &str,
    limit: Duration,
    body: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (done, finished) = mpsc::channel();
    let runner = std::thread::Builder::new()
        .name(format!("watchdog:{name}"))
        .spawn(move || {
            let outcome = panic::catch_unwind(panic::AssertUnwindSafe(body));
            let _ = done.send(outcome);
        })
        .expect("the watchdog could not start its test thread");
    match finished.recv_timeout(limit) {
        Ok(Ok(value)) => {
            let _ = runner.join();
            value
        }
        Ok(Err(payload)) => panic::resume_unwind(payload),
        Err(_) => panic!("watchdog: test '{name}' did not finish within {limit:?} (deadlock?)"),
    }
}

/// Counts the drops of the value it is captured in (or returned as): tests check that every closure, future
/// and output is dropped exactly once.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// let drops = Arc::new(AtomicUsize::new(0));
/// drop(wove_testkit::DropProbe(drops.clone()));
/// assert_eq!(drops.load(Ordering::SeqCst), 1);
/// ```
#[derive(Debug)]
pub struct DropProbe(pub Arc<AtomicUsize>);

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Holds `workers` worker threads of an engine, each blocked in a job on a std channel (not a wove wait: a wove
/// wait would help, and run the work under test), until the returned [`Gate`] opens. `spawn` spawns one job on
/// the engine. Returns once every job has started, so each of the `workers` threads holds one: a test cannot
/// rely on the queues' order for that (a worker may take several queued jobs in one batch).
///
/// # Examples
///
/// ```
/// // Two plain threads stand in for an engine's workers.
/// let gate = wove_testkit::occupy(2, |job| drop(std::thread::spawn(job)));
/// gate.open();
/// ```
pub fn occupy(workers: usize, mut spawn: impl FnMut(Box<dyn FnOnce() + Send>)) -> Gate {
    let (started, starts) = mpsc::channel();
    let senders = (0..workers)
        .map(|_| {
            let (open, gate) = mpsc::channel::<()>();
            let started = started.clone();
            spawn(Box::new(move || {
                started.send(()).expect("the occupier waits for every start");
                let _ = gate.recv();
            }));
            open
        })
        .collect();
    starts.iter().take(workers).for_each(drop);
    Gate(senders)
}

/// Releases the jobs of [`occupy`]: when opened, or when dropped (their channels close).
#[derive(Debug)]
pub struct Gate(Vec<mpsc::Sender<()>>);

impl Gate {
    /// Lets the held workers go.
    ///
    /// # Examples
    ///
    /// See [`occupy`].
    pub fn open(self) {
        // A job that already ended (its engine shut down) has nothing to release.
        for open in &self.0 {
            let _ = open.send(());
        }
    }
}
