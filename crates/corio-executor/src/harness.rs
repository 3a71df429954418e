//! The future a task's allocation really holds: the user's future, with panics caught and the
//! task's state kept up to date.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::context;
use crate::error::panic_message;
use crate::id::TaskId;
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
        // Catching here (rather than in async-task) keeps the payload as the task's output and
        // lets us report it if nobody ever awaits the task.
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => {
                context::with_current_meta(Meta::set_waiting);
                Poll::Pending
            }
            Ok(Poll::Ready(out)) => {
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
    id: Option<TaskId>,
    name: Option<Box<str>>,
}

impl PanicReport {
    fn new(payload: Box<dyn Any + Send>) -> PanicReport {
        let (id, name) = context::with_current_meta(|m| (Some(m.id()), m.name().map(Box::from)))
            .unwrap_or((None, None));
        PanicReport(Box::new(Report {
            payload: Some(payload),
            id,
            name,
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
        let id = self
            .0
            .id
            .map_or_else(|| "?".to_owned(), |id| id.to_string());
        let name = self.0.name.as_deref().unwrap_or("unnamed");
        eprintln!(
            "corio: task {id} ({name}) panicked and nobody awaited it: {}",
            panic_message(&*payload)
        );
        // A payload whose destructor panics must not unwind out of an executor.
        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    }
}
