//! State-machine test of `Wheel` against a sorted map: random inserts (every level, the
//! far list, near `u64::MAX`, the past), removes, re-arms and advances (small steps and
//! huge jumps).

use std::collections::{BTreeMap, HashMap};

use corio_timer::wheel::{Key, Wheel};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// Insert at `elapsed + offset` (saturating).
    Insert(u64),
    /// Insert `back` ticks before `elapsed`.
    InsertPast(u64),
    /// Remove the `n % live`-th live entry (pending or fired).
    Remove(usize),
    /// Re-arm the `n % live`-th live entry at `elapsed + offset`.
    Reset(usize, u64),
    /// Advance by this many ticks (saturating).
    Advance(u64),
    /// Advance to the end of time.
    AdvanceToEnd,
    /// `drain_due` by this many ticks: like `Advance`, but fired entries leave the wheel.
    Drain(u64),
}

/// Offsets that land in each level, the far list and near the end of the tick range.
fn offset() -> impl Strategy<Value = u64> {
    prop_oneof![
        0..64u64,
        0..(1u64 << 12),
        0..(1u64 << 18),
        0..(1u64 << 24),
        0..(1u64 << 36),
        (1u64 << 36)..(1u64 << 44),
        (u64::MAX - (1 << 20))..=u64::MAX,
        any::<u64>(),
    ]
}

fn step() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 0..8u64,
        3 => 0..200u64,
        2 => 0..(1u64 << 14),
        1 => 0..(1u64 << 26),
        1 => 0..(1u64 << 38),
        1 => any::<u64>(),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => offset().prop_map(Op::Insert),
        1 => (0..1000u64).prop_map(Op::InsertPast),
        2 => any::<usize>().prop_map(Op::Remove),
        1 => (any::<usize>(), offset()).prop_map(|(n, o)| Op::Reset(n, o)),
        4 => step().prop_map(Op::Advance),
        2 => step().prop_map(Op::Drain),
        1 => Just(Op::AdvanceToEnd),
    ]
}

#[derive(Default)]
struct Model {
    /// Pending entries, in the order they must fire.
    pending: BTreeMap<(u64, u64), u32>,
    /// id -> (key, pending position if pending).
    live: HashMap<u32, (Key, Option<(u64, u64)>)>,
    /// Live ids in creation order, for picking one by index.
    ids: Vec<u32>,
    seq: u64,
    next_id: u32,
}

impl Model {
    fn schedule(&mut self, id: u32, tick: u64) -> (u64, u64) {
        self.seq += 1;
        let slot = (tick, self.seq);
        self.pending.insert(slot, id);
        slot
    }

