//! Debug mode and the task dump: what asyncio's `PYTHONASYNCIODEBUG=1` and
//! `python -m asyncio pstree` show, in corio.
//!
//! ```sh
//! cargo run -p corio --example debug_mode
//! ```
//!
//! A task that blocks the loop is named, with where it was spawned and how long it blocked;
//! the live tasks are printed as a tree; the task left pending is listed at shutdown. The
//! same program without `.debug(true)` would run silently (or set `CORIO_DEBUG=1` instead of
//! calling `.debug`).

use std::time::Duration;

fn main() -> std::io::Result<()> {
    let rt = corio::Builder::new().current_thread().debug(true).build()?;
    rt.block_on(async {
        // A mistake debug mode exists for: a blocking call inside a task holds up every other
        // task of the loop. (The cure: `corio::task::to_thread(|| …).await`.)
        corio::task::spawn_named("blocker", async {
            std::thread::sleep(Duration::from_millis(150));
        })
        .await
        .expect("the task ran");

        // A small tree of tasks: a server with two connections, and a ticker.
        let server = corio::task::spawn_named("server", async {
            let _a = corio::task::spawn_named("conn 127.0.0.1:50001", std::future::pending::<()>());
            let _b = corio::task::spawn_named("conn 127.0.0.1:50002", std::future::pending::<()>());
            std::future::pending::<()>().await
        });
        let _ticker = corio::task::spawn_named("ticker", async {
            loop {
                corio::sleep(Duration::from_millis(5)).await;
            }
        });
        corio::sleep(Duration::from_millis(20)).await;
        println!("{}", corio::task::dump());

        // Detached and never awaited: debug mode lists it when the runtime shuts down.
        server.detach();
    });
    Ok(())
}
