//! [`Executor`]: the futures hyper runs in the background, as corio tasks.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::task::{Handle, SpawnError};

/// Spawns the futures hyper hands it (an HTTP/2 connection's streams and pings, a pooled
/// client connection) as corio tasks — [`hyper::rt::Executor`] for corio.
///
/// [`Executor::new`] spawns on the runtime running where hyper calls it, which is the one
/// polling the connection; [`Executor::on`] always spawns on one runtime, from any thread.
///
/// A future that cannot be spawned is dropped, never a panic: once its runtime shuts down
/// it would be cancelled anyway. (Calling it with no corio runtime at all — a connection
/// polled by some other executor — is a mistake: the first such drop is reported on
/// standard error.)
///
/// ```
/// use corio::hyper::{Executor, Io};
/// use corio::net::{TcpListener, TcpStream};
/// # use bytes::Bytes;
/// # use http_body_util::Full;
/// # use hyper::{Request, Response, service::service_fn};
/// # async fn ok(_: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
/// #     Ok(Response::new(Full::new(Bytes::from("ok"))))
/// # }
///
/// corio::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     corio::spawn(async move {
///         let (stream, _) = listener.accept().await.expect("a connection");
///         // HTTP/2 serves each stream as a task of its own: it needs an executor.
///         hyper::server::conn::http2::Builder::new(Executor::new())
///             .serve_connection(Io::new(stream), service_fn(ok))
///             .await
///     }).detach();
///
///     let stream = TcpStream::connect(addr).await?;
///     let (mut sender, connection) =
///         hyper::client::conn::http2::handshake(Executor::new(), Io::new(stream)).await?;
///     corio::spawn(connection).detach();
///     let response = sender.send_request(Request::new(Full::new(Bytes::new()))).await?;
///     assert_eq!(response.version(), hyper::Version::HTTP_2);
///     Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// })
/// .unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct Executor {
    /// `None`: whichever runtime is running where hyper calls [`execute`].
    ///
    /// [`execute`]: hyper::rt::Executor::execute
    runtime: Option<Handle>,
}

impl Executor {
    /// An executor that spawns on the runtime running on the thread hyper calls it from —
    /// the runtime that polls the connection.
    ///
    /// ```
    /// let executor = corio::hyper::Executor::new();
    /// let _builder = hyper::server::conn::http2::Builder::new(executor);
    /// ```
    pub fn new() -> Executor {
        Executor { runtime: None }
    }

    /// An executor that spawns on the runtime behind `handle`, whichever thread hyper calls
    /// it from.
    ///
    /// ```
    /// use hyper::rt::Executor as _;
    ///
    /// let rt = corio::Runtime::new()?;
    /// let executor = corio::hyper::Executor::on(rt.handle());
    /// let (tx, rx) = corio::sync::oneshot::channel();
    /// // From a plain thread: the future still runs on `rt`.
    /// std::thread::spawn(move || executor.execute(async move { tx.send(42).unwrap() }))
    ///     .join()
    ///     .unwrap();
    /// assert_eq!(rt.block_on(rx).unwrap(), 42);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn on(handle: Handle) -> Executor {
        Executor {
            runtime: Some(handle),
        }
    }
}

impl<F> hyper::rt::Executor<F> for Executor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    #[track_caller]
    fn execute(&self, fut: F) {
        let spawned = match &self.runtime {
            Some(handle) => handle.spawn(fut),
            None => crate::task::try_spawn(fut),
        };
        match spawned {
            // hyper keeps no handle: the task runs detached.
            Ok(task) => task.detach(),
            // The runtime is shutting down and cancels every task: dropping the future now
            // is the same, sooner.
            Err(SpawnError::Shutdown) => {}
            Err(e) => report_once(e),
        }
    }
}

/// Says on standard error, the first time only, that hyper's future was dropped because
/// there was no runtime to run it.
fn report_once(e: SpawnError) {
    static REPORTED: AtomicBool = AtomicBool::new(false);
    if !REPORTED.swap(true, Ordering::Relaxed) {
        eprintln!(
            "corio::hyper::Executor: a future of hyper's was dropped: {e} \
             (poll hyper's connections inside a corio runtime, or use Executor::on)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::rt::Executor as _;

    #[test]
    fn spawning_after_shutdown_drops_the_future_without_a_panic() {
        let rt = crate::Runtime::new().unwrap();
        let executor = Executor::on(rt.handle());
        drop(rt);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        executor.execute(async move {
            let _keep = tx;
        });
        // The future (and the sender it owns) was dropped, not kept or run.
        assert!(rx.recv().is_err());
    }

    #[test]
    fn spawning_with_no_runtime_drops_the_future_without_a_panic() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        Executor::new().execute(async move {
            let _keep = tx;
        });
        assert!(rx.recv().is_err());
    }

    #[test]
    fn new_spawns_on_the_runtime_that_calls_it() {
        let rt = crate::Builder::new().current_thread().build().unwrap();
        let here = std::thread::current().id();
        let ran_on = rt.block_on(async {
            let (tx, rx) = crate::sync::oneshot::channel();
            Executor::new().execute(async move {
                let _ = tx.send(std::thread::current().id());
            });
            rx.await.unwrap()
        });
        assert_eq!(ran_on, here);
    }
}
