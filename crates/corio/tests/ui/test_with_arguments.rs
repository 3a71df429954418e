#[corio::test]
async fn takes_a_fixture(n: u32) {
    assert_eq!(n, 1);
}

fn main() {}
