//! How many schedule analyses run at once (issue 17).
//!
//! Each schedule request loads and analyses the whole production on a
//! blocking thread: on 20 160 tasks one peaks at ~120 MiB, eight at once
//! at ~420 MiB (bench/README.md, "Session 14"). The work is CPU-bound, so
//! more analyses at a time than cores only add memory, not answers: the
//! gate holds the others until one ends. By default it lets in one per
//! two cores: on a 2-core machine two at once peaked at 241 MiB for 11.1
//! answers/s, one at a time at 118 MiB for 7.4 (issue 17 asks for
//! 150 MiB; concurrent schedule requests are rare next to the lists the
//! other core keeps serving).

use std::num::NonZeroUsize;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{ApiError, ApiResult};

/// One analysis per two cores, at least one.
fn default_at_once() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    (cores / 2).max(1)
}

/// Held while a schedule answer is computed and written.
pub type Pass = OwnedSemaphorePermit;

#[derive(Clone)]
pub struct ScheduleGate(Arc<Semaphore>);

impl ScheduleGate {
    /// `at_once` analyses at a time; one per two cores when unset.
    pub fn new(at_once: Option<NonZeroUsize>) -> Self {
        let n = at_once.map_or_else(default_at_once, NonZeroUsize::get);
        ScheduleGate(Arc::new(Semaphore::new(n)))
    }

    /// Waits for a turn. The pass is given back when dropped, that is when
    /// the answer has been written (it is moved into the writer).
    pub async fn enter(&self) -> ApiResult<Pass> {
        // The semaphore is never closed; the error cannot happen.
        self.0
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_turn_waits_for_a_pass_to_be_given_back() {
        let gate = ScheduleGate::new(NonZeroUsize::new(2));
        let first = gate.enter().await.unwrap();
        let _second = gate.enter().await.unwrap();
        let third = tokio::time::timeout(Duration::from_millis(50), gate.enter()).await;
        assert!(third.is_err(), "a third analysis ran beside two");
        drop(first);
        let third = tokio::time::timeout(Duration::from_secs(5), gate.enter()).await;
        assert!(third.is_ok(), "the pass given back did not let the next in");
    }

    #[test]
    fn unset_means_one_per_two_cores_and_at_least_one() {
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        let n = ScheduleGate::new(None).0.available_permits();
        assert_eq!(n, (cores / 2).max(1));
        assert_eq!(
            ScheduleGate::new(NonZeroUsize::new(3))
                .0
                .available_permits(),
            3
        );
    }
}
