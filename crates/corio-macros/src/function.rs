//! The `async fn` under the attribute, split into the parts the expansion keeps (attributes,
//! visibility, name, return type, body) and checked for what it cannot take (arguments,
//! generics, qualifiers other than `async`).

use proc_macro::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

use crate::error::Error;
use crate::options::Attribute;

/// An `async fn` without arguments or generics.
pub(crate) struct AsyncFn {
    /// The outer attributes written after ours (doc comments, `#[should_panic]`…), as written.
    pub(crate) attributes: TokenStream,
    /// `pub`, `pub(crate)`… or nothing.
    pub(crate) visibility: TokenStream,
    pub(crate) name: Ident,
    /// The type after `->`, empty for `()`.
    pub(crate) output: TokenStream,
    /// The `{ … }` block.
    pub(crate) body: Group,
}

/// Parses `item`. Problems are pushed on `errors`; the function is returned whenever its
/// name and body could be found, so that the caller can still generate the items the rest
/// of the crate expects.
pub(crate) fn parse(
    attribute: Attribute,
    item: TokenStream,
    errors: &mut Vec<Error>,
) -> Option<AsyncFn> {
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    let mut i = 0;

    let mut attributes = TokenStream::new();
    while let (Some(TokenTree::Punct(hash)), Some(TokenTree::Group(group))) =
        (tokens.get(i), tokens.get(i + 1))
    {
        if hash.as_char() != '#' || group.delimiter() != Delimiter::Bracket {
            break;
        }
        if attribute == Attribute::Test && is_test_attribute(group) {
            errors.push(Error::new(
                group.span(),
                "#[corio::test] adds `#[test]` itself: remove this one",
            ));
        } else {
            attributes.extend(tokens[i..i + 2].iter().cloned());
        }
        i += 2;
    }

    let mut visibility = TokenStream::new();
    if matches!(tokens.get(i), Some(TokenTree::Ident(pub_)) if pub_.to_string() == "pub") {
        visibility.extend([tokens[i].clone()]);
        i += 1;
        if let Some(TokenTree::Group(scope)) = tokens.get(i) {
            if scope.delimiter() == Delimiter::Parenthesis {
                visibility.extend([tokens[i].clone()]);
                i += 1;
            }
        }
    }

    // Qualifiers up to `fn`: exactly `async`.
    let mut is_async = false;
    let fn_span = loop {
        let token = tokens.get(i);
        match token.map(|t| (t, t.to_string())) {
            Some((TokenTree::Ident(word), text)) if text == "fn" => break word.span(),
            Some((TokenTree::Ident(_), text)) if text == "async" => is_async = true,
            Some((qualifier @ TokenTree::Ident(_), text))
                if matches!(text.as_str(), "const" | "unsafe" | "extern" | "safe") =>
            {
                errors.push(Error::new(
                    qualifier.span(),
                    format!("{} does not take `{text}` functions", attribute.name()),
                ));
            }
            // The ABI after `extern` (reported already).
            Some((TokenTree::Literal(_), _)) => {}
            Some((token, _)) => {
                errors.push(not_a_function(attribute, token.span()));
                return None;
            }
            None => {
                errors.push(not_a_function(attribute, Span::call_site()));
                return None;
            }
        }
        i += 1;
    };
    i += 1;
    if !is_async {
        errors.push(Error::new(
            fn_span,
            format!(
                "{} goes on an `async fn`: add `async` before `fn`",
                attribute.name()
            ),
        ));
    }

    let Some(TokenTree::Ident(name)) = tokens.get(i) else {
        errors.push(not_a_function(attribute, fn_span));
        return None;
    };
    let name = name.clone();
    i += 1;

    if let Some(TokenTree::Punct(open)) = tokens.get(i) {
        if open.as_char() == '<' {
            errors.push(Error::new(
                open.span(),
                format!(
                    "{} does not take generic functions: the runtime calls `{name}` with no \
                     types to choose from",
                    attribute.name()
                ),
            ));
            // The parameters follow the closing `>`.
            while !matches!(tokens.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                && i < tokens.len()
            {
                i += 1;
            }
        }
    }

    match tokens.get(i) {
        Some(TokenTree::Group(params)) if params.delimiter() == Delimiter::Parenthesis => {
            if !params.stream().is_empty() {
                let what = match attribute {
                    Attribute::Main => "`main` takes no arguments (see `std::env::args()`)",
                    Attribute::Test => "a test takes no arguments",
                };
                errors.push(Error::new(
                    params.span(),
                    format!("{}: {what}", attribute.name()),
                ));
            }
        }
        _ => {
            errors.push(not_a_function(attribute, name.span()));
            return None;
        }
    }
    i += 1;

    let Some(TokenTree::Group(body)) = tokens.last() else {
        errors.push(Error::new(
            tokens.last().map_or(name.span(), TokenTree::span),
            format!("{} needs a function body", attribute.name()),
        ));
        return None;
    };
    if body.delimiter() != Delimiter::Brace || tokens.len() <= i {
        errors.push(Error::new(
            body.span(),
            format!("{} needs a function body", attribute.name()),
        ));
        return None;
    }
    let signature_rest = &tokens[i..tokens.len() - 1];

    let is_where = |t: &TokenTree| matches!(t, TokenTree::Ident(w) if w.to_string() == "where");
    let mut output = TokenStream::new();
    match signature_rest {
        [TokenTree::Punct(minus), TokenTree::Punct(gt), rest @ ..]
            if minus.as_char() == '-' && gt.as_char() == '>' =>
        {
            output.extend(rest.iter().cloned());
        }
        [first, ..] if !is_where(first) => errors.push(Error::new(
            first.span(),
            format!("expected `->` or the function body, found `{first}`"),
        )),
        _ => {}
    }
    if let Some(where_) = signature_rest.iter().find(|t| is_where(t)) {
        errors.push(Error::new(
            where_.span(),
            format!("{} does not take `where` clauses", attribute.name()),
        ));
    }

    Some(AsyncFn {
        attributes,
        visibility,
        name,
        output,
        body: body.clone(),
    })
}

/// `#[test]` or a path to it such as `#[core::prelude::v1::test]`.
fn is_test_attribute(attribute: &Group) -> bool {
    let tokens: Vec<TokenTree> = attribute.stream().into_iter().collect();
    matches!(tokens.last(), Some(TokenTree::Ident(last)) if last.to_string() == "test")
        && tokens.iter().all(|t| match t {
            TokenTree::Ident(_) => true,
            TokenTree::Punct(p) => p.as_char() == ':',
            _ => false,
        })
}

fn not_a_function(attribute: Attribute, span: Span) -> Error {
    Error::new(span, format!("{} goes on an `async fn`", attribute.name()))
}
