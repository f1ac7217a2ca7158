//! The error of latch operations that would break the latch's contract.

use std::fmt;

/// The error returned when a latch operation would break the latch's contract: counting below zero, growing a
/// released latch, or growing the count past `usize::MAX`. The latch is left unchanged.
///
/// # Examples
///
/// ```
/// use wove_latch::Latch;
///
/// let latch = Latch::new(1);
/// latch.count_down()?;
/// let err = latch.count_down().unwrap_err();
/// assert!(err.is_underflow());
/// assert_eq!(err.to_string(), "count_down on a latch whose count is already zero");
/// # Ok::<(), wove_latch::LatchError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LatchError {
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A count-down by `by` found the count at `count`, below it.
    Underflow {
        count: usize,
        by: usize,
    },
    Released,
    Overflow {
        count: usize,
        add: usize,
    },
}

impl LatchError {
    pub(crate) fn underflow(count: usize, by: usize) -> Self {
        Self { kind: Kind::Underflow { count, by } }
    }

    pub(crate) fn released() -> Self {
        Self { kind: Kind::Released }
    }

    pub(crate) fn overflow(count: usize, add: usize) -> Self {
        Self { kind: Kind::Overflow { count, add } }
    }

    /// True if a `count_down` found the count already at zero (or a `count_down_by` found it below the
    /// amount).
    ///
    /// # Examples
    ///
    /// ```
    /// let latch = wove_latch::Latch::new(0);
    /// assert!(latch.count_down().unwrap_err().is_underflow());
    /// ```
    pub fn is_underflow(&self) -> bool {
        matches!(self.kind, Kind::Underflow { .. })
    }

    /// True if an `add` (or `guard`) found the latch already released: release is one-shot.
    ///
    /// # Examples
    ///
    /// ```
    /// let latch = wove_latch::Latch::new(0);
    /// assert!(latch.add(1).unwrap_err().is_released());
    /// ```
    pub fn is_released(&self) -> bool {
        self.kind == Kind::Released
    }

    /// True if an `add` would have pushed the count past `usize::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// let latch = wove_latch::Latch::new(1);
    /// assert!(latch.add(usize::MAX).unwrap_err().is_overflow());
    /// assert_eq!(latch.count(), 1);
    /// ```
    pub fn is_overflow(&self) -> bool {
        matches!(self.kind, Kind::Overflow { .. })
    }
}

impl fmt::Display for LatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Underflow { count: 0, by: 1 } => f.write_str("count_down on a latch whose count is already zero"),
            Kind::Underflow { count, by } => write!(f, "count_down_by({by}) on a latch whose count is {count}"),
            Kind::Released => f.write_str("add on a latch that is already released"),
            Kind::Overflow { count, add } => {
                write!(f, "latch count would overflow: {count} + {add} exceeds usize::MAX")
            }
        }
    }
}

impl std::error::Error for LatchError {}
