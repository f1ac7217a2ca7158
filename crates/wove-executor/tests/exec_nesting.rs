//! Helping while waiting never overflows a stack: flat workloads of tasks that block on children that are not
//! runnable yet, deep recursion of spawn + join, and trees of nested group waits. Each scenario runs in a child
//! process of this test binary, so that a stack overflow (an abort) is a failed test, not a dead suite.

use std::time::Duration;

use wove_executor::Engine;

/// Runs scenario `name` at `threads` workers in a child process; fails with its output if it does not succeed
/// within a minute.
fn scenario_in_child(name: &str, threads: usize) {
    scenario_in_child_with_stack(name, threads, None);
}

/// As [`scenario_in_child`], with the workers' stack size set.
fn scenario_in_child_with_stack(name: &str, threads: usize, stack: Option<usize>) {
    let (threads, stack) = (threads.to_string(), stack.map(|stack| stack.to_string()));
    let mut env = vec![("WOVE_NESTING_SCENARIO", name), ("WOVE_NESTING_THREADS", threads.as_str())];
    if let Some(stack) = &stack {
        env.push(("WOVE_NESTING_STACK", stack.as_str()));
    }
    let output = wove_testkit::in_child("child_runs_scenario", &env, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("scenario done"),
        "{name} at {threads} workers failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The child side: runs the scenario named in the environment.
#[test]
fn child_runs_scenario() {
    let Ok(name) = std::env::var("WOVE_NESTING_SCENARIO") else { return };
    let threads: usize = std::env::var("WOVE_NESTING_THREADS").unwrap().parse().unwrap();
    let mut builder = Engine::builder().threads(threads);
    if let Ok(stack) = std::env::var("WOVE_NESTING_STACK") {
        builder = builder.stack_size(stack.parse().unwrap());
    }
    let engine = builder.build().unwrap();
    match name.as_str() {
        "flat_yield" => flat_blocking(&engine, 100_000, Child::Yields),
        "flat_sleep" => flat_blocking(&engine, 20_000, Child::Sleeps),
        "recursive" => assert_eq!(engine.spawn(|| recursive(10_000)).join().unwrap(), 10_000),
        "group_tree" => group_tree(&engine, 6),
        "spawn_fib" => assert_eq!(engine.spawn(|| spawn_fib(25)).join().unwrap(), 75_025),
        other => panic!("no scenario {other}"),
    }
    println!("scenario done");
}

#[derive(Clone, Copy)]
enum Child {
    /// Yields once before it finishes.
    Yields,
    /// Sleeps a millisecond on wove's timer.
    Sleeps,
}

/// `tasks` tasks, each spawning an async child that is not runnable yet and blocking on it with `join`.
fn flat_blocking(engine: &Engine, tasks: usize, child: Child) {
    let group = engine.group();
    for i in 0..tasks {
        group.spawn_detached(move || {
            let child = wove_executor::spawn_async(async move {
                match child {
                    Child::Yields => wove_executor::yield_now().await,
                    Child::Sleeps => wove_executor::sleep(Duration::from_millis(1)).await,
                }
                i
            });
            assert_eq!(child.join().unwrap(), i);
        });
    }
    group.wait().unwrap();
}

/// Spawn + join, `depth` levels deep.
fn recursive(depth: usize) -> usize {
    if depth == 0 {
        return 0;
    }
    wove_executor::spawn(move || recursive(depth - 1)).join().unwrap() + 1
}

/// Every node spawns 10 children into its own group and waits for it: 10^depth leaves.
fn group_tree(engine: &Engine, depth: usize) {
    fn node(engine: &Engine, depth: usize) {
        if depth == 0 {
            return;
        }
        let group = engine.group();
        for _ in 0..10 {
            let engine = engine.clone();
            group.spawn_detached(move || node(&engine, depth - 1));
        }
        group.wait().unwrap();
    }
    let root = engine.clone();
    engine.spawn(move || node(&root, depth)).join().unwrap();
}

/// fib with a spawned-and-joined child per node.
fn spawn_fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let left = wove_executor::spawn(move || spawn_fib(n - 1));
    let right = spawn_fib(n - 2);
    left.join().unwrap() + right
}

#[test]
fn flat_blocking_joins_on_yielding_children_do_not_overflow() {
    for threads in [1, 2] {
        scenario_in_child("flat_yield", threads);
    }
}

#[test]
fn flat_blocking_joins_on_sleeping_children_do_not_overflow() {
    for threads in [1, 2] {
        scenario_in_child("flat_sleep", threads);
    }
}

#[test]
fn recursive_spawn_and_join_ten_thousand_deep() {
    for threads in [1, 2] {
        scenario_in_child("recursive", threads);
    }
}

#[test]
fn nested_group_waits_do_not_overflow() {
    for threads in [1, 2] {
        scenario_in_child("group_tree", threads);
    }
}

#[test]
fn spawned_fib_completes() {
    for threads in [1, 2, 4] {
        scenario_in_child("spawn_fib", threads);
    }
}

/// With std's default thread stack (2 MiB), the waits of the flat workloads and of the group tree stay shallow:
/// resumed futures run before new work, a group wait gives back the counts it holds, and deep in the stack a wait
/// takes no new work.
#[test]
fn waits_stay_shallow_on_a_small_stack() {
    for scenario in ["flat_yield", "flat_sleep", "group_tree"] {
        for threads in [1, 2] {
            scenario_in_child_with_stack(scenario, threads, Some(2 << 20));
        }
    }
}
