//! The reactor's table of live sources, indexed by their poller key.
//!
//! A `Vec` of slots plus a free list is all the `slab` crate would give us here; keys are
//! reused so the table stays as small as the peak number of registrations.

use std::sync::Arc;

use crate::source::Source;

/// Live sources by key. The key is the slot index and is what the poller reports.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    slots: Vec<Option<Arc<Source>>>,
    free: Vec<usize>,
    len: usize,
}

impl Registry {
    /// Creates a source under a free key and stores it.
    pub(crate) fn insert(&mut self) -> Arc<Source> {
        let key = self.free.pop().unwrap_or(self.slots.len());
        let source = Arc::new(Source::new(key));
        if key == self.slots.len() {
            self.slots.push(Some(source.clone()));
        } else {
            self.slots[key] = Some(source.clone());
        }
        self.len += 1;
        source
    }

    /// Removes `source` if it still owns its key.
    pub(crate) fn remove(&mut self, source: &Arc<Source>) {
        if let Some(slot) = self.slots.get_mut(source.key) {
            if slot.as_ref().is_some_and(|s| Arc::ptr_eq(s, source)) {
                *slot = None;
                self.free.push(source.key);
                self.len -= 1;
            }
        }
    }

    /// The source registered under `key`, if any.
    pub(crate) fn get(&self, key: usize) -> Option<&Arc<Source>> {
        self.slots.get(key).and_then(Option::as_ref)
    }

    /// Number of live sources.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_reused_and_counted() {
        let mut r = Registry::default();
        let a = r.insert();
        let b = r.insert();
        assert_eq!((a.key, b.key, r.len()), (0, 1, 2));
        r.remove(&a);
        assert!(r.get(0).is_none());
        assert_eq!(r.len(), 1);
        let c = r.insert();
        assert_eq!(c.key, 0);
        // Removing a stale handle for a reused key leaves the new owner alone.
        r.remove(&a);
        assert!(r.get(0).is_some_and(|s| Arc::ptr_eq(s, &c)));
        assert_eq!(r.len(), 2);
    }
}
