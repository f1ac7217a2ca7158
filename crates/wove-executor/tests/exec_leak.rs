//! No task cell outlives its completion and its handles.

use std::sync::{Arc, Weak};

use wove_testkit::each_engine_with;

#[test]
fn no_task_cell_outlives_completion() {
    each_engine_with(
        "no_task_cell_outlives_completion",
        |builder| builder.panic_handler(|_| {}),
        |engine, threads| {
            let mut probes: Vec<Weak<()>> = Vec::new();
            let mut probe = || {
                let strong = Arc::new(());
                probes.push(Arc::downgrade(&strong));
                strong
            };
            let (a, b, c, d, e, f) = (probe(), probe(), probe(), probe(), probe(), probe());
            // A closure, a future that suspends, a panicking task, a cancelled one, callbacks early and late,
            // a detached one, and values returned through the handle.
            let closure = engine.spawn(move || a);
            let future = engine.spawn_async(async move {
                wove_executor::yield_now().await;
                b
            });
            let panicking = engine.spawn(move || {
                let _c = c;
                panic!("probe panics")
            });
            let (open, gate) = std::sync::mpsc::channel::<()>();
            let holders: Vec<_> = (0..threads)
                .map(|_| {
                    let (tx, rx) = std::sync::mpsc::channel::<()>();
                    let open = open.clone();
                    (tx, engine.spawn(move || drop((rx.recv(), open))))
                })
                .collect();
            let cancelled = engine.spawn(move || d);
            cancelled.cancel();
            let with_callbacks = engine.task().on_done(move |_: &Result<(), _>| drop(e)).spawn(|| ());
            with_callbacks.on_done(move |_| drop(f));
            engine.spawn(move || drop(gate)).detach();
            for (tx, _) in &holders {
                tx.send(()).unwrap();
            }
            drop(open);
            assert!(Arc::strong_count(&closure.join().unwrap()) >= 1);
            drop(future.join().unwrap());
            assert!(panicking.join().is_err());
            assert!(cancelled.join().unwrap_err().is_cancelled());
            with_callbacks.join().unwrap();
            holders.into_iter().for_each(|(_, h)| h.join().unwrap());
            engine.wait_idle();
            for (i, weak) in probes.iter().enumerate() {
                assert!(weak.upgrade().is_none(), "probe {i} outlived its task (threads = {threads})");
            }
            assert!(engine.tasks().is_empty());
        },
    );
}
