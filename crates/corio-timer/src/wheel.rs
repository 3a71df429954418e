//! A hierarchical timing wheel over integer ticks.
//!
//! Six levels of 64 slots cover `64^6 = 2^36` ticks ahead of [`Wheel::elapsed`]; an
//! entry lives in the level given by the highest 6-bit group in which its tick differs
//! from `elapsed`, so level 0 holds the ticks of the current 64-tick block, level 1 the
//! 64-tick blocks of the current 4096-tick block, and so on. When time reaches the start
//! of an occupied slot above level 0 its entries *cascade*: they are placed again relative
//! to the new `elapsed`, which puts them in a lower level. Ticks beyond the top level's
//! range wait in an overflow ("far") list that is redistributed when time reaches their
//! top-level block.
//!
//! Entries live in a slab (a `Vec` with a free list, `u32` indices); every slot is an
//! intrusive doubly linked list threaded through the slab, so insert, cancel and re-arm
//! are O(1). A fired entry stays in the slab, marked fired, until its owner removes it,
//! and keys carry a generation, so a key never silently refers to somebody else's entry.
//!
//! The wheel knows nothing of clocks or wakers: its user picks the tick (a millisecond, for
//! corio's driver) and decides what firing means.
//!
//! ```
//! use corio_timer::wheel::Wheel;
//!
//! // Deadlines in milliseconds; each entry holds what to do when it fires.
//! let mut wheel = Wheel::new();
//! wheel.insert(40, "retry the request");
//! let heartbeat = wheel.insert(25, "send a heartbeat");
//! wheel.insert(90_000, "close the idle connection");
//! assert_eq!(wheel.next_expiration(), Some(25));
//!
//! // The heartbeat was answered in time: cancel it, O(1).
//! assert_eq!(wheel.remove(heartbeat), Some("send a heartbeat"));
//!
//! let mut due = Vec::new();
//! wheel.drain_due(1_000, |action| due.push(action));
//! assert_eq!(due, ["retry the request"]);
//! assert_eq!(wheel.len(), 1, "the idle timeout is still pending");
//! ```

use std::fmt;

/// Bits of a tick handled by one level.
const SLOT_BITS: u32 = 6;
/// Slots per level.
const SLOTS: usize = 1 << SLOT_BITS;
/// Number of levels.
const LEVELS: usize = 6;
/// Ticks covered by all levels together, as a power of two.
const RANGE_BITS: u32 = SLOT_BITS * LEVELS as u32;
/// End-of-list marker for slab indices.
const NIL: u32 = u32::MAX;

/// Location of an entry: `0..FAR` is `level * SLOTS + slot`.
const FAR: u16 = (LEVELS * SLOTS) as u16;
/// The entry fired and waits for its owner to remove it.
const FIRED: u16 = FAR + 1;
/// The slab slot is on the free list.
const FREE: u16 = FAR + 2;
/// Number of lists: one per slot plus the far list.
const LISTS: usize = FAR as usize + 1;

/// Identifies an entry of a [`Wheel`].
///
/// Stays valid from [`Wheel::insert`] until [`Wheel::remove`], whether or not the entry
/// has fired; afterwards every method treats it as unknown.
///
/// ```
/// use corio_timer::wheel::Wheel;
///
/// let mut wheel = Wheel::new();
/// let key = wheel.insert(10, "a");
/// assert_eq!(wheel.remove(key), Some("a"));
/// assert_eq!(wheel.remove(key), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    index: u32,
    generation: u32,
}

struct Entry<T> {
    tick: u64,
    prev: u32,
    /// Next entry of the same list, or the next free slot while `loc == FREE`.
    next: u32,
    generation: u32,
    loc: u16,
    value: Option<T>,
}

#[derive(Clone, Copy)]
struct List {
    head: u32,
    tail: u32,
}

const EMPTY: List = List {
    head: NIL,
    tail: NIL,
};

