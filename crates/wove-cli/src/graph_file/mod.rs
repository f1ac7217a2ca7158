//! Task-graph files for `wove graph`: nodes with costs (in units) and dependency edges, read from Graphviz DOT,
//! JSON or the Standard Task Graph (STG) format, and checked — every error names the file and, where there is
//! one, the line, the node or the edge.

mod dot;
mod json;
mod stg;

use std::fmt;
use std::path::Path;

use wove_graph::{Graph, GraphError, TaskGraph};

/// A node of a graph file: its name and its cost, in units.
///
/// # Examples
///
/// ```
/// let graph = wove_cli::GraphFile::parse("g.dot", r#"digraph { a [cost=2, label="load"] }"#, None)?;
/// assert_eq!(graph.nodes[0], wove_cli::FileNode { name: "load".to_string(), cost: 2.0 });
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FileNode {
    /// The name shown in reports (the DOT label, the JSON name, else the id).
    pub name: String,
    /// The cost, in units (non-negative).
    pub cost: f64,
}

/// A task graph read from a file: nodes with costs, and edges `(before, after)` by node index.
///
/// # Examples
///
/// ```
/// let graph = wove_cli::GraphFile::parse("pipeline.dot", "digraph { a [cost=2]; b [cost=3]; a -> b }", None)?;
/// assert_eq!(graph.nodes.len(), 2);
/// assert_eq!(graph.work(), 5.0);
/// assert_eq!(graph.critical_path(), (5.0, vec![0, 1]));
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GraphFile {
    /// The nodes, in the order the file gives them.
    pub nodes: Vec<FileNode>,
    /// The edges, `(before, after)`.
    pub edges: Vec<(usize, usize)>,
}

/// The formats `wove graph` reads.
///
/// # Examples
///
/// ```
/// use wove_cli::{Format, GraphFile};
/// let graph = GraphFile::parse("no-extension", "1\n0 0 0\n1 4 1 0\n2 0 1 1\n", Some(Format::Stg))?;
/// assert_eq!(graph.work(), 4.0);
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Graphviz DOT: a node attribute `cost` (and an optional `label`), edges `a -> b`.
    Dot,
    /// `{"nodes": [{"id", "name"?, "cost", "deps": [ids]}]}`.
    Json,
    /// The Standard Task Graph format: a task count n, then `id cost npred pred...` for ids 0..=n+1.
    Stg,
}

impl Format {
    /// The format named `name` (`dot`, `json`, `stg`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wove_cli::Format::parse("stg"), Some(wove_cli::Format::Stg));
    /// ```
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "dot" | "gv" => Some(Format::Dot),
            "json" => Some(Format::Json),
            "stg" => Some(Format::Stg),
            _ => None,
        }
    }

    /// The format of a file, from its extension.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wove_cli::Format::of("graphs/pipeline.gv"), Some(wove_cli::Format::Dot));
    /// assert_eq!(wove_cli::Format::of("graph.txt"), None);
    /// ```
    pub fn of(path: impl AsRef<Path>) -> Option<Format> {
        Format::parse(path.as_ref().extension()?.to_str()?)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Dot => "dot",
            Format::Json => "json",
            Format::Stg => "stg",
        })
    }
}

/// A cost as written in a file: a non-negative finite number.
pub(crate) fn cost(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(cost) if cost.is_finite() && cost >= 0.0 => Ok(cost),
        Ok(_) => Err(format!("cost '{text}' is negative or not finite")),
        Err(_) => Err(format!("cost '{text}' is not a number")),
    }
}

