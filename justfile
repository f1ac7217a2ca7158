# The recipes CI runs (.ci/run runs lint, test and loom in that order, without needing `just`).

# Format check and clippy with warnings as errors.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Unit, integration and doc tests of every crate (the README's test command).
test:
    cargo test --workspace

# Loom model checks of the hand-written synchronization protocols (latch; task state and completion,
# admission against shutdown, sleep and wake: in-crate unit tests of wove-executor).
loom:
    RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 CARGO_TARGET_DIR=target/loom cargo test --release -p wove-latch --test latch_loom
    RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 CARGO_TARGET_DIR=target/loom cargo test --release -p wove-executor --lib

# The engine's lifecycle suites under valgrind's leak check (test plan 25).
leak:
    bash .ci/leak

# Criterion benchmarks: wove against the peers in the same groups.
bench:
    cargo bench

# Long-running variants marked #[ignore].
stress:
    cargo test --workspace --release -- --ignored

# Everything CI runs.
ci:
    bash .ci/run
