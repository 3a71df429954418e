#[corio::test(seed = 1, seed = 2)]
async fn two_seeds() {}

#[corio::main(debug, flavor = "current_thread", debug = false)]
async fn main() {}
