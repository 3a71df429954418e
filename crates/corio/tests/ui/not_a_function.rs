#[corio::test]
struct NotAFunction;

#[corio::test]
async unsafe fn unsafe_test() {}

fn main() {}
