//! A task graph with typed data, like a build: load → parse → {analyse, index} → report. `analyse` and `index`
//! run in parallel, each reading `parse`'s output by reference; `report` gets both. The graph is built and
//! validated once, then run twice — each run with its own outputs.
//!
//! (The tempting wrong way: a shared `Mutex<Option<…>>` per value and a global counter to know when all is done —
//! what the graph's typed edges and its `join` replace.)

use wove::graph::TaskGraph;

fn main() {
    let engine = wove::Engine::new();
    let mut g = TaskGraph::new();
    let load = g.add("load", || "fn main() { let answer = 42; }".to_string());
    let parse = g.add_after("parse", load, |source: &String| {
        source
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    });
    let analyse = g
        .add_after("analyse", parse, |tokens: &Vec<String>| tokens.iter().filter(|t| t.parse::<u64>().is_ok()).count());
    let index = g.add_after("index", parse, |tokens: &Vec<String>| {
        let mut words: Vec<&str> = tokens.iter().map(String::as_str).collect();
        words.sort_unstable();
        words.dedup();
        words.len()
    });
    let report = g.add_after("report", (analyse, index), |(numbers, distinct): (&usize, &usize)| {
        format!("{numbers} number(s), {distinct} distinct token(s)")
    });
    let graph = g.build().expect("the pipeline has no cycle");
    for run in 1..=2 {
        let outputs = graph.run(&engine).join().expect("no node fails");
        println!("run {run}: {}", outputs.get(report).expect("the report ran"));
    }
}
