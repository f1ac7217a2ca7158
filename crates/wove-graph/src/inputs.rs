//! The inputs of a node added with [`TaskGraph::add_after`](crate::TaskGraph::add_after): one node, or a tuple
//! of 1 to 8 nodes, whose outputs in the same run the node's closure gets by reference.

use crate::node::Node;
use crate::slots::Input;

mod sealed {
    pub trait Sealed {}
}

/// One node, or a tuple of 1 to 8 nodes: the inputs of [`TaskGraph::add_after`](crate::TaskGraph::add_after).
/// The closure gets `&T` for one `Node<T>`, and a tuple of references for a tuple of nodes.
///
/// # Examples
///
/// ```
/// use wove_graph::TaskGraph;
/// let mut g = TaskGraph::new();
/// let (a, b) = (g.add("a", || 2u32), g.add("b", || "x".to_string()));
/// let one = g.add_after("one", a, |a: &u32| a * 10);
/// let both = g.add_after("both", (a, b), |(a, b): (&u32, &String)| format!("{b}{a}"));
/// # let _ = (one, both);
/// ```
pub trait Inputs: sealed::Sealed + Copy + Send + Sync + 'static {
    /// What the node's closure gets: references to the inputs' outputs in this run.
    type Refs<'a>;

    /// Calls `f` with each node, as (index, graph), in order.
    #[doc(hidden)]
    fn for_each_node(&self, f: &mut dyn FnMut(usize, u64));

    /// The references, from the inputs' values in [`for_each_node`](Self::for_each_node) order; `None` if one has no value of
    /// its type.
    #[doc(hidden)]
    fn refs<'a>(values: &'a [Input<'_>]) -> Option<Self::Refs<'a>>;
}

impl<T> sealed::Sealed for Node<T> {}

impl<T: Send + Sync + 'static> Inputs for Node<T> {
    type Refs<'a> = &'a T;

    fn for_each_node(&self, f: &mut dyn FnMut(usize, u64)) {
        f(self.index, self.graph);
    }

    fn refs<'a>(values: &'a [Input<'_>]) -> Option<&'a T> {
        values[0].get::<T>()
    }
}

macro_rules! tuple_inputs {
    ($($name:ident $index:tt),+) => {
        impl<$($name),+> sealed::Sealed for ($(Node<$name>,)+) {}

        impl<$($name: Send + Sync + 'static),+> Inputs for ($(Node<$name>,)+) {
            type Refs<'a> = ($(&'a $name,)+);

            fn for_each_node(&self, f: &mut dyn FnMut(usize, u64)) {
                $(f(self.$index.index, self.$index.graph);)+
            }

            fn refs<'a>(values: &'a [Input<'_>]) -> Option<Self::Refs<'a>> {
                Some(($(values[$index].get::<$name>()?,)+))
            }
        }
    };
}

tuple_inputs!(A 0);
tuple_inputs!(A 0, B 1);
tuple_inputs!(A 0, B 1, C 2);
tuple_inputs!(A 0, B 1, C 2, D 3);
tuple_inputs!(A 0, B 1, C 2, D 3, E 4);
tuple_inputs!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_inputs!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_inputs!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
