//! Publish–subscribe with a broadcast channel: every subscriber sees every message sent
//! after it subscribed; a subscriber that falls too far behind is told how many it missed
//! instead of slowing the publisher down; the channel ends for everyone when the publisher
//! goes. (In asyncio one writes this by hand, with a queue per subscriber.)
//!
//! Run it with `cargo run -p corio --example pubsub`. See docs/guide.md, "Pub-sub".

use std::time::Duration;

use corio::sync::broadcast::{self, RecvError};

/// Reads prices until the channel closes, sleeping `pause` per message (a slow reader
/// falls behind); returns what it saw and how many it missed.
async fn subscriber(mut prices: broadcast::Receiver<u32>, pause: Duration) -> (Vec<u32>, u64) {
    let (mut seen, mut missed) = (Vec::new(), 0);
    loop {
        match prices.recv().await {
            Ok(price) => {
                seen.push(price);
                corio::sleep(pause).await;
            }
            Err(RecvError::Lagged(n)) => missed += n, // the oldest were overwritten
            Err(RecvError::Closed) => return (seen, missed),
        }
    }
}

fn main() {
    corio::run(async {
        // Room for 4 messages per subscriber that has not read them yet.
        let (ticker, first) = broadcast::channel(4);
        let quick = corio::spawn(subscriber(first, Duration::ZERO));
        let slow = corio::spawn(subscriber(ticker.subscribe(), Duration::from_millis(30)));

        let mut late = None;
        for price in 100..110 {
            let receivers = ticker.send(price).expect("two subscribers are listening");
            if price == 100 {
                println!("publishing to {receivers} subscribers");
            }
            if price == 104 {
                // Joins late: sees only what is published from now on.
                late = Some(corio::spawn(subscriber(ticker.subscribe(), Duration::ZERO)));
            }
            corio::sleep(Duration::from_millis(5)).await;
        }
        drop(ticker); // the publisher is done: every subscriber's loop ends

        let (seen, missed) = quick.await.expect("the quick subscriber ran");
        println!("quick subscriber: {} prices, missed {missed}", seen.len());
        let (seen, missed) = slow.await.expect("the slow subscriber ran");
        println!(
            "slow subscriber: {} read + {missed} missed = {} in all, the last {:?}",
            seen.len(),
            seen.len() as u64 + missed,
            seen.last()
        );
        if let Some(late) = late {
            let (seen, _) = late.await.expect("the late subscriber ran");
            println!("late subscriber: first saw {:?}", seen.first());
        }
    });
}
