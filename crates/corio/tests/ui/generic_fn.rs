#[corio::test]
async fn generic<T: Default>() {
    let _ = T::default();
}

#[corio::test]
async fn with_where() where u8: Copy {}

fn main() {}
