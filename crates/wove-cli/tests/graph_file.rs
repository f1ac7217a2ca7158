//! Reading graph files: the DOT subset Graphviz users write (attribute lists, defaults, quoted ids, comments,
//! chains, subgraphs, graph attributes), JSON with string and number ids, and STG with its dummies and comments;
//! work and critical path as computed by hand.

use wove_cli::{Format, GraphFile};

fn names(graph: &GraphFile) -> Vec<&str> {
    graph.nodes.iter().map(|node| node.name.as_str()).collect()
}

#[test]
fn dot_subset() {
    let text = r#"
# a preprocessor-style comment line
strict digraph "my graph" {
    rankdir = LR;               // a graph attribute
    graph [fontsize=10]
    node [shape=box, cost=2]    /* defaults for the nodes below */
    "a \"quoted\" id" [label="first"];
    b; c [cost=5.5]
    subgraph cluster_x { d [cost=1; label="fourth"] }
    { e }
    "a \"quoted\" id" -> b -> c [weight=3];
    b -> d; c -> e
    d -> e
}
"#;
    let graph = GraphFile::parse("g.gv", text, None).unwrap();
    assert_eq!(names(&graph), ["first", "b", "c", "fourth", "e"]);
    let costs: Vec<f64> = graph.nodes.iter().map(|node| node.cost).collect();
    assert_eq!(costs, [2.0, 2.0, 5.5, 1.0, 2.0]);
    assert_eq!(graph.edges, [(0, 1), (1, 2), (1, 3), (2, 4), (3, 4)]);
    assert_eq!(graph.work(), 12.5);
    assert_eq!(graph.critical_path(), (11.5, vec![0, 1, 2, 4]));
}

#[test]
fn json_ids_and_names() {
    let text = r#"{"nodes": [
        {"id": 1, "cost": 3, "deps": []},
        {"id": "two", "name": "second", "cost": 4.5, "deps": [1]},
        {"id": 3, "cost": 1, "deps": [1, "two"]}
    ]}"#;
    let graph = GraphFile::parse("g", text, Some(Format::Json)).unwrap();
    assert_eq!(names(&graph), ["1", "second", "3"]);
    assert_eq!(graph.edges, [(0, 1), (0, 2), (1, 2)]);
    assert_eq!(graph.critical_path(), (8.5, vec![0, 1, 2]));
    let twice = GraphFile::parse("g.json", r#"{"nodes": [{"id": 1, "cost": 1}, {"id": 1, "cost": 2}]}"#, None);
    assert_eq!(twice.unwrap_err(), "g.json: node '1' is defined twice");
}

#[test]
fn stg_with_dummies_and_comments() {
    let text = "4\n0 0 0\n1 3 1 0\n2 5 1 0\n3 2 2 1 2\n4 3 1 1\n5 0 2 3 4\n# CP length 7\n# parallelism 1.9\n";
    let graph = GraphFile::parse("g.stg", text, None).unwrap();
    assert_eq!(names(&graph), ["entry", "1", "2", "3", "4", "exit"]);
    assert_eq!(graph.work(), 13.0);
    assert_eq!(graph.critical_path(), (7.0, vec![0, 2, 3, 5]));
    let extra = GraphFile::parse("g.stg", "0\n0 0 0\n1 0 1 0\n7 1 0\n", None);
    assert_eq!(extra.unwrap_err(), "g.stg:4: '7 1 0' after the last task (comments start with #)");
    let count = GraphFile::parse("g.stg", "1\n0 0 0\n1 2 2 0\n2 0 1 1\n", None);
    assert_eq!(count.unwrap_err(), "g.stg:3: task 1 lists 1 predecessors, its count says 2");
}

#[test]
fn a_cycle_names_only_its_nodes() {
    let error = GraphFile::parse(
        "g.json",
        r#"{"nodes": [
        {"id": "start", "cost": 1, "deps": []},
        {"id": "a", "cost": 1, "deps": ["start", "c"]},
        {"id": "b", "cost": 1, "deps": ["a"]},
        {"id": "c", "cost": 1, "deps": ["b"]}
    ]}"#,
        None,
    );
    assert_eq!(error.unwrap_err(), "g.json: the graph has a cycle: a -> b -> c -> a");
    let undirected = GraphFile::parse("g.dot", "graph { a -- b }", None);
    assert_eq!(undirected.unwrap_err(), "g.dot:1: an undirected 'graph': a task graph is a 'digraph'");
}
