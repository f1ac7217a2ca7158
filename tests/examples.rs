//! Runs the examples and checks what they print: the asyncio patterns must print the same lines as the
//! originals. Where tasks run in parallel, only the orders that the pattern guarantees are checked.

use std::path::PathBuf;
use std::process::Command;

/// The example binary, which `cargo test` builds next to this test's own binary; built here if this test was
/// run on its own (`cargo test --test examples` does not build examples).
fn example_path(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    let path = deps.parent().unwrap().join("examples").join(name);
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let status = Command::new(cargo).args(["build", "--quiet", "--example", name]).status().unwrap();
        assert!(status.success(), "could not build example {name}");
    }
    path
}

/// Runs example `name` with `threads` workers and returns its stdout lines; a hang fails under the watchdog.
fn run(name: &str, threads: usize) -> Vec<String> {
    let path = example_path(name);
    let output = wove_testkit::watchdog(name, move || {
        Command::new(path).env("WOVE_THREADS", threads.to_string()).output().unwrap()
    });
    assert!(output.status.success(), "{name} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().map(str::to_string).collect()
}

/// Checks that `lines` holds exactly `expected` (in any order) and that each pair in `before` is in order.
fn check(name: &str, expected: &[String], before: &[(&str, &str)]) {
    for threads in [1, 4] {
        let lines = run(name, threads);
        let (mut got, mut want) = (lines.clone(), expected.to_vec());
        got.sort();
        want.sort();
        assert_eq!(got, want, "{name} at {threads} threads printed {lines:#?}");
        let at = |line: &str| lines.iter().position(|l| l == line).unwrap();
        for (first, second) in before {
            assert!(at(first) < at(second), "{name} at {threads} threads: '{first}' came after '{second}'");
        }
    }
}

fn strings(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

/// Every consecutive pair of `lines`: the whole list in order.
fn in_order<'a>(lines: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    lines.windows(2).map(|w| (w[0], w[1])).collect()
}

#[test]
fn create_task_and_await_it() {
    let lines = ["main coroutine started", "executing the task", "main coroutine done"];
    check("asyncio_create_task", &strings(&lines), &in_order(&lines));
}

#[test]
fn create_twenty_tasks_and_await_each() {
    let mut expected = strings(&["main starting", "main done"]);
    let executing: Vec<String> = (0..20).map(|i| format!(">task {i} executing")).collect();
    let got: Vec<String> = (0..20).map(|i| format!(">got {} from task {i}", i * 10)).collect();
    expected.extend(executing.iter().cloned());
    expected.extend(got.iter().cloned());
    let mut before: Vec<(&str, &str)> = vec![("main starting", &got[0]), (&got[19], "main done")];
    before.extend(got.windows(2).map(|w| (w[0].as_str(), w[1].as_str())));
    before.extend(executing.iter().zip(&got).map(|(e, g)| (e.as_str(), g.as_str())));
    check("asyncio_await_many", &expected, &before);
}

#[test]
fn background_task_while_the_caller_works() {
    let main = [
        "Main starting",
        "Main doing other work",
        "Main waiting for the background task",
        "Main got: background result",
    ];
    let mut before = in_order(&main);
    before.extend([
        ("Main starting", "Background task starting"),
        ("Background task starting", "Background task done"),
        ("Background task done", "Main got: background result"),
    ]);
    let mut expected = strings(&main);
    expected.extend(strings(&["Background task starting", "Background task done"]));
    check("asyncio_background", &expected, &before);
}

#[test]
fn follow_up_from_the_task_itself() {
    let lines = ["Task starting", "Task done", "Follow-up task starting", "Follow-up task done"];
    let before = [
        ("Task starting", "Task done"),
        ("Task starting", "Follow-up task starting"),
        ("Follow-up task starting", "Follow-up task done"),
    ];
    check("asyncio_followup_from_task", &strings(&lines), &before);
}

#[test]
fn follow_up_from_the_caller() {
    let lines = ["Task starting", "Task done", "Follow-up task starting with 7", "Follow-up task done"];
    check("asyncio_followup_from_caller", &strings(&lines), &in_order(&lines));
}

#[test]
fn follow_up_from_a_done_callback() {
    let lines = [
        "Task starting",
        "Task done",
        "Callback scheduling the follow-up",
        "Follow-up task starting",
        "Follow-up task done",
        "Main: all work done",
    ];
    check("asyncio_followup_from_callback", &strings(&lines), &in_order(&lines));
}

#[test]
fn caller_waits_for_tasks_created_in_callbacks() {
    let lines = ["first task running", "second task running", "third task running", "Main: all 3 tasks done"];
    check("asyncio_wait_for_all", &strings(&lines), &in_order(&lines));
}

#[test]
fn named_task() {
    let lines = ["Created task MyTask", "Task running, my name is MyTask"];
    check("asyncio_named_task", &strings(&lines), &[]);
}

#[test]
fn manual_chaining() {
    let lines = [">func3()", ">func2()", ">func1()", "Main: 103"];
    check("asyncio_manual_chain", &strings(&lines), &in_order(&lines));
}

#[test]
fn callback_driven_chain_direct_port_and_with_then() {
    let lines = [">task1()", ">task2() got 1", ">task3() got 2", "Main: chain is done"];
    check("asyncio_callback_chain", &strings(&lines), &in_order(&lines));
    check("asyncio_then_chain", &strings(&lines), &in_order(&lines));
}

#[test]
fn independent_steps_with_a_nested_chain() {
    let lines = [">task1()", ">task2_sub1()", ">task2_sub2()", ">task3()", "Main: (1, (21, 22), 3)"];
    check("asyncio_nested_chain", &strings(&lines), &in_order(&lines));
}

#[test]
fn latch_tree() {
    let lines = run("latch", 1);
    assert_eq!(lines.last().unwrap(), "tree of 121 nodes done");
    assert!(lines.contains(&"blocking waiter: released after 121 nodes".to_string()));
    assert!(lines.contains(&"async waiter: released after 121 nodes".to_string()));
}

#[test]
fn graph_pipeline_passes_typed_data_along_its_edges() {
    let lines = ["run 1: 1 number(s), 5 distinct token(s)", "run 2: 1 number(s), 5 distinct token(s)"];
    check("graph_pipeline", &strings(&lines), &[(lines[0], lines[1])]);
}

#[test]
fn graph_loop_runs_until_its_condition_says_so() {
    let lines = ["run 1: √2 ≈ 1.414213562373 after 5 steps", "run 2: √2 ≈ 1.414213562373 after 5 steps"];
    check("graph_loop", &strings(&lines), &[(lines[0], lines[1])]);
}

#[test]
fn graph_module_runs_a_graph_as_a_node() {
    check("graph_module", &strings(&["sum 5050, max 100, both modules 10100"]), &[]);
}

#[test]
fn graph_fanout_waits_for_the_tasks_a_node_spawned() {
    let lines = ["sum of 1..=1000000: 500000500000", "critical path: split -> total"];
    check("graph_fanout", &strings(&lines), &in_order(&lines));
}
