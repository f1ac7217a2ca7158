//! `chain!` and `Chain`: lazy, in order, each step its own job, nested results, stop at the first failure.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use wove_chain::{Chain, chain, step_async};
use wove_executor::{Engine, TaskId};
use wove_testkit::{DropProbe, each_engine, each_engine_with, watchdog};

#[test]
fn steps_run_lazily_in_order_each_as_its_own_task() {
    each_engine("steps_run_lazily_in_order_each_as_its_own_task", |engine, _| {
        let log: Arc<Mutex<Vec<(&str, TaskId)>>> = Arc::default();
        let step = |name: &'static str, value: u32| {
            let log = log.clone();
            move || {
                log.lock().unwrap().push((name, wove_executor::current_task().unwrap().id()));
                value
            }
        };
        let chain = chain!(step("a", 1), chain!(step("b", 2), step("c", 3)), step_async(async { 4 }), step("d", 5));
        assert!(log.lock().unwrap().is_empty(), "nothing runs where chain! is written");
        let task = engine.spawn(chain);
        let chain_id = task.id();
        assert_eq!(task.join().unwrap(), (1, (2, 3), 4, 5));
        let log = log.lock().unwrap();
        assert_eq!(log.iter().map(|(name, _)| *name).collect::<Vec<_>>(), ["a", "b", "c", "d"]);
        let mut ids: Vec<TaskId> = log.iter().map(|(_, id)| *id).collect();
        ids.push(chain_id);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 5, "every step ran as its own task, apart from the chain's");
    });
}

#[test]
fn a_failed_step_stops_the_chain() {
    each_engine_with(
        "a_failed_step_stops_the_chain",
        |builder| builder.panic_handler(|_| {}),
        |engine, _| {
            let (ran, drops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
            let (later, probe) = (ran.clone(), DropProbe(drops.clone()));
            let chain = chain!(|| 1, || -> u32 { panic!("step two fails") }, move || {
                let _probe = probe;
                later.fetch_add(1, Ordering::SeqCst);
            });
            let err = engine.spawn(chain).join().unwrap_err();
            assert!(err.is_panic());
            assert!(err.to_string().ends_with("panicked: step two fails"), "{err}");
            assert_eq!(ran.load(Ordering::SeqCst), 0, "the step after the failure never ran");
            assert_eq!(drops.load(Ordering::SeqCst), 1, "…and its closure was dropped exactly once");
        },
    );
}

#[test]
fn chain_builder_runs_any_number_of_steps() {
    watchdog("chain_builder_runs_any_number_of_steps", || {
        let engine = Engine::builder().threads(2).build().unwrap();
        let chain = (0..100u64).fold(Chain::new(), |chain, i| chain.step(move || i * 2));
        let results = engine.spawn(move || chain.run()).join().unwrap();
        assert_eq!(results, (0..100).map(|i| i * 2).collect::<Vec<_>>());
    });
}
