//! The listing of a runtime's live tasks, behind `all_tasks()` and shutdown.
//!
//! Sharded so that spawn and completion never take a runtime-wide lock: a task registers in
//! the shard of the thread that spawns it (each worker has its own), and leaves it when it
//! finishes or is cancelled. Each entry holds a waker of the task, which keeps the task's
//! allocation (and so its metadata) alive while it is listed and lets shutdown wake it to
//! drop it. Entries live in fixed pages, so the listing never over-allocates by more than
//! one page per shard.
//!
//! The registry also holds the runtime's debug settings ([`Diagnostics`]), which decide what
//! a spawn records about the task it lists.
//!
//! A shard also keeps the task-local values of its tasks that have any (`Meta::has_locals`),
//! by slot: a task that never uses task-locals costs nothing there.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;

use crate::debug::Diagnostics;
use crate::dump::TaskDump;
use crate::info::TaskInfo;
use crate::locals::Values;
use crate::meta::{Meta, MetaRef};
use crate::parker::lock;

const PAGE: usize = 256;
const NONE: u32 = u32::MAX;

/// Where a task is listed; the metadata address only identifies it and is never read
/// through a key.
#[derive(Clone, Copy)]
pub(crate) struct Key {
    shard: u16,
    slot: u32,
    meta: usize,
}

impl Key {
    pub(crate) fn of(meta: &Meta) -> Key {
        Key {
            shard: meta.shard(),
            slot: meta.slot(),
            meta: meta as *const Meta as usize,
        }
    }
}

pub(crate) struct Registry {
    shards: Box<[Padded<Mutex<Shard>>]>,
    /// Read by every spawn, written only when configured: on a cache line of its own, so
    /// that no hot field of the scheduler around it makes the read a miss on another core.
    diagnostics: Padded<Diagnostics>,
}

/// Keeps each shard's lock on its own cache lines.
#[repr(align(128))]
struct Padded<T>(T);

#[derive(Default)]
struct Shard {
    pages: Vec<Box<[Entry]>>,
    free: u32,
    len: usize,
    closed: bool,
    /// Task-local values by slot, for the tasks that have some.
    locals: HashMap<u32, Arc<Values>>,
}

enum Entry {
    Vacant(u32),
    Occupied(Waker, MetaRef),
}

/// Reads a listed task's metadata.
fn meta_of(m: &MetaRef) -> &Meta {
    // SAFETY: an entry's waker holds a reference count on the task, so the allocation that
    // holds the metadata outlives the entry; entries are only read under the shard lock,
    // while present.
    unsafe { m.get() }
}

impl Registry {
    pub(crate) fn new(shards: usize) -> Registry {
        let n = shards.clamp(1, 1 << 10).next_power_of_two();
        Registry {
            shards: (0..n)
                .map(|_| {
                    Padded(Mutex::new(Shard {
                        free: NONE,
                        ..Shard::default()
                    }))
                })
                .collect(),
            diagnostics: Padded(Diagnostics::default()),
        }
    }

