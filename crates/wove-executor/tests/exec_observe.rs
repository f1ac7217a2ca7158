//! Observability: metrics count every task; traces are valid trace-event JSON with one track per worker.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wove_executor::Engine;
use wove_testkit::{each_engine, watchdog};

mod common;
use common::join_fib;

#[test]
fn metrics_count_every_task() {
    each_engine("metrics_count_every_task", |engine, threads| {
        let group = engine.group();
        let ran = Arc::new(AtomicUsize::new(0));
        for _ in 0..5_000 {
            let ran = ran.clone();
            group.spawn(move || ran.fetch_add(1, Ordering::Relaxed)).detach();
        }
        let inner = group.clone();
        let fanout = ran.clone();
        group
            .spawn(move || {
                for _ in 0..1_000 {
                    let ran = fanout.clone();
                    inner.spawn(move || ran.fetch_add(1, Ordering::Relaxed)).detach();
                }
            })
            .detach();
        group.wait().unwrap();
        let metrics = engine.metrics();
        assert_eq!(ran.load(Ordering::Relaxed), 6_000);
        assert_eq!(metrics.tasks_run(), 6_001, "every spawned task is counted once (threads = {threads})");
        assert_eq!(metrics.workers().len(), threads);
        assert_eq!(metrics.queue_depth(), 0);
        if threads == 1 {
            assert_eq!(metrics.stolen(), 0);
        }
    });
}

#[test]
fn trace_of_fib_is_trace_event_json_with_a_track_per_worker() {
    watchdog("trace_of_fib_is_trace_event_json_with_a_track_per_worker", || {
        let threads = 2;
        let engine = Engine::builder().threads(threads).trace(true).build().unwrap();
        assert_eq!(engine.install(|| join_fib(18)), 2584);
        let named = engine.task().name("named \"task\"").spawn(|| ());
        let id = named.id();
        named.join().unwrap();
        engine.shutdown(); // every worker has returned from every job: all slices are recorded
        let path = std::env::temp_dir().join(format!("wove-trace-test-{}.json", std::process::id()));
        engine.write_trace(&path).unwrap();
        let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        std::fs::remove_file(&path).ok();
        let events = trace["traceEvents"].as_array().unwrap();
        let tracks: Vec<u64> = events
            .iter()
            .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
            .map(|e| e["tid"].as_u64().unwrap())
            .collect();
        assert_eq!(tracks, vec![0, 1], "one track per worker");
        let slices: Vec<&serde_json::Value> = events.iter().filter(|e| e["ph"] == "X").collect();
        assert!(!slices.is_empty());
        for slice in &slices {
            assert!(slice["tid"].as_u64().unwrap() < threads as u64);
            assert!(slice["ts"].as_f64().unwrap() >= 0.0 && slice["dur"].as_f64().unwrap() >= 0.0);
            assert!(slice["name"].is_string());
        }
        let task = slices.iter().find(|s| s["name"] == "named \"task\"").expect("the named task has a slice");
        assert_eq!(task["args"]["id"].as_u64(), Some(id.as_u64()));
        let names: Vec<&str> = slices.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"join"), "the install job and stolen join halves are traced: {names:?}");
    });
}

#[test]
fn write_trace_without_tracing_is_an_error() {
    let engine = Engine::builder().threads(1).build().unwrap();
    let err = engine.write_trace(std::env::temp_dir().join("never-written.json")).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(err.to_string(), "tracing is off: build the engine with Builder::trace(true)");
}

/// Finished tasks leave `engine.tasks()` as they finish, even while a worker still holds them in its batch of
/// removals (the worker below stays busy, so it has not handed its batch back).
#[test]
fn finished_tasks_are_not_listed_while_a_worker_is_busy() {
    each_engine("finished_tasks_are_not_listed_while_a_worker_is_busy", |engine, threads| {
        let (release, released) = std::sync::mpsc::channel::<()>();
        let group = engine.group();
        let inner = group.clone();
        let busy = engine.task().name("busy").untracked().spawn(move || {
            // Joining runs the members here, if no other worker took them first.
            let members: Vec<_> = (0..10).map(|_| inner.spawn(|| ())).collect();
            members.into_iter().for_each(|member| member.join().unwrap());
            // Keeps this worker in a task: whatever it finished stays in its batch meanwhile.
            released.recv().unwrap();
        });
        group.wait().unwrap();
        let names: Vec<_> = engine.tasks().iter().map(|t| t.name().map(str::to_owned)).collect();
        assert_eq!(names, vec![Some("busy".to_owned())], "only the busy task is live (threads = {threads})");
        release.send(()).unwrap();
        busy.join().unwrap();
        engine.wait_idle();
        assert!(engine.tasks().is_empty());
    });
}
