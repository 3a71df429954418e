//! The `doc examples` step of `cargo xtask ci`: every public item of the library crates
//! (`crates/*/src`) has a code example in its doc comment.
//!
//! A source scan, cheap and dependency-free, rather than a compiler plugin. It walks each
//! crate's module tree from `src/lib.rs` (binaries have no public API), as the crate is
//! compiled on Linux with every feature: modules and items behind `cfg(test)`,
//! `cfg(doctest)` or `cfg(corio_loom)` are not part of it, nor are `#[doc(hidden)]` ones.
//!
//! Public items: `pub` functions, structs, enums, unions, traits, type aliases, constants,
//! statics and modules, `pub` methods and constants in `impl` blocks, the methods of public
//! traits, and `#[macro_export]` macros. Not items: `pub use` re-exports (documented where
//! they are defined), struct fields and enum variants. A `pub mod x;` counts the doc comment
//! above it and the `//!` comment of its file.
//!
//! An example is a fenced code block rustdoc compiles: ```` ``` ````, ```` ```rust ````,
//! ```` ```no_run ```` or ```` ```should_panic ````; ```` ```ignore ````, ```` ```text ```` and
//! ```` ```compile_fail ```` are not examples.
//!
//! Items written by a `macro_rules!` template are checked in the template. When a template
//! passes its caller's attributes on to an item (`$(#[$attr])*`) and gives it no example of
//! its own, the docs come from the invocations: each doc-commented entry of a
//! `name! { … }` invocation is then checked as an item.

mod attributes;
mod lex;
mod syntax;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use attributes::{Pending, apply_attribute};
use lex::{Doc, lex};
use syntax::{Kind, bracket_end, identifier, invoked_macro, open_brackets, parse_head};

/// A public item whose doc comment has no example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Missing {
    pub(crate) file: PathBuf,
    /// 1-based.
    pub(crate) line: usize,
    /// What it is, e.g. `fn spawn`, `method Task::cancel`.
    pub(crate) item: String,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.item)
    }
}

/// Every public item without an example in the library crates under `crates_dir`, sorted by
/// file and line.
pub(crate) fn check_workspace(crates_dir: &Path) -> std::io::Result<Vec<Missing>> {
    let mut crates: Vec<PathBuf> = std::fs::read_dir(crates_dir)?
        .map(|entry| entry.map(|e| e.path().join("src").join("lib.rs")))
        .collect::<std::io::Result<_>>()?;
    crates.retain(|lib| lib.is_file());
    crates.sort();
    let mut missing = Vec::new();
    for lib in crates {
        missing.extend(check_crate(&lib, &|p: &Path| {
            std::fs::read_to_string(p).ok()
        }));
    }
    Ok(missing)
}

/// The public items without an example in the crate whose root is `lib`, reading sources
/// through `read` (the file system, or a map of files in the tests).
pub(crate) fn check_crate(lib: &Path, read: &dyn Fn(&Path) -> Option<String>) -> Vec<Missing> {
    let mut scan = CrateScan {
        read,
        deferring_macros: HashSet::new(),
        items: Vec::new(),
    };
    let mut files = vec![lib.to_path_buf()];
    while let Some(file) = files.pop() {
        let Some(src) = read(&file) else { continue };
        let children = scan.file(&file, &src);
        // Depth first, in declaration order: macros are defined before they are used.
        files.extend(children.into_iter().rev());
    }
    let mut missing: Vec<Missing> = scan
        .items
        .into_iter()
        .filter(|item| !has_example(&item.doc))
        .map(|item| Missing {
            file: item.file,
            line: item.line,
            item: item.what,
        })
        .collect();
    missing.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    missing
}

/// Whether `doc` has a fenced code block that rustdoc compiles.
pub(crate) fn has_example(doc: &str) -> bool {
    let mut in_block = false;
    for line in doc.lines() {
        let Some(info) = line.trim().strip_prefix("```") else {
            continue;
        };
        if in_block {
            in_block = false;
            continue;
        }
        in_block = true;
        let compiled = info.split(',').map(str::trim).all(|attr| {
            matches!(
                attr,
                "" | "rust"
                    | "no_run"
                    | "should_panic"
                    | "test_harness"
                    | "standalone_crate"
                    | "edition2015"
                    | "edition2018"
                    | "edition2021"
                    | "edition2024"
            )
        });
        if compiled {
            return true;
        }
    }
    false
}

