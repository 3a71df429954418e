//! Reading an item's first line (visibility, qualifiers, keyword, name), an `impl` header's
//! type, a macro invocation, and bracket counting — on code the lexer has already cleaned of
//! comments and literals.

/// What an item's first line says.
#[derive(Debug, PartialEq)]
pub(super) struct Head {
    pub(super) public: bool,
    pub(super) kind: Kind,
    pub(super) name: String,
    /// `mod x;` / `fn f();`: no body follows.
    pub(super) declaration: bool,
}

/// The kind of item a line starts.
#[derive(Debug, PartialEq, Clone, Copy)]
pub(super) enum Kind {
    Fn,
    Struct,
    Enum,
    Union,
    Trait,
    Type,
    Const,
    Static,
    Mod,
    Impl,
    Use,
    MacroRules,
}

impl Kind {
    /// The keyword, as the report names the item.
    pub(super) fn word(self) -> &'static str {
        match self {
            Kind::Fn => "fn",
            Kind::Struct => "struct",
            Kind::Enum => "enum",
            Kind::Union => "union",
            Kind::Trait => "trait",
            Kind::Type => "type",
            Kind::Const => "const",
            Kind::Static => "static",
            Kind::Mod => "mod",
            Kind::Impl => "impl",
            Kind::Use => "use",
            Kind::MacroRules => "macro",
        }
    }
}

/// Where the bracket left open (`open` deep) closes in `code`: the byte just past it.
pub(super) fn bracket_end(code: &str, mut open: usize) -> Option<usize> {
    for (i, c) in code.char_indices() {
        match c {
            '[' | '(' => open += 1,
            ']' | ')' => {
                open -= 1;
                if open == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// How many brackets are open after `code`, with `open` open before it.
pub(super) fn open_brackets(code: &str, open: usize) -> usize {
    code.chars().fold(open, |open, c| match c {
        '[' | '(' => open + 1,
        ']' | ')' => open.saturating_sub(1),
        _ => open,
    })
}

/// `s` without the leading word `word` (a whole word), trimmed.
pub(super) fn strip_word<'s>(s: &'s str, word: &str) -> Option<&'s str> {
    let rest = s.strip_prefix(word)?;
    match rest.chars().next() {
        Some(c) if c.is_alphanumeric() || c == '_' => None,
        _ => Some(rest.trim_start()),
    }
}

/// The identifier at the start of `s` (`$name` in a macro template counts).
pub(super) fn identifier(s: &str) -> &str {
    let end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_alphanumeric() || c == '_' || (c == '$' && i == 0)))
        .map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// Parses the first line of an item: visibility, qualifiers, keyword, name.
pub(super) fn parse_head(code: &str) -> Option<Head> {
    let (public, mut rest) = match strip_word(code, "pub") {
        Some(r) if r.starts_with('(') => (false, &r[bracket_end(&r[1..], 1)? + 1..]),
        Some(r) => (true, r),
        None => (false, code),
    };
    loop {
        rest = rest.trim_start();
        if let Some(r) = ["default", "unsafe", "async", "safe"]
            .iter()
            .find_map(|q| strip_word(rest, q))
        {
            rest = r;
        } else if let Some(r) = strip_word(rest, "extern") {
            // The ABI string was blanked by the lexer: `extern "   " fn`.
            rest = match r.strip_prefix('"') {
                Some(abi) => abi.split_once('"').map_or(abi, |(_, after)| after),
                None => r,
            };
            if strip_word(rest.trim_start(), "crate").is_some() {
                return Some(Head {
                    public,
                    kind: Kind::Use,
                    name: String::new(),
                    declaration: true,
                });
            }
        } else if let Some(r) = strip_word(rest, "const").filter(|r| {
            ["fn", "unsafe", "async", "extern"]
                .iter()
                .any(|q| strip_word(r, q).is_some())
        }) {
            rest = r;
        } else {
            break;
        }
    }
    if let Some(r) = rest.strip_prefix("macro_rules!") {
        return Some(Head {
            public: false,
            kind: Kind::MacroRules,
            name: identifier(r.trim_start()).to_owned(),
            declaration: false,
        });
    }
    let keywords = [
        ("fn", Kind::Fn),
        ("struct", Kind::Struct),
        ("enum", Kind::Enum),
        ("union", Kind::Union),
        ("trait", Kind::Trait),
        ("type", Kind::Type),
        ("const", Kind::Const),
        ("static", Kind::Static),
        ("mod", Kind::Mod),
        ("impl", Kind::Impl),
        ("use", Kind::Use),
    ];
    let (kind, after) = keywords
        .iter()
        .find_map(|&(word, kind)| strip_word(rest, word).map(|r| (kind, r)))?;
    // `union` is also an ordinary identifier; `union Name` is the item.
    if kind == Kind::Union && identifier(after).is_empty() {
        return None;
    }
    let after = match kind {
        Kind::Static => strip_word(after, "mut").unwrap_or(after),
        _ => after,
    };
    let name = match kind {
        Kind::Impl => impl_owner(after),
        Kind::Use => String::new(),
        _ => identifier(after).to_owned(),
    };
    let declaration = kind == Kind::Mod && after[name.len()..].trim_start().starts_with(';');
    Some(Head {
        public,
        kind,
        name,
        declaration,
    })
}

/// The type an `impl` header is for: `impl<T> Queue<T>` → `Queue`,
/// `impl fmt::Display for Signal` → `Signal`.
fn impl_owner(header: &str) -> String {
    let mut rest = header.trim_start();
    if rest.starts_with('<') {
        let mut depth = 0usize;
        let mut prev = ' ';
        for (i, c) in rest.char_indices() {
            match c {
                '<' => depth += 1,
                '>' if prev != '-' => {
                    depth -= 1;
                    if depth == 0 {
                        rest = &rest[i + 1..];
                        break;
                    }
                }
                _ => {}
            }
            prev = c;
        }
    }
    let rest = rest.split(" where").next().unwrap_or(rest);
    let ty = rest.rsplit_once(" for ").map_or(rest, |(_, ty)| ty).trim();
    let ty = ty.trim_start_matches(['&', '*']).trim_start();
    let ty = ty.split('<').next().unwrap_or(ty);
    let ty = ty.rsplit("::").next().unwrap_or(ty);
    identifier(ty).to_owned()
}

/// `name! {` at item level: the macro invoked.
pub(super) fn invoked_macro(code: &str) -> Option<String> {
    let name = identifier(code);
    let rest = code[name.len()..].strip_prefix('!')?.trim_start();
    (!name.is_empty() && rest.starts_with('{')).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impl_owner_reads_the_self_type() {
        assert_eq!(impl_owner("<T> Queue<T> {"), "Queue");
        assert_eq!(impl_owner("fmt::Display for Signal {"), "Signal");
        assert_eq!(
            impl_owner("<F: Fn() -> u8> Wrapper<F> where F: Send {"),
            "Wrapper"
        );
        assert_eq!(impl_owner("AsyncRead for &TcpStream {"), "TcpStream");
    }
}
