//! The bounded channel's buffer: a fixed ring of slots, written by many producers and read
//! by one consumer.
//!
//! Why not `concurrent_queue`: it is multi-consumer, so every pop is a compare-and-swap,
//! and its memory orderings are not part of its API, so the channel would need a fence
//! after every push to pair with its waiting receiver. Here a pop is plain loads and
//! stores, and a push is one `SeqCst` compare-and-swap that the wake-up check leans on
//! (see [`Ring::push`]). That halves the locked instructions per message.
//!
//! Positions encode `lap | closed mark | index` (the scheme of Vyukov's bounded queue as
//! used by crossbeam): each slot carries a stamp saying which position may use it next, so
//! producers and the consumer hand slots over without a lock.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicUsize, Ordering};

use concurrent_queue::{PopError, PushError};

/// Keeps the producers' and the consumer's counters on separate cache lines.
#[repr(align(128))]
struct Padded(AtomicUsize);

struct Slot<T> {
    /// `pos` when the slot is free for the push at `pos`; `pos + 1` when it holds the value
    /// pushed at `pos`.
    stamp: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

pub(super) struct Ring<T> {
    /// The next position to pop. Written by the consumer only; atomic so `len` can read it.
    head: Padded,
    /// The next position to push, with `mark_bit` set once closed.
    tail: Padded,
    slots: Box<[Slot<T>]>,
    /// The bit above every index: set in `tail` when the ring is closed.
    mark_bit: usize,
    /// Adding it to a position moves it one lap on, to the same index.
    one_lap: usize,
}

// SAFETY: values move between threads through the ring (hence `T: Send`), and the stamps
// give each slot to exactly one thread at a time, so the ring is shared without data races.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as above: `&Ring` only hands values over, it never shares a `&T`.
unsafe impl<T: Send> Sync for Ring<T> {}

impl<T> Ring<T> {
    /// A ring of `cap` slots; `cap` must be at least 1 (the channel clamps it).
    pub(super) fn new(cap: usize) -> Self {
        debug_assert!(cap >= 1);
        let mark_bit = (cap + 1).next_power_of_two();
        let slots = (0..cap)
            .map(|i| Slot {
                stamp: AtomicUsize::new(i),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Self {
            head: Padded(AtomicUsize::new(0)),
            tail: Padded(AtomicUsize::new(0)),
            slots,
            mark_bit,
            one_lap: mark_bit * 2,
        }
    }

    pub(super) fn capacity(&self) -> usize {
        self.slots.len()
    }

    fn index(&self, pos: usize) -> usize {
        pos & (self.mark_bit - 1)
    }

    /// The position after `pos`.
    fn next(&self, pos: usize) -> usize {
        if self.index(pos) + 1 < self.slots.len() {
            pos + 1
        } else {
            (pos & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    /// Pushes `value`, failing if the ring is full or closed.
    ///
    /// A successful push is a `SeqCst` read-modify-write of `tail`; the receiver, before it
    /// sleeps, publishes itself with a `SeqCst` RMW and then reads `tail` with `SeqCst`
    /// (in [`pop`](Self::pop)). So a `SeqCst` load of the receiver's waiting count after
    /// the push needs no fence: in the single order of `SeqCst` operations, either the
    /// receiver's read of `tail` comes after our push, or our load after its count.
    #[inline]
    pub(super) fn push(&self, value: T) -> Result<(), PushError<T>> {
        let mut tail = self.tail.0.load(Ordering::Relaxed);
        loop {
            if tail & self.mark_bit != 0 {
                return Err(PushError::Closed(value));
            }
            let slot = &self.slots[self.index(tail)];
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == tail {
                // Free for this position: claim it.
                match self.tail.0.compare_exchange_weak(
                    tail,
                    self.next(tail),
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // SAFETY: the CAS gave us position `tail`, and its stamp said the
                        // consumer was done with the slot (Acquire pairs with its Release),
                        // so nobody else touches the slot until we publish the new stamp.
                        unsafe { (*slot.value.get()).write(value) };
                        slot.stamp.store(tail + 1, Ordering::Release);
                        return Ok(());
                    }
                    Err(current) => tail = current,
                }
            } else if stamp.wrapping_add(self.one_lap) == tail + 1 {
                // Still holds the value from one lap ago: `cap` values are in flight.
                // `SeqCst` re-read: a close racing with this must not be reported as full.
                let now = self.tail.0.load(Ordering::SeqCst);
                if now == tail {
                    return Err(PushError::Full(value));
                }
                tail = now;
            } else {
                // Another producer moved `tail` past the value we read.
                std::hint::spin_loop();
                tail = self.tail.0.load(Ordering::Relaxed);
            }
        }
    }

    /// Pops the oldest value, or says the ring is empty (and whether closed).
    ///
    /// # Safety
    ///
    /// Only one thread may pop at a time (the channel's single receiver).
    #[inline]
    pub(super) unsafe fn pop(&self) -> Result<T, PopError> {
        let head = self.head.0.load(Ordering::Relaxed);
        let slot = &self.slots[self.index(head)];
        let mut spins = 0u32;
        loop {
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == head + 1 {
                // SAFETY: the stamp says the producer of `head` is done with the slot
                // (Acquire pairs with its Release), and no producer touches it again until
                // we store the next stamp: nobody writes it while we read it.
                let cell = unsafe { &*slot.value.get() };
                // SAFETY: that producer initialised it, and we are the only consumer, so
                // the value is moved out exactly once; the new stamp marks the slot free.
                let value = unsafe { cell.assume_init_read() };
                slot.stamp
                    .store(head.wrapping_add(self.one_lap), Ordering::Release);
                self.head.0.store(self.next(head), Ordering::Release);
                return Ok(value);
            }
            // `SeqCst`: the receiver's half of the pairing described at `push`.
            let tail = self.tail.0.load(Ordering::SeqCst);
            if tail & !self.mark_bit == head {
                return Err(if tail & self.mark_bit != 0 {
                    PopError::Closed
                } else {
                    PopError::Empty
                });
            }
            // A producer claimed `head` and is writing it: a matter of instructions,
            // unless it was preempted right there.
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }

    /// Closes the ring; `true` if this call did.
    pub(super) fn close(&self) -> bool {
        self.tail.0.fetch_or(self.mark_bit, Ordering::SeqCst) & self.mark_bit == 0
    }

    pub(super) fn is_closed(&self) -> bool {
        self.tail.0.load(Ordering::SeqCst) & self.mark_bit != 0
    }

    /// How many values are in the ring (a snapshot).
    pub(super) fn len(&self) -> usize {
        loop {
            let tail = self.tail.0.load(Ordering::SeqCst);
            let head = self.head.0.load(Ordering::SeqCst);
            if self.tail.0.load(Ordering::SeqCst) != tail {
                continue;
            }
            let (h, t) = (self.index(head), self.index(tail));
            return if h < t {
                t - h
            } else if h > t {
                self.slots.len() - h + t
            } else if tail & !self.mark_bit == head {
                0
            } else {
                self.slots.len()
            };
        }
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // Exclusive access: every push completed, so the values sit in consecutive slots
        // from `head`.
        let mut head = *self.head.0.get_mut();
        loop {
            let slot = &mut self.slots[head & (self.mark_bit - 1)];
            if *slot.stamp.get_mut() != head + 1 {
                break;
            }
            // SAFETY: the stamp says this slot holds the initialised value for `head`, and
            // nothing reads it after this.
            unsafe { slot.value.get_mut().assume_init_drop() };
            *slot.stamp.get_mut() = head.wrapping_add(self.one_lap);
            head = self.next(head);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::Arc;
    use std::sync::atomic::AtomicIsize;

    /// Counts live instances, to catch a double drop or a leak.
    struct Tracked(u32, Arc<AtomicIsize>);

    impl Tracked {
        fn new(id: u32, live: &Arc<AtomicIsize>) -> Self {
            live.fetch_add(1, Ordering::Relaxed);
            Self(id, live.clone())
        }
    }

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.1.fetch_sub(1, Ordering::Relaxed);
        }
    }

    fn pop<T>(ring: &Ring<T>) -> Result<T, PopError> {
        // SAFETY: each test pops from its own thread only.
        unsafe { ring.pop() }
    }

    #[test]
    fn laps_keep_order_len_and_drop_everything_once() {
        for cap in [1, 2, 3, 5, 8] {
            let live = Arc::new(AtomicIsize::new(0));
            let ring = Ring::new(cap);
            let mut model = VecDeque::new();
            let mut id = 0;
            for round in 0..(if cfg!(miri) { 6 } else { 40 }) {
                for _ in 0..(round * 7 + 3) % (cap + 2) {
                    id += 1;
                    match ring.push(Tracked::new(id, &live)) {
                        Ok(()) => model.push_back(id),
                        Err(PushError::Full(v)) => assert_eq!(model.len(), cap, "{}", v.0),
                        Err(PushError::Closed(_)) => unreachable!(),
                    }
                }
                assert_eq!(ring.len(), model.len());
                for _ in 0..(round * 5 + 1) % (cap + 2) {
                    match pop(&ring) {
                        Ok(v) => assert_eq!(Some(v.0), model.pop_front()),
                        Err(e) => {
                            assert_eq!(e, PopError::Empty);
                            assert!(model.is_empty());
                        }
                    }
                }
                assert_eq!(ring.len(), model.len());
                assert_eq!(live.load(Ordering::Relaxed), model.len() as isize);
            }
            // Values still inside (possibly across the lap boundary) go with the ring.
            drop(ring);
            assert_eq!(live.load(Ordering::Relaxed), 0, "cap {cap}");
        }
    }

    #[test]
    fn close_keeps_values_then_reports_closed() {
        let ring = Ring::new(2);
        ring.push(String::from("a")).unwrap();
        assert!(ring.close());
        assert!(!ring.close());
        assert!(ring.is_closed());
        assert!(matches!(ring.push(String::from("b")), Err(PushError::Closed(s)) if s == "b"));
        assert_eq!(pop(&ring).unwrap(), "a");
        assert_eq!(pop(&ring), Err(PopError::Closed));
        let full = Ring::new(1);
        full.push(1).unwrap();
        full.close();
        assert!(matches!(full.push(2), Err(PushError::Closed(2))));
        assert_eq!(full.len(), 1);
    }

    #[test]
    fn zero_sized_values() {
        let ring = Ring::new(3);
        for _ in 0..10 {
            ring.push(()).unwrap();
            ring.push(()).unwrap();
            assert_eq!(ring.len(), 2);
            pop(&ring).unwrap();
            pop(&ring).unwrap();
        }
        assert_eq!(pop(&ring), Err(PopError::Empty));
    }

    #[test]
    fn producers_on_threads_one_consumer() {
        let per = if cfg!(miri) { 40 } else { 20_000 };
        let ring = Arc::new(Ring::new(4));
        let producers: Vec<_> = (0..3u32)
            .map(|p| {
                let ring = ring.clone();
                std::thread::spawn(move || {
                    for i in 0..per {
                        let mut v = (p, i);
                        loop {
                            match ring.push(v) {
                                Ok(()) => break,
                                Err(PushError::Full(back)) => v = back,
                                Err(PushError::Closed(_)) => unreachable!(),
                            }
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        let mut next = [0; 3];
        let mut n = 0;
        while n < 3 * per {
            match pop(&ring) {
                Ok((p, i)) => {
                    assert_eq!(next[p as usize], i);
                    next[p as usize] += 1;
                    n += 1;
                }
                Err(_) => std::thread::yield_now(),
            }
        }
        for p in producers {
            p.join().unwrap();
        }
        assert_eq!(pop(&ring), Err(PopError::Empty));
    }
}
