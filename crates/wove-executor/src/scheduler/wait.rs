//! The one blocking-wait loop that every wait in the crate goes through, and the latch's wait hook that sends
//! latch and event waits on a worker through it: on a worker, a wait runs queued jobs of its engine until its
//! condition holds, so nested blocking never deadlocks.

use std::sync::Arc;
use std::task::{Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Instant;

use crate::scheduler::context;
use crate::scheduler::worker::Reach;
use crate::task::current;

thread_local! {
    static THREAD_WAKER: Waker = Waker::from(Arc::new(Unpark(std::thread::current())));
}

/// A waker that unparks one thread: how a blocked thread learns that its condition may hold.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Spin rounds of a blocking wait on a worker before it parks (round `r` spins `2^r` times).
const WAIT_SPIN_ROUNDS: u32 = 7;

/// Blocks until `poll` is ready or `deadline` passes (then `None`). `poll(waker, register)` must, when
/// `register` is true, arrange for `waker` to be woken when it may have become ready; when it is false it may
/// only check (a worker asks that between the jobs it runs while it waits, and registers only before it could
/// sleep: a registration costs a lock or an event listener, which a fan-out wait would otherwise pay per job).
///
/// On a wove worker the thread runs queued jobs of its engine, one at a time, between polls, and when there is
/// none it sleeps where both new work and the waker can wake it. Elsewhere it parks.
pub(crate) fn wait_for<R>(poll: &mut dyn FnMut(&Waker, bool) -> Poll<R>, deadline: Option<Instant>) -> Option<R> {
    let worker = context::worker();
    THREAD_WAKER.with(|waker| {
        // Idle rounds since the last job or wake: a short bounded spin (re-checking the condition each round)
        // before parking, since what a fork waits for — a stolen half — is usually done microseconds later, and
        // a park and its wake cost a system call each.
        let mut idle_rounds = 0u32;
        let result = loop {
            // Registered before the last look for work that can end in a sleep, so no wake is lost.
            let register = worker.is_none() || idle_rounds >= WAIT_SPIN_ROUNDS;
            if let Poll::Ready(value) = poll(waker, register) {
                break Some(value);
            }
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                break None;
            }
            match &worker {
                Some(worker) => {
                    // Deep in its stack, a wait takes no new work: only its worker's own jobs and resumed futures,
                    // which the waits below it may be waiting for (`Builder::stack_size`).
                    let here = 0u8;
                    let reach = match worker.is_deep(std::ptr::from_ref(&here).addr()) {
                        true => Reach::Started,
                        false => Reach::Everywhere,
                    };
                    if let Some(job) = worker.find_work_in(reach) {
                        worker.run(job);
                        idle_rounds = 0;
                    } else if idle_rounds < WAIT_SPIN_ROUNDS {
                        if idle_rounds == 0 {
                            // No work: held round counts go back before this wait spins (`round.rs`, step 3).
                            current::flush_held();
                        }
                        (0..1u32 << idle_rounds).for_each(|_| std::hint::spin_loop());
                        idle_rounds += 1;
                    } else {
                        worker.sleep(deadline, true);
                        idle_rounds = 0;
                    }
                }
                None => match deadline {
                    Some(deadline) => std::thread::park_timeout(deadline.saturating_duration_since(Instant::now())),
                    None => std::thread::park(),
                },
            }
        };
        if let Some(worker) = &worker {
            worker.stop_searching();
            // The waiting task goes on: counts held of another round go back first (`round.rs`, step 3).
            current::resume_current();
        }
        result
    })
}

/// The wait hook of every worker (installed as it starts): a blocking latch or event wait runs queued jobs until it is released.
pub(crate) struct HelpWhileWaiting;

impl wove_latch::WaitHook for HelpWhileWaiting {
    fn block(&self, blocker: &wove_latch::Blocker<'_>) {
        wait_for(
            &mut |waker, register| {
                if blocker.is_done() {
                    return std::task::Poll::Ready(());
                }
                if !register {
                    return std::task::Poll::Pending;
                }
                blocker.register(waker);
                if blocker.is_done() { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
            },
            blocker.deadline(),
        );
    }
}
