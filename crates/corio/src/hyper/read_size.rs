//! [`ReadSize`]: how many bytes [`Io`](super::Io) offers the next read.
//!
//! hyper offers its whole spare buffer (8 KiB or more) as uninitialised memory, and a
//! futures-io reader takes only initialised memory, so whatever is offered must be zeroed
//! first. Zeroing 8 KiB to read a 60-byte request cost 7% of a keep-alive hello-world
//! server's time (`perf`, the `http` benchmark), so the offer follows what the reads
//! actually bring: it doubles while reads fill it, and halves when they use under a
//! quarter of it.

/// The smallest offer: a short request or response head.
const MIN: usize = 512;
/// The first offer, before any read has been seen.
const INITIAL: usize = 4 * 1024;
/// The largest offer: enough for a fast sender to fill per system call.
pub(super) const MAX: usize = 64 * 1024;

/// The size of the next read's offer, adapted to the last reads.
#[derive(Debug, Clone, Copy)]
pub(super) struct ReadSize(usize);

impl ReadSize {
    pub(super) fn new() -> ReadSize {
        ReadSize(INITIAL)
    }

    /// How much to offer, given `room` bytes of buffer.
    pub(super) fn offer(self, room: usize) -> usize {
        room.min(self.0)
    }

    /// Learns from a read that got `got` bytes of an offer of `offered`.
    pub(super) fn record(&mut self, offered: usize, got: usize) {
        if got == offered && offered == self.0 {
            self.0 = (self.0 * 2).min(MAX);
        } else if got < offered / 4 {
            self.0 = (self.0 / 2).max(MIN);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_that_fill_the_offer_double_it_up_to_the_maximum() {
        let mut size = ReadSize::new();
        let mut offers = Vec::new();
        for _ in 0..6 {
            let offer = size.offer(usize::MAX);
            offers.push(offer);
            size.record(offer, offer);
        }
        assert_eq!(offers, [4096, 8192, 16384, 32768, 65536, 65536]);
    }

    #[test]
    fn small_reads_halve_the_offer_down_to_the_minimum() {
        let mut size = ReadSize::new();
        let mut offers = Vec::new();
        for _ in 0..5 {
            let offer = size.offer(usize::MAX);
            offers.push(offer);
            size.record(offer, 60);
        }
        assert_eq!(offers, [4096, 2048, 1024, 512, 512]);
    }

    #[test]
    fn reads_using_a_good_part_of_the_offer_keep_it() {
        let mut size = ReadSize::new();
        size.record(4096, 1500);
        assert_eq!(size.offer(usize::MAX), 4096);
    }

    #[test]
    fn the_offer_never_exceeds_the_room_and_a_full_small_room_does_not_grow_it() {
        let mut size = ReadSize::new();
        assert_eq!(size.offer(100), 100);
        size.record(100, 100); // filled, but the room limited it, not the offer
        assert_eq!(size.offer(usize::MAX), 4096);
    }
}
