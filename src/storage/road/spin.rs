//! The writer's executor: runs a future on its own thread and, while the
//! future waits, spins for a moment before parking.
//!
//! A statement sqlx runs is a round trip to the SQLite connection's
//! thread (sqlx runs each connection on a thread of its own), and so is
//! taking the handle from it for the writer's own statements (see
//! `storage::lite`). A thread that parks while it waits must be woken by
//! the other CPU, which on a small virtual machine costs about 20 µs each
//! way: measured here, 45 µs per statement, against 8–12 µs when the
//! waiting side spins. So the writer spins while it works, and parks only
//! when nothing answers within [`SPIN`] (an empty queue).
//!
//! PostgreSQL's writer runs on a Tokio runtime of its own instead (its
//! connection is a socket that runtime watches), and there each statement
//! of a batch is a round trip to the server. While a batch runs, a
//! [`Polling`] task keeps that runtime looking at the socket instead of
//! sleeping in the kernel until the answer wakes it. Measured on the
//! 2-core machine (README, Benchmarks): contended holds on PostgreSQL
//! went from 1.00x to 1.11–1.30x the raw single-connection ceiling, with
//! the CPUs half idle before (the writer waited on wake-ups, not on work).
//! Polling without yielding the CPU or a limit did as well on one
//! instance but cost three instances on one machine 40% of their holds.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// How long a waiting writer spins before it parks.
const SPIN: Duration = Duration::from_micros(100);
/// The first part of that, busy-waiting; the rest yields the CPU to other
/// threads (the connection's thread may share this CPU).
const BUSY: Duration = Duration::from_micros(10);

/// The longest a batch keeps its runtime polling: more than a full batch
/// takes, so only a write waiting out another transaction's lock (up to
/// the writer's `lock_timeout`) goes back to sleeping.
const POLL_AT_MOST: Duration = Duration::from_millis(25);

/// While it lives (at most [`POLL_AT_MOST`]), keeps the current-thread
/// runtime it was started on polling its sockets without sleeping.
pub(crate) struct Polling(Arc<AtomicBool>);

impl Polling {
    /// Starts polling; must be called on that runtime.
    pub(crate) fn start() -> Self {
        let on = Arc::new(AtomicBool::new(true));
        let polling = Arc::clone(&on);
        tokio::spawn(async move {
            let began = Instant::now();
            while polling.load(Ordering::Relaxed) && began.elapsed() < POLL_AT_MOST {
                // A task that yields is run again only after the runtime has
                // looked at its sockets, without sleeping if none is ready;
                // the thread's turn goes to any other thread waiting for
                // this CPU meanwhile.
                tokio::task::yield_now().await;
                thread::yield_now();
            }
        });
        Self(on)
    }
}

impl Drop for Polling {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

struct Signal {
    woken: AtomicBool,
    thread: Thread,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Runs `future` to completion on the current thread.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let signal = Arc::new(Signal {
        woken: AtomicBool::new(false),
        thread: thread::current(),
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        let waiting = Instant::now();
        while !signal.woken.swap(false, Ordering::Acquire) {
            let waited = waiting.elapsed();
            if waited < BUSY {
                std::hint::spin_loop();
            } else if waited < SPIN {
                thread::yield_now();
            } else {
                // A wake between the check and here leaves the unpark
                // token, so this returns at once.
                thread::park();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_stops_when_dropped_and_lets_the_runtime_work() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let polling = Polling::start();
            let on = Arc::clone(&polling.0);
            // The runtime still runs other tasks while polling.
            let (tx, rx) = tokio::sync::oneshot::channel();
            tokio::spawn(async move { tx.send(7).unwrap() });
            assert_eq!(rx.await, Ok(7));
            drop(polling);
            assert!(!on.load(Ordering::Relaxed));
            // The polling task ends: only this handle is left.
            for _ in 0..100 {
                if Arc::strong_count(&on) == 1 {
                    return;
                }
                tokio::task::yield_now().await;
            }
            panic!("the polling task did not end");
        });
    }

    #[test]
    fn runs_a_future_woken_from_another_thread_after_it_parked() {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sender = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            tx.send(7).unwrap();
        });
        assert_eq!(block_on(rx), Ok(7));
        sender.join().unwrap();
    }

    #[test]
    fn runs_many_quick_wakes() {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1);
        let sender = thread::spawn(move || {
            for i in 0..10_000 {
                tx.blocking_send(i).unwrap();
            }
        });
        let sum = block_on(async move {
            let mut sum = 0u64;
            while let Some(i) = rx.recv().await {
                sum += i;
            }
            sum
        });
        sender.join().unwrap();
        assert_eq!(sum, (0..10_000).sum::<u64>());
    }
}
