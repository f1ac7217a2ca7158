//! `TaskGraph`: building a graph, node by node and edge by edge, then validating it once.

use std::any::TypeId;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use wove_executor::Engine;

use crate::body::Body;
use crate::error::GraphError;
use crate::graph::Graph;
use crate::inputs::Inputs;
use crate::node::Node;
use crate::outcome::{Outcome, PutOutput};
use crate::outputs::Outputs;
use crate::slots::{Input, Output};
use crate::spec::{GraphSpec, NO_SLOT, NodeSpec, successor_lists};

/// Builds a [`Graph`]: add nodes (closures, with their inputs) and ordering edges, then [`build`](Self::build)
/// validates it once. Taskflow's `emplace` is [`add`](Self::add), its `precede` is [`precede`](Self::precede).
///
/// # Examples
///
/// ```
/// use wove_graph::TaskGraph;
/// let mut g = TaskGraph::new();
/// let a = g.add("a", || 20u64);
/// let b = g.add("b", || 22u64);
/// let sum = g.add_after("sum", (a, b), |(x, y)| x + y);
/// let graph = g.build()?;
/// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
/// let outputs = graph.run(&engine).join()?;
/// assert_eq!(outputs.get(sum), Some(&42));
/// # Ok::<(), wove_graph::GraphError>(())
/// ```
pub struct TaskGraph {
    id: u64,
    nodes: Vec<NodeSpec>,
    /// Every node's inputs, one node after another (`NodeSpec::inputs_start`).
    inputs: Vec<u32>,
    /// Every edge (from, to), in the order it was made.
    edges: Vec<(u32, u32)>,
    /// The first node found linked to another graph's node.
    foreign: Option<String>,
    /// The nodes' names (`NodeSpec::name`).
    names: Vec<Cow<'static, str>>,
    /// Per node: its strong incoming edges (`GraphSpec::strong_predecessors`).
    strong_predecessors: Vec<u32>,
    /// How many nodes store their output so far (the next one's slot).
    stored: u32,
    /// True once a strong edge goes from a node to one added no later: only then can there be a cycle (an edge
    /// into a node made by `add_after` comes from an earlier node).
    backward: bool,
}

static NEXT_GRAPH: AtomicU64 = AtomicU64::new(1);

impl TaskGraph {
    /// An empty graph.
    ///
    /// # Examples
    ///
    /// See [`TaskGraph`].
    pub fn new() -> Self {
        Self {
            id: NEXT_GRAPH.fetch_add(1, Ordering::Relaxed),
            nodes: Vec::new(),
            inputs: Vec::new(),
            edges: Vec::new(),
            foreign: None,
            strong_predecessors: Vec::new(),
            names: Vec::new(),
            stored: 0,
            backward: false,
        }
    }

    /// An empty graph with room for `nodes` nodes and `edges` edges (inputs and ordering edges), so that adding
    /// them moves nothing: for large graphs whose size is known.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = wove_graph::TaskGraph::with_capacity(1_000, 999);
    /// let mut last = g.add("0", || 0u64);
    /// for i in 1..1_000 {
    ///     last = g.add_after(format!("{i}"), last, |x: &u64| x + 1);
    /// }
    /// let engine = wove_executor::Engine::builder().threads(1).build().unwrap();
    /// assert_eq!(g.build()?.run(&engine).join()?.get(last), Some(&999));
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn with_capacity(nodes: usize, edges: usize) -> Self {
        let mut graph = Self::new();
        graph.nodes.reserve(nodes);
        graph.strong_predecessors.reserve(nodes);
        graph.edges.reserve(edges);
        graph.inputs.reserve(edges);
        graph
    }

    /// The next storing node's slot, counted.
    fn stored_nodes(&mut self) -> u32 {
        self.stored += 1;
        self.stored - 1
    }

    /// The index of `name` in `names`: the last one again if it is the same `&'static str` (a graph built in a
    /// loop under one name keeps one), else a new entry.
    fn name_index(&mut self, name: Cow<'static, str>) -> u32 {
        let same = match (&name, self.names.last()) {
            (Cow::Borrowed(new), Some(Cow::Borrowed(last))) => std::ptr::eq(*new, *last),
            _ => false,
        };
        if !same {
            self.names.push(name);
        }
        u32::try_from(self.names.len() - 1).expect("fewer than 2^32 nodes")
    }

    /// Node `node`'s name.
    fn name_of(&self, node: usize) -> String {
        self.names[self.nodes[node].name as usize].to_string()
    }

