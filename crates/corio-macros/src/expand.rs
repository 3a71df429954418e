//! The generated function: the same attributes, visibility, name and return type, not
//! `async`, its body an `async` block run to completion on a runtime built from the options.
//!
//! ```text
//! #[::core::prelude::v1::test]                 // #[corio::test] only
//! #[should_panic]                              // the user's attributes, as written
//! pub fn name() -> Output {
//!     let body = async { /* the user's body */ };
//!     ::corio::__private::run_main(::corio::Builder::new()…, body)
//!     // #[corio::test]: pinned, and run through `run_test::<Output>` with the shuffle seed
//! }
//! ```
//!
//! The runtime work (building it, the seed, reporting it on failure) is in `corio::__private`,
//! compiled once, rather than in every expansion.

use proc_macro::{Delimiter, Group, Span, TokenStream, TokenTree};

use crate::error::Error;
use crate::function::AsyncFn;
use crate::options::{Attribute, Clock, Flavor, Options};

pub(crate) fn expand(
    attribute: Attribute,
    options: &Options,
    function: AsyncFn,
) -> Result<TokenStream, Error> {
    let AsyncFn {
        attributes,
        visibility,
        name,
        output,
        body,
    } = function;

    // A body whose value has the wrong type is reported at its last token, where the value
    // is, rather than at the attribute.
    let at_value = Span::call_site().located_at(
        body.stream()
            .into_iter()
            .last()
            .map_or_else(|| body.span_close(), |last| last.span()),
    );
    let mut block = code("let body = async")?;
    block.extend([TokenTree::Group(body)]);
    block.extend(code(";")?);
    let builder = builder(options);
    match attribute {
        Attribute::Main => {
            let run = code(&format!("::corio::__private::run_main({builder}, body)"))?;
            block.extend(respan(run, at_value));
        }
        Attribute::Test => {
            // A `dyn Future` with the declared output: `run_test` is compiled once per
            // output type rather than once per test, and a `?` in the body knows its error
            // type.
            block.extend(code("let body = ::core::pin::pin!(body);")?);
            block.extend(respan(code("::corio::__private::run_test::<")?, at_value));
            if output.is_empty() {
                block.extend(code("()")?);
            } else {
                block.extend(output.clone());
            }
            let shuffle = shuffle(options);
            let args = code(&format!(">({builder}, {shuffle}, body)"))?;
            block.extend(respan(args, at_value));
        }
    }

    let mut function = TokenStream::new();
    if attribute == Attribute::Test {
        // The full path: a `use corio::test;` in the user's module must not capture it.
        function.extend(code("#[::core::prelude::v1::test]")?);
    }
    function.extend(attributes);
    function.extend(visibility);
    function.extend(code("fn")?);
    function.extend([TokenTree::Ident(name)]);
    function.extend(code("()")?);
    if !output.is_empty() {
        function.extend(code("->")?);
        function.extend(output);
    }
    function.extend([TokenTree::Group(Group::new(Delimiter::Brace, block))]);
    Ok(function)
}

/// The `corio::Builder` expression for the options.
fn builder(options: &Options) -> String {
    let mut builder = String::from("::corio::Builder::new()");
    // `virtual_clock()` selects the current-thread scheduler; a multi-thread flavor is
    // chosen after it.
    if options.clock == Clock::Virtual {
        builder.push_str(".virtual_clock()");
    }
    match options.flavor {
        Flavor::CurrentThread if options.clock == Clock::Real => {
            builder.push_str(".current_thread()");
        }
        Flavor::CurrentThread => {}
        // `Builder::new()` is already multi-thread with one worker per core.
        Flavor::MultiThread(None) if options.clock == Clock::Real => {}
        // 0: one worker per core.
        Flavor::MultiThread(workers) => {
            builder.push_str(&format!(".worker_threads({}usize)", workers.unwrap_or(0)));
        }
    }
    if let Some(on) = options.debug {
        builder.push_str(&format!(".debug({on})"));
    }
    builder
}

/// The `corio::__private::Shuffle` for a test.
fn shuffle(options: &Options) -> String {
    match (options.flavor, options.seed) {
        (Flavor::MultiThread(_), _) => "::corio::__private::Shuffle::Off".to_owned(),
        (Flavor::CurrentThread, Some(seed)) => {
            format!("::corio::__private::Shuffle::Seed({seed}u64)")
        }
        (Flavor::CurrentThread, None) => "::corio::__private::Shuffle::FromEnv".to_owned(),
    }
}

/// `tokens`, every one (groups included) placed at `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Group(group) => {
                let mut moved = Group::new(group.delimiter(), respan(group.stream(), span));
                moved.set_span(span);
                TokenTree::Group(moved)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

/// Tokens for Rust source written here; they resolve where the attribute was written.
fn code(source: &str) -> Result<TokenStream, Error> {
    source.parse().map_err(|e| {
        Error::new(
            Span::call_site(),
            format!("corio-macros generated code that does not parse ({e}): please report it"),
        )
    })
}

/// What an attribute with errors expands to besides the errors: for `main`, an empty
/// `fn main() {}`, so the compiler does not add "`main` function not found".
pub(crate) fn placeholder(attribute: Attribute, function: Option<&AsyncFn>) -> TokenStream {
    match (attribute, function) {
        (Attribute::Main, Some(f)) if f.name.to_string() == "main" => {
            code("fn main() {}").unwrap_or_default()
        }
        _ => TokenStream::new(),
    }
}
