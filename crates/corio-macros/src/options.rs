//! What the attribute's arguments mean: the runtime the function runs on, checked for
//! contradictions before any code is generated.

use proc_macro::Span;

use crate::args::{Arg, Value};
use crate::error::Error;

/// Which attribute is being expanded; they take different options and defaults.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attribute {
    Main,
    Test,
}

impl Attribute {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Attribute::Main => "#[corio::main]",
            Attribute::Test => "#[corio::test]",
        }
    }

    fn options(self) -> &'static str {
        match self {
            Attribute::Main => "`flavor`, `worker_threads` and `debug`",
            Attribute::Test => "`flavor`, `worker_threads`, `clock`, `seed` and `debug`",
        }
    }
}

/// The scheduler.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    /// `None`: one worker per core, the runtime's default.
    MultiThread(Option<u64>),
}

/// The clock the runtime's timers follow.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clock {
    Real,
    Virtual,
}

/// The runtime an attribute asks for.
pub(crate) struct Options {
    pub(crate) flavor: Flavor,
    pub(crate) clock: Clock,
    /// `None` leaves the builder's default (which follows `CORIO_DEBUG`).
    pub(crate) debug: Option<bool>,
    /// The shuffle seed written in the attribute; tests without one read `CORIO_TEST_SEED`.
    pub(crate) seed: Option<u64>,
}

/// Each option as given, with where it was written, before the defaults are applied.
#[derive(Default)]
struct Given {
    flavor: Option<Flavor>,
    worker_threads: Option<(u64, Span)>,
    clock: Option<Clock>,
    debug: Option<bool>,
    seed: Option<(u64, Span)>,
}

pub(crate) fn resolve(attribute: Attribute, args: Vec<Arg>, errors: &mut Vec<Error>) -> Options {
    let mut given = Given::default();
    let mut seen: Vec<String> = Vec::new();
    for arg in args {
        if seen.contains(&arg.name) {
            errors.push(Error::new(
                arg.name_span,
                format!("`{}` is given twice", arg.name),
            ));
            continue;
        }
        seen.push(arg.name.clone());
        if let Err(e) = apply(attribute, &mut given, &arg) {
            errors.push(e);
        }
    }
    combine(attribute, given, errors)
}

/// Records one argument in `given`, or says why it is wrong.
fn apply(attribute: Attribute, given: &mut Given, arg: &Arg) -> Result<(), Error> {
    let value = arg.value.as_ref();
    match arg.name.as_str() {
        "flavor" => {
            let usage = "`flavor` takes a string: `flavor = \"current_thread\"` or \
                         `flavor = \"multi_thread\"`";
            let (text, span) = string(arg, usage)?;
            let flavor = match text {
                "current_thread" => Flavor::CurrentThread,
                "multi_thread" => Flavor::MultiThread(None),
                other => {
                    return Err(Error::new(
                        span,
                        format!(
                            "unknown flavor \"{other}\": use \"current_thread\" or \"multi_thread\""
                        ),
                    ));
                }
            };
            given.flavor = Some(flavor);
        }
        "worker_threads" => {
            let n = integer(
                arg,
                "`worker_threads` takes a number of threads: `worker_threads = 4`",
            )?;
            if n == 0 {
                let span = value.map_or(arg.name_span, Value::span);
                return Err(Error::new(
                    span,
                    "`worker_threads` must be at least 1 (leave it out for one worker per core)",
                ));
            }
            if usize::try_from(n).is_err() {
                let span = value.map_or(arg.name_span, Value::span);
                return Err(Error::new(span, "`worker_threads` does not fit in a usize"));
            }
            given.worker_threads = Some((n, arg.name_span));
        }
        "debug" => {
            given.debug = Some(match value {
                None => true,
                Some(Value::Bool(on, _)) => *on,
                Some(other) => {
                    return Err(Error::new(
                        other.span(),
                        format!(
                            "`debug` takes `true` or `false`, or no value at all: `debug`; \
                             found {}",
                            other.kind()
                        ),
                    ));
                }
            });
        }
        "clock" if attribute == Attribute::Test => {
            let usage = "`clock` takes a string: `clock = \"virtual\"` or `clock = \"real\"`";
            let (text, span) = string(arg, usage)?;
            given.clock = Some(match text {
                "virtual" => Clock::Virtual,
                "real" => Clock::Real,
                other => {
                    return Err(Error::new(
                        span,
                        format!("unknown clock \"{other}\": use \"virtual\" or \"real\""),
                    ));
                }
            });
        }
        "seed" if attribute == Attribute::Test => {
            let seed = integer(arg, "`seed` takes a whole number: `seed = 1234`")?;
            given.seed = Some((seed, arg.name_span));
        }
        "clock" | "seed" => {
            return Err(Error::new(
                arg.name_span,
                format!(
                    "`{}` is an option of #[corio::test]; {} takes {}",
                    arg.name,
                    attribute.name(),
                    attribute.options()
                ),
            ));
        }
        flavor @ ("current_thread" | "multi_thread") => {
            return Err(Error::new(
                arg.name_span,
                format!("unknown option `{flavor}`: write `flavor = \"{flavor}\"`"),
            ));
        }
        other => {
            return Err(Error::new(
                arg.name_span,
                format!(
                    "unknown option `{other}`: {} takes {}",
                    attribute.name(),
                    attribute.options()
                ),
            ));
        }
    }
    Ok(())
}

