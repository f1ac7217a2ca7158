//! Light jobs: every submission runs exactly once at every worker count, from inside and outside the engine; the
//! unit is tracked once (engine idle, its group) and is the current task of its jobs; a panic is contained,
//! reported and recorded in the group; jobs show in the trace under their names; the runner is dropped once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use wove_executor::{Engine, LightJob, LightJobs, TaskError};
use wove_testkit::{DropProbe, each_engine, each_engine_with};

/// Counts the runs of each index in `runs`; job `i` submits `next(i)` from inside its run.
struct Counting {
    runs: Arc<Vec<AtomicUsize>>,
    next: fn(usize, usize) -> Vec<usize>,
    _drop: DropProbe,
}

impl Counting {
    fn new(len: usize, next: fn(usize, usize) -> Vec<usize>, drops: &Arc<AtomicUsize>) -> Self {
        let runs = Arc::new((0..len).map(|_| AtomicUsize::new(0)).collect());
        Self { runs, next, _drop: DropProbe(drops.clone()) }
    }
}

impl LightJob for Counting {
    fn run(&self, index: usize, jobs: &LightJobs<Self>) -> Option<usize> {
        self.runs[index].fetch_add(1, Ordering::Relaxed);
        // All but the last readied job are submitted; the last runs next in this one's place.
        let mut successors = (self.next)(index, jobs.len());
        let last = successors.pop();
        for successor in successors {
            jobs.submit(successor);
        }
        last
    }
}

fn none(_: usize, _: usize) -> Vec<usize> {
    Vec::new()
}

/// A binary tree: job `i` readies `2i + 1` and `2i + 2`.
fn children(index: usize, len: usize) -> Vec<usize> {
    [2 * index + 1, 2 * index + 2].into_iter().filter(|&child| child < len).collect()
}

fn counts(runs: &[AtomicUsize]) -> Vec<usize> {
    runs.iter().map(|runs| runs.load(Ordering::Relaxed)).collect()
}

#[test]
fn every_submission_from_outside_runs_once_and_the_unit_is_waited_for() {
    each_engine("light: every submission from outside runs once", |engine, threads| {
        let drops = Arc::new(AtomicUsize::new(0));
        let jobs = engine.light_jobs("flat", Counting::new(10_000, none, &drops), 10_000);
        let runs = jobs.job().runs.clone();
        for index in 0..jobs.len() {
            jobs.submit(index);
        }
        drop(jobs);
        // The unit is one live task of the engine until its last job has run: `wait_idle` waits for it.
        engine.wait_idle();
        assert_eq!(counts(&runs), vec![1; 10_000], "threads = {threads}");
        assert_eq!(drops.load(Ordering::SeqCst), 1, "the runner is dropped once, when the unit ends");
    });
}

