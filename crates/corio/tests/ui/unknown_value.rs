#[corio::test(flavor = "multi_threaded")]
async fn misspelt_flavor() {}

#[corio::test(clock = "fake")]
async fn unknown_clock() {}

fn main() {}
