//! Tasks on the runtime: they reach the runtime's reactor and timers from any worker, run on
//! virtual time, and do not outlive `run`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_lite::{AsyncReadExt, AsyncWriteExt};

#[test]
fn tasks_on_worker_threads_use_this_runtimes_reactor_and_timers() {
    let rt = corio::Builder::new().worker_threads(2).build().unwrap();
    let main_thread = std::thread::current().id();
    let (on_worker, has_reactor, has_timers) = rt.block_on(async move {
        corio::spawn(async move {
            (
                std::thread::current().id() != main_thread,
                corio_reactor::Reactor::try_current().is_some(),
                corio_timer::Timers::try_current().is_some(),
            )
        })
        .await
        .unwrap()
    });
    assert!(on_worker, "the task ran on a worker thread");
    assert!(
        has_reactor && has_timers,
        "the worker entered the runtime's reactor"
    );
}

#[test]
fn spawned_tasks_sleep_and_do_io_on_a_multi_threaded_runtime() {
    let rt = corio::Builder::new().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let writer = corio::spawn(async move {
            let mut a = corio::io::Async::new(a).unwrap();
            corio::sleep(Duration::from_millis(5)).await;
            a.write_all(b"from a worker").await.unwrap();
        });
        let reader = corio::spawn(async move {
            let mut b = corio::io::Async::new(b).unwrap();
            let mut buf = vec![0; 13];
            b.read_exact(&mut buf).await.unwrap();
            buf
        });
        writer.await.unwrap();
        assert_eq!(reader.await.unwrap(), b"from a worker");
    });
}

#[test]
fn a_hundred_sleeping_tasks_on_the_virtual_clock() {
    let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
    let wall = Instant::now();
    let elapsed = rt.block_on(async {
        let t0 = corio::time::now();
        let tasks: Vec<_> = (1..=100u64)
            .map(|i| corio::spawn(corio::sleep(Duration::from_secs(i))))
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        corio::time::now() - t0
    });
    assert_eq!(elapsed, Duration::from_secs(100));
    assert!(
        wall.elapsed() < Duration::from_secs(5),
        "took {:?}",
        wall.elapsed()
    );
}

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn run_cancels_the_tasks_left_and_runs_their_destructors() {
    for builder in [
        corio::Builder::new().current_thread(),
        corio::Builder::new().worker_threads(2),
    ] {
        let dropped = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicUsize::new(0));
        let rt = builder.build().unwrap();
        let (d, s) = (dropped.clone(), started.clone());
        rt.block_on(async move {
            corio::spawn(async move {
                let _flag = DropFlag(d);
                s.fetch_add(1, Ordering::SeqCst);
                corio::sleep(Duration::from_secs(3600)).await;
            })
            .detach();
            while started.load(Ordering::SeqCst) == 0 {
                corio::yield_now().await;
            }
        });
        assert!(
            !dropped.load(Ordering::SeqCst),
            "still pending while the runtime lives"
        );
        drop(rt);
        assert!(
            dropped.load(Ordering::SeqCst),
            "shutdown ran the task's destructor"
        );
    }
}

#[test]
fn call_later_runs_on_the_runtimes_virtual_clock() {
    let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
    let handle = rt.handle();
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let wall = Instant::now();
    let t0 = rt.clock().now();
    let clock = rt.clock().clone();
    for (name, secs) in [("hour", 3600), ("minute", 60), ("cancelled", 30)] {
        let (order, clock) = (order.clone(), clock.clone());
        let timer = handle
            .call_later(Duration::from_secs(secs), move || {
                order.lock().unwrap().push((name, clock.now() - t0));
            })
            .unwrap();
        if name == "cancelled" {
            assert!(timer.cancel());
        }
    }
    rt.block_on(corio::sleep(Duration::from_secs(3601)));
    assert_eq!(
        *order.lock().unwrap(),
        [
            ("minute", Duration::from_secs(60)),
            ("hour", Duration::from_secs(3600))
        ]
    );
    assert!(
        wall.elapsed() < Duration::from_secs(5),
        "took {:?}",
        wall.elapsed()
    );
}

corio::task::task_local! {
    static REQUEST_ID: u32;
}

#[test]
fn to_thread_work_sees_the_task_locals_of_the_task_that_started_it() {
    let rt = corio::Builder::new().worker_threads(2).build().unwrap();
    let seen = rt.block_on(async {
        corio::spawn(async {
            REQUEST_ID.set(7).unwrap();
            corio::task::to_thread(|| REQUEST_ID.get()).await.unwrap()
        })
        .await
        .unwrap()
    });
    assert_eq!(seen, Some(7));
}
