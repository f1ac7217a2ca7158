//! asyncio's "schedule a follow-up task from a done callback": `task.add_done_callback(callback)`, where the
//! callback calls `asyncio.create_task(followup())`.
//!
//! The callback runs on an engine worker once the task is done; the task's group tracks whatever the callback
//! spawns, so `group.wait()` returns only after the follow-up — no sleep, no global `Event`.

fn main() {
    let engine = wove::Engine::new();
    let group = engine.group();
    let task = group.spawn(|| {
        println!("Task starting");
        println!("Task done");
    });
    task.on_done(|_outcome| {
        println!("Callback scheduling the follow-up");
        wove::spawn(|| {
            println!("Follow-up task starting");
            println!("Follow-up task done");
        })
        .detach();
    });
    group.wait().expect("nothing failed");
    println!("Main: all work done");
}
