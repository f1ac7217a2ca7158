//! Writing Graphviz DOT: what `Graph::to_dot` and `RunReport::to_dot` share.

/// A DOT string literal's contents.
pub(crate) fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
