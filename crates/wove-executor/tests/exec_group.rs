//! Groups: follow-ups from callbacks are tracked and the wait is never early, nor late; rounds,
//! timeouts, fail-fast, untracked.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use wove_executor::Engine;
use wove_testkit::{each_engine, each_engine_with, watchdog};

/// A small deterministic generator for the random delays.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn delay(seed: u64) {
    match seed % 4 {
        0 => {}
        1 => std::thread::yield_now(),
        2 => (0..(seed % 200)).for_each(|_| std::hint::spin_loop()),
        _ => std::thread::sleep(Duration::from_micros(seed % 50)),
    }
}

#[test]
fn followups_from_callbacks_are_tracked() {
    each_engine("followups_from_callbacks_are_tracked", |engine, threads| {
        let group = engine.group();
        let mut seed = 0x2545_F491_4F6C_DD1D_u64 ^ threads as u64;
        let rounds = if threads == 1 { 3_000 } else { 10_000 / threads };
        for _ in 0..rounds {
            let (d1, d2, d3) = (next(&mut seed), next(&mut seed), next(&mut seed));
            let last = Arc::new(AtomicUsize::new(0));
            let seen = last.clone();
            // task -> callback spawns follow-up -> its callback spawns another.
            let first = group.spawn(move || delay(d1));
            first.on_done(move |_| {
                let seen = seen.clone();
                let follow_up = wove_executor::spawn(move || delay(d2));
                follow_up.on_done(move |_| {
                    wove_executor::spawn(move || {
                        delay(d3);
                        seen.fetch_add(1, Ordering::SeqCst);
                    })
                    .detach();
                });
            });
            group.wait().unwrap();
            assert_eq!(last.load(Ordering::SeqCst), 1, "group.wait returned before the last follow-up");
            assert!(group.is_empty());
        }
    });
}

/// A worker keeps the counts of members that finished on it while it runs more members, and gives them back
/// before anything else (`round.rs`, held counts): a wait is never held up by a task outside the group that
/// happens to run next on that worker — here one that blocks until the wait has returned.
#[test]
fn a_wait_never_waits_for_the_next_task_outside_the_group() {
    each_engine("a_wait_never_waits_for_the_next_task_outside_the_group", |engine, _| {
        let group = engine.group();
        let (open, gate) = mpsc::channel::<()>();
        for _ in 0..10 {
            group.spawn_detached(|| ());
        }
        // Untracked; on one worker it runs right after the members.
        let blocker = engine.spawn(move || gate.recv().unwrap());
        group.wait().unwrap();
        open.send(()).unwrap();
        blocker.join().unwrap();
    });
}

/// The same when the member ran on a worker while a task outside the group joined it, and that task then blocks.
#[test]
fn a_wait_never_waits_for_the_task_that_joined_a_member() {
    each_engine("a_wait_never_waits_for_the_task_that_joined_a_member", |engine, _| {
        let group = engine.group();
        let (open, gate) = mpsc::channel::<()>();
        let (joined, member_done) = mpsc::channel::<()>();
        let members = group.clone();
        let outer = engine.spawn(move || {
            // On one worker the member runs here, while this task waits for it.
            members.spawn(|| ()).join().unwrap();
            joined.send(()).unwrap();
            gate.recv().unwrap();
        });
        member_done.recv().unwrap();
        group.wait().unwrap();
        open.send(()).unwrap();
        outer.join().unwrap();
    });
}

#[test]
fn group_is_reusable_and_reports_failures_per_round() {
    watchdog("group_is_reusable_and_reports_failures_per_round", || {
        let engine = Engine::builder().threads(2).panic_handler(|_| {}).build().unwrap();
        let group = engine.group();
        group.spawn(|| ()).detach();
        group.wait().unwrap();
        let failing = group.task().name("bad").spawn(|| panic!("round two fails"));
        let id = failing.id();
        let err = group.wait().unwrap_err();
        assert!(err.is_failed());
        assert_eq!(err.to_string(), format!("1 task of the group failed: task {id} 'bad' panicked: round two fails"));
        assert_eq!(group.wait().unwrap_err().tasks()[0].id(), id, "a finished round keeps its failures");
        group.spawn(|| ()).detach();
        group.wait().unwrap(); // a new round starts clean
        drop(failing);
    });
}

