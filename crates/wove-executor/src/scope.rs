//! `Engine::scope`: tasks that borrow the caller's stack data, all finished before `scope` returns.

use std::fmt;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use wove_latch::{Latch, LatchGuard};

use crate::scheduler::shared::Shared;
use crate::spawn::spec::SpawnSpec;
use crate::sync::{Arc, Mutex};

type Payload = Box<dyn std::any::Any + Send>;

/// Spawns tasks that may borrow data living outside the scope (`'env`); see [`Engine::scope`](crate::Engine::scope).
///
/// # Examples
///
/// ```
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let mut halves = [0u64, 0u64];
/// let data: Vec<u64> = (1..=100).collect();
/// engine.scope(|s| {
///     let (left, right) = halves.split_at_mut(1);
///     let (front, back) = data.split_at(50);
///     s.spawn(move || left[0] = front.iter().sum());
///     s.spawn(move || right[0] = back.iter().sum());
/// });
/// assert_eq!(halves[0] + halves[1], 5050);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
///
/// Scoped tasks may borrow, but still run on other threads, so what they capture must be `Send`:
///
/// ```compile_fail,E0277
/// let engine = wove_executor::Engine::new();
/// let not_sync = std::cell::Cell::new(0);
/// engine.scope(|s| s.spawn(|| not_sync.set(1))); // error: `Cell<i32>` cannot be shared between threads
/// ```
pub struct Scope<'scope, 'env: 'scope> {
    shared: Arc<Shared>,
    pending: Latch,
    panic: Arc<Mutex<Option<Payload>>>,
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

impl<'scope, 'env> Scope<'scope, 'env> {
    /// Spawns `func` on the engine; it may borrow anything that outlives the scope. The scope waits for it. A
    /// panic in it is re-raised by `scope` once every task of the scope has finished.
    ///
    /// # Examples
    ///
    /// See [`Scope`].
    pub fn spawn<F>(&'scope self, func: F)
    where
        F: FnOnce() + Send + 'scope,
    {
        let guard: LatchGuard = self.pending.guard().expect("the scope's latch is open while its body runs");
        let panic = self.panic.clone();
        let job: Box<dyn FnOnce() + Send + 'scope> = Box::new(move || {
            let _guard = guard;
            if let Err(payload) = catch_unwind(AssertUnwindSafe(func)) {
                panic.lock().get_or_insert(payload);
            }
        });
        // SAFETY: `Engine::scope` does not return — normally or by unwinding — before `pending` is released, and
        // `pending` is released only after every job's guard is dropped: when the job ran, or when it was
        // dropped unrun (cancelled). So nothing `job` borrows for `'scope` is used after `'scope` ends.
        let job: Box<dyn FnOnce() + Send + 'static> = unsafe { std::mem::transmute(job) };
        if let Err(job) = self.shared.spawn_closure_detached(SpawnSpec::plain(), job) {
            // Shut down: run it here rather than lose it.
            job();
        }
    }
}

/// Runs `body` with a scope, then waits for every task spawned in it (helping, on a worker).
pub(crate) fn run_scope<'env, F, R>(shared: &Arc<Shared>, body: F) -> R
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> R,
{
    // As `join` and `install`: a shut-down engine runs nothing from outside (on its own workers, follow-ups
    // of running tasks are still accepted).
    assert!(!shared.is_closed() || shared.is_own_thread(), "scope on an engine that is shut down");
    let scope = Scope {
        shared: shared.clone(),
        pending: Latch::new(1),
        panic: Arc::new(Mutex::new(None)),
        _scope: PhantomData,
        _env: PhantomData,
    };
    let result = catch_unwind(AssertUnwindSafe(|| body(&scope)));
    scope.pending.count_down().expect("the scope's own count");
    scope.pending.wait();
    if let Some(payload) = scope.panic.lock().take() {
        resume_unwind(payload);
    }
    result.unwrap_or_else(|payload| resume_unwind(payload))
}

impl fmt::Debug for Scope<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope").field("pending", &self.pending.count()).finish()
    }
}
