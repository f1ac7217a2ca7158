//! Work nested in a node: tasks spawned inside a node finish before its successors start (Taskflow's subflow),
//! and their failures are the node's; async nodes; graphs as module nodes; a node joining a graph on a
//! one-worker engine; cancellation reaching all of these; profiled runs and their report. Each at 1, 2 and 4
//! workers under the watchdog, with exact counts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use wove_executor::Engine;
use wove_graph::{Outputs, RunOptions, TaskGraph};
use wove_testkit::{DropProbe, each_engine, each_engine_with};

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

/// Spawns `width` tasks, each spawning `width` more, each of which counts one in `leaves` — by closure and by
/// future.
fn fan_out(width: usize, leaves: &Arc<AtomicUsize>) {
    for i in 0..width {
        let leaves = leaves.clone();
        let spawn_leaves = move || {
            for _ in 0..width {
                let leaves = leaves.clone();
                wove_executor::spawn_detached(move || leaves.fetch_add(1, Ordering::SeqCst));
            }
        };
        if i % 2 == 0 {
            wove_executor::spawn_detached(spawn_leaves);
        } else {
            wove_executor::spawn_async(async move { spawn_leaves() }).detach();
        }
    }
}

#[test]
fn tasks_spawned_in_a_node_finish_before_its_successors_start() {
    each_engine("graph: subflow", |engine, _| {
        let leaves = counter();
        let mut g = TaskGraph::new();
        let spawned = leaves.clone();
        let fans = g.add("fans out", move || fan_out(16, &spawned));
        let seen = leaves.clone();
        let after = g.add_after("after", fans, move |_: &()| seen.load(Ordering::SeqCst));
        let graph = g.build().unwrap();
        for run in 1..=3 {
            let outputs = graph.run(engine).join().unwrap();
            // Every leaf of this run had been counted when "after" started.
            assert_eq!(outputs.get(after), Some(&(run * 256)));
        }
    });
}

#[test]
fn a_failed_spawned_task_fails_its_node() {
    each_engine_with(
        "graph: subflow failure",
        |builder| builder.panic_handler(|_| {}),
        |engine, _| {
            let ran_after = counter();
            let mut g = TaskGraph::new();
            let spawns = g.add("spawns", || {
                wove_executor::spawn_detached(|| ());
                wove_executor::spawn_detached(|| panic!("spawned boom"));
            });
            let after = ran_after.clone();
            let dependent = g.add_after("dependent", spawns, move |_: &()| {
                after.fetch_add(1, Ordering::SeqCst);
            });
            let independent = g.add("independent", || 1u8);
            let error = g.build().unwrap().run(engine).join().unwrap_err();
            assert!(error.is_failed());
            assert_eq!(error.failed().len(), 1);
            assert_eq!(error.failed()[0].0, "spawns");
            assert!(error.failed()[0].1.contains("spawned boom"), "{error}");
            assert_eq!(error.skipped(), ["dependent"]);
            assert_eq!(ran_after.load(Ordering::SeqCst), 0);
            let _ = (dependent, independent);
        },
    );
}

#[test]
fn async_nodes_pass_their_output_on() {
    each_engine("graph: async", |engine, _| {
        let mut g = TaskGraph::new();
        let slow = g.add_async("slow", || async {
            wove_executor::sleep(Duration::from_millis(2)).await;
            20u64
        });
        let quick = g.add_async("quick", || async { 22u64 });
        let sum = g.add_after("sum", (slow, quick), |(a, b): (&u64, &u64)| a + b);
        let unit = g.add_async("unit", || async {});
        let graph = g.build().unwrap();
        let runs: Vec<_> = (0..4).map(|_| graph.run(engine)).collect();
        for run in runs {
            let outputs = run.join().unwrap();
            assert_eq!(outputs.get(sum), Some(&42));
            assert_eq!(outputs.get(unit), Some(&()));
        }
    });
}

#[test]
fn a_panicking_async_node_fails() {
    each_engine_with(
        "graph: async failure",
        |builder| builder.panic_handler(|_| {}),
        |engine, _| {
            let mut g = TaskGraph::new();
            let fails = g.add_async("fails", || async {
                wove_executor::sleep(Duration::from_millis(1)).await;
                if true {
                    panic!("async boom");
                }
                1u8
            });
            g.add_after("never", fails, |x: &u8| *x);
            let error = g.build().unwrap().run(engine).join().unwrap_err();
            assert_eq!(error.failed()[0].0, "fails");
            assert!(error.failed()[0].1.contains("async boom"), "{error}");
            assert_eq!(error.skipped(), ["never"]);
        },
    );
}

