//! Counting rules: underflow, growth after release and overflow are errors that change nothing, and the guard gives its
//! count back on drop and on unwind.

use wove_latch::Latch;

#[test]
fn count_down_below_zero_is_error() {
    let latch = Latch::new(1);
    latch.count_down().unwrap();
    let err = latch.count_down().unwrap_err();
    assert!(err.is_underflow());
    assert!(!err.is_released() && !err.is_overflow());
    assert_eq!(err.to_string(), "count_down on a latch whose count is already zero");
    assert_eq!(latch.count(), 0, "the count never wraps");
    assert!(latch.is_released());
}

#[test]
fn count_down_by_releases_once_and_refuses_underflow() {
    let latch = Latch::new(5);
    assert_eq!(latch.count_down_by(0), Ok(false), "by zero changes nothing");
    assert_eq!(latch.count_down_by(2), Ok(false));
    assert_eq!(latch.count(), 3);
    let err = latch.count_down_by(4).unwrap_err();
    assert!(err.is_underflow());
    assert_eq!(err.to_string(), "count_down_by(4) on a latch whose count is 3");
    assert_eq!(latch.count(), 3, "a refused count-down changes nothing");
    assert!(!latch.is_released());
    assert_eq!(latch.count_down_by(3), Ok(true), "the call that reaches zero says so");
    assert!(latch.is_released());
    assert!(latch.count_down_by(1).unwrap_err().is_underflow());
    assert_eq!(latch.count_down_by(0), Ok(false));
}

#[test]
fn new_zero_is_released_at_once() {
    let latch = Latch::new(0);
    assert!(latch.is_released());
    assert!(latch.count_down().unwrap_err().is_underflow());
}

#[test]
fn add_after_release_is_error() {
    let latch = Latch::new(1);
    latch.count_down().unwrap();
    let err = latch.add(1).unwrap_err();
    assert!(err.is_released());
    assert!(!err.is_underflow() && !err.is_overflow());
    assert_eq!(err.to_string(), "add on a latch that is already released");
    assert!(latch.is_released(), "release is one-shot");
    assert_eq!(latch.count(), 0);
    assert!(latch.guard().unwrap_err().is_released());
}

#[test]
fn overflow_is_error_and_leaves_count_unchanged() {
    let latch = Latch::new(1);
    let err = latch.add(usize::MAX).unwrap_err();
    assert!(err.is_overflow());
    assert_eq!(err.to_string(), format!("latch count would overflow: 1 + {} exceeds usize::MAX", usize::MAX));
    assert_eq!(latch.count(), 1);

    let near_max = Latch::new(usize::MAX - 1);
    near_max.add(1).unwrap();
    assert_eq!(near_max.count(), usize::MAX);
    assert!(near_max.add(1).unwrap_err().is_overflow());
    assert!(near_max.guard().unwrap_err().is_overflow());
    assert_eq!(near_max.count(), usize::MAX);
}

#[test]
fn add_zero_on_open_latch_changes_nothing() {
    let latch = Latch::new(2);
    latch.add(0).unwrap();
    assert_eq!(latch.count(), 2);
}

#[test]
fn guard_counts_down_on_drop_and_on_unwind() {
    let latch = Latch::new(1);
    let first = latch.guard().unwrap();
    let second = latch.guard().unwrap();
    assert_eq!(latch.count(), 3);
    drop(first);
    assert_eq!(latch.count(), 2);
    let unwound = std::thread::spawn(move || {
        let _held = second;
        panic!("worker failed");
    })
    .join();
    assert!(unwound.is_err());
    assert_eq!(latch.count(), 1);
    latch.count_down().unwrap();
    assert!(latch.is_released());
}

#[test]
fn clones_share_one_state() {
    let latch = Latch::new(2);
    let clone = latch.clone();
    clone.count_down().unwrap();
    assert_eq!(latch.count(), 1);
    assert_eq!(format!("{latch:?}"), "Latch { count: 1 }");
}

#[test]
fn handles_are_send_sync_clone_debug() {
    fn shareable<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    fn sendable<T: Send>() {}
    shareable::<Latch>();
    shareable::<wove_latch::Event>();
    sendable::<wove_latch::LatchGuard>();
    sendable::<wove_latch::LatchWait>();
    sendable::<wove_latch::EventWait>();
}
