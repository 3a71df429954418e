#[corio::test(flavor = "multi_thread", seed = 1)]
async fn seed_with_multi_thread() {}

#[corio::test(seed = 1, worker_threads = 2)]
async fn seed_with_workers() {}

fn main() {}
