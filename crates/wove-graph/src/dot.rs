//! Writing Graphviz DOT: what `Graph::to_dot` and `RunReport::to_dot` share.

use std::fmt::Write as _;

use crate::spec::GraphSpec;

/// A DOT string literal's contents.
pub(crate) fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// A graph in DOT: `header` lines after the opening one; a statement per node, `n{index} [{attributes}]` with
/// what `attributes(index, name, shape)` gives (`name` escaped; `shape` is `, shape=diamond` for a condition
/// node, else empty); a statement per edge, dashed and labelled with its branch out of a condition node, bold
/// where `bold(from, to)`.
pub(crate) fn graph_dot(
    spec: &GraphSpec,
    header: &str,
    mut attributes: impl FnMut(usize, &str, &str) -> String,
    bold: impl Fn(usize, usize) -> bool,
) -> String {
    let mut dot = format!("digraph wove {{\n{header}");
    for (index, node) in spec.nodes.iter().enumerate() {
        let shape = if node.condition { ", shape=diamond" } else { "" };
        let _ = writeln!(dot, "  n{index} [{}];", attributes(index, &escape(spec.name(index)), shape));
    }
    for (index, node) in spec.nodes.iter().enumerate() {
        for (branch, &successor) in spec.successors_of(index).iter().enumerate() {
            if node.condition {
                let _ = writeln!(dot, "  n{index} -> n{successor} [style=dashed, label=\"{branch}\"];");
            } else if bold(index, successor as usize) {
                let _ = writeln!(dot, "  n{index} -> n{successor} [penwidth=3];");
            } else {
                let _ = writeln!(dot, "  n{index} -> n{successor};");
            }
        }
    }
    dot.push_str("}\n");
    dot
}
