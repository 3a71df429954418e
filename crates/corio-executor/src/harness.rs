//! The future a task's allocation really holds: the user's future, with panics caught and the
//! task's state kept up to date.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use pin_project_lite::pin_project;

use crate::context;
use crate::debug::{self, Described};
use crate::error::panic_message;
use crate::meta::Meta;

pin_project! {
    pub(crate) struct Harness<F> {
        #[pin]
        fut: F,
    }
}

impl<F> Harness<F> {
    pub(crate) fn new(fut: F) -> Harness<F> {
        Harness { fut }
    }
}

/// What a task's allocation stores once it has finished.
pub(crate) type Output<T> = Result<T, PanicReport>;

impl<F: Future> Future for Harness<F> {
    type Output = Output<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let fut = self.project().fut;
        #[cfg(feature = "tracing")]
        let _span = context::with_current_meta(|m| {
            tracing::trace_span!(
                target: "corio::task",
                "poll",
                task_id = m.id().as_u64(),
                task_name = m.name().unwrap_or("")
            )
            .entered()
        });
        // Only tracked tasks (debug mode) pay for reading the clock.
        let started = context::with_current_meta(|m| m.stats().is_some())
            .unwrap_or(false)
            .then(Instant::now);
        // Catching here (rather than in async-task) keeps the payload as the task's output and
        // lets us report it if nobody ever awaits the task.
        let polled = catch_unwind(AssertUnwindSafe(|| fut.poll(cx)));
        if let Some(started) = started {
            let took = started.elapsed();
            context::with_current_meta(|m| debug::after_poll(m, took));
        }
        match polled {
            Ok(Poll::Pending) => {
                context::with_current_meta(Meta::set_waiting);
                Poll::Pending
            }
            Ok(Poll::Ready(out)) => {
                #[cfg(feature = "tracing")]
                tracing::trace!(target: "corio::task", "finished");
                context::mark_finished();
                Poll::Ready(Ok(out))
            }
            Err(payload) => {
                let report = PanicReport::new(payload);
                context::mark_finished();
                Poll::Ready(Err(report))
            }
        }
    }
}

/// A task's panic, reported on stderr if it is dropped without anyone taking the payload
/// (the task was detached and never awaited).
pub(crate) struct PanicReport(Box<Report>);

struct Report {
    payload: Option<Box<dyn Any + Send>>,
    /// "task 17 "name" (spawned at …)", or None outside a task.
    task: Option<String>,
}

impl PanicReport {
    fn new(payload: Box<dyn Any + Send>) -> PanicReport {
        PanicReport(Box::new(Report {
            payload: Some(payload),
            task: context::with_current_meta(|m| Described(m).to_string()),
        }))
    }

    /// The payload; the panic counts as observed.
    pub(crate) fn take(mut self) -> Box<dyn Any + Send> {
        self.0
            .payload
            .take()
            .unwrap_or_else(|| Box::new("panic payload already taken"))
    }
}

impl Drop for PanicReport {
    fn drop(&mut self) {
        let Some(payload) = self.0.payload.take() else {
            return;
        };
        let task = self.0.task.as_deref().unwrap_or("a task");
        eprintln!(
            "corio: {task} panicked and nobody awaited it: {}",
            panic_message(&*payload)
        );
        // A payload whose destructor panics must not unwind out of an executor.
        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    }
}
