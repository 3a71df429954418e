//! The three orders a queue can hand items out in; everything else is shared.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Where a queue keeps its items: the only part that differs between the three queues.
pub(crate) trait Store {
    type Item;

    fn with_capacity(capacity: usize) -> Self;
    fn push(&mut self, item: Self::Item);
    fn pop(&mut self) -> Option<Self::Item>;
    fn len(&self) -> usize;
}

/// Bounded queues reserve their whole capacity up front, up to this many items, so the
/// steady state never reallocates; larger bounds grow on demand.
pub(crate) const PREALLOCATE_MAX: usize = 1024;

/// First in, first out.
pub(crate) struct Fifo<T>(VecDeque<T>);

impl<T> Store for Fifo<T> {
    type Item = T;

    fn with_capacity(capacity: usize) -> Self {
        Self(VecDeque::with_capacity(capacity))
    }

    fn push(&mut self, item: T) {
        self.0.push_back(item);
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

/// Last in, first out.
pub(crate) struct Lifo<T>(Vec<T>);

impl<T> Store for Lifo<T> {
    type Item = T;

    fn with_capacity(capacity: usize) -> Self {
        Self(Vec::with_capacity(capacity))
    }

    fn push(&mut self, item: T) {
        self.0.push(item);
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

/// Smallest first, as asyncio's `heapq`: `BinaryHeap` is a max-heap, hence `Reverse`.
pub(crate) struct Heap<T>(BinaryHeap<Reverse<T>>);

impl<T: Ord> Store for Heap<T> {
    type Item = T;

    fn with_capacity(capacity: usize) -> Self {
        Self(BinaryHeap::with_capacity(capacity))
    }

    fn push(&mut self, item: T) {
        self.0.push(Reverse(item));
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop().map(|Reverse(item)| item)
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}
