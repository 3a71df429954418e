#[corio::test(threads = 2)]
async fn unknown() {}

#[corio::test(current_thread)]
async fn flag_instead_of_flavor() {}

fn main() {}
