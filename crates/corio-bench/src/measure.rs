//! Repeated, interleaved measurement: every runtime's sample `i` is taken before any
//! runtime's sample `i + 1`, so drift of a shared machine hits all of them alike.

use std::time::Duration;

/// One contender in a benchmark: a runtime name and a closure that runs `iters` operations
/// and returns how long they took (set-up excluded).
pub(crate) struct Contender<'a> {
    pub(crate) runtime: &'static str,
    pub(crate) run: Box<dyn FnMut(u64) -> Duration + 'a>,
}

impl<'a> Contender<'a> {
    pub(crate) fn new(runtime: &'static str, run: impl FnMut(u64) -> Duration + 'a) -> Self {
        Contender {
            runtime,
            run: Box::new(run),
        }
    }
}

/// The measured result of one runtime on one benchmark.
#[derive(Debug, Clone)]
pub(crate) struct Measurement {
    pub(crate) group: &'static str,
    pub(crate) bench: &'static str,
    pub(crate) runtime: &'static str,
    /// Operations per sample; `per_op_ns` is the median divided by it.
    pub(crate) iters: u64,
    pub(crate) median_ns: f64,
    pub(crate) min_ns: f64,
    pub(crate) max_ns: f64,
    pub(crate) runs: usize,
}

impl Measurement {
    pub(crate) fn per_op_ns(&self) -> f64 {
        self.median_ns / self.iters as f64
    }
}

/// How many samples to take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) warmups: usize,
    pub(crate) runs: usize,
}

/// Takes `plan.warmups` discarded and then `plan.runs` kept samples of every contender,
/// interleaved, each sample running `iters` operations.
pub(crate) fn compare(
    group: &'static str,
    bench: &'static str,
    iters: u64,
    plan: Plan,
    contenders: &mut [Contender<'_>],
) -> Vec<Measurement> {
    for _ in 0..plan.warmups {
        for c in contenders.iter_mut() {
            (c.run)(iters);
        }
    }
    let mut samples = vec![Vec::with_capacity(plan.runs); contenders.len()];
    for _ in 0..plan.runs {
        for (c, s) in contenders.iter_mut().zip(&mut samples) {
            s.push((c.run)(iters).as_nanos() as f64);
        }
    }
    contenders
        .iter()
        .zip(samples)
        .map(|(c, mut s)| {
            s.sort_by(f64::total_cmp);
            Measurement {
                group,
                bench,
                runtime: c.runtime,
                iters,
                median_ns: median(&s),
                min_ns: s[0],
                max_ns: s[s.len() - 1],
                runs: s.len(),
            }
        })
        .collect()
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_interleaved_and_summarised() {
        let order = std::cell::RefCell::new(Vec::new());
        let mut contenders = [
            Contender::new("a", |n| {
                order.borrow_mut().push('a');
                Duration::from_nanos(n * 10)
            }),
            Contender::new("b", |n| {
                order.borrow_mut().push('b');
                Duration::from_nanos(n * 20)
            }),
        ];
        let m = compare(
            "g",
            "x",
            4,
            Plan {
                warmups: 1,
                runs: 3,
            },
            &mut contenders,
        );
        drop(contenders);
        assert_eq!(order.into_inner(), "abababab".chars().collect::<Vec<_>>());
        assert_eq!(m[0].median_ns, 40.0);
        assert_eq!(m[1].per_op_ns(), 20.0);
        assert_eq!(m[1].runs, 3);
    }

    #[test]
    fn median_of_even_count_is_the_midpoint() {
        assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), 3.0);
    }
}
