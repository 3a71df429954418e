//! [`Timer`]: hyper's timeouts on the runtime's timing wheel.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::time::Sleep;

/// hyper's sleeps and clock from the running corio runtime — [`hyper::rt::Timer`] for corio.
///
/// Header-read timeouts, idle keep-alive and HTTP/2 pings become [`corio::time::Sleep`]s in
/// the loop's timing wheel, and hyper reads the time from the loop's clock: on a runtime
/// with a [virtual clock](crate::Builder::virtual_clock) hyper's timeouts fire in virtual
/// time, without real waiting. Resetting a timeout moves it in the wheel, without a new
/// allocation.
///
/// ```
/// use std::time::Duration;
///
/// use corio::hyper::Timer;
///
/// let mut server = hyper::server::conn::http1::Builder::new();
/// server.timer(Timer::new()).header_read_timeout(Duration::from_secs(5));
/// ```
///
/// [`corio::time::Sleep`]: crate::time::Sleep
#[derive(Debug, Clone, Copy, Default)]
pub struct Timer {
    _private: (),
}

impl Timer {
    /// The timer of whichever runtime runs hyper's connection.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use hyper::rt::Timer as _;
    ///
    /// let rt = corio::Runtime::builder().virtual_clock().build()?;
    /// rt.block_on(async {
    ///     let timer = corio::hyper::Timer::new();
    ///     let start = timer.now();
    ///     timer.sleep(Duration::from_secs(3600)).await; // virtual: no real hour passes
    ///     assert_eq!(timer.now() - start, Duration::from_secs(3600));
    /// });
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new() -> Timer {
        Timer { _private: () }
    }
}

impl hyper::rt::Timer for Timer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep(crate::time::sleep(duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep(crate::time::sleep_until(deadline)))
    }

    /// The loop's clock, so the deadlines hyper computes from it are the wheel's.
    fn now(&self) -> Instant {
        crate::time::now()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<HyperSleep>() {
            Some(ours) => ours.get_mut().0.reset(new_deadline),
            // A sleep from another timer: replace it.
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// A corio sleep as a `hyper::rt::Sleep` (a trait of hyper's, so it needs a type of ours).
struct HyperSleep(Sleep);

impl Future for HyperSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl hyper::rt::Sleep for HyperSleep {}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::rt::Timer as _;

    fn virtual_runtime() -> crate::Runtime {
        crate::Builder::new().virtual_clock().build().unwrap()
    }

    #[test]
    fn reset_moves_the_deadline_of_a_sleep_already_waited_on() {
        virtual_runtime().block_on(async {
            let timer = Timer::new();
            let start = timer.now();
            let mut sleep = timer.sleep(Duration::from_secs(10));
            // Polled once, so it is in the wheel; then moved earlier.
            assert!(
                futures_lite::future::poll_once(sleep.as_mut())
                    .await
                    .is_none()
            );
            timer.reset(&mut sleep, start + Duration::from_secs(2));
            sleep.await;
            assert_eq!(timer.now() - start, Duration::from_secs(2));
        });
    }

    #[test]
    fn reset_after_completion_arms_the_sleep_again() {
        virtual_runtime().block_on(async {
            let timer = Timer::new();
            let start = timer.now();
            let mut sleep = timer.sleep_until(start + Duration::from_secs(1));
            sleep.as_mut().await;
            timer.reset(&mut sleep, start + Duration::from_secs(5));
            sleep.await;
            assert_eq!(timer.now() - start, Duration::from_secs(5));
        });
    }

    #[test]
    fn a_foreign_sleep_is_replaced_by_one_at_the_new_deadline() {
        struct Never;
        impl Future for Never {
            type Output = ();
            fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
                Poll::Pending
            }
        }
        impl hyper::rt::Sleep for Never {}

        virtual_runtime().block_on(async {
            let timer = Timer::new();
            let start = timer.now();
            let mut sleep: Pin<Box<dyn hyper::rt::Sleep>> = Box::pin(Never);
            timer.reset(&mut sleep, start + Duration::from_secs(3));
            sleep.await;
            assert_eq!(timer.now() - start, Duration::from_secs(3));
        });
    }
}
