//! What a built graph is made of: its nodes' names, bodies and edges, shared by every run.

use std::borrow::Cow;

use crate::inputs::Value;

/// What a node's body produced.
pub(crate) enum Outcome {
    /// A value for the node's successors (`None` for `()`).
    Value(Option<Value>),
    /// A condition node's choice: the index of the successor to run.
    Branch(usize),
}

/// A node's body: runs with its inputs' values, in `inputs` order.
pub(crate) type Body = Box<dyn Fn(&[Option<Value>]) -> Outcome + Send + Sync>;

/// One node.
pub(crate) struct NodeSpec {
    pub(crate) name: Cow<'static, str>,
    pub(crate) body: Body,
    /// True for a condition node: its successors are branches, its edges weak.
    pub(crate) condition: bool,
    /// True if the node's output is stored for its successors and the run's outputs (not for `()`).
    pub(crate) stores: bool,
    /// The nodes whose outputs the body gets, in order.
    pub(crate) inputs: Vec<usize>,
    /// The successors, in the order the edges were made (a condition node's branches).
    pub(crate) successors: Vec<usize>,
    /// Incoming edges from nodes that are not conditions: how many must finish before the node runs.
    pub(crate) strong_predecessors: usize,
    /// Incoming edges from condition nodes.
    pub(crate) weak_predecessors: usize,
}

/// A validated graph's nodes and its sources (nodes with no incoming edge, which start every run).
pub(crate) struct GraphSpec {
    pub(crate) id: u64,
    pub(crate) nodes: Vec<NodeSpec>,
    pub(crate) sources: Vec<usize>,
}
