//! The semantics of task graphs: validation, typed outputs per run, concurrent runs, failures and what they skip,
//! fail-fast, cancellation, condition loops, repeated runs, blocking runs inside a worker, DOT, drop counts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use wove_executor::Engine;
use wove_graph::{RunOptions, TaskGraph};
use wove_testkit::{DropProbe, each_engine, each_engine_with};

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

#[test]
fn a_cycle_is_an_error_naming_only_its_nodes() {
    let mut g = TaskGraph::new();
    let start = g.add("start", || ());
    let (a, b, c) = (g.add("a", || ()), g.add("b", || ()), g.add("c", || ()));
    let end = g.add("end", || ());
    g.precede(start, a);
    g.precede(a, b);
    g.precede(b, c);
    g.precede(c, a);
    g.precede(c, end);
    let error = g.build().unwrap_err();
    assert!(error.is_cycle() && !error.is_failed());
    assert_eq!(error.cycle(), ["a", "b", "c"]);
    assert_eq!(error.to_string(), "the graph has a cycle: a -> b -> c -> a");
}

#[test]
fn a_loop_through_a_condition_node_is_not_a_cycle() {
    let mut g = TaskGraph::new();
    let body = g.add("body", || ());
    let check = g.condition("check", || 1);
    g.precede(body, check);
    g.precede(check, body);
    assert!(g.build().is_ok());
}

#[test]
fn a_node_of_another_graph_is_an_error() {
    let mut other = TaskGraph::new();
    let stranger = other.add("stranger", || 1u32);
    let mut g = TaskGraph::new();
    let local = g.add("local", || ());
    g.precede(local, stranger);
    let error = g.build().unwrap_err();
    assert!(error.is_foreign_node());
    assert_eq!(error.to_string(), "node 'local' is linked to a node of another graph");
    let mut g = TaskGraph::new();
    g.add_after("reader", (stranger, stranger), |(a, b)| a + b);
    assert_eq!(g.build().unwrap_err().to_string(), "node 'reader' is linked to a node of another graph");
}

#[test]
fn a_failure_skips_only_its_dependents() {
    each_engine_with(
        "graph: failure and skip lists",
        |b| b.panic_handler(|_| {}),
        |engine, threads| {
            let ran = counter();
            let mut g = TaskGraph::new();
            let root = g.add("root", || 1u32);
            let bad = g.add_after("bad", root, |_: &u32| -> u32 { panic!("bad data") });
            let child = g.add_after("child", bad, |x: &u32| x + 1);
            let grandchild = g.add_after("grandchild", (child, root), |(x, y)| x + y);
            let (r1, r2) = (ran.clone(), ran.clone());
            let independent = g.add_after("independent", root, move |x: &u32| {
                r1.fetch_add(1, Ordering::SeqCst);
                x * 10
            });
            let after_independent = g.add_after("after independent", independent, move |x: &u32| {
                r2.fetch_add(1, Ordering::SeqCst);
                x + 1
            });
            let error = g.build().unwrap().run(engine).join().unwrap_err();
            assert!(error.is_failed(), "{threads} workers");
            assert_eq!(error.failed(), [("bad".to_string(), "panicked: bad data".to_string())]);
            assert_eq!(error.skipped(), ["child", "grandchild"]);
            assert_eq!(
                error.to_string(),
                "1 node failed: 'bad' panicked: bad data; 2 nodes skipped: 'child', 'grandchild'"
            );
            assert_eq!(ran.load(Ordering::SeqCst), 2, "the independent branch ran to its end");
            let _ = (grandchild, after_independent);
        },
    );
}

#[test]
fn fail_fast_cancels_the_rest_at_the_first_failure() {
    each_engine_with(
        "graph: fail fast",
        |b| b.panic_handler(|_| {}),
        |engine, _| {
            let ran = counter();
            let mut g = TaskGraph::new();
            let bad = g.add("bad", || -> () { panic!("stop") });
            let seen = ran.clone();
            let later = g.add("later", move || {
                seen.fetch_add(1, Ordering::SeqCst);
            });
            g.precede(bad, later);
            let error = g.build().unwrap().run_with(engine, RunOptions::new().fail_fast()).join().unwrap_err();
            assert!(error.is_cancelled());
            assert_eq!(ran.load(Ordering::SeqCst), 0);
        },
    );
}

