//! `wove bench --quick` as a user runs it: the table, the JSON, the SVG and the trace, checked.

use std::path::PathBuf;
use std::process::Command;

use wove_testkit::watchdog_with_limit;

const WORKLOADS: [&str; 9] =
    ["spawn", "fanout", "fib", "chain", "wavefront", "graph_wavefront", "graph_levels", "graph_rerun", "cpu"];
const ENGINES: [&str; 4] = ["wove", "rayon", "tokio", "async-executor"];

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("wove-cli-test-{}-{name}", std::process::id()))
}

#[test]
fn quick_bench_prints_table_and_writes_json_svg_and_trace() {
    watchdog_with_limit(
        "quick_bench_prints_table_and_writes_json_svg_and_trace",
        std::time::Duration::from_secs(300),
        || {
            let (json, svg, trace) = (temp("bench.json"), temp("bench.svg"), temp("trace.json"));
            let output = Command::new(env!("CARGO_BIN_EXE_wove"))
                .args(["bench", "--quick", "--json"])
                .arg(&json)
                .arg("--svg")
                .arg(&svg)
                .arg("--trace")
                .arg(&trace)
                .output()
                .unwrap();
            let stdout = String::from_utf8(output.stdout).unwrap();
            assert!(output.status.success(), "wove bench failed: {}", String::from_utf8_lossy(&output.stderr));

            // The table: a section per workload, a row per engine and thread count.
            assert!(stdout.contains("all results verified"));
            for workload in WORKLOADS {
                let section =
                    stdout.split(&format!("\n{workload} — ")).nth(1).unwrap_or_else(|| panic!("no {workload} table"));
                let section = section.split("\n\n").next().unwrap();
                for engine in ENGINES {
                    for threads in [1, 2] {
                        let row = section.lines().find(|l| {
                            let mut cols = l.split_whitespace();
                            cols.next() == Some(engine) && cols.next() == Some(&threads.to_string())
                        });
                        assert!(row.is_some(), "{workload}: no row for {engine} at {threads} threads");
                    }
                }
                assert!(section.lines().any(|l| l.trim_start().starts_with("wove") && l.trim_end().ends_with('x')));
            }

            // The JSON: every workload × engine × thread count, positive numbers, verified.
            let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
            let measurements = report["measurements"].as_array().unwrap();
            assert_eq!(measurements.len(), WORKLOADS.len() * ENGINES.len() * 2);
            for workload in WORKLOADS {
                for engine in ENGINES {
                    for threads in [1u64, 2] {
                        let m = measurements
                            .iter()
                            .find(|m| m["workload"] == workload && m["peer"] == engine && m["threads"] == threads)
                            .unwrap_or_else(|| panic!("no measurement of {workload} on {engine} at {threads} threads"));
                        assert_eq!(m["verified"], true);
                        assert!(m["units"].as_u64().unwrap() > 0);
                        let runs = m["runs_ns"].as_array().unwrap();
                        assert_eq!(runs.len(), 3, "--quick makes 3 timed runs");
                        assert!(runs.iter().all(|ns| ns.as_u64().unwrap() > 0));
                    }
                }
            }

            // The SVG: a valid document with a panel (title) per workload and a line per engine in each.
            let svg_text = std::fs::read_to_string(&svg).unwrap();
            let document = roxmltree::Document::parse(&svg_text).expect("the SVG is well-formed XML");
            assert_eq!(document.root_element().tag_name().name(), "svg");
            let texts: Vec<&str> = document
                .descendants()
                .filter(|n| n.tag_name().name() == "text")
                .filter_map(|n| n.text())
                .map(str::trim)
                .collect();
            for workload in WORKLOADS {
                assert!(texts.contains(&workload), "no panel titled {workload}");
            }
            let lines = document.descendants().filter(|n| n.tag_name().name() == "polyline").count();
            assert!(
                lines >= WORKLOADS.len() * ENGINES.len(),
                "{lines} lines for {} series",
                WORKLOADS.len() * ENGINES.len()
            );

            // The trace: trace-event JSON, a track per worker (2 at --quick's most threads).
            let events: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
            let events = events["traceEvents"].as_array().unwrap();
            let tracks = events.iter().filter(|e| e["ph"] == "M" && e["name"] == "thread_name").count();
            assert_eq!(tracks, 2);
            assert!(events.iter().any(|e| e["ph"] == "X" && e["cat"] == "task"));
            for path in [json, svg, trace] {
                std::fs::remove_file(path).ok();
            }
        },
    );
}

#[test]
fn unknown_workload_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_wove")).args(["bench", "--workload", "nope"]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.trim().starts_with("wove bench: unknown workload 'nope' (one of: spawn, "), "{stderr}");
}

/// `--workload taskflow` runs Taskflow's shapes, each as a task graph and hand-coded, and verifies each.
#[test]
fn taskflow_workloads_run_and_verify() {
    let output = wove_testkit::watchdog("taskflow workloads", || {
        Command::new(env!("CARGO_BIN_EXE_wove"))
            .args([
                "bench",
                "--quick",
                "--workload",
                "taskflow",
                "--peers",
                "wove,rayon",
                "--threads",
                "2",
                "--reps",
                "1",
            ])
            .output()
            .unwrap()
    });
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "wove bench failed: {}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("all results verified"));
    for workload in [
        "graph_chain",
        "dag_chain",
        "graph_tree",
        "dag_tree",
        "graph_wavefront",
        "wavefront",
        "graph_levels",
        "dag_levels",
    ] {
        assert!(stdout.contains(&format!("\n{workload} — ")), "no {workload} table in {stdout}");
    }
}
