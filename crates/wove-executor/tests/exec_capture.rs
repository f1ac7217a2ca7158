//! `Group::capture`: the tasks a closure spawns with ambient tracking — and everything they spawn — join one
//! group made at the first spawn; nothing else does (explicit groups, untracked spawns, the tasks a waiting
//! worker runs meanwhile, the other jobs of a light unit); a closure that spawns nothing makes no group.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wove_executor::{Engine, Group, LightJob, LightJobs};
use wove_latch::Latch;
use wove_testkit::each_engine;

/// Spawns a tree: `depth` levels, `width` children per task; counts the leaves.
fn tree(depth: usize, width: usize, leaves: Arc<AtomicUsize>) {
    if depth == 0 {
        leaves.fetch_add(1, Ordering::SeqCst);
        return;
    }
    for _ in 0..width {
        let leaves = leaves.clone();
        wove_executor::spawn_detached(move || tree(depth - 1, width, leaves));
    }
}

#[test]
fn a_captured_tree_is_waited_for_whole() {
    each_engine("captured tree", |engine, _| {
        let leaves = Arc::new(AtomicUsize::new(0));
        let counter = leaves.clone();
        let waited = engine.spawn(move || {
            let ((), group) = Group::capture(|| tree(4, 4, counter.clone()));
            group.expect("a spawn makes the group").wait().unwrap();
            counter.load(Ordering::SeqCst)
        });
        // Every leaf had run when the wait returned.
        assert_eq!(waited.join().unwrap(), 256);
        assert_eq!(leaves.load(Ordering::SeqCst), 256);
    });
}

#[test]
fn from_a_plain_thread_too() {
    each_engine("capture outside", |engine, _| {
        let leaves = Arc::new(AtomicUsize::new(0));
        let counter = leaves.clone();
        let inner = engine.clone();
        let ((), group) = Group::capture(move || {
            inner.spawn_detached(move || tree(3, 3, counter));
        });
        group.unwrap().wait().unwrap();
        assert_eq!(leaves.load(Ordering::SeqCst), 27);
    });
}

#[test]
fn no_spawn_makes_no_group_and_others_are_not_captured() {
    each_engine("capture none", |engine, _| {
        let explicit = engine.group();
        let door = Arc::new(Latch::new(1));
        let inside = {
            let (explicit, door) = (explicit.clone(), door.clone());
            engine.spawn(move || {
                let (value, none) = Group::capture(|| 7);
                assert!(none.is_none());
                // Into an explicit group, and untracked: not captured.
                let ((), none) = Group::capture(|| {
                    let door = door.clone();
                    explicit.spawn_async(async move { door.wait_async().await }).detach();
                    wove_executor::Engine::current().unwrap().task::<()>().untracked().spawn_detached(|| ());
                });
                (value, none.is_none())
            })
        };
        assert_eq!(inside.join().unwrap(), (7, true));
        assert_eq!(explicit.len(), 1, "the explicit group's member is still waiting");
        door.count_down().unwrap();
        explicit.wait().unwrap();
    });
}

#[test]
fn a_failure_of_a_captured_task_is_the_groups() {
    each_engine("capture failure", |engine, _| {
        let result = engine.spawn(|| {
            let ((), group) = Group::capture(|| {
                wove_executor::spawn_detached(|| panic!("captured failure"));
            });
            group.unwrap().wait()
        });
        let error = result.join().unwrap().unwrap_err();
        assert!(error.is_failed());
        assert!(error.to_string().contains("captured failure"), "{error}");
    });
}

/// Job 0 submits job 1, then, under a capture, spawns one task and waits (helping) for an explicit group's
/// sleeping member: its worker runs job 1 meanwhile (on one worker, surely), and job 1 spawns a task that waits
/// for `door`. Job 0 then waits for its captured group: job 1's task is not in it.
struct TwoJobs {
    door: Arc<Latch>,
    captured: Mutex<Option<usize>>,
}

impl LightJob for TwoJobs {
    fn run(&self, index: usize, jobs: &LightJobs<Self>) -> Option<usize> {
        if index == 0 {
            let engine = Engine::current().unwrap();
            let ((), group) = Group::capture(|| {
                jobs.submit(1);
                wove_executor::spawn_detached(|| ());
                let explicit = engine.group();
                explicit.spawn_async(wove_executor::sleep(Duration::from_millis(30))).detach();
                explicit.wait().unwrap();
            });
            let group = group.unwrap();
            group.wait().unwrap();
            *self.captured.lock().unwrap() = Some(group.len());
        } else {
            let door = self.door.clone();
            wove_executor::spawn_async(async move { door.wait_async().await }).detach();
        }
        None
    }
}

#[test]
fn the_other_jobs_of_a_unit_are_not_captured() {
    each_engine("capture light", |engine, _| {
        let door = Arc::new(Latch::new(1));
        let jobs = engine.light_jobs("two", TwoJobs { door: door.clone(), captured: Mutex::new(None) }, 2);
        jobs.submit(0);
        // Job 0's wait returns although job 1's task waits for the door: it was not captured.
        let deadline = Instant::now() + Duration::from_secs(10);
        while jobs.job().captured.lock().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        let captured = *jobs.job().captured.lock().unwrap();
        door.count_down().unwrap();
        assert_eq!(captured, Some(0), "job 0's wait ended, and nothing of job 1 was in its group");
        drop(jobs);
        engine.wait_idle();
    });
}