#[test]
fn jobs_submitted_by_jobs_run_once() {
    each_engine("light: a tree of jobs readying jobs", |engine, threads| {
        let drops = Arc::new(AtomicUsize::new(0));
        let jobs = engine.light_jobs("tree", Counting::new(65_535, children, &drops), 65_535);
        let (runs, unit) = (jobs.job().runs.clone(), jobs.id());
        jobs.submit(0);
        assert!(engine.tasks().iter().all(|task| task.id() != unit), "a unit is never listed");
        drop(jobs);
        engine.wait_idle();
        assert_eq!(counts(&runs), vec![1; 65_535], "threads = {threads}");
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// Runs a closure per index; what the closure sees is recorded.
struct Probe<F>(F);

impl<F: Fn(usize) + Send + Sync + 'static> LightJob for Probe<F> {
    fn run(&self, index: usize, _: &LightJobs<Self>) -> Option<usize> {
        (self.0)(index);
        None
    }

    fn name(&self, index: usize) -> Option<&str> {
        Some(["first", "second"][index % 2])
    }
}

#[test]
fn a_unit_is_tracked_by_the_group_of_the_task_that_made_it_and_is_its_jobs_current_task() {
    each_engine("light: ambient tracking and the current task", |engine, _| {
        let group = engine.group();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let followed = Arc::new(AtomicUsize::new(0));
        let (inner_seen, inner_followed) = (seen.clone(), followed.clone());
        let made = group.spawn(move || {
            let record = inner_seen.clone();
            let follow = inner_followed.clone();
            let jobs = wove_executor::Engine::current().unwrap().light_jobs(
                "unit",
                Probe(move |_| {
                    let task = wove_executor::current_task().unwrap();
                    record.lock().unwrap().push((task.id(), task.name().map(str::to_owned)));
                    // A task spawned inside a job joins the unit's group: the group waits for it too.
                    let follow = follow.clone();
                    wove_executor::spawn_detached(move || {
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        follow.fetch_add(1, Ordering::SeqCst);
                    });
                }),
                2,
            );
            jobs.submit(0);
            jobs.submit(1);
            jobs.id()
        });
        let unit = made.join().unwrap();
        group.wait().unwrap();
        assert_eq!(followed.load(Ordering::SeqCst), 2, "the group waited for what the jobs spawned");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert!(seen.iter().all(|(id, name)| *id == unit && name.as_deref() == Some("unit")));
    });
}

#[test]
fn a_cancelled_unit_is_seen_as_cancelled_by_its_jobs() {
    each_engine("light: cancel", |engine, _| {
        let (tx, rx) = std::sync::mpsc::channel();
        let jobs = engine.light_jobs("unit", Probe(move |_| tx.send(wove_executor::is_cancelled()).unwrap()), 1);
        jobs.submit(0);
        assert!(!rx.recv().unwrap(), "not cancelled yet");
        assert!(jobs.cancel());
        jobs.submit(0);
        assert!(rx.recv().unwrap(), "a job sees its unit cancelled");
        assert!(jobs.is_cancelled());
    });
}

#[test]
fn a_panicking_job_is_contained_reported_and_recorded_in_the_group() {
    let reports: Arc<Mutex<Vec<TaskError>>> = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    each_engine_with(
        "light: panics",
        move |builder| {
            let sink = sink.clone();
            builder.panic_handler(move |error| sink.lock().unwrap().push(error))
        },
        move |engine, threads| {
            reports.lock().unwrap().clear();
            let ran = Arc::new(AtomicUsize::new(0));
            let group = engine.group();
            let counter = ran.clone();
            group.spawn_detached(move || {
                let counter = counter.clone();
                let jobs = wove_executor::Engine::current().unwrap().light_jobs(
                    "doomed",
                    Probe(move |index| {
                        if index == 3 {
                            panic!("job three fails");
                        }
                        counter.fetch_add(1, Ordering::SeqCst);
                    }),
                    100,
                );
                for index in 0..100 {
                    jobs.submit(index);
                }
            });
            let error = group.wait().unwrap_err();
            assert!(error.is_failed());
            assert_eq!(error.tasks().len(), 1, "one failure (threads = {threads})");
            assert_eq!(error.tasks()[0].name(), Some("doomed"));
            assert_eq!(ran.load(Ordering::SeqCst), 99, "the other jobs ran");
            engine.wait_idle();
            let reports = reports.lock().unwrap();
            assert_eq!(reports.len(), 1, "reported once");
            assert!(reports[0].is_panic());
            assert_eq!(
                reports[0].to_string(),
                format!("task {} 'doomed' panicked: job three fails", reports[0].task_id())
            );
            // The workers survived.
            assert_eq!(engine.spawn(|| 7).join().unwrap(), 7);
        },
    );
}

#[test]
fn jobs_show_in_the_trace_under_their_names() {
    each_engine_with(
        "light: trace",
        |builder| builder.trace(true),
        |engine, threads| {
            let jobs = engine.light_jobs("unit", Probe(|_| ()), 4);
            for index in 0..4 {
                jobs.submit(index);
            }
            drop(jobs);
            engine.wait_idle();
            let path = std::env::temp_dir().join(format!("wove-light-trace-{}-{threads}.json", std::process::id()));
            engine.write_trace(&path).unwrap();
            let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            std::fs::remove_file(&path).unwrap();
            let names: Vec<&str> = trace["traceEvents"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|event| event["ph"] == "X")
                .filter_map(|event| event["name"].as_str())
                .collect();
            assert_eq!(names.iter().filter(|&&name| name == "first").count(), 2, "{names:?}");
            assert_eq!(names.iter().filter(|&&name| name == "second").count(), 2, "{names:?}");
        },
    );
}

#[test]
fn a_shut_down_engine_refuses_a_unit_and_hands_the_runner_back() {
    let engine = Engine::builder().threads(1).build().unwrap();
    engine.shutdown();
    let drops = Arc::new(AtomicUsize::new(0));
    let refused = LightJobs::try_new(&engine, "late", Counting::new(1, none, &drops), 1).unwrap_err();
    assert!(refused.is_shutdown());
    assert_eq!(refused.into_inner().runs.len(), 1);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

/// A job that names an index out of range to run next panics as the job's own panic: contained and reported.
struct RunsAway;

impl LightJob for RunsAway {
    fn run(&self, _: usize, jobs: &LightJobs<Self>) -> Option<usize> {
        Some(jobs.len())
    }
}

#[test]
fn naming_a_next_job_out_of_range_is_a_contained_panic() {
    let reports: Arc<Mutex<Vec<TaskError>>> = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    let engine =
        Engine::builder().threads(1).panic_handler(move |error| sink.lock().unwrap().push(error)).build().unwrap();
    let jobs = engine.light_jobs("runaway", RunsAway, 3);
    jobs.submit(0);
    drop(jobs);
    engine.wait_idle();
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].to_string().ends_with("panicked: light job 0 named job 3 to run next, of 3"), "{}", reports[0]);
}

#[test]
fn submitting_out_of_range_panics_with_the_index() {
    let engine = Engine::builder().threads(1).build().unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    let jobs = engine.light_jobs("small", Counting::new(2, none, &drops), 2);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| jobs.submit(2))).unwrap_err();
    let message = panicked.downcast_ref::<String>().unwrap();
    assert!(message.contains("index out of bounds"), "{message}");
}