impl GraphFile {
    /// Reads the graph in `path`, in `format` (else the one its extension names).
    ///
    /// # Errors
    ///
    /// The file cannot be read, its format is unknown, or its contents are not a valid graph (see
    /// [`parse`](Self::parse)).
    ///
    /// # Examples
    ///
    /// ```
    /// let error = wove_cli::GraphFile::read("missing.dot", None).unwrap_err();
    /// assert!(error.starts_with("missing.dot: "));
    /// ```
    pub fn read(path: impl AsRef<Path>, format: Option<Format>) -> Result<GraphFile, String> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| format!("{name}: {error}"))?;
        GraphFile::parse(&name, &text, format)
    }

    /// Parses `text`, the contents of the file `name`, in `format` (else the one `name`'s extension names).
    ///
    /// # Errors
    ///
    /// `"{name}: ..."` (`"{name}:{line}: ..."` where a line is to blame): a malformed line, an unknown node in an
    /// edge or a dependency list, a negative or non-numeric cost, an empty graph, or a cycle (naming the nodes on
    /// it, and only those).
    ///
    /// # Examples
    ///
    /// ```
    /// let error = wove_cli::GraphFile::parse("g.json", r#"{"nodes": [{"id": "a", "cost": -1, "deps": []}]}"#, None);
    /// assert_eq!(error.unwrap_err(), "g.json: node 'a': cost '-1' is negative or not finite");
    /// ```
    pub fn parse(name: &str, text: &str, format: Option<Format>) -> Result<GraphFile, String> {
        let format = match format.or_else(|| Format::of(name)) {
            Some(format) => format,
            None => return Err(format!("{name}: unknown format (name it with --format dot|json|stg)")),
        };
        let graph = match format {
            Format::Dot => dot::parse(text),
            Format::Json => json::parse(text),
            Format::Stg => stg::parse(text),
        }
        .map_err(|error| match error.line {
            Some(line) => format!("{name}:{line}: {}", error.message),
            None => format!("{name}: {}", error.message),
        })?;
        if graph.nodes.is_empty() {
            return Err(format!("{name}: the graph has no nodes"));
        }
        // wove-graph's validation names the nodes on a cycle, and only those.
        graph.task_graph(|_| || ()).map_err(|error| format!("{name}: {error}"))?;
        Ok(graph)
    }

    /// The file as a task graph: a node per node, named as in the file, running `body(node)`; its edges as
    /// ordering edges.
    ///
    /// # Errors
    ///
    /// The graph has a cycle (a checked file has none).
    pub(crate) fn task_graph<F>(&self, body: impl Fn(&FileNode) -> F) -> Result<Graph, GraphError>
    where
        F: Fn() + Send + Sync + 'static,
    {
        let mut g = TaskGraph::with_capacity(self.nodes.len(), self.edges.len());
        let nodes: Vec<_> = self.nodes.iter().map(|node| g.add(node.name.clone(), body(node))).collect();
        for &(before, after) in &self.edges {
            g.precede(nodes[before], nodes[after]);
        }
        g.build()
    }

    /// The total work W: every node's cost, summed.
    ///
    /// # Examples
    ///
    /// See [`GraphFile`].
    pub fn work(&self) -> f64 {
        self.nodes.iter().map(|node| node.cost).sum()
    }

    /// The critical path: the largest total cost of a chain of dependent nodes, and its nodes in order.
    ///
    /// # Examples
    ///
    /// See [`GraphFile`].
    pub fn critical_path(&self) -> (f64, Vec<usize>) {
        let order = self.topological_order();
        let mut best: Vec<f64> = self.nodes.iter().map(|node| node.cost).collect();
        let mut from = vec![usize::MAX; self.nodes.len()];
        let successors = self.successors();
        for &node in &order {
            for &successor in &successors[node] {
                let through = best[node] + self.nodes[successor].cost;
                if from[successor] == usize::MAX || through > best[successor] {
                    best[successor] = through;
                    from[successor] = node;
                }
            }
        }
        let end = (0..self.nodes.len()).max_by(|&a, &b| best[a].total_cmp(&best[b])).expect("not empty");
        let mut path = vec![end];
        while from[*path.last().expect("not empty")] != usize::MAX {
            path.push(from[*path.last().expect("not empty")]);
        }
        path.reverse();
        (best[end], path)
    }

    /// Each node's successors.
    fn successors(&self) -> Vec<Vec<usize>> {
        let mut successors = vec![Vec::new(); self.nodes.len()];
        for &(before, after) in &self.edges {
            successors[before].push(after);
        }
        successors
    }

    /// The nodes in an order where every edge goes forward (a checked graph has no cycle).
    fn topological_order(&self) -> Vec<usize> {
        let successors = self.successors();
        let mut waiting = vec![0usize; self.nodes.len()];
        self.edges.iter().for_each(|&(_, after)| waiting[after] += 1);
        let mut ready: Vec<usize> = (0..self.nodes.len()).filter(|&node| waiting[node] == 0).collect();
        let mut order = Vec::with_capacity(self.nodes.len());
        while let Some(node) = ready.pop() {
            order.push(node);
            for &successor in &successors[node] {
                waiting[successor] -= 1;
                if waiting[successor] == 0 {
                    ready.push(successor);
                }
            }
        }
        order
    }
}

/// A parse error: its message and, if a line is to blame, the line (1-based).
#[derive(Debug)]
pub(crate) struct ParseError {
    pub(crate) line: Option<usize>,
    pub(crate) message: String,
}

impl ParseError {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> Self {
        Self { line: Some(line), message: message.into() }
    }

    pub(crate) fn whole(message: impl Into<String>) -> Self {
        Self { line: None, message: message.into() }
    }
}
