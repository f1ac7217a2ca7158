//! `GraphError`: why a graph did not build, or a run did not end cleanly.

use std::fmt;

use crate::report::RunReport;

/// Why [`TaskGraph::build`](crate::TaskGraph::build) refused a graph, or a run did not end cleanly. Opaque:
/// ask with the predicates; the `Display` is lowercase and names the nodes.
///
/// # Examples
///
/// ```
/// let mut g = wove_graph::TaskGraph::new();
/// let (a, b) = (g.add("a", || ()), g.add("b", || ()));
/// g.precede(a, b);
/// g.precede(b, a);
/// let error = g.build().unwrap_err();
/// assert!(error.is_cycle());
/// assert_eq!(error.to_string(), "the graph has a cycle: a -> b -> a");
/// ```
pub struct GraphError {
    kind: Kind,
    report: Option<Box<RunReport>>,
}

enum Kind {
    Cycle(Vec<String>),
    ForeignNode { node: String },
    Failed { failed: Vec<(String, String)>, skipped: Vec<String> },
    Cancelled,
}

impl GraphError {
    fn of(kind: Kind) -> Self {
        Self { kind, report: None }
    }

    pub(crate) fn with_report(mut self, report: Option<RunReport>) -> Self {
        self.report = report.map(Box::new);
        self
    }

    /// What the run measured, if it was profiled ([`RunOptions::profile`](crate::RunOptions::profile)): its
    /// [`RunReport::to_dot`] marks the failed and skipped nodes.
    ///
    /// # Examples
    ///
    /// See [`RunReport::to_dot`].
    pub fn report(&self) -> Option<&RunReport> {
        self.report.as_deref()
    }

    pub(crate) fn new_cycle(nodes: Vec<String>) -> Self {
        Self::of(Kind::Cycle(nodes))
    }

    pub(crate) fn new_foreign_node(node: String) -> Self {
        Self::of(Kind::ForeignNode { node })
    }

    pub(crate) fn new_failed(failed: Vec<(String, String)>, skipped: Vec<String>) -> Self {
        Self::of(Kind::Failed { failed, skipped })
    }

    pub(crate) fn new_cancelled() -> Self {
        Self::of(Kind::Cancelled)
    }

    /// True if the graph has a cycle that does not pass through a condition node.
    ///
    /// # Examples
    ///
    /// See [`GraphError`].
    pub fn is_cycle(&self) -> bool {
        matches!(self.kind, Kind::Cycle(_))
    }

    /// The names of the nodes on the cycle, in edge order (empty unless [`is_cycle`](Self::is_cycle)).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = wove_graph::TaskGraph::new();
    /// let (start, a, b) = (g.add("start", || ()), g.add("a", || ()), g.add("b", || ()));
    /// g.precede(start, a);
    /// g.precede(a, b);
    /// g.precede(b, a);
    /// assert_eq!(g.build().unwrap_err().cycle(), ["a", "b"]); // "start" is not on the cycle
    /// ```
    pub fn cycle(&self) -> &[String] {
        match &self.kind {
            Kind::Cycle(nodes) => nodes,
            _ => &[],
        }
    }

    /// True if an edge or an input names a node of another graph.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut other = wove_graph::TaskGraph::new();
    /// let stranger = other.add("stranger", || 1u8);
    /// let mut g = wove_graph::TaskGraph::new();
    /// g.add_after("local", stranger, |x| *x);
    /// let error = g.build().unwrap_err();
    /// assert!(error.is_foreign_node());
    /// assert_eq!(error.to_string(), "node 'local' is linked to a node of another graph");
    /// ```
    pub fn is_foreign_node(&self) -> bool {
        matches!(self.kind, Kind::ForeignNode { .. })
    }

    /// True if nodes of the run panicked.
    ///
    /// # Examples
    ///
    /// See [`failed`](Self::failed).
    pub fn is_failed(&self) -> bool {
        matches!(self.kind, Kind::Failed { .. })
    }

    /// Each failed node's name with its panic message.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = wove_graph::TaskGraph::new();
    /// let parse = g.add("parse", || -> u32 { panic!("bad input") });
    /// let report = g.add_after("report", parse, |n| *n);
    /// let other = g.add("other", || 5u32);
    /// let graph = g.build().unwrap();
    /// let engine = wove_executor::Engine::builder().threads(2).panic_handler(|_| {}).build()?;
    /// let error = graph.run(&engine).join().unwrap_err();
    /// assert!(error.is_failed());
    /// assert_eq!(error.failed(), [("parse".to_string(), "panicked: bad input".to_string())]);
    /// assert_eq!(error.skipped(), ["report"]);
    /// # let _ = (report, other);
    /// # Ok::<(), wove_executor::BuildError>(())
    /// ```
    pub fn failed(&self) -> &[(String, String)] {
        match &self.kind {
            Kind::Failed { failed, .. } => failed,
            _ => &[],
        }
    }

    /// The names of the nodes that never ran because a node they depend on failed.
    ///
    /// # Examples
    ///
    /// See [`failed`](Self::failed).
    pub fn skipped(&self) -> &[String] {
        match &self.kind {
            Kind::Failed { skipped, .. } => skipped,
            _ => &[],
        }
    }

    /// True if the run was cancelled ([`GraphRun::cancel`](crate::GraphRun::cancel), or the first failure of a
    /// fail-fast run).
    ///
    /// # Examples
    ///
    /// See [`GraphRun::cancel`](crate::GraphRun::cancel).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.kind, Kind::Cancelled)
    }
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|name| format!("'{name}'")).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Cycle(nodes) => {
                write!(f, "the graph has a cycle: {}", nodes.join(" -> "))?;
                match nodes.first() {
                    Some(first) => write!(f, " -> {first}"),
                    None => Ok(()),
                }
            }
            Kind::ForeignNode { node } => write!(f, "node '{node}' is linked to a node of another graph"),
            Kind::Failed { failed, skipped } => {
                let list: Vec<String> = failed.iter().map(|(node, why)| format!("'{node}' {why}")).collect();
                write!(f, "{} failed: {}", plural(failed.len()), list.join("; "))?;
                if !skipped.is_empty() {
                    write!(f, "; {} skipped: {}", plural(skipped.len()), quoted(skipped))?;
                }
                Ok(())
            }
            Kind::Cancelled => f.write_str("the run was cancelled"),
        }
    }
}

fn plural(n: usize) -> String {
    if n == 1 { "1 node".to_string() } else { format!("{n} nodes") }
}

impl fmt::Debug for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GraphError").field(&format_args!("{self}")).finish()
    }
}

impl std::error::Error for GraphError {}