/// A hierarchical timing wheel mapping integer ticks to values of type `T`.
///
/// The wheel is unit-free: the driver of this crate uses one tick per millisecond.
/// Time only moves forward, through [`advance`](Wheel::advance).
///
/// ```
/// use corio_timer::wheel::Wheel;
///
/// let mut wheel = Wheel::new();
/// let late = wheel.insert(5_000, "late");
/// let soon = wheel.insert(3, "soon");
/// assert!(wheel.next_expiration().unwrap() <= 3);
///
/// let mut fired = Vec::new();
/// wheel.advance(10, |_, v| fired.push(*v));
/// assert_eq!(fired, ["soon"]);
/// assert!(wheel.is_fired(soon) && !wheel.is_fired(late));
///
/// wheel.advance(5_000, |_, v| fired.push(*v));
/// assert_eq!(fired, ["soon", "late"]);
/// assert_eq!(wheel.remove(late), Some("late"));
/// ```
pub struct Wheel<T> {
    entries: Vec<Entry<T>>,
    free: u32,
    len: usize,
    elapsed: u64,
    occupied: [u64; LEVELS],
    lists: [List; LISTS],
    /// A lower bound of the ticks in the far list (exact after each redistribution).
    far_min: u64,
}

impl<T> Default for Wheel<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for Wheel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wheel")
            .field("elapsed", &self.elapsed)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl<T> Wheel<T> {
    /// Creates an empty wheel at tick 0.
    ///
    /// ```
    /// let wheel = corio_timer::wheel::Wheel::<()>::new();
    /// assert_eq!(wheel.elapsed(), 0);
    /// assert!(wheel.is_empty());
    /// ```
    pub const fn new() -> Self {
        Wheel {
            entries: Vec::new(),
            free: NIL,
            len: 0,
            elapsed: 0,
            occupied: [0; LEVELS],
            lists: [EMPTY; LISTS],
            far_min: u64::MAX,
        }
    }

    /// The tick up to which the wheel has been advanced.
    ///
    /// ```
    /// let mut wheel = corio_timer::wheel::Wheel::<()>::new();
    /// wheel.advance(42, |_, _| {});
    /// assert_eq!(wheel.elapsed(), 42);
    /// ```
    #[inline]
    pub fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Number of entries held: pending ones and fired ones not yet removed.
    ///
    /// ```
    /// let mut wheel = corio_timer::wheel::Wheel::new();
    /// let key = wheel.insert(1, ());
    /// wheel.advance(1, |_, _| {});
    /// assert_eq!(wheel.len(), 1); // fired, still held
    /// wheel.remove(key);
    /// assert_eq!(wheel.len(), 0);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the wheel holds no entry at all.
    ///
    /// ```
    /// let wheel = corio_timer::wheel::Wheel::<u8>::new();
    /// assert!(wheel.is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds an entry due at `tick`. A tick not after [`elapsed`](Wheel::elapsed) is due
    /// at once: it fires on the next [`advance`](Wheel::advance).
    ///
    /// # Panics
    ///
    /// If more than `u32::MAX - 1` entries are held at once.
    ///
    /// ```
    /// let mut wheel = corio_timer::wheel::Wheel::new();
    /// wheel.advance(100, |_, _| {});
    /// let key = wheel.insert(50, ()); // already in the past
    /// let mut fired = 0;
    /// wheel.advance(100, |_, _| fired += 1);
    /// assert_eq!(fired, 1);
    /// assert!(wheel.is_fired(key));
    /// ```
    #[inline]
    pub fn insert(&mut self, tick: u64, value: T) -> Key {
        let tick = tick.max(self.elapsed);
        let index = match self.free {
            NIL => {
                let index = u32::try_from(self.entries.len())
                    .ok()
                    .filter(|&i| i != NIL)
                    .expect("timer wheel holds more than u32::MAX - 1 entries");
                self.entries.push(Entry {
                    tick,
                    prev: NIL,
                    next: NIL,
                    generation: 0,
                    loc: FREE,
                    value: Some(value),
                });
                index
            }
            index => {
                let entry = &mut self.entries[index as usize];
                self.free = entry.next;
                entry.tick = tick;
                entry.value = Some(value);
                index
            }
        };
        self.len += 1;
        self.place(index);
        Key {
            index,
            generation: self.entries[index as usize].generation,
        }
    }

    /// Removes an entry, pending or fired, and returns its value; `None` for a key
    /// already removed.
    ///
    /// ```
    /// let mut wheel = corio_timer::wheel::Wheel::new();
    /// let key = wheel.insert(1_000_000, 7);
    /// assert_eq!(wheel.remove(key), Some(7));
    /// assert_eq!(wheel.next_expiration(), None);
    /// ```
    #[inline]
    pub fn remove(&mut self, key: Key) -> Option<T> {
        let index = self.check(key)?;
        self.unlink(index);
        self.release(index)
    }

    /// Returns an unlinked entry's slot to the free list; its key becomes stale.
    fn release(&mut self, index: u32) -> Option<T> {
        let free = self.free;
        let entry = &mut self.entries[index as usize];
        entry.loc = FREE;
        entry.next = free;
        entry.generation = entry.generation.wrapping_add(1);
        self.free = index;
        self.len -= 1;
        entry.value.take()
    }

    /// Re-arms an entry, pending or fired, for `tick` (clamped to
    /// [`elapsed`](Wheel::elapsed) like [`insert`](Wheel::insert)). Returns `false` for a
    /// key already removed.
    ///
    /// ```
    /// let mut wheel = corio_timer::wheel::Wheel::new();
    /// let key = wheel.insert(10, ());
    /// assert!(wheel.reset(key, 20));
    /// wheel.advance(15, |_, _| panic!("moved to 20"));
    /// let mut fired = 0;
    /// wheel.advance(20, |_, _| fired += 1);
    /// assert_eq!(fired, 1);
    /// ```
    #[inline]
    pub fn reset(&mut self, key: Key, tick: u64) -> bool {
        let Some(index) = self.check(key) else {
            return false;
        };
        self.unlink(index);
        self.entries[index as usize].tick = tick.max(self.elapsed);
        self.place(index);
        true
    }

    /// Whether the entry has fired (and not been re-armed); `false` for a removed key.
    ///
    /// ```
    /// let mut wheel = corio_timer::wheel::Wheel::new();
    /// let key = wheel.insert(3, ());
    /// assert!(!wheel.is_fired(key));
    /// wheel.advance(3, |_, _| {});
    /// assert!(wheel.is_fired(key));
    /// ```
    #[inline]
    pub fn is_fired(&self, key: Key) -> bool {
        self.check(key)
            .is_some_and(|i| self.entries[i as usize].loc == FIRED)
    }

    /// The value of an entry, pending or fired; `None` for a removed key.
    ///
    /// ```
    /// let mut wheel = corio_timer::wheel::Wheel::new();
    /// let key = wheel.insert(3, 1);
    /// *wheel.get_mut(key).unwrap() += 1;
    /// assert_eq!(wheel.remove(key), Some(2));
    /// ```
    #[inline]
    pub fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        let index = self.check(key)?;
        self.entries[index as usize].value.as_mut()
    }

    /// The tick at which [`advance`](Wheel::advance) next has work, `None` when nothing
    /// is pending.
    ///
    /// This may be a cascade point earlier than any deadline (advancing there only moves
    /// entries to lower levels), but it is never later than the earliest pending tick.
    ///
    /// ```
    /// let mut wheel = corio_timer::wheel::Wheel::new();
    /// assert_eq!(wheel.next_expiration(), None);
    /// wheel.insert(7, ());
    /// assert_eq!(wheel.next_expiration(), Some(7));
    /// wheel.insert(1 << 40, ());
    /// assert_eq!(wheel.next_expiration(), Some(7));
    /// ```
    pub fn next_expiration(&self) -> Option<u64> {
        for (level, &bits) in self.occupied.iter().enumerate() {
            if bits != 0 {
                return Some(self.slot_start(level, bits.trailing_zeros()));
            }
        }
        if self.lists[FAR as usize].head == NIL {
            return None;
        }
        // Every far tick lies in a later top-level block than `elapsed`, so the block of
        // the (lower bound of the) smallest one starts after `elapsed`.
        Some(self.far_min & !((1u64 << RANGE_BITS) - 1))
    }

    /// Moves time to `now`, calling `f` for every entry due at or before `now`, in
    /// non-decreasing tick order (entries of one tick in insertion order).
    ///
    /// Fired entries stay in the wheel, marked fired, until [`remove`](Wheel::remove)d.
    /// A `now` before [`elapsed`](Wheel::elapsed) is treated as `elapsed`: entries due
    /// at once still fire, time does not go back.
    ///
    /// ```
    /// let mut wheel = corio_timer::wheel::Wheel::new();
    /// for tick in [300, 1, 70, 70] {
    ///     wheel.insert(tick, tick);
    /// }
    /// let mut order = Vec::new();
    /// wheel.advance(1_000, |_, &mut t| order.push(t));
    /// assert_eq!(order, [1, 70, 70, 300]);
    /// ```
    pub fn advance(&mut self, now: u64, mut f: impl FnMut(Key, &mut T)) {
        self.run_until(now, |wheel, index| {
            let entry = &mut wheel.entries[index as usize];
            entry.loc = FIRED;
            let key = Key {
                index,
                generation: entry.generation,
            };
            if let Some(value) = entry.value.as_mut() {
                f(key, value);
            }
        });
    }

    /// Like [`advance`](Wheel::advance), but due entries leave the wheel as they fire:
    /// `f` gets their values, in the same order, and their keys become stale (`remove`
    /// returns `None`, `is_fired` `false`). Saves the owner a second visit per timer.
    ///
    /// ```
    /// let mut wheel = corio_timer::wheel::Wheel::new();
    /// let key = wheel.insert(5, "due");
    /// wheel.insert(50, "later");
    /// let mut fired = Vec::new();
    /// wheel.drain_due(10, |v| fired.push(v));
    /// assert_eq!(fired, ["due"]);
    /// assert_eq!(wheel.remove(key), None);
    /// assert_eq!(wheel.len(), 1);
    /// ```
    pub fn drain_due(&mut self, now: u64, mut f: impl FnMut(T)) {
        self.run_until(now, |wheel, index| {
            if let Some(value) = wheel.release(index) {
                f(value);
            }
        });
    }

    /// Moves time to `now`, handing every entry due on the way to `fire` (already
    /// detached from its slot list).
    fn run_until(&mut self, now: u64, mut fire: impl FnMut(&mut Self, u32)) {
        let now = now.max(self.elapsed);
        while let Some(at) = self.next_expiration() {
            if at > now {
                break;
            }
            self.process(at, &mut fire);
        }
        self.elapsed = now;
    }

    /// Handles the work found by `next_expiration` at `at`.
    fn process(&mut self, at: u64, fire: &mut impl FnMut(&mut Self, u32)) {
        self.elapsed = at;
        let Some(level) = self.occupied.iter().position(|&bits| bits != 0) else {
            self.redistribute_far();
            return;
        };
        let slot = self.occupied[level].trailing_zeros() as usize;
        self.occupied[level] &= !(1u64 << slot);
        let list = std::mem::replace(&mut self.lists[level * SLOTS + slot], EMPTY);
        let mut cursor = list.head;
        while cursor != NIL {
            let index = cursor;
            cursor = self.entries[index as usize].next;
            if level == 0 {
                // Everything in a level-0 slot is due exactly at `at`.
                fire(self, index);
            } else {
                self.place(index);
            }
        }
    }

    /// Time reached the top-level block of the far list's smallest tick: move the
    /// entries of that block into the levels.
    fn redistribute_far(&mut self) {
        let list = std::mem::replace(&mut self.lists[FAR as usize], EMPTY);
        self.far_min = u64::MAX;
        let mut cursor = list.head;
        while cursor != NIL {
            let index = cursor;
            cursor = self.entries[index as usize].next;
            self.place(index);
        }
    }

    /// Start tick of `slot` at `level` in the current block of `elapsed`.
    fn slot_start(&self, level: usize, slot: u32) -> u64 {
        let shift = SLOT_BITS * level as u32;
        let block = self.elapsed & !((1u64 << (shift + SLOT_BITS)) - 1);
        block | (u64::from(slot) << shift)
    }

    /// Returns the slab index of a live entry.
    #[inline]
    fn check(&self, key: Key) -> Option<u32> {
        let entry = self.entries.get(key.index as usize)?;
        (entry.generation == key.generation && entry.loc != FREE).then_some(key.index)
    }

    /// Links an unlinked entry into the list its tick belongs to, relative to `elapsed`.
    #[inline]
    fn place(&mut self, index: u32) {
        let tick = self.entries[index as usize].tick;
        // Highest bit in which tick and elapsed differ, at least the top bit of level 0.
        let significant = 63 - ((tick ^ self.elapsed) | (SLOTS as u64 - 1)).leading_zeros();
        let level = (significant / SLOT_BITS) as usize;
        let loc = if level < LEVELS {
            let slot = ((tick >> (SLOT_BITS * level as u32)) & (SLOTS as u64 - 1)) as usize;
            self.occupied[level] |= 1u64 << slot;
            level * SLOTS + slot
        } else {
            self.far_min = self.far_min.min(tick);
            FAR as usize
        };
        let tail = self.lists[loc].tail;
        let entry = &mut self.entries[index as usize];
        entry.loc = loc as u16;
        entry.prev = tail;
        entry.next = NIL;
        match tail {
            NIL => self.lists[loc].head = index,
            tail => self.entries[tail as usize].next = index,
        }
        self.lists[loc].tail = index;
    }

    /// Takes a live entry out of its list (a no-op for a fired entry).
    #[inline]
    fn unlink(&mut self, index: u32) {
        let Entry {
            loc, prev, next, ..
        } = self.entries[index as usize];
        if loc >= FIRED {
            return;
        }
        let loc = loc as usize;
        match prev {
            NIL => self.lists[loc].head = next,
            prev => self.entries[prev as usize].next = next,
        }
        match next {
            NIL => self.lists[loc].tail = prev,
            next => self.entries[next as usize].prev = prev,
        }
        if self.lists[loc].head == NIL {
            if loc < FAR as usize {
                self.occupied[loc / SLOTS] &= !(1u64 << (loc % SLOTS));
            } else {
                // Time may pass the stale bound once nothing is far.
                self.far_min = u64::MAX;
            }
        }
        self.entries[index as usize].loc = FIRED;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(wheel: &mut Wheel<u64>, now: u64) -> Vec<u64> {
        let mut out = Vec::new();
        wheel.advance(now, |_, v| out.push(*v));
        out
    }

    #[test]
    fn fires_each_level_at_its_tick() {
        let mut wheel = Wheel::new();
        let ticks = [
            0,
            1,
            63,
            64,
            65,
            4095,
            4096,
            1 << 18,
            (1 << 24) + 3,
            (1 << 30) + 9,
        ];
        for &t in &ticks {
            wheel.insert(t, t);
        }
        for &t in &ticks {
            assert!(wheel.next_expiration().unwrap() <= t);
            if t > 0 {
                assert!(drain(&mut wheel, t - 1).is_empty(), "early at {t}");
            }
            assert_eq!(drain(&mut wheel, t), [t]);
        }
        assert_eq!(wheel.next_expiration(), None);
        assert_eq!(wheel.len(), ticks.len());
    }

    #[test]
    fn stepping_one_tick_at_a_time_fires_in_order() {
        let mut wheel = Wheel::new();
        let ticks = [5000u64, 3, 4096, 4095, 64, 63, 200, 3];
        for &t in &ticks {
            wheel.insert(t, t);
        }
        let mut fired = Vec::new();
        for now in 0..=5000 {
            for t in drain(&mut wheel, now) {
                assert_eq!(t, now);
                fired.push(t);
            }
        }
        let mut sorted = ticks.to_vec();
        sorted.sort_unstable();
        assert_eq!(fired, sorted);
    }

    #[test]
    fn same_tick_fires_in_insertion_order_across_levels() {
        let mut wheel = Wheel::new();
        wheel.insert(100, 1); // level 1 at elapsed 0
        wheel.advance(50, |_, _| {});
        wheel.insert(100, 2); // still level 1
        wheel.advance(70, |_, _| {}); // 64 reached: cascaded to level 0
        wheel.insert(100, 3); // level 0 directly
        assert_eq!(drain(&mut wheel, 100), [1, 2, 3]);
    }

    #[test]
    fn remove_pending_and_fired() {
        let mut wheel = Wheel::new();
        let a = wheel.insert(10, 1);
        let b = wheel.insert(10, 2);
        let c = wheel.insert(10, 3);
        assert_eq!(wheel.remove(b), Some(2)); // middle of a list
        assert_eq!(drain(&mut wheel, 10), [1, 3]);
        assert!(wheel.is_fired(a));
        assert_eq!(wheel.remove(a), Some(1));
        assert_eq!(wheel.remove(c), Some(3));
        assert!(wheel.is_empty());
        assert_eq!(wheel.remove(a), None);
        assert!(!wheel.is_fired(a));
    }

    #[test]
    fn removing_last_entry_clears_slot() {
        let mut wheel = Wheel::new();
        let keys: Vec<_> = (0..5).map(|i| wheel.insert(1000, i)).collect();
        for key in keys.iter().rev() {
            wheel.remove(*key);
        }
        assert_eq!(wheel.next_expiration(), None);
        assert!(drain(&mut wheel, u64::MAX).is_empty());
    }

    #[test]
    fn stale_key_does_not_touch_reused_slot() {
        let mut wheel = Wheel::new();
        let old = wheel.insert(5, 1);
        wheel.remove(old);
        let new = wheel.insert(6, 2);
        assert_eq!(old.index, new.index);
        assert_eq!(wheel.remove(old), None);
        assert!(!wheel.reset(old, 1));
        assert_eq!(wheel.get_mut(old), None);
        assert_eq!(drain(&mut wheel, 6), [2]);
    }

    #[test]
    fn past_tick_is_due_on_next_advance() {
        let mut wheel = Wheel::new();
        wheel.advance(1000, |_, _| {});
        wheel.insert(3, 3);
        wheel.insert(1000, 1000);
        assert_eq!(wheel.next_expiration(), Some(1000));
        // An advance to an earlier time still fires what is due.
        assert_eq!(drain(&mut wheel, 10), [3, 1000]);
        assert_eq!(wheel.elapsed(), 1000);
    }

    #[test]
    fn reset_pending_and_fired() {
        let mut wheel = Wheel::new();
        let key = wheel.insert(10, 7);
        assert!(wheel.reset(key, 1 << 20));
        assert!(drain(&mut wheel, 1000).is_empty());
        assert!(wheel.reset(key, 1001));
        assert_eq!(drain(&mut wheel, 1001), [7]);
        assert!(wheel.is_fired(key));
        assert!(wheel.reset(key, 2000));
        assert!(!wheel.is_fired(key));
        assert_eq!(drain(&mut wheel, 1999), Vec::<u64>::new());
        assert_eq!(drain(&mut wheel, 2000), [7]);
        assert_eq!(wheel.len(), 1);
    }

    #[test]
    fn far_ticks_and_u64_max() {
        let mut wheel = Wheel::new();
        let top = 1u64 << RANGE_BITS;
        wheel.insert(u64::MAX, u64::MAX);
        wheel.insert(top + 5, top + 5);
        wheel.insert(top - 1, top - 1);
        wheel.insert(3 * top + 1, 3 * top + 1);
        // Levels first.
        assert!(wheel.next_expiration().unwrap() < top);
        assert_eq!(drain(&mut wheel, top - 1), [top - 1]);
        // Then the far list's block.
        assert_eq!(wheel.next_expiration(), Some(top));
        assert!(drain(&mut wheel, top + 4).is_empty());
        assert_eq!(drain(&mut wheel, top + 5), [top + 5]);
        assert_eq!(wheel.next_expiration(), Some(3 * top));
        assert_eq!(drain(&mut wheel, u64::MAX - 1), [3 * top + 1]);
        assert_eq!(drain(&mut wheel, u64::MAX), [u64::MAX]);
        assert_eq!(wheel.next_expiration(), None);
        // At the end of time, inserts are due at once and still fire.
        wheel.insert(0, 0);
        wheel.insert(u64::MAX, 1);
        assert_eq!(wheel.next_expiration(), Some(u64::MAX));
        assert_eq!(drain(&mut wheel, u64::MAX), [0, 1]);
    }

    #[test]
    fn emptied_far_list_forgets_its_minimum() {
        let mut wheel = Wheel::new();
        let top = 1u64 << RANGE_BITS;
        let key = wheel.insert(top, 0);
        wheel.remove(key);
        wheel.advance(top + top / 2, |_, _| {});
        wheel.insert(3 * top, 3);
        assert_eq!(wheel.next_expiration(), Some(3 * top));
        assert_eq!(drain(&mut wheel, 3 * top), [3]);
    }

    #[test]
    fn stale_far_min_after_remove_still_progresses() {
        let mut wheel = Wheel::new();
        let top = 1u64 << RANGE_BITS;
        let near = wheel.insert(top + 1, 1);
        wheel.insert(5 * top + 2, 2);
        wheel.remove(near);
        // The lower bound may point at the removed block; advancing there is harmless.
        let next = wheel.next_expiration().unwrap();
        assert!(next <= 5 * top + 2);
        assert!(drain(&mut wheel, 5 * top + 1).is_empty());
        assert_eq!(drain(&mut wheel, 5 * top + 2), [2]);
    }

    #[test]
    fn big_jump_fires_everything_in_order() {
        let mut wheel = Wheel::new();
        let mut ticks: Vec<u64> = (0..2000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20)
            .collect();
        for &t in &ticks {
            wheel.insert(t, t);
        }
        let fired = drain(&mut wheel, u64::MAX);
        ticks.sort_unstable();
        assert_eq!(fired, ticks);
    }

    #[test]
    fn slots_are_reused() {
        let mut wheel = Wheel::new();
        for i in 0..1000 {
            let key = wheel.insert(i * 7, i);
            wheel.remove(key);
        }
        assert_eq!(wheel.entries.len(), 1);
    }
}
