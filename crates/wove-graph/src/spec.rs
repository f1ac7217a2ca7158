//! What a built graph is made of: its nodes' names, bodies and edges, shared by every run.

use std::borrow::Cow;
use std::sync::Arc;

use crate::body::Body;
use crate::slots::Spare;

/// One node.
pub(crate) struct NodeSpec {
    /// The node's name: an index into `GraphSpec::names` (nodes added one after another under the same
    /// `&'static str` share one entry).
    pub(crate) name: u32,
    pub(crate) body: Body,
    /// True for a condition node: its successors are branches, its edges weak.
    pub(crate) condition: bool,
    /// True if the node's output is stored for its successors and the run's outputs (not for `()`).
    pub(crate) stores: bool,
    /// True if a condition node can reach it: it may run more than once per iteration, so its outputs are
    /// shared values (`slots.rs`). Set by `build`.
    pub(crate) revisitable: bool,
    /// The nodes whose outputs the body gets, in order: `inputs_len` entries of the graph's input list from
    /// `inputs_start`.
    pub(crate) inputs_start: u32,
    pub(crate) inputs_len: u8,
    /// The node's slot in a run (`slots.rs`), if it [stores](Self::stores) its output: the nodes that store
    /// have slots `0..GraphSpec::stored`, the others none (`NO_SLOT`).
    pub(crate) slot: u32,
}

/// [`NodeSpec::slot`] of a node that stores nothing.
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// A validated graph's nodes, its edges and its sources (nodes with no incoming edge, which start every run). The
/// edges are flat lists indexed by node (no allocation per node).
pub(crate) struct GraphSpec {
    pub(crate) id: u64,
    pub(crate) nodes: Vec<NodeSpec>,
    /// Every node's inputs, one node after another.
    pub(crate) inputs: Vec<u32>,
    /// Node `i`'s successors are `successors[successor_starts[i]..successor_starts[i + 1]]`, in the order the
    /// edges were made (a condition node's branches).
    pub(crate) successor_starts: Vec<u32>,
    pub(crate) successors: Vec<u32>,
    pub(crate) sources: Vec<usize>,
    /// Per node: its incoming edges from nodes that are not conditions, how many must finish before it runs. Kept
    /// apart from the nodes, densely, as building a graph adds to them in the order of its edges.
    pub(crate) strong_predecessors: Vec<u32>,
    /// The nodes' names (`NodeSpec::name`).
    pub(crate) names: Vec<Cow<'static, str>>,
    /// How many nodes store their output: a run's slots.
    pub(crate) stored: usize,
    /// The memory of the last run, for the next.
    pub(crate) spare: Arc<Spare>,
    /// True if some node is [revisitable](NodeSpec::revisitable).
    pub(crate) has_revisits: bool,
}

impl GraphSpec {
    /// Node `node`'s name.
    #[inline]
    pub(crate) fn name(&self, node: usize) -> &str {
        &self.names[self.nodes[node].name as usize]
    }

    /// Node `node`'s inputs, in order.
    #[inline]
    pub(crate) fn inputs_of(&self, node: usize) -> &[u32] {
        let spec = &self.nodes[node];
        &self.inputs[spec.inputs_start as usize..spec.inputs_start as usize + spec.inputs_len as usize]
    }

    /// Node `node`'s successors, in edge order.
    #[inline]
    pub(crate) fn successors_of(&self, node: usize) -> &[u32] {
        &self.successors[self.successor_starts[node] as usize..self.successor_starts[node + 1] as usize]
    }
}

/// Groups `edges` (from, to), in order, by their source: the flat successor lists of `nodes` nodes.
pub(crate) fn successor_lists(nodes: usize, edges: &[(u32, u32)]) -> (Vec<u32>, Vec<u32>) {
    let mut starts = vec![0u32; nodes + 1];
    for &(from, _) in edges {
        starts[from as usize + 1] += 1;
    }
    for node in 0..nodes {
        starts[node + 1] += starts[node];
    }
    let mut next = starts.clone();
    let mut successors = vec![0u32; edges.len()];
    for &(from, to) in edges {
        successors[next[from as usize] as usize] = to;
        next[from as usize] += 1;
    }
    (starts, successors)
}
