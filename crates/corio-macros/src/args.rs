//! The attribute's arguments as written — `flavor = "current_thread", debug, seed = 7` —
//! before any meaning is given to them (that is [`crate::options`]).

use std::iter::Peekable;

use proc_macro::token_stream::IntoIter;
use proc_macro::{Delimiter, Span, TokenStream, TokenTree};

use crate::error::Error;

/// One `name` or `name = value` argument.
pub(crate) struct Arg {
    pub(crate) name: String,
    pub(crate) name_span: Span,
    /// `None` for a bare flag such as `debug`.
    pub(crate) value: Option<Value>,
}

/// The value after `=`, classified by the kind of token it is.
pub(crate) enum Value {
    /// A string literal's contents (escapes are kept as written: no option needs them).
    Str(String, Span),
    /// An integer literal; the error says why it is not a `u64`.
    Int(Result<u64, &'static str>, Span),
    Bool(bool, Span),
    /// Anything else, described for the error message (`a path`, `a byte string`…).
    Other(&'static str, Span),
}

impl Value {
    /// What kind of value this is, for "expected …, found …" messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Str(..) => "a string",
            Value::Int(..) => "a number",
            Value::Bool(..) => "a boolean",
            Value::Other(what, _) => what,
        }
    }

    pub(crate) fn span(&self) -> Span {
        match self {
            Value::Str(_, span)
            | Value::Int(_, span)
            | Value::Bool(_, span)
            | Value::Other(_, span) => *span,
        }
    }
}

/// Splits the attribute's tokens into arguments. Malformed ones are reported in `errors`
/// and skipped up to the next comma, so the rest are still checked.
pub(crate) fn parse(attr: TokenStream, errors: &mut Vec<Error>) -> Vec<Arg> {
    let mut tokens = attr.into_iter().peekable();
    let mut args = Vec::new();
    while let Some(first) = tokens.next() {
        let TokenTree::Ident(name) = first else {
            errors.push(Error::new(
                first.span(),
                format!("expected an option name such as `flavor`, found `{first}`"),
            ));
            skip_past_comma(&mut tokens);
            continue;
        };
        let mut arg = Arg {
            name: name.to_string(),
            name_span: name.span(),
            value: None,
        };
        match tokens.next() {
            None => {}
            Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
            Some(TokenTree::Punct(p)) if p.as_char() == '=' => {
                let Some(value) = tokens.next() else {
                    errors.push(Error::new(
                        p.span(),
                        format!("`{}` needs a value after `=`", arg.name),
                    ));
                    continue;
                };
                arg.value = Some(match value {
                    TokenTree::Punct(minus) if minus.as_char() == '-' => {
                        // `-3`: take the number too, so the error is about the sign.
                        tokens.next_if(|t| matches!(t, TokenTree::Literal(_)));
                        Value::Other("a negative number", minus.span())
                    }
                    value => classify(value),
                });
                if !expect_comma(&arg, &mut tokens, errors) {
                    continue;
                }
            }
            Some(other) => {
                errors.push(Error::new(
                    other.span(),
                    format!("expected `=` or `,` after `{}`, found `{other}`", arg.name),
                ));
                skip_past_comma(&mut tokens);
                continue;
            }
        }
        args.push(arg);
    }
    args
}

/// After a value: the end or a comma. Otherwise reports it, skips to the next comma and
/// returns `false` (the argument is dropped).
fn expect_comma(arg: &Arg, tokens: &mut Peekable<IntoIter>, errors: &mut Vec<Error>) -> bool {
    match tokens.next() {
        None => true,
        Some(TokenTree::Punct(p)) if p.as_char() == ',' => true,
        Some(other) => {
            errors.push(Error::new(
                other.span(),
                format!(
                    "expected `,` after the value of `{}`, found `{other}`",
                    arg.name
                ),
            ));
            skip_past_comma(tokens);
            false
        }
    }
}

fn skip_past_comma(tokens: &mut impl Iterator<Item = TokenTree>) {
    for token in tokens {
        if matches!(&token, TokenTree::Punct(p) if p.as_char() == ',') {
            return;
        }
    }
}

