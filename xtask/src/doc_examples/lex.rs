//! The lexer: splits a file into lines, keeping doc comments apart and blanking comments and
//! the contents of string and character literals, so brackets inside them do not count.

/// One line of source.
pub(super) struct Line<'s> {
    /// 1-based.
    pub(super) number: usize,
    pub(super) raw: &'s str,
    /// `raw` with comments and the contents of string and character literals replaced by
    /// spaces (byte for byte, so offsets match `raw`), so their brackets do not count.
    pub(super) code: String,
    pub(super) doc: Option<Doc>,
}

/// A doc comment line's text, after the `///` or `//!`.
pub(super) enum Doc {
    /// `///`: documents the item below.
    Outer(String),
    /// `//!`: documents the enclosing module.
    Inner(String),
}

/// Where the lexer is at the end of a line.
#[derive(Clone, Copy)]
enum LexState {
    Code,
    /// Inside `/* */`, nested this deep.
    Block(usize),
    Str,
    /// Inside `r#"…"#` with this many `#`.
    RawStr(usize),
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits `src` into lines with their code and doc comments.
pub(super) fn lex(src: &str) -> Vec<Line<'_>> {
    let mut state = LexState::Code;
    let mut lines = Vec::new();
    for (index, raw) in src.lines().enumerate() {
        let number = index + 1;
        if let LexState::Code = state {
            let trimmed = raw.trim_start();
            let doc = if let Some(text) = trimmed.strip_prefix("//!") {
                Some(Doc::Inner(text.to_owned()))
            } else if trimmed.starts_with("///") && !trimmed.starts_with("////") {
                Some(Doc::Outer(trimmed[3..].to_owned()))
            } else {
                None
            };
            if doc.is_some() {
                lines.push(Line {
                    number,
                    raw,
                    code: " ".repeat(raw.len()),
                    doc,
                });
                continue;
            }
        }
        let chars: Vec<(usize, char)> = raw.char_indices().collect();
        let at = |i: usize| chars.get(i).map(|&(_, c)| c);
        let mut code = String::with_capacity(raw.len());
        let blank =
            |code: &mut String, c: char| code.extend(std::iter::repeat_n(' ', c.len_utf8()));
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i].1;
            match state {
                LexState::Block(depth) => {
                    if c == '*' && at(i + 1) == Some('/') {
                        state = if depth == 1 {
                            LexState::Code
                        } else {
                            LexState::Block(depth - 1)
                        };
                        code.push_str("  ");
                        i += 2;
                    } else if c == '/' && at(i + 1) == Some('*') {
                        state = LexState::Block(depth + 1);
                        code.push_str("  ");
                        i += 2;
                    } else {
                        blank(&mut code, c);
                        i += 1;
                    }
                }
                LexState::Str => {
                    if c == '\\' {
                        blank(&mut code, c);
                        if let Some(next) = at(i + 1) {
                            blank(&mut code, next);
                        }
                        i += 2;
                    } else {
                        if c == '"' {
                            code.push('"');
                            state = LexState::Code;
                        } else {
                            blank(&mut code, c);
                        }
                        i += 1;
                    }
                }
                LexState::RawStr(hashes) => {
                    if c == '"' && (1..=hashes).all(|k| at(i + k) == Some('#')) {
                        code.push('"');
                        code.push_str(&"#".repeat(hashes));
                        state = LexState::Code;
                        i += 1 + hashes;
                    } else {
                        blank(&mut code, c);
                        i += 1;
                    }
                }
                LexState::Code => {
                    let prev_ident = i > 0 && is_ident(chars[i - 1].1);
                    if c == '/' && at(i + 1) == Some('/') {
                        code.extend(std::iter::repeat_n(' ', raw.len() - chars[i].0));
                        break;
                    } else if c == '/' && at(i + 1) == Some('*') {
                        state = LexState::Block(1);
                        code.push_str("  ");
                        i += 2;
                    } else if c == '"' {
                        code.push('"');
                        state = LexState::Str;
                        i += 1;
                    } else if c == 'r'
                        && (!prev_ident
                            || (i == 1 && chars[0].1 == 'b')
                            || (i >= 2 && chars[i - 1].1 == 'b' && !is_ident(chars[i - 2].1)))
                        && matches!(at(i + 1), Some('"' | '#'))
                    {
                        let hashes = (i + 1..chars.len())
                            .take_while(|&k| chars[k].1 == '#')
                            .count();
                        if at(i + 1 + hashes) == Some('"') {
                            code.push('r');
                            code.push_str(&"#".repeat(hashes));
                            code.push('"');
                            state = LexState::RawStr(hashes);
                            i += 2 + hashes;
                        } else {
                            code.push(c);
                            i += 1;
                        }
                    } else if c == '\'' {
                        // A character literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
                        let end = if at(i + 1) == Some('\\') {
                            (i + 3..chars.len()).find(|&k| chars[k].1 == '\'')
                        } else if at(i + 2) == Some('\'') {
                            Some(i + 2)
                        } else {
                            None
                        };
                        match end {
                            Some(end) => {
                                code.push('\'');
                                for &(_, inner) in &chars[i + 1..end] {
                                    blank(&mut code, inner);
                                }
                                code.push('\'');
                                i = end + 1;
                            }
                            None => {
                                code.push('\'');
                                i += 1;
                            }
                        }
                    } else {
                        code.push(c);
                        i += 1;
                    }
                }
            }
        }
        lines.push(Line {
            number,
            raw,
            code,
            doc: None,
        });
    }
    lines
}
