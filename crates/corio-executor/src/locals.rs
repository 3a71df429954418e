//! Where task-local values live while code runs: an immutable set of values per task,
//! shared by `Arc` so that inheriting it at spawn is one reference-count increment, and a
//! thread-local holding the set of whatever is running on this thread.
//!
//! A *scope* is code that owns a set: a task's poll, a blocking job, the main future of a
//! `block_on`. Entering a scope swaps its set into the thread-local; leaving swaps it back
//! out, with whatever `set` calls changed. A task keeps its set in its registry shard, flagged
//! in its metadata (`Meta::has_locals`), so tasks that never use task-locals carry no pointer
//! for it. A `set` in a task writes through to the shard at once: the task may be woken and
//! polled on another worker before its current poll has even returned.

use std::any::{Any, TypeId};
use std::cell::Cell;
use std::sync::Arc;

use crate::context;
use crate::registry::Key;

/// One task's values: few keys, so a linear scan beats hashing. Never mutated once shared;
/// `set` builds a new one (copy-on-write), so inherited sets are never disturbed.
pub(crate) struct Values {
    entries: Box<[(TypeId, Arc<dyn Any + Send + Sync>)]>,
}

impl Values {
    /// The value stored under `key`, if any.
    pub(crate) fn get(&self, key: TypeId) -> Option<&(dyn Any + Send + Sync)> {
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| &**v)
    }

    /// A copy of `old` (or an empty set) with `key` bound to `value`.
    fn with(old: Option<&Values>, key: TypeId, value: Arc<dyn Any + Send + Sync>) -> Values {
        let mut entries: Vec<_> = old
            .map(|o| {
                o.entries
                    .iter()
                    .filter(|(k, _)| *k != key)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        entries.push((key, value));
        Values {
            entries: entries.into_boxed_slice(),
        }
    }
}

/// The scope running on a thread.
struct Scope {
    values: Option<Arc<Values>>,
    /// A task's poll (its set is stored in its registry shard), rather than a blocking job
    /// or a main future (whose set lives in the caller's frame).
    task: bool,
}

thread_local! {
    /// `None` outside every scope.
    static CURRENT: Cell<Option<Scope>> = const { Cell::new(None) };
}

/// Runs `f` as the scope owning `values`; afterwards `values` holds the set as `f` left it.
pub(crate) fn scope<R>(values: &mut Option<Arc<Values>>, task: bool, f: impl FnOnce() -> R) -> R {
    struct Leave<'a> {
        values: &'a mut Option<Arc<Values>>,
        prev: Option<Scope>,
    }
    impl Drop for Leave<'_> {
        fn drop(&mut self) {
            let prev = self.prev.take();
            if let Ok(mine) = CURRENT.try_with(|c| c.replace(prev)) {
                *self.values = mine.and_then(|s| s.values);
            }
        }
    }
    let mine = Scope {
        values: values.clone(),
        task,
    };
    match CURRENT.try_with(|c| c.replace(Some(mine))) {
        Ok(prev) => {
            let _leave = Leave { values, prev };
            f()
        }
        // Thread-locals torn down (a destructor at thread exit): run without a scope.
        Err(_) => f(),
    }
}

/// A copy of the current set, for a task or job started from here (asyncio copies the
/// context the same way); `None` outside every scope or when the set is empty.
pub(crate) fn inherit() -> Option<Arc<Values>> {
    CURRENT
        .try_with(|c| {
            let scope = c.take();
            let copy = scope.as_ref().and_then(|s| s.values.clone());
            c.set(scope);
            copy
        })
        .ok()
        .flatten()
}

/// Runs `f` on the value under `key` in the current set. The set is cloned out of the
/// thread-local first, so `f` may itself use task-locals.
pub(crate) fn with_value<R>(
    key: TypeId,
    f: impl FnOnce(&(dyn Any + Send + Sync)) -> R,
) -> Option<R> {
    let values = inherit()?;
    values.get(key).map(f)
}

/// Binds `key` to `value` in the current scope's set; `Err(value)` outside every scope.
pub(crate) fn set(
    key: TypeId,
    value: Arc<dyn Any + Send + Sync>,
) -> Result<(), Arc<dyn Any + Send + Sync>> {
    let mut value = Some(value);
    let stored = CURRENT.try_with(|c| {
        let mut scope = c.take()?;
        let v = value.take()?;
        let new = Arc::new(Values::with(scope.values.as_deref(), key, v));
        scope.values = Some(new.clone());
        let task = scope.task;
        c.set(Some(scope));
        Some((new, task))
    });
    match (stored, value) {
        (Ok(Some((new, task))), _) => {
            if task {
                store_in_task(new);
            }
            Ok(())
        }
        (_, Some(v)) => Err(v),
        // Unreachable: the value is only taken when a scope exists.
        (_, None) => Ok(()),
    }
}

/// Writes the running task's new set to its registry shard and flags the task.
fn store_in_task(values: Arc<Values>) {
    let Some(key) = context::with_current_meta(|m| {
        m.set_has_locals();
        Key::of(m)
    }) else {
        return;
    };
    if let Some(sched) = context::current_scheduler() {
        sched.registry().set_locals(key, Some(values));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(key: TypeId) -> Option<u8> {
        with_value(key, |v| *v.downcast_ref::<u8>().unwrap())
    }

    #[test]
    fn scopes_nest_and_copy_on_write() {
        let key = TypeId::of::<u8>();
        assert!(set(key, Arc::new(1u8)).is_err(), "outside every scope");
        let mut outer = None;
        scope(&mut outer, false, || {
            set(key, Arc::new(1u8)).unwrap();
            let mut inner = inherit();
            scope(&mut inner, false, || {
                set(key, Arc::new(2u8)).unwrap();
                assert_eq!(read(key), Some(2));
            });
            assert_eq!(read(key), Some(1));
            let inner = inner.unwrap();
            assert_eq!(inner.get(key).unwrap().downcast_ref::<u8>(), Some(&2));
        });
        assert!(outer.unwrap().get(key).is_some());
        assert!(inherit().is_none());
    }
}
