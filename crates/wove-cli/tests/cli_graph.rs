//! `wove graph FILE`: the figures it reports for DOT, JSON and STG files (W and CP as computed from the file,
//! makespan never below the lower bound), how close it gets on a wide graph and a chain, its exact errors for bad
//! input (exit code 1), and its trace and DOT outputs. The timed checks run one after another in one test, so
//! that no two runs share the two cores (`one_at_a_time`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Held by each test while it runs `wove`, so that no two runs share the two cores.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wove-cli-graph-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/graphs").join(name)
}

fn wove_graph(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    wove_testkit::watchdog("wove graph", move || {
        Command::new(env!("CARGO_BIN_EXE_wove")).arg("graph").args(&args).output().unwrap()
    })
}

/// Runs `wove graph` on `file` at 1 and 2 threads and returns its JSON report.
fn run_report(file: &Path, unit_us: u64, runs: usize) -> serde_json::Value {
    let json = temp(&format!("{}.report.json", file.file_name().unwrap().to_string_lossy()));
    let output = wove_graph(&[
        file.to_str().unwrap(),
        "--threads",
        "1,2",
        "--unit-us",
        &unit_us.to_string(),
        "--runs",
        &runs.to_string(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("makespan/LB") && stdout.contains("critical path: "), "{stdout}");
    serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
}

/// The ratio makespan / LB at each thread count.
fn ratios(report: &serde_json::Value) -> Vec<f64> {
    report["runs"].as_array().unwrap().iter().map(|run| run["makespan_over_lower_bound"].as_f64().unwrap()).collect()
}

#[test]
fn figures_bounds_and_schedules() {
    let _alone = one_at_a_time();
    // W and CP as computed by hand from each example file; makespan never below the lower bound.
    for (file, nodes, edges, work, critical) in [
        ("pipeline.dot", 9, 11, 44.0, 29.0),
        ("forkjoin.json", 6, 8, 45.0, 15.0),
        ("layered30.stg", 32, 64, 137.0, 32.0),
    ] {
        let report = run_report(&example(file), 200, 1);
        let graph = &report["graph"];
        assert_eq!((graph["nodes"].as_u64(), graph["edges"].as_u64()), (Some(nodes), Some(edges)), "{file}");
        assert_eq!((graph["work_units"].as_f64(), graph["critical_path_units"].as_f64()), (Some(work), Some(critical)));
        for ratio in ratios(&report) {
            assert!(ratio >= 0.99, "{file}: makespan below the lower bound ({ratio})");
        }
    }

    // A wide graph: one source, 40 nodes of 5 units, one sink — close to the bound at 1 and 2 threads.
    let mut nodes = vec![r#"{"id": "source", "cost": 0, "deps": []}"#.to_string()];
    nodes.extend((0..40).map(|i| format!(r#"{{"id": "w{i}", "cost": 5, "deps": ["source"]}}"#)));
    let all: Vec<String> = (0..40).map(|i| format!("\"w{i}\"")).collect();
    nodes.push(format!(r#"{{"id": "sink", "cost": 0, "deps": [{}]}}"#, all.join(", ")));
    let wide = temp("wide.json");
    std::fs::write(&wide, format!("{{\"nodes\": [{}]}}", nodes.join(",\n"))).unwrap();
    let report = run_report(&wide, 500, 3);
    for ratio in ratios(&report) {
        assert!((0.99..=1.2).contains(&ratio), "wide graph: makespan / LB = {ratio}");
    }

    // A chain: the makespan is the critical path at every thread count.
    let chain: Vec<String> = (0..50).map(|i| format!("c{i} [cost=2]")).collect();
    let links: Vec<String> = (0..50).map(|i| format!("c{i}")).collect();
    let chain_file = temp("chain.dot");
    std::fs::write(&chain_file, format!("digraph {{ {}; {} }}", chain.join("; "), links.join(" -> "))).unwrap();
    let report = run_report(&chain_file, 500, 3);
    assert_eq!(report["graph"]["critical_path_units"].as_f64(), Some(100.0));
    for ratio in ratios(&report) {
        assert!((0.99..=1.1).contains(&ratio), "chain: makespan / CP = {ratio}");
    }
}

/// Writes `text` to a temp file named `name`, runs `wove graph` on it, and returns its stderr (checking exit 1).
fn error_for(name: &str, text: &str) -> String {
    let path = temp(name);
    std::fs::write(&path, text).unwrap();
    let output = wove_graph(&[path.to_str().unwrap(), "--threads", "1", "--unit-us", "1", "--runs", "1"]);
    assert_eq!(output.status.code(), Some(1), "{name}: {}", String::from_utf8_lossy(&output.stdout));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.trim_end().replace(&path.display().to_string(), name)
}

#[test]
fn bad_input_gets_its_exact_error() {
    let _alone = one_at_a_time();
    let cases = [
        (
            "cycle.dot",
            "digraph { start [cost=1]; a [cost=1]; b [cost=1]; c [cost=1]; start -> a -> b -> c -> a }",
            "wove graph: cycle.dot: the graph has a cycle: a -> b -> c -> a",
        ),
        ("line.dot", "digraph {\n a [cost=1];\n b [cost=1] ] \n}", "wove graph: line.dot:3: expected a statement"),
        (
            "unknown.json",
            r#"{"nodes": [{"id": "a", "cost": 1, "deps": ["ghost"]}]}"#,
            "wove graph: unknown.json: node 'a' depends on unknown node 'ghost'",
        ),
        (
            "undeclared.dot",
            "digraph {\n a [cost=1];\n a -> ghost\n}",
            "wove graph: undeclared.dot:3: node 'ghost' has no cost attribute",
        ),
        (
            "negative.dot",
            "digraph {\n a [cost=-2]\n}",
            "wove graph: negative.dot:2: node 'a': cost '-2' is negative or not finite",
        ),
        (
            "text.json",
            r#"{"nodes": [{"id": "a", "cost": "lots", "deps": []}]}"#,
            "wove graph: text.json: node 'a': cost '\"lots\"' is not a number",
        ),
        ("empty.dot", "digraph { }", "wove graph: empty.dot: the graph has no nodes"),
        ("empty.json", r#"{"nodes": []}"#, "wove graph: empty.json: the graph has no nodes"),
        (
            "count.stg",
            "2\n0 0 0\n1 5 1 0\n2 x 1 1\n3 0 1 2\n",
            "wove graph: count.stg:4: cost 'x' is not a non-negative integer",
        ),
        (
            "order.stg",
            "2\n0 0 0\n1 5 1 2\n2 3 1 0\n3 0 2 1 2\n",
            "wove graph: order.stg:3: task 1: predecessor 2 is not an earlier task",
        ),
        ("short.stg", "3\n0 0 0\n1 5 1 0\n", "wove graph: short.stg: 2 task lines, expected 5 (ids 0 to 4)"),
        (
            "graph.txt",
            "digraph { a [cost=1] }",
            "wove graph: graph.txt: unknown format (name it with --format dot|json|stg)",
        ),
        (
            "json.json",
            "{\"nodes\": [\n",
            "wove graph: json.json:2: not valid JSON: EOF while parsing a list at line 2 column 0",
        ),
    ];
    for (name, text, expected) in cases {
        assert_eq!(error_for(name, text), expected, "{name}");
    }
}

#[test]
fn trace_and_dot_of_a_run() {
    let _alone = one_at_a_time();
    let (trace, dot) = (temp("trace.json"), temp("run.dot"));
    let file = example("pipeline.dot");
    let output = wove_graph(&[
        file.to_str().unwrap(),
        "--threads",
        "2",
        "--unit-us",
        "100",
        "--runs",
        "1",
        "--trace",
        trace.to_str().unwrap(),
        "--dot",
        dot.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(trace).unwrap()).unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    let slices: Vec<&str> =
        events.iter().filter(|event| event["ph"] == "X").map(|event| event["name"].as_str().unwrap()).collect();
    assert_eq!(slices.len(), 9, "one slice per node run: {slices:?}");
    for node in ["fetch sources", "parse", "compile a", "link", "package"] {
        assert!(slices.contains(&node), "{node} in {slices:?}");
    }
    let dot = std::fs::read_to_string(dot).unwrap();
    assert!(dot.starts_with("digraph wove {") && dot.trim_end().ends_with('}'));
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    assert_eq!(dot.matches('"').count() % 2, 0);
    for node in 0..9 {
        assert!(dot.contains(&format!("  n{node} [label=")), "node {node} in\n{dot}");
    }
    assert!(dot.contains("penwidth=3"), "the critical path is marked");
}

#[test]
fn bench_checks_its_arguments_first() {
    let _alone = one_at_a_time();
    let run = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        wove_testkit::watchdog("wove bench args", move || {
            Command::new(env!("CARGO_BIN_EXE_wove")).arg("bench").args(&args).output().unwrap()
        })
    };
    let stderr = |output: &Output| String::from_utf8_lossy(&output.stderr).trim_end().to_string();
    let zero = run(&["--quick", "--reps", "0"]);
    assert_eq!((zero.status.code(), stderr(&zero).as_str()), (Some(1), "wove bench: --reps must be at least 1"));
    let unknown = run(&["--quick", "--workload", "nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).starts_with("wove bench: unknown workload 'nope' (one of: spawn, fanout,"),
        "{}",
        stderr(&unknown)
    );
    assert!(stderr(&unknown).contains("graph_rerun") && stderr(&unknown).ends_with("or taskflow)"));
    let engine = run(&["--quick", "--peers", "nope"]);
    assert_eq!(stderr(&engine), "wove bench: unknown engine 'nope' (one of: wove, rayon, tokio, async-executor)");
    // An output that cannot be written is found before the benchmark runs (which would take seconds).
    let started = std::time::Instant::now();
    let bad = run(&["--quick", "--json", "/nonexistent-dir/out.json"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).starts_with("wove bench: cannot write /nonexistent-dir/out.json: "), "{}", stderr(&bad));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