/// The string value of `arg`, or an error that shows `usage`.
fn string<'a>(arg: &'a Arg, usage: &str) -> Result<(&'a str, Span), Error> {
    match &arg.value {
        Some(Value::Str(text, span)) => Ok((text, *span)),
        Some(other) => Err(mismatch(other, usage)),
        None => Err(Error::new(arg.name_span, usage)),
    }
}

/// The integer value of `arg`, or an error that shows `usage`.
fn integer(arg: &Arg, usage: &str) -> Result<u64, Error> {
    match &arg.value {
        Some(Value::Int(Ok(n), _)) => Ok(*n),
        Some(Value::Int(Err(why), span)) => Err(Error::new(*span, format!("{why}; {usage}"))),
        Some(other) => Err(mismatch(other, usage)),
        None => Err(Error::new(arg.name_span, usage)),
    }
}

fn mismatch(value: &Value, usage: &str) -> Error {
    Error::new(value.span(), format!("{usage}; found {}", value.kind()))
}

/// Applies the defaults and rejects the combinations no runtime can honour.
fn combine(attribute: Attribute, given: Given, errors: &mut Vec<Error>) -> Options {
    let flavor = match (given.flavor, given.worker_threads) {
        (Some(Flavor::CurrentThread), Some((_, workers_span))) => {
            errors.push(Error::new(
                workers_span,
                "`worker_threads` needs `flavor = \"multi_thread\"`: a current-thread runtime \
                 runs every task on the calling thread",
            ));
            Flavor::CurrentThread
        }
        (_, Some((n, _))) => Flavor::MultiThread(Some(n)),
        (Some(flavor), None) => flavor,
        (None, None) => match attribute {
            // `corio::run`'s default.
            Attribute::Main => Flavor::MultiThread(None),
            // asyncio's one loop on one thread, where virtual time is exact.
            Attribute::Test => Flavor::CurrentThread,
        },
    };
    if let (Some((_, seed_span)), Flavor::MultiThread(_)) = (given.seed, flavor) {
        errors.push(Error::new(
            seed_span,
            "`seed` shuffles the ready tasks of a current-thread runtime; a multi-thread \
             runtime's order depends on its threads and cannot be replayed, so `seed` cannot be \
             combined with `flavor = \"multi_thread\"` or `worker_threads`",
        ));
    }
    let clock = given.clock.unwrap_or(match (attribute, flavor) {
        (Attribute::Test, Flavor::CurrentThread) => Clock::Virtual,
        // Virtual time on several workers may jump while another worker is busy: a test
        // asks for it with `clock = "virtual"` knowing that.
        _ => Clock::Real,
    });
    Options {
        flavor,
        clock,
        debug: given.debug,
        seed: given.seed.map(|(seed, _)| seed),
    }
}
