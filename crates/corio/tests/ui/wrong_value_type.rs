#[corio::test(worker_threads = "4")]
async fn threads_as_a_string() {}

#[corio::test(flavor = current_thread)]
async fn flavor_as_a_name() {}

#[corio::test(debug = 1)]
async fn debug_as_a_number() {}

#[corio::test(seed = -3)]
async fn negative_seed() {}

#[corio::test(seed = 1.5)]
async fn fractional_seed() {}

#[corio::test(seed = 18446744073709551616)]
async fn seed_too_large() {}

#[corio::test(seed)]
async fn seed_without_a_value() {}

fn main() {}
