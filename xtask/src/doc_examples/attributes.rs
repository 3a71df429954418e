//! What attributes say about the item below them: its doc text (`#[doc = …]`), whether it is
//! compiled in the build checked (`#[cfg(…)]`), hidden (`#[doc(hidden)]`), an exported macro,
//! or a macro template's pass-through of its caller's attributes.

use super::syntax::{bracket_end, strip_word};

/// The attributes and doc comment gathered above the next item.
#[derive(Default)]
pub(super) struct Pending {
    pub(super) doc: String,
    /// A `cfg` that is off in the build checked.
    pub(super) off: bool,
    pub(super) hidden: bool,
    pub(super) exported: bool,
    /// `$(#[$attr])*` in a macro template: the caller's attributes (docs) go here.
    pub(super) passthrough: bool,
}

/// Records what one attribute (its source text, from `#[` or `$(#[` to the closing bracket)
/// says about the next item.
pub(super) fn apply_attribute(text: &str, pending: &mut Pending) {
    let text = text.trim();
    if text.starts_with("$(#[$") {
        pending.passthrough = true;
        return;
    }
    if text.starts_with("#![") {
        return;
    }
    let inner = text
        .strip_prefix("#[")
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text)
        .trim();
    if let Some(value) = strip_word(inner, "doc").and_then(|r| r.strip_prefix('=')) {
        let value = value.trim();
        let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            Some(literal) => literal.replace("\\\"", "\"").replace("\\n", "\n"),
            None => value.to_owned(),
        };
        pending.doc.push_str(&value);
        pending.doc.push('\n');
    } else if let Some(args) = strip_word(inner, "doc") {
        if args.replace(' ', "").contains("(hidden)") {
            pending.hidden = true;
        }
    } else if let Some(predicate) = strip_word(inner, "cfg") {
        let predicate = predicate.trim();
        let predicate = predicate
            .strip_prefix('(')
            .and_then(|p| p.strip_suffix(')'))
            .unwrap_or(predicate);
        if !cfg_enabled(predicate) {
            pending.off = true;
        }
    } else if inner == "macro_export" {
        pending.exported = true;
    }
}

/// Evaluates a `cfg` predicate for the build the check covers: Linux, every feature, not a
/// test, doctest or loom build.
fn cfg_enabled(predicate: &str) -> bool {
    let predicate = predicate.trim();
    for (op, all) in [("all", true), ("any", false)] {
        if let Some(args) = strip_word(predicate, op).and_then(parenthesised) {
            let mut values = split_top_level(args).into_iter().map(cfg_enabled);
            return if all {
                values.all(|v| v)
            } else {
                values.any(|v| v)
            };
        }
    }
    if let Some(arg) = strip_word(predicate, "not").and_then(parenthesised) {
        return !cfg_enabled(arg);
    }
    match predicate.split_once('=') {
        Some((key, value)) => {
            let value = value.trim().trim_matches('"');
            match key.trim() {
                "feature" => true,
                "target_os" => value == "linux",
                "target_family" => value == "unix",
                "target_pointer_width" => value == "64",
                _ => false,
            }
        }
        None => !matches!(
            predicate,
            "test" | "doctest" | "corio_loom" | "loom" | "miri" | "windows"
        ),
    }
}

/// The text between an opening `(` at the start of `s` and its matching `)`.
fn parenthesised(s: &str) -> Option<&str> {
    let s = s.trim().strip_prefix('(')?;
    let end = bracket_end(s, 1)?;
    Some(&s[..end - 1])
}

/// `a, b(c, d), e` → `["a", "b(c, d)", "e"]`.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.retain(|p| !p.trim().is_empty());
    parts
}