#[test]
fn wait_timeout_names_the_tasks_still_running() {
    watchdog("wait_timeout_names_the_tasks_still_running", || {
        let engine = Engine::builder().threads(2).build().unwrap();
        let group = engine.group();
        let (open, gate) = std::sync::mpsc::channel::<()>();
        let slow = group.task().name("slow").spawn(move || gate.recv().unwrap());
        let err = group.wait_timeout(Duration::from_millis(20)).unwrap_err();
        assert!(err.is_timeout());
        assert_eq!(err.tasks().iter().map(|t| t.id()).collect::<Vec<_>>(), vec![slow.id()]);
        assert_eq!(
            err.to_string(),
            format!("group wait timed out after 20ms; still running: task {} 'slow'", slow.id())
        );
        assert!(format!("{:?}", group.tasks()).contains("\"slow\""));
        open.send(()).unwrap();
        group.wait_timeout(Duration::from_secs(30)).unwrap();
    });
}

#[test]
fn fail_fast_cancels_the_rest() {
    each_engine_with(
        "fail_fast_cancels_the_rest",
        |builder| builder.panic_handler(|_| {}),
        |engine, threads| {
            let group = engine.group().fail_fast();
            // Members hold every worker (blocked on std channels, which do not help); holder 0 will panic.
            let (gates, holders): (Vec<_>, Vec<_>) = (0..threads)
                .map(|i| {
                    let (open, gate) = std::sync::mpsc::channel::<()>();
                    let holder = group.spawn(move || {
                        gate.recv().unwrap();
                        if i == 0 {
                            panic!("first failure");
                        }
                    });
                    (open, holder)
                })
                .unzip();
            while engine.tasks().iter().filter(|t| t.state() == wove_executor::TaskState::Running).count() < threads {
                std::thread::yield_now();
            }
            let ran = Arc::new(AtomicUsize::new(0));
            let rest: Vec<_> = (0..50)
                .map(|_| {
                    let ran = ran.clone();
                    group.spawn(move || ran.fetch_add(1, Ordering::SeqCst))
                })
                .collect();
            // The panic cancels every other member before its worker looks for more work.
            gates[0].send(()).unwrap();
            let mut holders = holders.into_iter();
            assert!(holders.next().unwrap().join().unwrap_err().is_panic());
            gates[1..].iter().for_each(|open| open.send(()).unwrap());
            assert!(group.wait().unwrap_err().is_failed());
            assert_eq!(ran.load(Ordering::SeqCst), 0, "no queued member ran after the failure (threads = {threads})");
            assert!(rest.into_iter().all(|t| t.join().unwrap_err().is_cancelled()));
            assert!(holders.all(|t| t.join().unwrap_err().is_cancelled()), "running members end cancelled");
        },
    );
}

#[test]
fn untracked_tasks_do_not_hold_the_group() {
    watchdog("untracked_tasks_do_not_hold_the_group", || {
        let engine = Engine::builder().threads(2).build().unwrap();
        let group = engine.group();
        let (open, gate) = std::sync::mpsc::channel::<()>();
        let inner = engine.clone();
        let member = group.spawn(move || inner.task().untracked().spawn(move || gate.recv().unwrap()));
        group.wait().unwrap();
        let untracked = member.join().unwrap();
        assert!(!untracked.is_finished());
        open.send(()).unwrap();
        untracked.join().unwrap();
    });
}

#[test]
fn group_await_works_from_async_code() {
    watchdog("group_await_works_from_async_code", || {
        let engine = Engine::builder().threads(2).build().unwrap();
        let group = engine.group();
        let count = Arc::new(AtomicUsize::new(0));
        for _ in 0..100 {
            let count = count.clone();
            group.spawn_async(async move { count.fetch_add(1, Ordering::SeqCst) }).detach();
        }
        let waiter = group.clone();
        engine.spawn_async(async move { waiter.await }).join().unwrap().unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 100);
    });
}

/// A future waiting for a group is woken by the count a worker gives back before it sleeps (the round's last
/// member finished on that worker, which held its count): it is resumed in that worker's next-task slot, which
/// the worker must look at before it sleeps — else, with every worker asleep, it is never run.
#[test]
fn an_async_group_wait_woken_by_a_worker_going_idle_runs() {
    each_engine("group: wake before sleep", |engine, _| {
        for _ in 0..2_000 {
            let group = engine.group();
            let waiter = engine.spawn(move || {
                // Members spread over the workers, so that some search for work while others go idle.
                for _ in 0..16 {
                    group.spawn_detached(|| (0..16).for_each(|_| wove_executor::spawn_detached(|| ())));
                }
                let waiting = group.clone();
                wove_executor::spawn_async(async move { (&waiting).await })
            });
            waiter.join().unwrap().join().unwrap().unwrap();
        }
    });
}
