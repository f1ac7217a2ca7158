//! `Node<T>`: a typed handle to a node of a graph.

use std::fmt;
use std::marker::PhantomData;

/// A node of a [`TaskGraph`](crate::TaskGraph): its index, its graph's identity and the type of its output.
/// `Copy`, so it can be named in as many edges and inputs as needed.
///
/// # Examples
///
/// ```
/// let mut g = wove_graph::TaskGraph::new();
/// let a: wove_graph::Node<u32> = g.add("a", || 1);
/// let b = g.add_after("b", a, |x| x + 1);
/// let c = g.add_after("c", (a, b), |(x, y)| x + y); // `a` again: nodes are Copy
/// # let _ = c;
/// ```
pub struct Node<T> {
    pub(crate) index: usize,
    pub(crate) graph: u64,
    _output: PhantomData<fn() -> T>,
}

impl<T> Node<T> {
    pub(crate) fn new(index: usize, graph: u64) -> Self {
        Self { index, graph, _output: PhantomData }
    }

    /// The node's index in its graph (the order it was added in).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = wove_graph::TaskGraph::new();
    /// assert_eq!(g.add("first", || ()).index(), 0);
    /// assert_eq!(g.add("second", || ()).index(), 1);
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }
}

impl<T> Clone for Node<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Node<T> {}

impl<T> fmt::Debug for Node<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node").field("index", &self.index).field("output", &std::any::type_name::<T>()).finish()
    }
}
