//! A resource pool with a semaphore: a few expensive connections shared by many tasks.
//! The semaphore counts the free connections, so a task waits (in FIFO order) until one is
//! free; the connection comes back to the pool when the task's guard is dropped — also when
//! the task returns early with an error, panics or is cancelled. (asyncio: `async with sem:` around taking from a list.)
//!
//! Run it with `cargo run -p corio --example resource_pool`. See docs/guide.md, "A resource
//! pool".

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use corio::sync::{OwnedSemaphorePermit, Semaphore};

/// An expensive resource: a database connection, say.
struct Connection {
    id: usize,
    queries: usize,
}

/// A fixed set of connections and a semaphore with one permit per free connection.
#[derive(Clone)]
struct Pool {
    free: Arc<Mutex<Vec<Connection>>>,
    available: Arc<Semaphore>,
}

/// A connection on loan: derefs to it, and puts it back in the pool when dropped.
struct Lease {
    connection: Option<Connection>,
    pool: Pool,
    /// Dropped after the connection is back, so the next waiter finds it.
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    fn new(size: usize) -> Pool {
        let connections = (0..size).map(|id| Connection { id, queries: 0 }).collect();
        Pool {
            free: Arc::new(Mutex::new(connections)),
            available: Arc::new(Semaphore::new(size)),
        }
    }

    /// Waits for a free connection.
    async fn get(&self) -> Lease {
        let permit = self.available.clone().acquire_owned().await;
        let connection = self
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .expect("a permit means a free connection");
        Lease {
            connection: Some(connection),
            pool: self.clone(),
            _permit: permit,
        }
    }

    fn in_use(&self, size: usize) -> usize {
        size - self.available.available_permits()
    }
}

impl Lease {
    fn connection(&mut self) -> &mut Connection {
        self.connection.as_mut().expect("present until dropped")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            let mut free = self
                .pool
                .free
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            free.push(connection);
        }
    }
}

const POOL_SIZE: usize = 3;
const JOBS: usize = 10;

fn main() {
    corio::run(async {
        let pool = Pool::new(POOL_SIZE);
        let busiest = Arc::new(Mutex::new(0));
        let jobs: Vec<_> = (0..JOBS)
            .map(|job| {
                let (pool, busiest) = (pool.clone(), busiest.clone());
                corio::spawn(async move {
                    let mut lease = pool.get().await;
                    {
                        let mut most = busiest.lock().unwrap_or_else(PoisonError::into_inner);
                        *most = (*most).max(pool.in_use(POOL_SIZE));
                    }
                    corio::sleep(Duration::from_millis(10)).await; // the query
                    lease.connection().queries += 1;
                    if job == 7 {
                        return Err(format!("job {job}: the query failed"));
                    }
                    Ok(())
                })
            })
            .collect();
        let mut failed = 0;
        for job in jobs {
            if job.await.expect("the job ran").is_err() {
                failed += 1; // its lease went back to the pool all the same
            }
        }

        let free = pool.free.lock().unwrap_or_else(PoisonError::into_inner);
        let mut per_connection: Vec<(usize, usize)> =
            free.iter().map(|c| (c.id, c.queries)).collect();
        per_connection.sort();
        println!(
            "{JOBS} jobs ({failed} failed) on {POOL_SIZE} connections, at most {} in use at once",
            *busiest.lock().unwrap_or_else(PoisonError::into_inner)
        );
        println!(
            "all {} connections back in the pool; queries per connection: {per_connection:?}",
            free.len()
        );
    });
}