    /// Adds a node; it stores its output for its successors unless it is a condition or its output is `()`.
    fn push<T: 'static>(&mut self, name: Cow<'static, str>, body: Body, condition: bool) -> Node<T> {
        let stores = !condition && TypeId::of::<T>() != TypeId::of::<()>();
        let index = self.nodes.len();
        let name = self.name_index(name);
        let slot = if stores { self.stored_nodes() } else { NO_SLOT };
        self.strong_predecessors.push(0);
        self.nodes.push(NodeSpec {
            name,
            body,
            condition,
            stores,
            slot,
            revisitable: false,
            inputs_start: 0,
            inputs_len: 0,
        });
        Node::new(index, self.id)
    }

    /// Adds a node that runs `body` and passes its value to the nodes that take it as an input. A node runs
    /// once per run (once per visit in a condition loop); the closure is shared by every run, so it is `Fn`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = wove_graph::TaskGraph::new();
    /// let hello = g.add("hello", || "hello");
    /// let graph = g.build()?;
    /// let engine = wove_executor::Engine::builder().threads(1).build().unwrap();
    /// assert_eq!(graph.run(&engine).join()?.get(hello), Some(&"hello"));
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn add<T, F>(&mut self, name: impl Into<Cow<'static, str>>, body: F) -> Node<T>
    where
        T: Send + Sync + 'static,
        F: Fn() -> T + Send + Sync + 'static,
    {
        let body = move |_: &[Input<'_>], output: &Output<'_>| {
            output.put(body());
            Outcome::Done
        };
        self.push(name.into(), Body::new(body), false)
    }

    /// Adds a node that runs after `inputs` — one node, or a tuple of 1 to 8 — with references to their
    /// outputs in the same run: `&T` for one `Node<T>`, a tuple of references for a tuple. Each input is an
    /// edge into the new node.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = wove_graph::TaskGraph::new();
    /// let text = g.add("load", || "1 2 3".to_string());
    /// let numbers = g.add_after("parse", text, |text: &String| {
    ///     text.split(' ').map(|n| n.parse::<u32>().unwrap()).collect::<Vec<_>>()
    /// });
    /// let total = g.add_after("sum", numbers, |numbers: &Vec<u32>| numbers.iter().sum::<u32>());
    /// let graph = g.build()?;
    /// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
    /// assert_eq!(graph.run(&engine).join()?.get(total), Some(&6));
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    ///
    /// Using an output as the wrong type does not compile:
    ///
    /// ```compile_fail
    /// let mut g = wove_graph::TaskGraph::new();
    /// let text = g.add("load", || "not a number".to_string());
    /// g.add_after("double", text, |n: &u32| n * 2);
    /// ```
    pub fn add_after<I, T, F>(&mut self, name: impl Into<Cow<'static, str>>, inputs: I, body: F) -> Node<T>
    where
        I: Inputs,
        T: Send + Sync + 'static,
        F: for<'a> Fn(I::Refs<'a>) -> T + Send + Sync + 'static,
    {
        let name = name.into();
        let body = move |values: &[Input<'_>], output: &Output<'_>| {
            // The failure is recorded under the node's name.
            let refs = I::refs(values).unwrap_or_else(|| panic!("an input has no value in this run"));
            output.put(body(refs));
            Outcome::Done
        };
        let node: Node<T> = self.push(name, Body::new(body), false);
        self.nodes[node.index].inputs_start = u32::try_from(self.inputs.len()).expect("fewer than 2^32 inputs");
        inputs.for_each_node(&mut |input, graph| {
            if self.link(input, graph, node.index) {
                self.inputs.push(input as u32);
                self.nodes[node.index].inputs_len += 1;
            }
        });
        node
    }

    /// Adds an async node: `body` makes a future, which runs as a task of the engine; the node is done, and
    /// its successors may start, when the future has finished (it may await timers, channels, other tasks
    /// and graph runs without holding a worker). Its output is the future's.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut g = wove_graph::TaskGraph::new();
    /// let fetched = g.add_async("fetch", || async {
    ///     wove_executor::sleep(Duration::from_millis(1)).await; // no worker is held meanwhile
    ///     7u8
    /// });
    /// let doubled = g.add_after("double", fetched, |n: &u8| n * 2);
    /// let engine = wove_executor::Engine::builder().threads(1).build().unwrap();
    /// assert_eq!(g.build()?.run(&engine).join()?.get(doubled), Some(&14));
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn add_async<T, F, Fut>(&mut self, name: impl Into<Cow<'static, str>>, body: F) -> Node<T>
    where
        T: Send + Sync + 'static,
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = T> + Send + 'static,
    {
        let body = move |_: &[Input<'_>], _: &Output<'_>| {
            let future = body();
            let done = async move {
                let value = future.await;
                Ok(Box::new(move |output: &Output<'_>| output.put(value)) as PutOutput)
            };
            Outcome::Await { done: Box::pin(done), cancel: None }
        };
        self.push(name.into(), Body::new(body), false)
    }

    /// Adds `graph` as one node (Taskflow's module task, `composed_of`): each visit runs `graph` on the same
    /// engine, and the node's successors start when that run has finished; its output is that run's
    /// [`Outputs`]. A failed run fails the node (its error is the node's failure); cancelling this run cancels
    /// it. The same graph may be a module of many nodes, and of many graphs.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut stage = wove_graph::TaskGraph::new();
    /// let part = stage.add("part", || 20u32);
    /// let stage = stage.build()?;
    ///
    /// let mut g = wove_graph::TaskGraph::new();
    /// let first = g.add_graph("first stage", &stage);
    /// let second = g.add_graph("second stage", &stage); // the same graph, twice
    /// let total = g.add_after("total", (first, second), move |(a, b): (&wove_graph::Outputs, &wove_graph::Outputs)| {
    ///     a.get(part).unwrap() + b.get(part).unwrap()
    /// });
    /// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
    /// assert_eq!(g.build()?.run(&engine).join()?.get(total), Some(&40));
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn add_graph(&mut self, name: impl Into<Cow<'static, str>>, graph: &Graph) -> Node<Outputs> {
        let graph = graph.clone();
        let body = move |_: &[Input<'_>], _: &Output<'_>| {
            let engine = Engine::current().expect("a graph's node runs on a worker of its engine");
            let run = graph.run(&engine);
            let completion = run.completion().clone();
            let done = async move {
                match run.await {
                    Ok(outputs) => Ok(Box::new(move |output: &Output<'_>| output.put(outputs)) as PutOutput),
                    Err(error) => Err(format!("its graph failed: {error}")),
                }
            };
            let cancel = Arc::new(move || {
                completion.cancel();
            });
            Outcome::Await { done: Box::pin(done), cancel: Some(cancel) }
        };
        self.push(name.into(), Body::new(body), false)
    }

    /// Adds a condition node: it returns the index of the one successor to run, among the nodes it
    /// [`precede`](Self::precede)s, in the order of those calls (out of range: none). Edges out of a condition
    /// node are *weak*: they do not count toward the successor's dependencies, so a condition can loop back to
    /// an earlier node (Taskflow's condition tasks).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// let rounds = Arc::new(AtomicU32::new(0));
    /// let mut g = wove_graph::TaskGraph::new();
    /// let start = g.add("start", || ());
    /// let counter = rounds.clone();
    /// let body = g.add("body", move || {
    ///     counter.fetch_add(1, Ordering::SeqCst);
    /// });
    /// let seen = rounds.clone();
    /// let check = g.condition("again?", move || if seen.load(Ordering::SeqCst) < 3 { 0 } else { 1 });
    /// let done = g.add("done", || ());
    /// g.precede(start, body);
    /// g.precede(body, check);
    /// g.precede(check, body); // 0: loop back (a weak edge)
    /// g.precede(check, done); // 1: leave
    /// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
    /// g.build()?.run(&engine).join()?;
    /// assert_eq!(rounds.load(Ordering::SeqCst), 3);
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn condition<F>(&mut self, name: impl Into<Cow<'static, str>>, body: F) -> Node<usize>
    where
        F: Fn() -> usize + Send + Sync + 'static,
    {
        self.push(name.into(), Body::new(move |_: &[Input<'_>], _: &Output<'_>| Outcome::Branch(body())), true)
    }

    /// Adds an ordering edge: `after` runs only once `before` has finished (no data passes). If `before` is a
    /// condition node, `after` is its next branch.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// let order = Arc::new(Mutex::new(Vec::new()));
    /// let mut g = wove_graph::TaskGraph::new();
    /// let (first, second) = (order.clone(), order.clone());
    /// let a = g.add("a", move || first.lock().unwrap().push("a"));
    /// let b = g.add("b", move || second.lock().unwrap().push("b"));
    /// g.precede(a, b);
    /// let engine = wove_executor::Engine::builder().threads(2).build().unwrap();
    /// g.build()?.run(&engine).join()?;
    /// assert_eq!(*order.lock().unwrap(), ["a", "b"]);
    /// # Ok::<(), wove_graph::GraphError>(())
    /// ```
    pub fn precede<A, B>(&mut self, before: Node<A>, after: Node<B>) {
        if after.graph == self.id {
            self.link(before.index, before.graph, after.index);
            return;
        }
        // `after` is a stranger: name the local end, if there is one.
        let local = (before.graph == self.id).then(|| self.name_of(before.index));
        self.foreign.get_or_insert(local.unwrap_or_else(|| "(none)".to_string()));
    }

    /// Records the edge `from -> to` (`to` is this graph's); false if `from` is another graph's node.
    fn link(&mut self, from: usize, graph: u64, to: usize) -> bool {
        if graph != self.id {
            let name = self.name_of(to);
            self.foreign.get_or_insert(name);
            return false;
        }
        self.edges.push((from as u32, to as u32));
        if !self.nodes[from].condition {
            self.strong_predecessors[to] += 1;
            self.backward |= from >= to;
        }
        true
    }

    /// The number of nodes so far.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = wove_graph::TaskGraph::new();
    /// g.add("a", || ());
    /// assert_eq!(g.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True if no node was added.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wove_graph::TaskGraph::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Validates the graph once and makes it runnable.
    ///
    /// # Errors
    ///
    /// [`GraphError::is_cycle`]: a cycle that does not pass through a condition node, named by
    /// [`GraphError::cycle`]; [`GraphError::is_foreign_node`]: an edge or an input names another graph's node.
    ///
    /// # Examples
    ///
    /// See [`TaskGraph`] and [`GraphError`].
    pub fn build(self) -> Result<Graph, GraphError> {
        if let Some(node) = self.foreign {
            return Err(GraphError::new_foreign_node(node));
        }
        let nodes = self.nodes;
        let (successor_starts, successors) = successor_lists(nodes.len(), &self.edges);
        let mut has_predecessor = vec![false; nodes.len()];
        self.edges.iter().for_each(|&(_, to)| has_predecessor[to as usize] = true);
        let sources = (0..nodes.len()).filter(|&index| !has_predecessor[index]).collect();
        let stored = self.stored as usize;
        let mut spec = GraphSpec {
            id: self.id,
            nodes,
            inputs: self.inputs,
            successor_starts,
            successors,
            sources,
            strong_predecessors: self.strong_predecessors,
            names: self.names,
            stored,
            spare: Default::default(),
            has_revisits: false,
        };
        mark_revisitable(&mut spec);
        if let Some(cycle) = if self.backward { find_cycle(&spec) } else { None } {
            let names = cycle.into_iter().map(|index| spec.name(index).to_string()).collect();
            return Err(GraphError::new_cycle(names));
        }
        Ok(Graph::new(spec))
    }
}

/// Marks the nodes that a condition node can reach (`NodeSpec::revisitable`).
fn mark_revisitable(spec: &mut GraphSpec) {
    let mut stack: Vec<usize> = (0..spec.nodes.len()).filter(|&index| spec.nodes[index].condition).collect();
    while let Some(node) = stack.pop() {
        for position in spec.successor_starts[node]..spec.successor_starts[node + 1] {
            let successor = spec.successors[position as usize] as usize;
            if !spec.nodes[successor].revisitable {
                spec.nodes[successor].revisitable = true;
                spec.has_revisits = true;
                stack.push(successor);
            }
        }
    }
}

/// A cycle of strong edges (edges out of condition nodes do not count), as the nodes on it in edge order.
/// Iterative depth-first search, so a million-node chain costs no stack.
fn find_cycle(spec: &GraphSpec) -> Option<Vec<usize>> {
    let nodes = &spec.nodes;
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; nodes.len()];
    let strong = |index: usize| -> &[u32] { if nodes[index].condition { &[] } else { spec.successors_of(index) } };
    for root in 0..nodes.len() {
        if state[root] != NEW {
            continue;
        }
        // The path from the root, each with the position of its next successor to look at.
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = ON_PATH;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            match strong(node).get(*next) {
                Some(&successor) => {
                    let successor = successor as usize;
                    *next += 1;
                    match state[successor] {
                        NEW => {
                            state[successor] = ON_PATH;
                            path.push((successor, 0));
                        }
                        ON_PATH => {
                            let start =
                                path.iter().position(|&(on_path, _)| on_path == successor).expect("on the path");
                            return Some(path[start..].iter().map(|&(on_path, _)| on_path).collect());
                        }
                        _ => {}
                    }
                }
                None => {
                    state[node] = DONE;
                    path.pop();
                }
            }
        }
    }
    None
}

impl Default for TaskGraph {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TaskGraph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGraph").field("nodes", &self.nodes.len()).finish_non_exhaustive()
    }
}