/// A public item found, with its doc comment.
struct Item {
    file: PathBuf,
    line: usize,
    what: String,
    doc: String,
}

struct CrateScan<'r> {
    read: &'r dyn Fn(&Path) -> Option<String>,
    /// Macros whose template takes its items' docs from the invocation.
    deferring_macros: HashSet<String>,
    items: Vec<Item>,
}

/// What the braces being read enclose.
#[derive(Clone, Debug)]
enum Scope {
    /// A module, an `impl` block or a macro's rules: `pub` items here are public. `owner` is
    /// the type of an `impl`, `template` the macro whose rules these are; `sealed` is set
    /// inside a private inline module (`mod sealed { pub trait Sealed … }`), whose `pub`
    /// items are public only if the file re-exports them.
    Items {
        owner: Option<String>,
        template: Option<String>,
        sealed: bool,
    },
    /// A public trait's body: its methods are public.
    Trait { owner: String, sealed: bool },
    /// An invocation `name! { … }` at item level.
    Invocation { name: String },
    /// What holds no public items: function bodies, fields, variants, hidden or
    /// configured-out items.
    Opaque,
}

impl CrateScan<'_> {
    /// Scans one source file, recording its public items; returns the files of the modules
    /// it declares (`mod x;`) that are compiled.
    fn file(&mut self, path: &Path, src: &str) -> Vec<PathBuf> {
        let lines = lex(src);
        let mut children = Vec::new();
        let mut stack = vec![Scope::Items {
            owner: None,
            template: None,
            sealed: false,
        }];
        // What the file's `pub use` items name, and whether one is still open (`pub use a::{`).
        let mut reexports = String::new();
        let mut in_pub_use = false;
        // Items of private inline modules, kept if `reexports` names the second element.
        let mut sealed_items: Vec<(Item, String)> = Vec::new();
        let mut pending = Pending::default();
        // The scope the next `{` opens, set by an item's first line.
        let mut next_scope: Option<Scope> = None;
        // `[` open around the point being read, across lines: a `;` inside one (`[u8; 4]`)
        // does not end an item.
        let mut squares = 0usize;
        // An attribute spread over several lines, and how many brackets it still has open.
        let mut attribute: Option<(String, usize)> = None;
        // The item an inline module's `//!` comment belongs to.
        let mut inner_doc_of: Option<usize> = None;

        for line in &lines {
            match &line.doc {
                Some(Doc::Outer(text)) => {
                    pending.doc.push_str(text);
                    pending.doc.push('\n');
                    continue;
                }
                Some(Doc::Inner(text)) => {
                    if let Some(i) = inner_doc_of {
                        self.items[i].doc.push_str(text);
                        self.items[i].doc.push('\n');
                    }
                    continue;
                }
                None => {}
            }
            if line.code.trim().is_empty() {
                continue;
            }
            inner_doc_of = None;

            // Attributes, whole or the rest of one begun on an earlier line.
            let mut at = line.code.len() - line.code.trim_start().len();
            if let Some((mut text, open)) = attribute.take() {
                match bracket_end(&line.code[at..], open) {
                    Some(end) => {
                        text.push_str(&line.raw[at..at + end]);
                        apply_attribute(&text, &mut pending);
                        at += end;
                    }
                    None => {
                        text.push_str(&line.raw[at..]);
                        attribute = Some((text, open_brackets(&line.code[at..], open)));
                        continue;
                    }
                }
            }
            loop {
                let rest = line.code[at..].trim_start();
                at = line.code.len() - rest.len();
                let Some(opening) = ["#![", "#[", "$(#["]
                    .iter()
                    .find(|o| rest.starts_with(**o))
                    .map(|o| o.len())
                else {
                    break;
                };
                match bracket_end(&rest[opening..], 1) {
                    Some(end) => {
                        let mut end = opening + end;
                        // `$(#[$attr])*`: the closing `)*` is part of it.
                        if rest.starts_with("$(") {
                            end += rest[end..].find(')').map_or(0, |p| p + 1);
                            end += usize::from(rest[end..].starts_with(['*', '?', '+']));
                        }
                        apply_attribute(&line.raw[at..at + end], &mut pending);
                        at += end;
                    }
                    None => {
                        attribute = Some((
                            line.raw[at..].to_owned(),
                            open_brackets(&rest[opening..], 1),
                        ));
                        break;
                    }
                }
            }
            if attribute.is_some() {
                continue;
            }
            let code = line.code[at..].trim();
            if code.is_empty() {
                continue;
            }

            let scope = stack.last().cloned().unwrap_or(Scope::Opaque);
            let head = parse_head(code);
            let compiled = !pending.off && !pending.hidden;
            if in_pub_use
                || head
                    .as_ref()
                    .is_some_and(|h| h.kind == Kind::Use && h.public && compiled)
            {
                reexports.push_str(code);
                reexports.push(' ');
                in_pub_use = !code.contains(';');
            }
            // Records an item; `sealed_key` is the name a re-export must mention for an item
            // of a private inline module to count.
            let mut record =
                |scan: &mut Self, what: String, doc: &str, sealed_key: Option<&str>| {
                    let item = Item {
                        file: path.to_path_buf(),
                        line: line.number,
                        what,
                        doc: doc.to_owned(),
                    };
                    match sealed_key {
                        Some(key) => {
                            sealed_items.push((item, key.to_owned()));
                            None
                        }
                        None => {
                            scan.items.push(item);
                            Some(scan.items.len() - 1)
                        }
                    }
                };
            // Items written inside an invocation (`pin_project! { pub struct … }`) are items.
            let scope = match (scope, &head) {
                (Scope::Invocation { .. }, Some(_)) => Scope::Items {
                    owner: None,
                    template: None,
                    sealed: false,
                },
                (scope, _) => scope,
            };
            match (&scope, &head) {
                (
                    Scope::Items {
                        owner,
                        template,
                        sealed,
                    },
                    Some(head),
                ) => {
                    let body = match head.kind {
                        _ if !compiled => Scope::Opaque,
                        Kind::Mod => Scope::Items {
                            owner: None,
                            template: template.clone(),
                            sealed: *sealed || !head.public,
                        },
                        Kind::Impl => Scope::Items {
                            owner: Some(head.name.clone()),
                            template: template.clone(),
                            sealed: *sealed,
                        },
                        Kind::Trait if head.public => Scope::Trait {
                            owner: head.name.clone(),
                            sealed: *sealed,
                        },
                        Kind::MacroRules => Scope::Items {
                            owner: None,
                            template: Some(head.name.clone()),
                            sealed: *sealed,
                        },
                        _ => Scope::Opaque,
                    };
                    next_scope = Some(body);
                    let public = match head.kind {
                        Kind::MacroRules => pending.exported,
                        Kind::Impl | Kind::Use => false,
                        _ => head.public,
                    };
                    if compiled && head.kind == Kind::Mod && head.declaration {
                        if let Some(child) = module_file(path, &head.name, self.read) {
                            if public {
                                let inner = (self.read)(&child).map(|src| inner_doc(&src));
                                pending.doc.push_str(&inner.unwrap_or_default());
                            }
                            children.push(child);
                        }
                    }
                    let deferred = pending.passthrough && !has_example(&pending.doc);
                    if deferred {
                        if let Some(name) = template {
                            self.deferring_macros.insert(name.clone());
                        }
                    }
                    if compiled && public && !deferred {
                        let what = match (owner, head.kind) {
                            (Some(owner), Kind::Fn) => format!("method {owner}::{}", head.name),
                            (Some(owner), kind) => {
                                format!("{} {owner}::{}", kind.word(), head.name)
                            }
                            (None, kind) => format!("{} {}", kind.word(), head.name),
                        };
                        let key = owner.as_deref().unwrap_or(&head.name);
                        let index = record(self, what, &pending.doc, sealed.then_some(key));
                        if head.kind == Kind::Mod && !head.declaration {
                            inner_doc_of = index;
                        }
                    }
                }
                (Scope::Items { .. }, None) => {
                    // The rest of a multi-line head, or an invocation.
                    if let Some(name) = invoked_macro(code) {
                        next_scope = Some(Scope::Invocation { name });
                    }
                }
                (Scope::Trait { owner, sealed }, Some(head)) => {
                    if compiled && head.kind == Kind::Fn {
                        let what = format!("method {owner}::{}", head.name);
                        record(self, what, &pending.doc, sealed.then_some(owner));
                    }
                    next_scope = Some(Scope::Opaque);
                }
                (Scope::Invocation { name }, None)
                    if self.deferring_macros.contains(name) && !pending.doc.is_empty() =>
                {
                    let entry = identifier(code);
                    record(self, format!("{name}! entry {entry}"), &pending.doc, None);
                }
                _ => {}
            }
            pending = Pending::default();

            for c in code.chars() {
                match c {
                    '[' => squares += 1,
                    ']' => squares = squares.saturating_sub(1),
                    '{' => {
                        let inside = next_scope.take().unwrap_or_else(|| match stack.last() {
                            Some(Scope::Items { .. }) => stack[stack.len() - 1].clone(),
                            _ => Scope::Opaque,
                        });
                        stack.push(inside);
                    }
                    '}' if stack.len() > 1 => {
                        stack.pop();
                    }
                    ';' if squares == 0 => next_scope = None,
                    _ => {}
                }
            }
        }
        let reexported = |key: &str| {
            reexports
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|word| word == key)
        };
        self.items.extend(
            sealed_items
                .into_iter()
                .filter(|(_, key)| reexported(key))
                .map(|(item, _)| item),
        );
        children
    }
}