    fn pick(&self, n: usize) -> Option<u32> {
        (!self.ids.is_empty()).then(|| self.ids[n % self.ids.len()])
    }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut wheel = Wheel::<u32>::new();
    let mut model = Model::default();
    for op in ops {
        let elapsed = wheel.elapsed();
        match op {
            Op::Insert(_) | Op::InsertPast(_) => {
                let tick = match op {
                    Op::Insert(off) => elapsed.saturating_add(off),
                    Op::InsertPast(back) => elapsed.saturating_sub(back),
                    _ => unreachable!(),
                };
                let id = model.next_id;
                model.next_id += 1;
                let key = wheel.insert(tick, id);
                // A past tick is due at once, i.e. at `elapsed`.
                let slot = model.schedule(id, tick.max(elapsed));
                model.live.insert(id, (key, Some(slot)));
                model.ids.push(id);
            }
            Op::Remove(n) => {
                let Some(id) = model.pick(n) else { continue };
                let (key, slot) = model.live.remove(&id).unwrap();
                model.ids.retain(|&i| i != id);
                if let Some(slot) = slot {
                    model.pending.remove(&slot);
                }
                prop_assert_eq!(wheel.remove(key), Some(id));
                prop_assert_eq!(wheel.remove(key), None);
            }
            Op::Reset(n, off) => {
                let Some(id) = model.pick(n) else { continue };
                let tick = elapsed.saturating_add(off);
                let (key, slot) = model.live[&id];
                if let Some(slot) = slot {
                    model.pending.remove(&slot);
                }
                prop_assert!(wheel.reset(key, tick));
                prop_assert!(!wheel.is_fired(key));
                let slot = model.schedule(id, tick);
                model.live.insert(id, (key, Some(slot)));
            }
            Op::Advance(_) | Op::AdvanceToEnd => {
                let now = match op {
                    Op::Advance(by) => elapsed.saturating_add(by),
                    _ => u64::MAX,
                };
                let mut fired = Vec::new();
                wheel.advance(now, |key, &mut id| fired.push((key, id)));
                let mut expected = Vec::new();
                while let Some(entry) = model.pending.first_entry() {
                    if entry.key().0 > now {
                        break;
                    }
                    let (slot, id) = entry.remove_entry();
                    expected.push((slot.0, id));
                    model.live.get_mut(&id).unwrap().1 = None;
                }
                // Same entries, in (tick, insertion) order: non-decreasing ticks, nothing
                // early (every expected tick is <= now), nothing lost.
                let got: Vec<u32> = fired.iter().map(|&(_, id)| id).collect();
                let want: Vec<u32> = expected.iter().map(|&(_, id)| id).collect();
                prop_assert_eq!(got, want, "fired set/order at now={}", now);
                for &(key, id) in &fired {
                    prop_assert_eq!(model.live[&id].0, key);
                    prop_assert!(wheel.is_fired(key));
                }
                prop_assert_eq!(wheel.elapsed(), now.max(elapsed));
            }
            Op::Drain(by) => {
                let now = elapsed.saturating_add(by);
                let mut got = Vec::new();
                wheel.drain_due(now, |id| got.push(id));
                let mut want = Vec::new();
                while let Some(entry) = model.pending.first_entry() {
                    if entry.key().0 > now {
                        break;
                    }
                    want.push(entry.remove());
                }
                prop_assert_eq!(&got, &want, "drained set/order at now={}", now);
                for id in want {
                    // The entry left the wheel: its key is stale.
                    let (key, _) = model.live.remove(&id).unwrap();
                    model.ids.retain(|&i| i != id);
                    prop_assert!(!wheel.is_fired(key));
                    prop_assert_eq!(wheel.remove(key), None);
                }
                prop_assert_eq!(wheel.elapsed(), now.max(elapsed));
            }
        }
        // Invariants after every operation.
        prop_assert_eq!(wheel.len(), model.live.len());
        match model.pending.first_key_value() {
            None => prop_assert_eq!(wheel.next_expiration(), None),
            Some((&(tick, _), _)) => {
                let next = wheel.next_expiration();
                prop_assert!(next.is_some(), "pending entry but no expiration");
                let next = next.unwrap();
                prop_assert!(next <= tick, "next_expiration {} later than {}", next, tick);
                prop_assert!(next >= wheel.elapsed());
            }
        }
        for (id, &(key, slot)) in &model.live {
            prop_assert_eq!(wheel.is_fired(key), slot.is_none(), "fired state of {}", id);
        }
    }
    // Draining to the end fires every pending entry exactly once.
    let mut rest = Vec::new();
    wheel.advance(u64::MAX, |_, &mut id| rest.push(id));
    let want: Vec<u32> = model.pending.values().copied().collect();
    prop_assert_eq!(rest, want);
    prop_assert_eq!(wheel.next_expiration(), None);
    Ok(())
}

proptest! {
    // 512 cases keep the debug run to a few seconds; PROPTEST_CASES=100000 for a soak.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn wheel_matches_sorted_map(ops in prop::collection::vec(op(), 1..160)) {
        run(ops)?;
    }
}

/// Many timers in one level-0 slot and a long walk of single steps: a stepping loop never
/// fires early and never skips a tick.
#[test]
fn stepping_matches_model_exactly() {
    let mut wheel = Wheel::new();
    let mut expected = BTreeMap::new();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for seq in 0..3000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let tick = x % 20_000;
        wheel.insert(tick, seq);
        expected.insert((tick, seq), seq);
    }
    let mut now = 0;
    while let Some(next) = wheel.next_expiration() {
        assert!(next >= now);
        now = next;
        let mut fired = Vec::new();
        wheel.advance(now, |_, &mut s| fired.push(s));
        let want: Vec<u64> = expected
            .range(..=(now, u64::MAX))
            .map(|(_, &s)| s)
            .collect();
        expected.retain(|&(t, _), _| t > now);
        assert_eq!(fired, want, "at {now}");
    }
    assert!(expected.is_empty());
}
