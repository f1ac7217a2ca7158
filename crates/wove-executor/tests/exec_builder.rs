//! Bad configuration is a clear build error.

use wove_executor::Engine;

#[test]
fn zero_threads_is_build_error() {
    let err = Engine::builder().threads(0).build().unwrap_err();
    assert_eq!(err.to_string(), "an engine needs at least 1 thread, got threads(0)");
}

#[test]
fn engine_is_clone_send_sync_debug() {
    fn handle<T: Clone + Send + Sync + std::fmt::Debug>() {}
    handle::<Engine>();
    handle::<wove_executor::Group>();
    let engine = Engine::builder().threads(2).build().unwrap();
    assert_eq!(format!("{engine:?}"), "Engine { threads: 2, live_tasks: 0, shut_down: false }");
}
