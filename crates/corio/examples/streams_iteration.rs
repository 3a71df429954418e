//! Asynchronous iteration: asyncio's async generators, `async for` and async comprehensions,
//! as Rust `Stream`s. An async generator becomes `stream::unfold` (state in, next item and
//! state out); `async for` becomes `while let Some(x) = stream.next().await`; a
//! comprehension becomes adapters and `collect`. corio's own streams (an interval, a
//! channel's receiver, `as_completed`, a socket's lines) work the same way.
//!
//! Run it with `cargo run -p corio --example streams_iteration`. See docs/guide.md,
//! "Async iteration with streams".

use std::pin::pin;
use std::time::Duration;

use corio::stream::{self, Stream, StreamExt};

/// A pretend paginated API: page `n` of a listing, empty past the end.
async fn fetch_page(n: u32) -> Vec<String> {
    corio::sleep(Duration::from_millis(5)).await;
    if n < 3 {
        (0..2).map(|i| format!("item {}", n * 2 + i)).collect()
    } else {
        Vec::new()
    }
}

/// An async generator: yields every item of every page, fetching a page when the previous
/// one is used up. (`async def items(): page = 0; while ...: yield item`.)
fn all_items() -> impl Stream<Item = String> {
    stream::unfold((0, Vec::new()), |(page, mut buffered)| async move {
        let mut page = page;
        while buffered.is_empty() {
            buffered = fetch_page(page).await;
            if buffered.is_empty() {
                return None; // past the last page: the generator ends
            }
            buffered.reverse(); // pop() from the end gives them in order
            page += 1;
        }
        let item = buffered.pop()?;
        Some((item, (page, buffered)))
    })
}

fn main() {
    corio::run(async {
        // async for item in all_items(): ...
        let mut items = pin!(all_items());
        let mut count = 0;
        while let Some(item) = items.next().await {
            count += 1;
            if count == 1 {
                println!("async for: first {item:?}");
            }
        }
        println!("async for: {count} items over 3 pages");

        // [item.upper() async for item in all_items() if item.endswith(("1", "3", "5"))]
        let odd: Vec<String> = all_items()
            .filter(|item| item.ends_with(['1', '3', '5']))
            .map(|item| item.to_uppercase())
            .collect()
            .await;
        println!("comprehension: {odd:?}");

        // An interval is a stream of ticks: take three of them.
        let ticks = corio::time::interval(Duration::from_millis(10))
            .take(3)
            .count()
            .await;
        println!("interval: {ticks} ticks");

        // A channel's receiver is a stream that ends when every sender is gone.
        let (tx, rx) = corio::sync::mpsc::channel(4);
        corio::spawn(async move {
            for word in ["stream", "of", "words"] {
                tx.send(word).await.expect("the receiver is there");
            }
        })
        .detach();
        let sentence: Vec<&str> = rx.collect().await;
        println!("channel: {}", sentence.join(" "));

        // Streams combine: numbers zipped with their squares, a running sum with fold.
        let squares = stream::iter(1..=4).map(|n| n * n);
        let pairs: Vec<(u32, u32)> = stream::iter(1..=4).zip(squares).collect().await;
        let sum = stream::iter(pairs.iter().map(|&(_, sq)| sq))
            .fold(0, |acc, sq| acc + sq)
            .await;
        println!("zip and fold: {pairs:?}, sum of squares {sum}");
    });
}
