//! `chain!` and `Chain`: independent steps run one after another, each as its own job, results collected —
//! asyncio's `chain(*awaitables)` helper, nestable.

use std::future::Future;
use std::panic::resume_unwind;

use wove_executor::TaskError;

/// One step of a [`chain!`](crate::chain) or [`Chain`]: a closure, or a future wrapped with [`step_async`].
///
/// # Examples
///
/// ```
/// use wove_chain::Step;
/// let engine = wove_executor::Engine::builder().threads(1).build()?;
/// let seven = engine.install(|| (|| 7).run_step());
/// assert_eq!(seven, 7);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub trait Step: Send + 'static {
    /// The step's result.
    type Output: Send + 'static;

    /// Runs the step as its own task on the current engine and waits for it (helping, on a worker).
    ///
    /// # Panics
    ///
    /// If the step fails: a panic is re-raised with its payload, a cancellation with its error's message — so a
    /// chain stops at its first failed step.
    fn run_step(self) -> Self::Output;
}

impl<F, T> Step for F
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    type Output = T;

    fn run_step(self) -> T {
        settle(wove_executor::spawn(self).join())
    }
}

/// A future as a [`Step`].
///
/// # Examples
///
/// See [`step_async`].
#[derive(Debug)]
#[must_use = "a step does nothing until its chain runs"]
pub struct AsyncStep<Fut>(Fut);

/// Makes a future a [`Step`] of a [`chain!`](crate::chain).
///
/// # Examples
///
/// ```
/// use wove_chain::{chain, step_async};
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let (a, b) = engine.spawn(chain!(|| 1, step_async(async { 2 }))).join().unwrap();
/// assert_eq!((a, b), (1, 2));
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
pub fn step_async<Fut>(future: Fut) -> AsyncStep<Fut>
where
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    AsyncStep(future)
}

impl<Fut> Step for AsyncStep<Fut>
where
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    type Output = Fut::Output;

    fn run_step(self) -> Fut::Output {
        settle(wove_executor::spawn_async(self.0).join())
    }
}

/// A step's value, or its failure re-raised in the chain.
fn settle<T>(outcome: Result<T, TaskError>) -> T {
    match outcome {
        Ok(value) => value,
        Err(error) if error.is_panic() => resume_unwind(error.into_panic()),
        Err(error) => panic!("{error}"),
    }
}

/// Independent steps, run one after another — each as its own job — when the chain runs; the results as a
/// tuple that nests like the chains do. Nothing runs where `chain!` is written (the step expressions are
/// evaluated there; the steps are not run): the value is a closure, to spawn (`engine.spawn(chain!(…))`) or call.
/// A failed step stops the chain: later steps never run, and the chain fails with that step's panic.
///
/// # Examples
///
/// ```
/// use wove_chain::chain;
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let (a, (b, c), d) = engine.spawn(chain!(|| 1, chain!(|| 2, || 3), || 4)).join().unwrap();
/// assert_eq!((a, b, c, d), (1, 2, 3, 4));
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[macro_export]
macro_rules! chain {
    ($($step:expr),+ $(,)?) => {{
        // The step expressions are evaluated here, in order; the steps themselves run when the chain does.
        let steps = ($($step,)+);
        move || $crate::__run_steps(steps)
    }};
}

/// Runs a tuple of steps in order (implementation detail of [`chain!`]).
#[doc(hidden)]
pub fn __run_steps<S: Steps>(steps: S) -> S::Output {
    steps.run_in_order()
}

/// A tuple of steps (implementation detail of [`chain!`]).
#[doc(hidden)]
pub trait Steps {
    type Output;
    fn run_in_order(self) -> Self::Output;
}

macro_rules! steps_tuple {
    ($($name:ident),+) => {
        impl<$($name: Step),+> Steps for ($($name,)+) {
            type Output = ($($name::Output,)+);

            #[allow(non_snake_case, reason = "the type parameters name the steps")]
            fn run_in_order(self) -> Self::Output {
                let ($($name,)+) = self;
                // A tuple expression evaluates left to right: the steps run in the order written.
                ($($name.run_step(),)+)
            }
        }
    };
}

steps_tuple!(A);
steps_tuple!(A, B);
steps_tuple!(A, B, C);
steps_tuple!(A, B, C, D);
steps_tuple!(A, B, C, D, E);
steps_tuple!(A, B, C, D, E, F);
steps_tuple!(A, B, C, D, E, F, G);
steps_tuple!(A, B, C, D, E, F, G, H);
steps_tuple!(A, B, C, D, E, F, G, H, I);
steps_tuple!(A, B, C, D, E, F, G, H, I, J);
steps_tuple!(A, B, C, D, E, F, G, H, I, J, K);
steps_tuple!(A, B, C, D, E, F, G, H, I, J, K, L);

/// Any number of steps of one type, run one after another — each as its own job — giving a `Vec` of their
/// results: the `chain!` for lists built at run time.
///
/// # Examples
///
/// ```
/// use wove_chain::Chain;
/// let engine = wove_executor::Engine::builder().threads(2).build()?;
/// let mut chain = Chain::new();
/// for i in 0..5 {
///     chain = chain.step(move || i * i);
/// }
/// assert_eq!(engine.spawn(move || chain.run()).join().unwrap(), vec![0, 1, 4, 9, 16]);
/// # Ok::<(), wove_executor::BuildError>(())
/// ```
#[must_use = "a chain does nothing until it runs"]
pub struct Chain<T> {
    steps: Vec<Box<dyn FnOnce() -> T + Send>>,
}

impl<T: Send + 'static> Chain<T> {
    /// An empty chain.
    ///
    /// # Examples
    ///
    /// See [`Chain`].
    pub fn new() -> Self {
        Self { steps: Vec::new() }
    }

    /// Adds a step at the end.
    ///
    /// # Examples
    ///
    /// See [`Chain`].
    pub fn step(mut self, step: impl FnOnce() -> T + Send + 'static) -> Self {
        self.steps.push(Box::new(step));
        self
    }

    /// Runs the steps in order, each as its own task on the current engine, and returns their results.
    ///
    /// # Panics
    ///
    /// At the first failed step, like [`chain!`](crate::chain): later steps never run.
    ///
    /// # Examples
    ///
    /// See [`Chain`].
    pub fn run(self) -> Vec<T> {
        self.steps.into_iter().map(|step| step.run_step()).collect()
    }
}

impl<T: Send + 'static> Default for Chain<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for Chain<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain").field("steps", &self.steps.len()).finish()
    }
}
