//! Misused `#[corio::main]` / `#[corio::test]` attributes fail to compile with a message at
//! the offending tokens: each case under `tests/ui/` and the exact compiler output it must
//! give (`TRYBUILD=overwrite cargo test -p corio --test macros_ui` regenerates the `.stderr`
//! files; review them). One test, so the cases share one build of corio.

#[test]
fn misuse_is_a_compile_error() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
