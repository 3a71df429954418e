#[corio::main(seed = 1, clock = "virtual")]
async fn main() {}