#[test]
fn module_nodes_run_their_graph_and_pass_its_outputs() {
    each_engine("graph: module", |engine, _| {
        let inner_runs = counter();
        let mut inner = TaskGraph::new();
        let counted = inner_runs.clone();
        let x = inner.add("x", move || {
            counted.fetch_add(1, Ordering::SeqCst);
            5u64
        });
        let y = inner.add_after("y", x, |x: &u64| x * 2);
        let inner = inner.build().unwrap();

        let mut middle = TaskGraph::new();
        let nested = middle.add_graph("inner", &inner);
        let middle_y = middle.add_after("y of inner", nested, move |outputs: &Outputs| *outputs.get(y).unwrap());
        let middle = middle.build().unwrap();

        let mut outer = TaskGraph::new();
        let (a, b) = (outer.add_graph("a", &middle), outer.add_graph("b", &inner));
        let total = outer.add_after("total", (a, b), move |(a, b): (&Outputs, &Outputs)| {
            a.get(middle_y).unwrap() + b.get(y).unwrap()
        });
        let graph = outer.build().unwrap();
        assert_eq!(graph.run(engine).join().unwrap().get(total), Some(&20));
        assert_eq!(inner_runs.load(Ordering::SeqCst), 2, "the inner graph ran once per module node");
    });
}

#[test]
fn a_failed_module_fails_its_node() {
    each_engine_with(
        "graph: module failure",
        |builder| builder.panic_handler(|_| {}),
        |engine, _| {
            let mut inner = TaskGraph::new();
            inner.add("breaks", || -> () { panic!("inner boom") });
            let inner = inner.build().unwrap();
            let mut outer = TaskGraph::new();
            let module = outer.add_graph("module", &inner);
            outer.add_after("after", module, |_: &Outputs| ());
            let error = outer.build().unwrap().run(engine).join().unwrap_err();
            assert_eq!(error.failed().len(), 1);
            assert_eq!(error.failed()[0].0, "module");
            assert!(error.failed()[0].1.contains("'breaks' panicked: inner boom"), "{error}");
            assert_eq!(error.skipped(), ["after"]);
        },
    );
}

