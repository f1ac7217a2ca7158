//! Shutting an engine down, so that it always ends.
//!
//! # Protocol: shutdown
//!
//! Which spawns are accepted while shutting down, and when workers exit, is the admission protocol of
//! `admission.rs`: workers exit once the engine is closed and no admitted task is left. On top of it:
//!
//! 1. `shutdown` (and the drop of the last handle) closes admission and wakes every sleeping worker. Workers
//!    keep running queued work — including follow-ups spawned by running tasks and callbacks.
//! 2. The shutting-down thread waits for the workers to exit. Whenever it finds no runnable work left — every
//!    queue empty and every worker asleep — while tasks are still live, those tasks are futures waiting for a
//!    wake that may never come (or closures blocked on them): it cancels the registered futures, which are
//!    woken to be dropped (their done-callbacks see `Cancelled`), as `asyncio.run` and tokio do with what is
//!    left. Closures are never cut short here.
//! 3. If the workers have not exited after the engine's `shutdown_timeout`, every task left is cancelled:
//!    running closures see `is_cancelled()` turn true (what they spawn from then on is still accepted, and runs
//!    on the threads left behind). The thread waits a short grace ([`GRACE`]) for them to return; then it names
//!    the tasks still running on stderr (and to the panic handler, if one is set) and returns, leaving the worker
//!    threads detached. Threads that do not exit although no task is left (stuck in `on_thread_start`) are
//!    waited for until the same deadline, then named and left detached too. So a shutdown always ends, and a
//!    task that finishes within the timeout is never cut short.
//! 4. `shutdown_now` cancels every registered task at once: queued ones end as cancelled when a worker reaches
//!    them (their callbacks still run), suspended futures are woken to be dropped, running closures run on and
//!    their values are dropped. Tasks admitted afterwards are born cancelled. It then joins the workers.
//! 5. A shutdown (or the drop of the last handle) on one of the engine's own workers never waits for, nor joins,
//!    the thread it runs on: the workers exit by themselves.
//!
//! Racing cases: a wake that arrives while step 2 looks (a timer firing, a thread outside sending) makes the
//! queues non-empty or a worker awake, so the look finds work and cancels nothing; the look is taken twice, a
//! moment apart, before anything is cancelled.

use std::time::{Duration, Instant};

use event_listener::Listener;

use crate::error::TaskError;
use crate::scheduler::shared::Shared;

/// How long closures get to return after the shutdown timeout cancelled them, before their threads are left
/// detached.
pub(crate) const GRACE: Duration = Duration::from_millis(100);

/// How often a waiting shutdown looks for work that is stuck (step 2).
const LOOK_INTERVAL: Duration = Duration::from_millis(5);

impl Shared {
    /// Closes admission (`cancel_all`: `shutdown_now`, step 4) and wakes every worker.
    pub(crate) fn close(&self, cancel_all: bool) {
        self.admission.close(cancel_all);
        if cancel_all {
            for task in self.registry.all() {
                task.cancel();
            }
        }
        self.sleep.wake_all();
    }

    /// Steps 2 and 3: waits for the workers to exit after `close(false)`, within the shutdown timeout.
    pub(crate) fn finish_shutdown(&self) {
        let deadline = Instant::now().checked_add(self.shutdown_timeout);
        loop {
            if self.admission.should_exit() {
                self.join_threads(deadline);
                return;
            }
            let now = Instant::now();
            if deadline.is_some_and(|deadline| now >= deadline) {
                break;
            }
            if self.is_stuck() {
                std::thread::sleep(Duration::from_micros(200));
                if self.is_stuck() {
                    self.cancel_futures();
                }
            }
            let until = deadline.map_or(now + LOOK_INTERVAL, |deadline| deadline.min(now + LOOK_INTERVAL));
            self.wait_for_idle(until);
        }
        // Every task left is asked to stop; what they spawn from now on still runs, on the threads left behind.
        for task in self.registry.all() {
            task.cancel();
        }
        self.sleep.wake_all();
        let grace = Instant::now() + GRACE;
        while !self.admission.should_exit() && Instant::now() < grace {
            self.wait_for_idle(grace.min(Instant::now() + LOOK_INTERVAL));
        }
        if self.admission.should_exit() {
            self.join_threads(Some(Instant::now() + GRACE));
            return;
        }
        self.abandon();
    }

    /// Waits until the engine may have become idle, or `until`.
    fn wait_for_idle(&self, until: Instant) {
        let listener = self.idle.listen();
        if !self.admission.should_exit() {
            let _ = listener.wait_deadline(until);
        }
    }

    /// No runnable work anywhere and every worker asleep (step 2).
    fn is_stuck(&self) -> bool {
        self.sleep.all_asleep()
            && self.injector.is_empty()
            && self.resumed.is_empty()
            && self.stealers.iter().all(|stealer| stealer.is_empty())
            && self.slots.iter().all(|slot| !slot.is_occupied())
    }

    /// Step 2: cancels the registered futures (closures run on).
    fn cancel_futures(&self) {
        for task in self.registry.all().iter().filter(|task| task.is_future()) {
            task.cancel();
        }
    }

    /// Step 3, at its end: names the tasks still running and leaves their threads detached.
    fn abandon(&self) {
        let running = self.registry.snapshot(None);
        let names: Vec<String> = running.iter().map(|task| task.label()).collect();
        eprintln!(
            "wove: shutdown timed out after {:?}; still running, their threads left detached: {}",
            self.shutdown_timeout,
            if names.is_empty() { "(tasks finishing their callbacks)".to_string() } else { names.join(", ") }
        );
        if self.panic_handler.is_some() {
            for task in &running {
                self.report_panic(TaskError::abandoned(task.id(), task.name().map(Into::into)));
            }
        }
        // Dropping the handles detaches the threads.
        drop(std::mem::take(&mut *self.threads.lock()));
    }

    /// Joins the worker threads that exit by `deadline` (`None`: however long it takes), except the calling
    /// thread if it is one of them (step 5); those still running then (blocked in `on_thread_start`, say) are
    /// named on stderr and left detached.
    pub(crate) fn join_threads(&self, deadline: Option<Instant>) {
        let threads = std::mem::take(&mut *self.threads.lock());
        let me = std::thread::current().id();
        let mut left: Vec<_> = threads.into_iter().filter(|thread| thread.thread().id() != me).collect();
        let mut pause = Duration::from_micros(50);
        loop {
            let (finished, running): (Vec<_>, Vec<_>) = left.into_iter().partition(|thread| thread.is_finished());
            finished.into_iter().for_each(|thread| drop(thread.join()));
            left = running;
            if left.is_empty() {
                return;
            }
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                break;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(LOOK_INTERVAL);
        }
        let names: Vec<&str> = left.iter().map(|thread| thread.thread().name().unwrap_or("unnamed")).collect();
        eprintln!(
            "wove: shutdown timed out after {:?}; worker threads still busy, left detached: {}",
            self.shutdown_timeout,
            names.join(", ")
        );
    }
}
