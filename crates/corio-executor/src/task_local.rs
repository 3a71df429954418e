//! Task-local values, asyncio's `contextvars`: [`task_local!`](crate::task_local) declares a
//! key, [`LocalKey::set`] binds a value in the running task, [`LocalKey::get`] reads it.
//! Tasks (and blocking jobs) started from a task inherit a copy of its values.

use std::any::TypeId;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::error::TaskLocalError;
use crate::locals;

/// Declares task-local keys: `static NAME: Type;`, with optional attributes and visibility.
///
/// The type must be `Send + Sync + 'static` (values are shared with inheriting tasks, which
/// may run on other threads), and `Clone` for [`LocalKey::get`].
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, spawn, task_local};
///
/// task_local! {
///     /// The request being served.
///     pub static REQUEST_ID: u64;
///     static USER: String;
/// }
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let seen = ex.block_on(async {
///     REQUEST_ID.set(7).unwrap();
///     USER.set("ada".to_owned()).unwrap();
///     // A task spawned here starts with a copy of these values.
///     spawn(async { (REQUEST_ID.get(), USER.with(|u| u.len())) }).await.unwrap()
/// });
/// assert_eq!(seen, (Some(7), Some(3)));
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident : $t:ty; $($rest:tt)*) => {
        $(#[$attr])*
        $vis static $name: $crate::LocalKey<$t> = {
            // A type of its own per key: its `TypeId` names the key, whatever the value type.
            struct Key;
            $crate::LocalKey::__new::<Key>(::core::stringify!($name))
        };
        $crate::task_local!($($rest)*);
    };
}

/// A task-local key, declared with [`task_local!`](crate::task_local).
///
/// Values live in the *scope* of the code that runs: a task, a blocking job started with
/// [`spawn_blocking`](crate::spawn_blocking), or the main future of
/// [`Executor::block_on`](crate::Executor::block_on). Each scope starts with a copy of the
/// values of the scope that started it (copy-on-write, so starting one costs a reference
/// count); a `set` is seen by the scope that made it and by what it starts afterwards,
/// never by its parent or siblings.
///
/// Outside every scope, [`get`](LocalKey::get) and [`with`](LocalKey::with) give `None`
/// and [`set`](LocalKey::set) gives an error. Nothing here panics.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, spawn, task_local};
///
/// task_local!(static DEPTH: u32;);
///
/// assert_eq!(DEPTH.get(), None); // outside every task
/// assert!(DEPTH.set(1).is_err());
///
/// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
/// let (parent, child) = ex.block_on(async {
///     DEPTH.set(1).unwrap();
///     let child = spawn(async {
///         DEPTH.set(DEPTH.get().unwrap() + 1).unwrap();
///         DEPTH.get()
///     });
///     let child = child.await.unwrap();
///     (DEPTH.get(), child)
/// });
/// assert_eq!((parent, child), (Some(1), Some(2))); // the child's set stayed in the child
/// # std::io::Result::Ok(())
/// ```
pub struct LocalKey<T: 'static> {
    name: &'static str,
    id: fn() -> TypeId,
    _value: PhantomData<fn() -> T>,
}

impl<T: Send + Sync + 'static> LocalKey<T> {
    /// Used by [`task_local!`](crate::task_local); not public API.
    #[doc(hidden)]
    pub const fn __new<K: 'static>(name: &'static str) -> LocalKey<T> {
        LocalKey {
            name,
            id: TypeId::of::<K>,
            _value: PhantomData,
        }
    }

    /// Binds `value` to this key in the current task (or blocking job, or `block_on` main
    /// future), replacing any previous value there. Fails outside all of them.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver, task_local};
    ///
    /// task_local!(static TRACE: &'static str;);
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn(async {
    ///     TRACE.set("first").unwrap();
    ///     TRACE.set("second").unwrap();
    ///     TRACE.get()
    /// })?;
    /// assert_eq!(ex.block_on(t).unwrap(), Some("second"));
    /// # Ok::<(), corio_executor::SpawnError>(())
    /// ```
    pub fn set(&self, value: T) -> Result<(), TaskLocalError> {
        locals::set((self.id)(), Arc::new(value)).map_err(|_| TaskLocalError::NoScope)
    }

    /// A clone of the current value, or `None` when none is set here (or outside every
    /// task).
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver, task_local};
    ///
    /// task_local!(static LEVEL: u8;);
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// assert_eq!(ex.block_on(async { LEVEL.get() }), None);
    /// ```
    pub fn get(&self) -> Option<T>
    where
        T: Clone,
    {
        self.with(T::clone)
    }

    /// Runs `f` on the current value without cloning it; `None` (and `f` not called) when
    /// none is set. `f` may use task-locals itself, including setting this key.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver, task_local};
    ///
    /// task_local!(static PATH: Vec<String>;);
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let n = ex.block_on(async {
    ///     PATH.set(vec!["a".into(), "b".into()]).unwrap();
    ///     PATH.with(|p| p.len())
    /// });
    /// assert_eq!(n, Some(2));
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        locals::with_value((self.id)(), |v| v.downcast_ref::<T>().map(f)).flatten()
    }

    /// The name the key was declared with.
    ///
    /// ```
    /// corio_executor::task_local!(static REQUEST: u64;);
    /// assert_eq!(REQUEST.name(), "REQUEST");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey")
            .field("name", &self.name)
            .finish()
    }
}