#[test]
fn cancel_stops_nodes_not_started_and_tells_running_ones() {
    each_engine("graph: cancel", |engine, _| {
        let (started, starts) = std::sync::mpsc::channel();
        let (open, gate) = std::sync::mpsc::channel::<()>();
        let (started, gate) = (Mutex::new(started), Mutex::new(gate));
        let saw_cancel = Arc::new(Mutex::new(None));
        let ran_after = counter();
        let mut g = TaskGraph::new();
        let seen = saw_cancel.clone();
        let first = g.add("first", move || {
            started.lock().unwrap().send(()).unwrap();
            gate.lock().unwrap().recv().unwrap();
            *seen.lock().unwrap() = Some(wove_executor::is_cancelled());
        });
        let after = ran_after.clone();
        let second = g.add("second", move || {
            after.fetch_add(1, Ordering::SeqCst);
        });
        g.precede(first, second);
        let run = g.build().unwrap().run(engine);
        starts.recv().unwrap();
        assert!(run.cancel());
        assert!(!run.cancel(), "cancelled once");
        open.send(()).unwrap();
        assert!(run.join().unwrap_err().is_cancelled());
        assert_eq!(*saw_cancel.lock().unwrap(), Some(true), "the running node saw is_cancelled()");
        assert_eq!(ran_after.load(Ordering::SeqCst), 0, "the node not started never ran");
    });
}

#[test]
fn concurrent_runs_have_their_own_outputs() {
    each_engine("graph: concurrent runs", |engine, threads| {
        let next = counter();
        let mut g = TaskGraph::new();
        let id = g.add("id", move || next.fetch_add(1, Ordering::SeqCst));
        let double = g.add_after("double", id, |id: &usize| id * 2);
        let plus = g.add_after("plus", (id, double), |(id, double)| id + double);
        let graph = g.build().unwrap();
        let runs: Vec<_> = (0..64).map(|_| graph.run(engine)).collect();
        let mut ids: Vec<usize> = runs
            .into_iter()
            .map(|run| {
                let outputs = run.join().unwrap();
                let id = *outputs.get(id).unwrap();
                assert_eq!(outputs.get(plus), Some(&(id * 3)), "{threads} workers: a run read its own outputs");
                id
            })
            .collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..64).collect::<Vec<_>>());
    });
}

#[test]
fn run_n_and_run_until_count_their_runs() {
    each_engine("graph: run_n and run_until", |engine, _| {
        let runs = counter();
        let mut g = TaskGraph::new();
        let seen = runs.clone();
        let a = g.add("a", move || seen.fetch_add(1, Ordering::SeqCst));
        let b = g.add_after("b", a, |n: &usize| n + 1);
        let graph = g.build().unwrap();
        let outputs = graph.run_n(engine, 7).join().unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 7);
        assert_eq!(outputs.get(b), Some(&7), "the last run's outputs");
        assert!(graph.run_n(engine, 0).join().unwrap().get(a).is_none(), "zero runs: no outputs");
        let seen = runs.clone();
        graph.run_until(engine, move || seen.load(Ordering::SeqCst) >= 10).join().unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 10);
        let seen = runs.clone();
        graph.run_until(engine, move || seen.load(Ordering::SeqCst) >= 10).join().unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 10, "a predicate true at once runs nothing");
    });
}

#[test]
fn condition_nodes_loop_and_branch() {
    each_engine("graph: condition loops", |engine, threads| {
        let visits = counter();
        let mut g = TaskGraph::new();
        let start = g.add("start", || ());
        let seen = visits.clone();
        let body = g.add("body", move || seen.fetch_add(1, Ordering::SeqCst) + 1);
        let check = g.add_after("check", body, |n: &usize| *n);
        let again = visits.clone();
        let branch = g.condition("again?", move || if again.load(Ordering::SeqCst) < 10 { 0 } else { 1 });
        let done = g.add("done", || "done");
        let never = g.add("never", || "never");
        g.precede(start, body);
        g.precede(check, branch);
        g.precede(branch, body);
        g.precede(branch, done);
        g.precede(branch, never);
        let outputs = g.build().unwrap().run(engine).join().unwrap();
        assert_eq!(visits.load(Ordering::SeqCst), 10, "{threads} workers");
        assert_eq!(outputs.get(check), Some(&10), "the last visit's output");
        assert_eq!(outputs.get(done), Some(&"done"));
        assert_eq!(outputs.get(never), None, "a branch not taken does not run");
    });
}

