//! `Outputs`: what one run's nodes produced.

use std::any::Any;
use std::fmt;

use std::sync::Arc;

use crate::node::Node;
use crate::report::RunReport;
use crate::slots::Finished;
use crate::slots::Value;
use crate::spec::GraphSpec;

/// The outputs of one run, by node: what [`GraphRun::join`](crate::GraphRun::join) returns. A node that ran
/// more than once (in a condition loop) has the output of its last visit; one that did not run has none.
///
/// # Examples
///
/// ```
/// let mut g = wove_graph::TaskGraph::new();
/// let word = g.add("word", || "wove".to_string());
/// let engine = wove_executor::Engine::builder().threads(1).build().unwrap();
/// let mut outputs = g.build()?.run(&engine).join()?;
/// assert_eq!(outputs.get(word).map(String::as_str), Some("wove"));
/// assert_eq!(outputs.take(word), Some("wove".to_string()));
/// assert_eq!(outputs.get(word), None); // taken
/// # Ok::<(), wove_graph::GraphError>(())
/// ```
pub struct Outputs {
    spec: Arc<GraphSpec>,
    /// The values of nodes stored in place.
    values: Finished,
    /// The values of nodes that a condition node can reach (empty if there is none: `slots.rs`).
    shared: Vec<Option<Value>>,
    ran: Vec<bool>,
    report: Option<RunReport>,
}

impl Outputs {
    pub(crate) fn new(
        spec: Arc<GraphSpec>,
        values: Finished,
        shared: Vec<Option<Value>>,
        ran: Vec<bool>,
        report: Option<RunReport>,
    ) -> Self {
        Self { spec, values, shared, ran, report }
    }

    /// What the run measured, if it was profiled ([`RunOptions::profile`](crate::RunOptions::profile)).
    ///
    /// # Examples
    ///
    /// See [`RunReport`].
    pub fn report(&self) -> Option<&RunReport> {
        self.report.as_ref()
    }

    /// The output of `node` in this run, if it ran (and was not taken). `None` too for a node of another graph.
    ///
    /// # Examples
    ///
    /// See [`Outputs`].
    pub fn get<T: 'static>(&self, node: Node<T>) -> Option<&T> {
        if node.graph != self.spec.id || !*self.ran.get(node.index)? {
            return None;
        }
        if let Some(Some(value)) = self.shared.get(node.index) {
            return value.downcast_ref::<T>();
        }
        // A `()` output is not stored.
        self.values
            .get::<T>(self.spec.nodes[node.index].slot as usize)
            .or_else(|| (&() as &'static dyn Any).downcast_ref::<T>())
    }

    /// Moves the output of `node` out (`None` if it did not run, was taken, or is still shared).
    ///
    /// # Examples
    ///
    /// See [`Outputs`].
    pub fn take<T: Send + Sync + 'static>(&mut self, node: Node<T>) -> Option<T> {
        if node.graph != self.spec.id || !*self.ran.get(node.index)? {
            return None;
        }
        let index = node.index;
        let value = match self.shared.get_mut(index).and_then(Option::take) {
            Some(value) => match value.downcast::<T>() {
                Ok(typed) => match std::sync::Arc::try_unwrap(typed) {
                    Ok(value) => Some(value),
                    Err(shared) => {
                        // Still shared: it stays where it was.
                        self.shared[index] = Some(shared);
                        return None;
                    }
                },
                Err(value) => {
                    self.shared[index] = Some(value);
                    return None;
                }
            },
            // A `()` output is not stored.
            None => self
                .values
                .take::<T>(self.spec.nodes[index].slot as usize)
                .or_else(|| (Box::new(()) as Box<dyn Any>).downcast::<T>().ok().map(|unit| *unit)),
        };
        if value.is_some() {
            self.ran[index] = false;
        }
        value
    }
}

impl fmt::Debug for Outputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outputs").field("ran", &self.ran.iter().filter(|&&ran| ran).count()).finish_non_exhaustive()
    }
}
