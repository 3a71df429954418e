//! asyncio's synchronisation primitives, queues and channels, for any executor.
//!
//! Nothing here knows a runtime: it works under corio, tokio, smol or
//! `futures_lite::future::block_on`, and plain threads use the `blocking_*` variants.
//!
//! Cancellation: dropping any waiting future at any moment — even after it was woken and
//! before it ran again — never loses a lock hand-off, a permit, an item or a notification;
//! the wake-up passes to the next waiter. Each waiting method states its cancel-safety.

// ---- channels: oneshot, mpsc, broadcast, watch ----
pub mod broadcast;
pub mod mpsc;
pub mod oneshot;
pub mod watch;