#[test]
fn an_out_of_range_condition_runs_no_successor() {
    each_engine("graph: out-of-range condition", |engine, _| {
        let ran = counter();
        let mut g = TaskGraph::new();
        let branch = g.condition("which", || 7);
        let seen = ran.clone();
        let only = g.add("only", move || {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        g.precede(branch, only);
        g.build().unwrap().run(engine).join().unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn a_task_may_run_a_graph_and_join_it_on_a_one_worker_engine() {
    let engine = Engine::builder().threads(1).build().unwrap();
    let mut g = TaskGraph::new();
    let a = g.add("a", || 2u32);
    let b = g.add_after("b", a, |x: &u32| x * 21);
    let graph = g.build().unwrap();
    let task = engine.spawn(move || {
        // On the only worker: the join helps, running the graph's nodes itself.
        let engine = Engine::current().unwrap();
        *graph.run(&engine).join().unwrap().get(b).unwrap()
    });
    assert_eq!(task.join().unwrap(), 42);
}

#[test]
fn to_dot_shows_every_node_and_edge() {
    let mut g = TaskGraph::new();
    let a = g.add("a", || ());
    let branch = g.condition("branch", || 0);
    let (b, c) = (g.add("b", || ()), g.add("c", || ()));
    g.precede(a, branch);
    g.precede(branch, b);
    g.precede(branch, c);
    let dot = g.build().unwrap().to_dot();
    assert!(dot.starts_with("digraph wove {\n") && dot.ends_with("}\n"));
    assert_eq!(dot.matches("label=").count(), 6, "four nodes, two labelled branch edges:\n{dot}");
    assert!(dot.contains("n1 [label=\"branch\", shape=diamond];"));
    assert!(dot.contains("n0 -> n1;"));
    assert!(dot.contains("n1 -> n2 [style=dashed, label=\"0\"];"));
    assert!(dot.contains("n1 -> n3 [style=dashed, label=\"1\"];"));
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
}

#[test]
fn closures_and_outputs_are_dropped_exactly_once() {
    each_engine("graph: drop counts", |engine, _| {
        let (closures, outputs) = (counter(), counter());
        {
            let mut g = TaskGraph::new();
            let probe = DropProbe(closures.clone());
            let made = outputs.clone();
            let a = g.add("a", move || {
                let _ = &probe;
                DropProbe(made.clone())
            });
            let probe = DropProbe(closures.clone());
            g.add_after("b", a, move |_: &DropProbe| {
                let _ = &probe;
            });
            let graph = g.build().unwrap();
            for run in 1..=3 {
                drop(graph.run(engine).join().unwrap());
                assert_eq!(outputs.load(Ordering::SeqCst), run, "each run's output dropped with its outputs");
            }
            assert_eq!(closures.load(Ordering::SeqCst), 0, "the graph keeps its closures");
        }
        // A run lets go of the graph as its last node returns, a moment after `join` does.
        engine.wait_idle();
        assert_eq!(closures.load(Ordering::SeqCst), 2, "dropped with the graph, once each");
    });
}

#[test]
fn a_million_node_chain_builds_runs_and_drops() {
    let engine = Engine::builder().threads(2).build().unwrap();
    let mut g = TaskGraph::new();
    let mut last = g.add("0", || 0u64);
    for _ in 1..1_000_000 {
        last = g.add_after("link", last, |x: &u64| x + 1);
    }
    let graph = g.build().unwrap();
    assert_eq!(graph.run(&engine).join().unwrap().get(last), Some(&999_999));
    drop(graph);
}
