//! profiling scratch
fn main() {
    let engine = wove::Engine::builder().threads(2).build().unwrap();
    let which = std::env::args().nth(1).unwrap_or_default();
    if which == "spawn" {
        for _ in 0..30 {
            let tasks = engine.group();
            for i in 0..100_000u64 {
                tasks.spawn(move || std::hint::black_box(i)).detach();
            }
            tasks.wait().unwrap();
        }
    } else if which == "chain" {
        fn link(left: u64, done: std::sync::mpsc::Sender<()>) {
            if left == 0 {
                done.send(()).unwrap()
            } else {
                wove::spawn(move || link(left - 1, done)).detach();
            }
        }
        for _ in 0..30 {
            let (tx, rx) = std::sync::mpsc::channel();
            engine.spawn(move || link(100_000, tx)).detach();
            rx.recv().unwrap();
        }
    } else {
        fn fib(n: u64) -> u64 {
            if n < 2 {
                n
            } else {
                let (a, b) = wove::join(|| fib(n - 1), || fib(n - 2));
                a + b
            }
        }
        for _ in 0..300 {
            std::hint::black_box(engine.install(|| fib(22)));
        }
    }
}