fn classify(token: TokenTree) -> Value {
    let span = token.span();
    match token {
        TokenTree::Ident(ident) => match ident.to_string().as_str() {
            "true" => Value::Bool(true, span),
            "false" => Value::Bool(false, span),
            _ => Value::Other("a name", span),
        },
        TokenTree::Literal(literal) => {
            let text = literal.to_string();
            if let Some(contents) = string_contents(&text) {
                Value::Str(contents.to_owned(), span)
            } else if text.starts_with(|c: char| c.is_ascii_digit()) {
                Value::Int(parse_u64(&text), span)
            } else {
                Value::Other("a byte, character or byte-string literal", span)
            }
        }
        TokenTree::Punct(_) => Value::Other("a punctuation mark", span),
        TokenTree::Group(group) => match group.delimiter() {
            // A value that came through a `macro_rules!` fragment (`$seed:literal`) arrives
            // wrapped in an invisible group.
            Delimiter::None => {
                let mut inner = group.stream().into_iter();
                match (inner.next(), inner.next()) {
                    (Some(only), None) => classify(only),
                    _ => Value::Other("an expression", span),
                }
            }
            _ => Value::Other("a bracketed expression", span),
        },
    }
}

/// `"text"`, `r"text"` or `r#"text"#` → `text`; `None` for any other literal.
fn string_contents(literal: &str) -> Option<&str> {
    if let Some(quoted) = literal.strip_prefix('"') {
        return quoted.strip_suffix('"');
    }
    let raw = literal.strip_prefix('r')?;
    let hashes = raw.len() - raw.trim_start_matches('#').len();
    let fence = &raw[..hashes];
    raw[hashes..]
        .strip_prefix('"')?
        .strip_suffix(fence)?
        .strip_suffix('"')
}

/// An integer literal as Rust writes them: `42`, `1_000`, `0xff`, `0o17`, `0b101`, with or
/// without a type suffix (`42u64`).
fn parse_u64(literal: &str) -> Result<u64, &'static str> {
    const SUFFIXES: [&str; 12] = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
    ];
    let (radix, digits) = match literal.get(..2) {
        Some("0x") => (16, &literal[2..]),
        Some("0o") => (8, &literal[2..]),
        Some("0b") => (2, &literal[2..]),
        _ => (10, literal),
    };
    let digits = SUFFIXES
        .iter()
        .find_map(|suffix| digits.strip_suffix(suffix))
        .unwrap_or(digits);
    if radix == 10 && (digits.contains(['.', 'e', 'E', 'f'])) {
        return Err("expected a whole number, found a floating-point number");
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    u64::from_str_radix(&digits, radix).map_err(|e| match e.kind() {
        std::num::IntErrorKind::PosOverflow => "the number is too large for a u64",
        _ => "expected a whole number",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_literals_in_every_spelling() {
        assert_eq!(parse_u64("42"), Ok(42));
        assert_eq!(parse_u64("1_000"), Ok(1000));
        assert_eq!(parse_u64("42u64"), Ok(42));
        assert_eq!(parse_u64("7usize"), Ok(7));
        assert_eq!(parse_u64("0xff"), Ok(255));
        assert_eq!(parse_u64("0o17"), Ok(15));
        assert_eq!(parse_u64("0b101"), Ok(5));
        assert_eq!(parse_u64("0x1f32"), Ok(0x1f32));
        assert_eq!(parse_u64("18446744073709551615"), Ok(u64::MAX));
        assert!(parse_u64("18446744073709551616").is_err());
        assert!(parse_u64("1.5").is_err());
        assert!(parse_u64("1e3").is_err());
        assert!(parse_u64("2f64").is_err());
    }

    #[test]
    fn string_literals_plain_and_raw() {
        assert_eq!(
            string_contents(r#""current_thread""#),
            Some("current_thread")
        );
        assert_eq!(string_contents(r#"r"real""#), Some("real"));
        assert_eq!(string_contents(r##"r#"real"#"##), Some("real"));
        assert_eq!(string_contents("'c'"), None);
        assert_eq!(string_contents(r#"b"x""#), None);
        assert_eq!(string_contents("12"), None);
    }
}
