//! asyncio's first program — two `say_after` at once — with `#[corio::main]`, corio's
//! `if __name__ == "__main__": asyncio.run(main())`.
//!
//! Run it with `cargo run -p corio --example hello_main [DELAY_MS]`.

use std::time::Duration;

async fn say_after(delay: Duration, what: &str) {
    corio::sleep(delay).await;
    println!("{what}");
}

#[corio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A malformed delay ends `main` with its error: `Error: …` on stderr, exit status 1.
    let delay = match std::env::args().nth(1) {
        Some(ms) => Duration::from_millis(ms.parse()?),
        None => Duration::from_secs(1),
    };
    let started = corio::time::now();
    let hello = corio::spawn(say_after(delay, "hello"));
    let world = corio::spawn(say_after(2 * delay, "world"));
    hello.await?;
    world.await?;
    // Both waited at once: about twice the delay, not three times.
    println!("finished in {:?}", corio::time::now() - started);
    Ok(())
}