    pub(crate) fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics.0
    }

    /// The shard this thread registers its spawns in: each thread gets its own number, so
    /// workers (and most foreign threads) do not share a shard.
    pub(crate) fn shard_for_this_thread(&self) -> u16 {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        thread_local! {
            static HINT: Cell<usize> = const { Cell::new(usize::MAX) };
        }
        let hint = HINT
            .try_with(|h| {
                if h.get() == usize::MAX {
                    h.set(NEXT.fetch_add(1, Ordering::Relaxed));
                }
                h.get()
            })
            .unwrap_or(0);
        (hint & (self.shards.len() - 1)) as u16
    }

    /// Lists a just-spawned task with the task-local values it inherits. Fails once the
    /// registry is closed by shutdown.
    pub(crate) fn insert(
        &self,
        meta: &Meta,
        waker: Waker,
        values: Option<Arc<Values>>,
    ) -> Result<(), Waker> {
        let mut shard = lock(&self.shards[usize::from(meta.shard())].0);
        if shard.closed {
            drop(shard);
            drop(values);
            return Err(waker);
        }
        let entry = Entry::Occupied(waker, MetaRef::new(meta));
        let slot = if shard.free != NONE {
            let slot = shard.free;
            let e = shard.entry_mut(slot);
            if let Entry::Vacant(next) = *e {
                *e = entry;
                shard.free = next;
            }
            slot
        } else {
            let slot = (shard.pages.len() * PAGE) as u32;
            let mut page: Vec<Entry> = Vec::with_capacity(PAGE);
            page.push(entry);
            // Chain the rest of the page into the free list, lowest slot first.
            page.extend((1..PAGE as u32).map(|i| {
                if i + 1 < PAGE as u32 {
                    Entry::Vacant(slot + i + 1)
                } else {
                    Entry::Vacant(NONE)
                }
            }));
            shard.pages.push(page.into_boxed_slice());
            shard.free = slot + 1;
            slot
        };
        shard.len += 1;
        meta.set_slot(slot);
        if let Some(values) = values {
            shard.locals.insert(slot, values);
            meta.set_has_locals();
        }
        Ok(())
    }

    /// The task-local values of a listed task.
    pub(crate) fn locals(&self, key: Key) -> Option<Arc<Values>> {
        let shard = lock(&self.shards[usize::from(key.shard)].0);
        shard.locals.get(&key.slot).cloned()
    }

    /// Replaces the task-local values of a listed task (the caller runs it, so it is listed).
    pub(crate) fn set_locals(&self, key: Key, values: Option<Arc<Values>>) {
        let old = {
            let mut shard = lock(&self.shards[usize::from(key.shard)].0);
            match values {
                Some(v) => shard.locals.insert(key.slot, v),
                None => shard.locals.remove(&key.slot),
            }
        };
        // Dropped outside the lock: values have user destructors.
        drop(old);
    }

    /// Unlists a finished or dropped task. Unknown keys are ignored.
    pub(crate) fn remove(&self, key: Key) {
        let (waker, values) = {
            let mut shard = lock(&self.shards[usize::from(key.shard)].0);
            if key.slot as usize >= shard.pages.len() * PAGE {
                return;
            }
            let free = shard.free;
            let e = shard.entry_mut(key.slot);
            match e {
                Entry::Occupied(_, m) if m.addr() == key.meta => {}
                _ => return,
            }
            let Entry::Occupied(waker, _) = std::mem::replace(e, Entry::Vacant(free)) else {
                return;
            };
            shard.free = key.slot;
            shard.len -= 1;
            let values = if shard.locals.is_empty() {
                None
            } else {
                shard.locals.remove(&key.slot)
            };
            (waker, values)
        };
        // Dropped outside the lock: it may free the task, or run a value's destructor.
        drop(waker);
        drop(values);
    }

    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(&s.0).len).sum()
    }

    pub(crate) fn snapshot(&self) -> Vec<TaskInfo> {
        let mut out = Vec::new();
        for shard in self.shards.iter() {
            let shard = lock(&shard.0);
            // A finished task leaves the listing right after its last poll; skip it already.
            out.extend(
                shard
                    .occupied()
                    .map(|(_, m)| meta_of(m))
                    .filter(|m| !m.is_done())
                    .map(TaskInfo::from_meta),
            );
        }
        out.sort_by_key(TaskInfo::id);
        out
    }

    /// Debug mode's report of what shutdown is about to cancel.
    pub(crate) fn report_pending(&self) {
        if !self.diagnostics().reports_pending() {
            return;
        }
        let pending = TaskDump::new(self.snapshot());
        if !pending.is_empty() {
            eprintln!(
                "corio: shutting down with tasks still pending; they are cancelled now.\n{pending}"
            );
        }
    }

    /// Marks every listed task cancelled and wakes it, so that the scheduler drops it.
    pub(crate) fn cancel_all(&self) {
        let mut wakers = Vec::new();
        for shard in self.shards.iter() {
            let shard = lock(&shard.0);
            for (w, m) in shard.occupied() {
                meta_of(m).request_cancel();
                wakers.push(w.clone());
            }
        }
        // Woken outside the locks: scheduling may run arbitrary code.
        for w in wakers {
            w.wake();
        }
    }

    /// Refuses all further inserts.
    pub(crate) fn close(&self) {
        for shard in self.shards.iter() {
            lock(&shard.0).closed = true;
        }
    }
}

impl Shard {
    fn entry_mut(&mut self, slot: u32) -> &mut Entry {
        let slot = slot as usize;
        &mut self.pages[slot / PAGE][slot % PAGE]
    }

    fn occupied(&self) -> impl Iterator<Item = (&Waker, &MetaRef)> {
        self.pages
            .iter()
            .flat_map(|p| p.iter())
            .filter_map(|e| match e {
                Entry::Occupied(w, m) => Some((w, m)),
                Entry::Vacant(_) => None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_is_24_bytes() {
        assert!(std::mem::size_of::<Entry>() <= 24);
    }

    #[test]
    fn insert_remove_reuses_slots() {
        let reg = Registry::new(1);
        let metas: Vec<Meta> = (0..600).map(|_| Meta::new(None, 0)).collect();
        for m in &metas {
            reg.insert(m, Waker::noop().clone(), None).ok().unwrap();
        }
        assert_eq!(reg.len(), 600);
        assert_eq!(reg.snapshot().len(), 600);
        for m in &metas[..300] {
            reg.remove(Key::of(m));
            reg.remove(Key::of(m)); // twice: ignored
        }
        assert_eq!(reg.len(), 300);
        let again = Meta::new(None, 0);
        reg.insert(&again, Waker::noop().clone(), None)
            .ok()
            .unwrap();
        assert!(again.slot() < 300);
        reg.close();
        assert!(
            reg.insert(&Meta::new(None, 0), Waker::noop().clone(), None)
                .is_err()
        );
    }
}
