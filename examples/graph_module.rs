//! A graph nested in another as one node (Taskflow's module task, `composed_of`): a `stats` graph is built
//! once and used as two nodes of an outer graph, which reads each run's outputs by node.

use wove::graph::{Outputs, TaskGraph};

fn main() {
    let engine = wove::Engine::new();

    // The inner graph: numbers → {sum, max}.
    let mut stats = TaskGraph::new();
    let numbers = stats.add("numbers", || (1..=100u64).collect::<Vec<_>>());
    let sum = stats.add_after("sum", numbers, |numbers: &Vec<u64>| numbers.iter().sum::<u64>());
    let max = stats.add_after("max", numbers, |numbers: &Vec<u64>| *numbers.iter().max().unwrap());
    let stats = stats.build().expect("no cycle");

    // The outer graph: the same module twice, then a node that reads both runs' outputs.
    let mut g = TaskGraph::new();
    let first = g.add_graph("first stats", &stats);
    let second = g.add_graph("second stats", &stats);
    let report = g.add_after("report", (first, second), move |(a, b): (&Outputs, &Outputs)| {
        let (sum_a, max_a) = (a.get(sum).unwrap(), a.get(max).unwrap());
        let total = sum_a + b.get(sum).unwrap();
        format!("sum {sum_a}, max {max_a}, both modules {total}")
    });
    let outputs = g.build().expect("no cycle").run(&engine).join().expect("no node fails");
    println!("{}", outputs.get(report).unwrap());
}
