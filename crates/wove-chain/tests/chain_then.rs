//! Continuations: values flow step to step, each step is its own job on a worker (never inline on the caller),
//! and chains are tracked by the group of the task they follow.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wove_chain::TaskExt;
use wove_executor::Engine;
use wove_testkit::{each_engine, each_engine_with};

#[test]
fn values_flow_through_the_steps() {
    each_engine("values_flow_through_the_steps", |engine, _| {
        let seen = Arc::new(AtomicUsize::new(0));
        let peek = seen.clone();
        let text = engine
            .spawn(|| 20)
            .then(|n| n + 1)
            .inspect(move |n| peek.store(*n, Ordering::SeqCst))
            .then(|n| n * 2)
            .map(|outcome| outcome.map(|n| format!("Main: {n}")))
            .join()
            .unwrap();
        assert_eq!(text, "Main: 42");
        assert_eq!(seen.load(Ordering::SeqCst), 21);
    });
}

#[test]
fn a_step_added_to_a_finished_task_runs_on_a_worker_not_inline() {
    each_engine("a_step_added_to_a_finished_task_runs_on_a_worker_not_inline", |engine, _| {
        let head = engine.spawn(|| 1);
        while !head.is_finished() {
            std::thread::yield_now();
        }
        let caller = std::thread::current().id();
        let step = head.then(move |n| (n, std::thread::current().id() != caller, Engine::current().is_some()));
        assert_eq!(step.join().unwrap(), (1, true, true));
    });
}

#[test]
fn steps_join_the_group_of_the_task_they_follow() {
    each_engine("steps_join_the_group_of_the_task_they_follow", |engine, _| {
        let group = engine.group();
        let done = Arc::new(AtomicUsize::new(0));
        for _ in 0..100 {
            let done = done.clone();
            let mut step = group.spawn(|| 0usize);
            for _ in 0..10 {
                step = step.then(|n| {
                    std::thread::yield_now();
                    n + 1
                });
            }
            step.then(move |n| done.fetch_add(n, Ordering::SeqCst)).detach();
        }
        group.wait().unwrap();
        assert_eq!(done.load(Ordering::SeqCst), 1000, "group.wait() covered every step of every chain");
    });
}

#[test]
fn and_then_and_then_async_flatten_and_carry_inner_failures() {
    each_engine_with(
        "and_then_and_then_async_flatten_and_carry_inner_failures",
        |builder| builder.panic_handler(|_| {}),
        |engine, _| {
            let inner = engine.clone();
            let value = engine
                .spawn(|| 1)
                .and_then(move |n| inner.spawn(move || n + 1))
                .then_async(|n| async move { n * 10 })
                .join()
                .unwrap();
            assert_eq!(value, 20);

            let inner = engine.clone();
            let failing = engine
                .spawn(|| 1)
                .and_then(move |_| inner.task().name("inner").spawn(|| -> u32 { panic!("inner fails") }));
            let err = failing.then(|n| n + 1).join().unwrap_err();
            assert_eq!(err.name(), Some("inner"), "the inner task's failure is carried, naming it");
        },
    );
}
