//! Data along edges: outputs of every size (in place, boxed), taken or dropped exactly once, and outputs of
//! nodes inside a condition loop, read by a node beside the loop while the loop runs them again — at 1, 2 and
//! 4 workers under the watchdog.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use wove_graph::TaskGraph;
use wove_testkit::{DropProbe, each_engine, each_engine_with};

/// An output too large to be kept in place, which counts its drops.
struct Large {
    words: [u64; 16],
    _probe: DropProbe,
}

#[test]
fn outputs_of_every_size_pass_along_and_drop_once() {
    each_engine("graph: output sizes", |engine, _| {
        let drops = Arc::new(AtomicUsize::new(0));
        {
            let mut g = TaskGraph::new();
            let small = g.add("small", || 7u8);
            let text = g.add("text", || "in place".to_string()); // three words: in place
            let probe = drops.clone();
            let large = g.add("large", move || Large { words: [3; 16], _probe: DropProbe(probe.clone()) });
            let sum = g.add_after("sum", (small, text, large), |(small, text, large): (&u8, &String, &Large)| {
                u64::from(*small) + text.len() as u64 + large.words.iter().sum::<u64>()
            });
            let graph = g.build().unwrap();
            for run in 1..=3 {
                let mut outputs = graph.run(engine).join().unwrap();
                assert_eq!(outputs.get(sum), Some(&(7 + 8 + 48)));
                let taken = outputs.take(large).expect("a large output can be taken");
                assert_eq!(outputs.get(large).map(|large| large.words[0]), None, "taken");
                assert_eq!(outputs.take(text).as_deref(), Some("in place"));
                assert_eq!(drops.load(Ordering::SeqCst), run - 1, "not dropped while taken");
                drop(taken);
                assert_eq!(drops.load(Ordering::SeqCst), run);
            }
            // A run whose outputs are dropped untaken drops each once, with the outputs.
            drop(graph.run(engine).join().unwrap());
            assert_eq!(drops.load(Ordering::SeqCst), 4);
        }
        engine.wait_idle();
        assert_eq!(drops.load(Ordering::SeqCst), 4);
    });
}

#[test]
fn a_loop_node_output_is_read_beside_the_loop_while_it_runs_again() {
    const ROUNDS: u64 = 200;
    each_engine("graph: loop data", |engine, _| {
        let visits = Arc::new(AtomicU64::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut g = TaskGraph::new();
        let start = g.add("start", || ());
        let counter = visits.clone();
        // Inside the loop: its output is a fresh String each visit.
        let step = g.add("step", move || format!("visit {}", counter.fetch_add(1, Ordering::SeqCst) + 1));
        let log = seen.clone();
        // Beside the loop: reads the output of each visit it is readied by, while the loop goes on.
        g.add_after("reader", step, move |text: &String| log.lock().unwrap().push(text.clone()));
        let counted = visits.clone();
        let again = g.condition("again?", move || usize::from(counted.load(Ordering::SeqCst) >= ROUNDS));
        let done = g.add("done", || ());
        g.precede(start, step);
        g.precede(step, again);
        g.precede(again, step); // 0: loop back
        g.precede(again, done); // 1: leave
        let outputs = g.build().unwrap().run(engine).join().unwrap();
        assert_eq!(visits.load(Ordering::SeqCst), ROUNDS);
        assert_eq!(outputs.get(step).map(String::as_str), Some(format!("visit {ROUNDS}").as_str()));
        let seen = seen.lock().unwrap();
        // A reader readied again before it started runs once for both: it sees some visits, never a torn one.
        assert!(!seen.is_empty() && seen.len() as u64 <= ROUNDS);
        for text in seen.iter() {
            let visit: u64 = text.strip_prefix("visit ").unwrap().parse().unwrap();
            assert!((1..=ROUNDS).contains(&visit), "{text}");
        }
    });
}

/// A rerun takes the memory of the last run: outputs of a failed run are dropped with it, outputs still held
/// are not touched by the next run, and every output is dropped exactly once.
#[test]
fn reruns_reuse_memory_without_mixing_outputs() {
    each_engine_with(
        "graph: rerun memory",
        |builder| builder.panic_handler(|_| {}),
        |engine, _| {
            let drops = Arc::new(AtomicUsize::new(0));
            let fail = Arc::new(std::sync::atomic::AtomicBool::new(true));
            {
                let mut g = TaskGraph::new();
                let (probe, runs) = (drops.clone(), Arc::new(AtomicU64::new(0)));
                let value = g.add("value", move || (runs.fetch_add(1, Ordering::SeqCst), DropProbe(probe.clone())));
                let failing = fail.clone();
                let check = g.add_after("check", value, move |(run, _): &(u64, DropProbe)| {
                    assert!(!failing.load(Ordering::SeqCst), "asked to fail");
                    *run
                });
                let graph = g.build().unwrap();
                // A failed run: "value" was stored, "check" failed; the run's memory goes back with it emptied.
                assert!(graph.run(engine).join().unwrap_err().is_failed());
                engine.wait_idle();
                assert_eq!(drops.load(Ordering::SeqCst), 1, "the failed run's output was dropped with it");
                fail.store(false, Ordering::SeqCst);
                let first = graph.run(engine).join().unwrap();
                let second = graph.run(engine).join().unwrap(); // `first` holds its slots: new ones for this run
                assert_eq!((first.get(check), second.get(check)), (Some(&1), Some(&2)));
                drop(first);
                let third = graph.run(engine).join().unwrap(); // takes `first`'s memory back
                assert_eq!((second.get(check), third.get(check)), (Some(&2), Some(&3)));
                drop((second, third));
                assert_eq!(drops.load(Ordering::SeqCst), 4);
            }
            engine.wait_idle();
            assert_eq!(drops.load(Ordering::SeqCst), 4);
        },
    );
}

/// Nodes whose output is `()` have no slot, so a storing node after them is kept at another place than its
/// index: getting and taking it find it there.
#[test]
fn outputs_after_unit_nodes_are_found_and_taken() {
    each_engine("graph: slots after () nodes", |engine, _| {
        let mut g = TaskGraph::new();
        let (first, second) = (g.add("first", || ()), g.add("second", || ()));
        let text = g.add_after("text", (first, second), |_: (&(), &())| "kept".to_string());
        let number = g.add("number", || 7u64);
        let mut outputs = g.build().unwrap().run(engine).join().unwrap();
        assert_eq!(outputs.get(number), Some(&7));
        assert_eq!(outputs.take(text).as_deref(), Some("kept"));
        assert_eq!(outputs.take(number), Some(7));
        assert_eq!(outputs.take(first), Some(()));
    });
}
