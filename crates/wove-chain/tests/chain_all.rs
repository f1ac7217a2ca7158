//! `all`, `any` and `as_completed`: order of results, failure propagation with names, cancellation of the
//! rest, exact drop counts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_lite::StreamExt;
use wove_executor::{Engine, Task};
use wove_latch::Event;
use wove_testkit::{DropProbe, each_engine, each_engine_with, watchdog};

/// A task that finishes with `value` only once `gate` is set; it waits as a future, holding no worker.
fn gated(engine: &Engine, gate: &Event, value: u32, drops: &Arc<AtomicUsize>) -> Task<u32> {
    let (gate, probe) = (gate.clone(), DropProbe(drops.clone()));
    engine.spawn_async(async move {
        let _probe = probe;
        gate.wait_async().await;
        value
    })
}

#[test]
fn all_keeps_input_order() {
    each_engine("all_keeps_input_order", |engine, _| {
        let drops = Arc::new(AtomicUsize::new(0));
        let gates: Vec<Event> = (0..5).map(|_| Event::new()).collect();
        let tasks: Vec<_> = gates.iter().enumerate().map(|(i, g)| gated(engine, g, i as u32 * 10, &drops)).collect();
        let all = wove_chain::all(tasks);
        for gate in gates.iter().rev() {
            gate.set(); // finish in reverse order
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(all.join().unwrap(), vec![0, 10, 20, 30, 40]);
        engine.wait_idle();
        assert_eq!(drops.load(Ordering::SeqCst), 5);
    });
}

#[test]
fn all_fails_at_the_first_failure_with_its_name_and_can_cancel_the_rest() {
    each_engine_with(
        "all_fails_at_the_first_failure_with_its_name_and_can_cancel_the_rest",
        |builder| builder.panic_handler(|_| {}),
        |engine, _| {
            for cancelling in [false, true] {
                let drops = Arc::new(AtomicUsize::new(0));
                let never = Event::new();
                let slow = gated(engine, &never, 1, &drops);
                let failing = engine.task().name("broken").spawn(|| -> u32 { panic!("fails first") });
                let id = failing.id();
                let all = if cancelling {
                    wove_chain::all_cancelling(vec![slow, failing])
                } else {
                    wove_chain::all(vec![slow, failing])
                };
                let err = all.join().unwrap_err(); // returns while `slow` still waits: the failure was first
                assert_eq!(err.to_string(), format!("task {id} 'broken' panicked: fails first"));
                if cancelling {
                    engine.wait_idle(); // the slow input was cancelled, so the engine goes idle
                } else {
                    assert_eq!(drops.load(Ordering::SeqCst), 0, "without cancelling, the slow input still waits");
                    never.set();
                    engine.wait_idle();
                }
                assert_eq!(drops.load(Ordering::SeqCst), 1, "the slow input's future was dropped exactly once");
            }
        },
    );
}

#[test]
fn all_of_a_tuple_and_of_nothing() {
    watchdog("all_of_a_tuple_and_of_nothing", || {
        let engine = Engine::builder().threads(2).build().unwrap();
        let (a, b, c) =
            wove_chain::all((engine.spawn(|| 1u8), engine.spawn(|| "two"), engine.spawn(|| 3.0f64))).join().unwrap();
        assert_eq!((a, b, c), (1, "two", 3.0));
        assert_eq!(wove_chain::all(Vec::<Task<u8>>::new()).join().unwrap(), Vec::<u8>::new());
    });
}

#[test]
fn any_gives_the_first_success_and_can_cancel_the_rest() {
    each_engine_with(
        "any_gives_the_first_success_and_can_cancel_the_rest",
        |builder| builder.panic_handler(|_| {}),
        |engine, _| {
            let drops = Arc::new(AtomicUsize::new(0));
            let never = Event::new();
            let slow = gated(engine, &never, 1, &drops);
            let failing = engine.spawn(|| -> u32 { panic!("down") });
            let fast = engine.spawn(|| 7);
            assert_eq!(wove_chain::any_cancelling(vec![slow, failing, fast]).join().unwrap(), (2, 7));
            engine.wait_idle();
            assert_eq!(drops.load(Ordering::SeqCst), 1, "the slow input was cancelled and dropped once");

            let all_fail = vec![engine.spawn(|| -> u32 { panic!("a") }), engine.spawn(|| -> u32 { panic!("b") })];
            assert!(wove_chain::any(all_fail).join().unwrap_err().is_panic());
        },
    );
}

#[test]
fn as_completed_yields_in_completion_order_as_iterator_and_stream() {
    each_engine("as_completed_yields_in_completion_order_as_iterator_and_stream", |engine, _| {
        let drops = Arc::new(AtomicUsize::new(0));
        let gates: Vec<Event> = (0..3).map(|_| Event::new()).collect();
        let tasks: Vec<_> = gates.iter().enumerate().map(|(i, g)| gated(engine, g, i as u32, &drops)).collect();
        let mut completed = wove_chain::as_completed(tasks);
        for i in [2, 0, 1] {
            gates[i].set();
            assert_eq!(completed.next().unwrap().unwrap(), i as u32);
        }
        assert!(completed.next().is_none());

        let gates: Vec<Event> = (0..3).map(|_| Event::new()).collect();
        let tasks: Vec<_> = gates.iter().enumerate().map(|(i, g)| gated(engine, g, i as u32, &drops)).collect();
        let mut stream = wove_chain::as_completed(tasks).into_stream();
        let order = engine.block_on(async {
            let mut order = Vec::new();
            for i in [1, 2, 0] {
                gates[i].set();
                order.push(stream.next().await.unwrap().unwrap());
            }
            assert!(stream.next().await.is_none());
            order
        });
        assert_eq!(order, vec![1, 2, 0]);
    });
}