/// The file of module `name` declared in `parent`: `name.rs` or `name/mod.rs` beside a
/// `lib.rs`, `main.rs` or `mod.rs`, under a directory named after any other file.
fn module_file(
    parent: &Path,
    name: &str,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Option<PathBuf> {
    let dir = parent.parent()?;
    let stem = parent.file_stem()?.to_str()?;
    let dir = if matches!(stem, "lib" | "main" | "mod") {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    [
        dir.join(format!("{name}.rs")),
        dir.join(name).join("mod.rs"),
    ]
    .into_iter()
    .find(|candidate| read(candidate).is_some())
}

/// The `//!` comment at the top of a file.
fn inner_doc(src: &str) -> String {
    let mut doc = String::new();
    for line in lex(src) {
        match line.doc {
            Some(Doc::Inner(text)) => {
                doc.push_str(&text);
                doc.push('\n');
            }
            Some(Doc::Outer(_)) => break,
            None if line.code.trim().is_empty() => {}
            None if line.code.trim_start().starts_with("#![") => {}
            None => break,
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The items reported for a crate made of `files` (path → source), `src/lib.rs` first.
    fn missing(files: &[(&str, &str)]) -> Vec<String> {
        let files: HashMap<PathBuf, String> = files
            .iter()
            .map(|(p, s)| (PathBuf::from(p), s.to_string()))
            .collect();
        check_crate(Path::new("src/lib.rs"), &|p: &Path| files.get(p).cloned())
            .into_iter()
            .map(|m| m.to_string())
            .collect()
    }

    fn lib(src: &str) -> Vec<String> {
        missing(&[("src/lib.rs", src)])
    }

    #[test]
    fn a_public_function_needs_a_fenced_example() {
        let src = "\
/// Adds.
pub fn add() {}

/// Subtracts.
///
/// ```
/// assert_eq!(sub(), ());
/// ```
pub fn sub() {}

fn private() {}
pub(crate) fn internal() {}
";
        assert_eq!(lib(src), ["src/lib.rs:2: fn add"]);
    }

    #[test]
    fn text_ignore_and_compile_fail_blocks_are_not_examples() {
        for fence in ["text", "ignore", "compile_fail", "sh"] {
            let src = format!("/// Doc.\n/// ```{fence}\n/// x\n/// ```\npub fn f() {{}}\n");
            assert_eq!(lib(&src), ["src/lib.rs:5: fn f"], "{fence}");
        }
        for fence in ["rust", "no_run", "should_panic", "rust,no_run"] {
            let src = format!("/// Doc.\n/// ```{fence}\n/// x\n/// ```\npub fn f() {{}}\n");
            assert_eq!(lib(&src), Vec::<String>::new(), "{fence}");
        }
        // The closing fence of a text block does not open an example.
        assert!(!has_example("```text\nx\n```\nprose"));
    }

    #[test]
    fn every_kind_of_public_item_is_checked() {
        let src = "\
pub struct S;
pub struct T {
    pub field: u8,
}
pub enum E { A, B }
pub union U { a: u8 }
pub trait Tr {}
pub type Alias = u8;
pub const C: u8 = 1;
pub static STATIC: u8 = 1;
pub static mut MUT: u8 = 1;
pub const fn cf() {}
pub async fn af() {}
pub unsafe extern \"C\" fn ef() {}
pub use std::fmt;
pub use self::S as Renamed;
";
        assert_eq!(
            lib(src),
            [
                "src/lib.rs:1: struct S",
                "src/lib.rs:2: struct T",
                "src/lib.rs:5: enum E",
                "src/lib.rs:6: union U",
                "src/lib.rs:7: trait Tr",
                "src/lib.rs:8: type Alias",
                "src/lib.rs:9: const C",
                "src/lib.rs:10: static STATIC",
                "src/lib.rs:11: static MUT",
                "src/lib.rs:12: fn cf",
                "src/lib.rs:13: fn af",
                "src/lib.rs:14: fn ef",
            ]
        );
    }

    #[test]
    fn inherent_methods_and_public_trait_methods_are_items_trait_impls_are_not() {
        let src = "\
/// ```
/// ```
pub struct Task<T>(T);

impl<T: Send> Task<T> {
    /// Cancels.
    pub fn cancel(&self) -> bool {
        let inner = || { pub fn nested() {} };
        true
    }
    pub const LIMIT: usize = 3;
    fn private(&self) {}
}

impl<T> std::fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

/// ```
/// ```
pub trait Driver {
    /// Parks.
    fn park(&self);
    /// ```
    /// ```
    fn unpark(&self) {
        let x = 1;
    }
    fn defaulted(
        &self,
    ) -> u8 {
        0
    }
}

trait Private {
    fn hidden(&self);
}
";
        assert_eq!(
            lib(src),
            [
                "src/lib.rs:7: method Task::cancel",
                "src/lib.rs:11: const Task::LIMIT",
                "src/lib.rs:25: method Driver::park",
                "src/lib.rs:31: method Driver::defaulted",
            ]
        );
    }

    #[test]
    fn test_loom_and_hidden_code_is_not_public_api() {
        let src = "\
#[cfg(test)]
mod tests {
    pub fn helper() {}
}
#[cfg(all(test, corio_loom))]
mod loom_tests;
#[cfg(not(corio_loom))]
pub fn real() {}
#[cfg(corio_loom)]
pub fn model() {}
#[doc(hidden)]
pub fn __private() {}
#[doc(hidden)]
impl S {
    pub fn hidden_method() {}
}
#[cfg(any(target_os = \"linux\", target_os = \"android\"))]
pub fn linux() {}
#[cfg(not(any(target_os = \"linux\", target_os = \"android\")))]
pub fn elsewhere() {}
#[cfg(doctest)]
pub struct GuideDoctests;
";
        assert_eq!(
            lib(src),
            ["src/lib.rs:8: fn real", "src/lib.rs:18: fn linux"]
        );
    }

    #[test]
    fn brackets_in_strings_comments_and_chars_do_not_confuse_the_scope() {
        let src = r####"
pub fn tricky() {
    let a = "}}} pub fn not_an_item() {";
    let b = r#"}" pub fn raw() {"#;
    let c = '}';
    let d = b'{';
    let e = '\u{7d}';
    /* } pub fn in_a_comment() { */
    // }
    let f: &'static str = "\"}";
}
pub fn after() {}
"####;
        assert_eq!(
            lib(src),
            ["src/lib.rs:2: fn tricky", "src/lib.rs:12: fn after"]
        );
    }

    #[test]
    fn attributes_and_multi_line_heads_keep_the_doc() {
        let src = "\
/// Doc.
///
/// ```
/// let _ = 1;
/// ```
#[must_use]
#[cfg_attr(
    feature = \"x\",
    derive(Debug)
)]
pub fn documented(
    a: [u8; 4],
) -> u8
where
    u8: Copy,
{
    pub fn inside_a_body() {}
    0
}

#[doc = \"A doc attribute.\"]
#[doc = \"```\"]
#[doc = \"assert!(true);\"]
#[doc = \"```\"]
pub fn by_attribute() {}

/// Blank lines and comments between the doc and the item do not detach it.
/// ```
/// ```

// a comment
pub fn spaced() {}
";
        assert_eq!(lib(src), Vec::<String>::new());
    }

    #[test]
    fn a_module_is_documented_above_its_declaration_or_in_its_file() {
        let files = [
            (
                "src/lib.rs",
                "pub mod a;\n/// ```\n/// ```\npub mod b;\npub mod c;\nmod private;\n\
                 pub mod inline {\n    //! ```\n    //! ```\n    pub fn f() {}\n}\n",
            ),
            ("src/a.rs", "//! Prose only.\npub fn in_a() {}\n"),
            ("src/b.rs", "//! Prose.\n"),
            ("src/c/mod.rs", "//! ```\n//! ```\npub mod d;\n"),
            ("src/c/d.rs", "pub fn in_d() {}\n"),
            ("src/private.rs", "pub struct Reexported;\n"),
        ];
        assert_eq!(
            missing(&files),
            [
                "src/a.rs:2: fn in_a",
                "src/c/d.rs:1: fn in_d",
                "src/c/mod.rs:3: mod d",
                "src/lib.rs:1: mod a",
                "src/lib.rs:10: fn f",
                "src/private.rs:1: struct Reexported",
            ]
        );
    }

    #[test]
    fn items_of_a_private_inline_module_count_only_when_re_exported() {
        let src = "\
/// ```
/// ```
pub trait Listener: sealed::Sealed {}

mod sealed {
    pub trait Sealed {
        fn accept(&self);
    }
    pub struct Shown;
    impl Shown {
        pub fn method(&self) {}
    }
    pub struct Hidden;
}

pub use sealed::{
    Shown,
};
";
        assert_eq!(
            lib(src),
            [
                "src/lib.rs:9: struct Shown",
                "src/lib.rs:11: method Shown::method"
            ]
        );
    }

    #[test]
    fn exported_macros_are_items() {
        let src = "\
#[macro_export]
macro_rules! gather {
    ($($f:expr),*) => {{ pub fn not_an_item() {} }};
}
/// ```
/// ```
#[macro_export]
macro_rules! documented { () => {} }
macro_rules! internal { () => {} }
";
        assert_eq!(lib(src), ["src/lib.rs:2: macro gather"]);
    }

    #[test]
    fn macro_templates_are_checked_and_pass_through_docs_are_checked_at_each_invocation() {
        let src = "\
macro_rules! queue {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        pub struct $name;

        impl $name {
            /// Shared docs.
            pub fn new() -> Self { $name }
            /// ```
            #[doc = concat!(\"let _ = \", stringify!($name), \"::new();\")]
            /// ```
            pub fn made() -> Self { $name }
        }
    };
}

queue! {
    /// Has one.
    /// ```
    /// ```
    Fifo
}

queue! {
    /// Has none.
    Lifo
}

pin_project! {
    /// A struct written inside an invocation.
    pub struct Wrapped<F> {
        #[pin]
        inner: F,
    }
}

macro_rules! constants {
    ($($(#[$doc:meta])* $name:ident = $v:expr;)*) => {
        impl S {
            $(
                $(#[$doc])*
                ///
                /// ```
                /// ```
                pub const $name: u8 = $v;
            )*
        }
    };
}

constants! {
    /// Prose is enough: the template adds the example.
    A = 1;
}
";
        assert_eq!(
            lib(src),
            [
                "src/lib.rs:8: method $name::new",
                "src/lib.rs:26: queue! entry Lifo",
                "src/lib.rs:31: struct Wrapped",
            ]
        );
    }

    #[test]
    fn the_workspace_scan_sees_the_public_api() {
        // The real crates: a check that reads nothing would pass for the wrong reason.
        let crates = crate::workspace_root().join("crates");
        let read = |p: &Path| std::fs::read_to_string(p).ok();
        let lib = crates.join("corio-sync/src/lib.rs");
        let mut scan = CrateScan {
            read: &read,
            deferring_macros: HashSet::new(),
            items: Vec::new(),
        };
        let mut files = vec![lib];
        while let Some(file) = files.pop() {
            let src = std::fs::read_to_string(&file).expect("readable source");
            files.extend(scan.file(&file, &src));
        }
        let names: Vec<&str> = scan.items.iter().map(|i| i.what.as_str()).collect();
        for expected in [
            "struct Event",
            "method Event::set",
            "method $name::put_nowait",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        assert!(scan.items.len() > 100, "{}", scan.items.len());
        // And the whole workspace reads without error.
        check_workspace(&crates).expect("crates/ readable");
    }
}