/// Counts `started`, then waits until its run is cancelled (or 10 s pass); counts `saw` if it saw the cancel.
fn wait_for_cancel(started: &AtomicUsize, saw: &AtomicUsize) {
    started.fetch_add(1, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !wove_executor::is_cancelled() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    if wove_executor::is_cancelled() {
        saw.fetch_add(1, Ordering::SeqCst);
    }
}

/// The same as a future that holds no worker while it waits: counted in `saw` if it saw the cancel or was
/// dropped before it ended (a cancelled future is dropped).
async fn wait_for_cancel_async(started: Arc<AtomicUsize>, saw: Arc<AtomicUsize>) {
    struct Counted(Arc<AtomicUsize>, bool);
    impl Drop for Counted {
        fn drop(&mut self) {
            if self.1 {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    started.fetch_add(1, Ordering::SeqCst);
    let mut counted = Counted(saw, true);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !wove_executor::is_cancelled() && Instant::now() < deadline {
        wove_executor::sleep(Duration::from_millis(1)).await;
    }
    counted.1 = wove_executor::is_cancelled();
}

/// Waits until `started` reaches `n`.
fn wait_until(started: &AtomicUsize, n: usize) {
    while started.load(Ordering::SeqCst) < n {
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn cancel_reaches_spawned_tasks_and_modules() {
    each_engine("graph: cancel nested", |engine, workers| {
        let (started, saw, ran_after) = (counter(), counter(), counter());
        let mut inner = TaskGraph::new();
        let (inner_started, inner_saw) = (started.clone(), saw.clone());
        inner.add("inner waits", move || wait_for_cancel(&inner_started, &inner_saw));
        let inner = inner.build().unwrap();
        let mut g = TaskGraph::new();
        let (spawner_started, spawner_saw) = (started.clone(), saw.clone());
        let spawner = g.add("spawner", move || {
            let (started, saw) = (spawner_started.clone(), spawner_saw.clone());
            wove_executor::spawn_async(wait_for_cancel_async(started, saw)).detach();
        });
        let module = g.add_graph("module", &inner);
        let after = ran_after.clone();
        g.add_after("after", (spawner, module), move |_: (&(), &Outputs)| {
            after.fetch_add(1, Ordering::SeqCst);
        });
        let run = g.build().unwrap().run(engine);
        // Both wait at once on two workers or more; on one, the blocking inner node may hold the only worker
        // before the spawned task starts.
        wait_until(&started, workers.min(2));
        assert!(run.cancel());
        assert!(run.join().unwrap_err().is_cancelled());
        engine.wait_idle();
        let started = started.load(Ordering::SeqCst);
        assert!(started >= workers.min(2));
        assert_eq!(
            saw.load(Ordering::SeqCst),
            started,
            "whatever had started (the spawned task, the module's node) saw the cancel"
        );
        assert_eq!(ran_after.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn a_node_may_join_another_graph_on_a_one_worker_engine() {
    each_engine("graph: join inside", |engine, _| {
        let mut inner = TaskGraph::new();
        let leaf = inner.add("leaf", || 6u32);
        let inner = inner.build().unwrap();
        let mut g = TaskGraph::new();
        let joined = g.add("joins", move || {
            // Blocks this worker's node, helping: on one worker it runs the inner graph's node itself.
            let engine = Engine::current().unwrap();
            *inner.run(&engine).join().unwrap().get(leaf).unwrap() * 7
        });
        assert_eq!(g.build().unwrap().run(engine).join().unwrap().get(joined), Some(&42));
    });
}

#[test]
fn a_profiled_run_reports_its_critical_path() {
    each_engine("graph: profile", |engine, workers| {
        let nap = |ms| move || std::thread::sleep(Duration::from_millis(ms));
        let mut g = TaskGraph::new();
        let (short, long) = (g.add("short", nap(1)), g.add("long", nap(20)));
        let join = g.add("join", nap(1));
        g.precede(short, join);
        g.precede(long, join);
        let spawns = g.add("spawns", || {
            wove_executor::spawn_detached(|| std::thread::sleep(Duration::from_millis(5)));
        });
        let graph = g.build().unwrap();
        let outputs = graph.run_with(engine, RunOptions::new().profile()).join().unwrap();
        let report = outputs.report().expect("profiled");
        assert_eq!(report.critical_path_nodes(), ["long", "join"]);
        assert!(report.critical_path() >= Duration::from_millis(21));
        assert!(report.work() >= Duration::from_millis(27), "{report}");
        assert!(report.makespan() >= report.critical_path());
        assert_eq!(report.threads(), workers);
        let (start, end) = report.node_time(spawns.index()).unwrap();
        assert!(end - start >= Duration::from_millis(5), "a node's time includes the tasks it spawned");
        let dot = report.to_dot();
        assert!(dot.contains("n1 -> n2 [penwidth=3];"), "{dot}");
        assert!(dot.contains("fillcolor=\"#ff0000\""), "the longest node is red: {dot}");
        assert!(graph.run(engine).join().unwrap().report().is_none(), "unprofiled runs have none");
    });
}

#[test]
fn async_and_module_closures_and_outputs_are_dropped_once() {
    each_engine("graph: nested drops", |engine, _| {
        let (closures, outputs) = (counter(), counter());
        {
            let mut inner = TaskGraph::new();
            let (probe, made) = (DropProbe(closures.clone()), outputs.clone());
            inner.add("inner", move || {
                let _ = &probe;
                DropProbe(made.clone())
            });
            let inner = inner.build().unwrap();
            let mut g = TaskGraph::new();
            let (probe, made) = (DropProbe(closures.clone()), outputs.clone());
            g.add_async("async", move || {
                let _ = &probe;
                let made = made.clone();
                async move { DropProbe(made) }
            });
            g.add_graph("module", &inner);
            let graph = g.build().unwrap();
            drop(inner);
            for run in 1..=3 {
                drop(graph.run(engine).join().unwrap());
                engine.wait_idle();
                assert_eq!(outputs.load(Ordering::SeqCst), 2 * run, "the async and the inner output, per run");
            }
            assert_eq!(closures.load(Ordering::SeqCst), 0);
        }
        engine.wait_idle();
        assert_eq!(closures.load(Ordering::SeqCst), 2, "dropped with the graphs, once each");
    });
}

#[test]
fn a_fail_fast_run_cancels_the_spawned_tasks_of_other_nodes() {
    each_engine_with(
        "graph: fail fast nested",
        |builder| builder.panic_handler(|_| {}),
        |engine, _| {
            let (started, saw) = (counter(), counter());
            let mut g = TaskGraph::new();
            let (spawner_started, spawner_saw) = (started.clone(), saw.clone());
            g.add("spawner", move || {
                let (started, saw) = (spawner_started.clone(), spawner_saw.clone());
                wove_executor::spawn_async(wait_for_cancel_async(started, saw)).detach();
            });
            let waited = started.clone();
            g.add_async("fails later", move || {
                let waited = waited.clone();
                async move {
                    while waited.load(Ordering::SeqCst) == 0 {
                        wove_executor::sleep(Duration::from_millis(1)).await;
                    }
                    panic!("late failure");
                }
            });
            let error = g.build().unwrap().run_with(engine, RunOptions::new().fail_fast()).join().unwrap_err();
            assert!(error.is_cancelled());
            engine.wait_idle();
            assert_eq!(saw.load(Ordering::SeqCst), 1, "the other node's spawned task saw the cancel");
        },
    );
}
