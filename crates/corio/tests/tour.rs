//! The tour (README's first command), run as a real process with `CORIO_TOUR_QUICK=1` (every
//! wait divided by 5): each part's claims hold, in what it prints and in the file it writes.
//! No assertion compares real-time margins beyond what the tour's structure guarantees.

#![cfg(feature = "hyper")]

mod support;

use std::path::PathBuf;

use corio::process::{Command, Stdio};
use support::{CLIENT_LIMIT, example, limited};

/// The tour's standard output, after checking it succeeded and said nothing on stderr.
async fn run_quick_tour() -> String {
    let mut tour = Command::new(example("tour"));
    tour.env("CORIO_TOUR_QUICK", "1")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = corio::timeout(CLIENT_LIMIT, tour.output())
        .await
        .expect("the quick tour finishes in time")
        .expect("the tour starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stderr, "", "nothing on standard error");
    String::from_utf8(output.stdout).expect("text output")
}

/// The line that starts (after its indentation) with `prefix`.
fn line<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .map(str::trim_start)
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{out}"))
}

/// The seconds in a line ending `… in 1.234 s`.
fn seconds_at_end(line: &str) -> f64 {
    line.rsplit_once(" in ")
        .and_then(|(_, t)| t.strip_suffix(" s"))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no time in {line:?}"))
}

#[test]
fn the_tour_s_parts_do_what_they_say() {
    limited(async {
        let out = run_quick_tour().await;

        // 1–2: waiting together beats waiting in turn. Under the quick scale each fetch
        // sleeps 0.2 s: five in turn cannot take less than 1 s, five at once take 0.2 s.
        assert!(out.contains("   hello\n   goodbye (after "), "{out}");
        let sequential = seconds_at_end(line(&out, "sequential: "));
        let concurrent = seconds_at_end(line(&out, "concurrent: "));
        assert!(sequential >= 1.0, "{sequential}");
        assert!(concurrent >= 0.2, "{concurrent}");
        assert!(concurrent < sequential, "{concurrent} vs {sequential}");

        // 3: 1,000 completions, every one a JSON line in request order, in the file it names.
        let wrote = line(&out, "wrote ");
        let (count, path) = wrote
            .strip_prefix("wrote ")
            .and_then(|rest| rest.split_once(" JSON lines to "))
            .unwrap_or_else(|| panic!("{wrote:?}"));
        assert_eq!(count, "1000");
        let path = PathBuf::from(path);
        let jsonl = std::fs::read_to_string(&path).expect("the JSON lines file");
        let _ = std::fs::remove_file(&path);
        let lines: Vec<&str> = jsonl.lines().collect();
        assert_eq!(lines.len(), 1000);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.starts_with(&format!(r#"{{"request":{i},"ms":"#)), "{l}");
            assert!(l.contains(r#""choices":[{"text":"42"}]"#), "{l}");
            assert!(l.ends_with("}}"), "{l}");
        }
        assert!(
            out.contains("   1000/1000 done\n"),
            "the progress, as plain lines: {out}"
        );

        // 4: the pipeline processed every item, shared among the workers.
        let processed = line(&out, "processed ");
        assert!(
            processed.starts_with("processed 60/60 items in "),
            "{processed}"
        );
        let per_worker: usize = processed
            .split_once(": [")
            .and_then(|(_, counts)| counts.strip_suffix("] per worker"))
            .map(|counts| {
                counts
                    .split(", ")
                    .map(|n| n.parse::<usize>().unwrap())
                    .sum()
            })
            .unwrap_or_else(|| panic!("{processed:?}"));
        assert_eq!(per_worker, 60);

        // 5: the failing child failed the group and its siblings were cancelled.
        assert!(
            line(&out, "the group failed after ").ends_with("failed: parse error in chunk 7"),
            "{out}"
        );
        assert_eq!(
            line(&out, "cancelled siblings: "),
            "cancelled siblings: download-a, download-b"
        );

        // 6: three subprocesses, their output in order.
        for n in 1..=3 {
            line(&out, &format!("job {n}: hello from pid "));
        }

        // 7: the dump shows the named tasks, the workers under their supervisor.
        assert!(line(&out, "corio: ").ends_with(" live tasks"), "{out}");
        let dump_line = |start: &str, name: &str| {
            let found = out
                .lines()
                .map(str::trim_start)
                .any(|l| l.starts_with(start) && l.contains(&format!("\"{name}\"")));
            assert!(found, "{start}{name} in the dump: {out}");
        };
        dump_line("#", "mock-llm");
        dump_line("#", "supervisor");
        dump_line("├─ #", "indexer");
        dump_line("└─ #", "notifier");

        // The table: every part, its measured time and its ideal.
        let table = out
            .split_once("Timings (ideal = the waiting alone)\n")
            .map(|(_, table)| table)
            .unwrap_or_else(|| panic!("no timings table: {out}"));
        let rows: Vec<&str> = table.lines().skip(1).collect();
        let parts: Vec<&str> = rows.iter().map(|r| r.trim_start().split_at(2).0).collect();
        assert_eq!(
            parts,
            ["1.", "2.", "2.", "3.", "4.", "5.", "6.", "7."],
            "{table}"
        );
        for row in &rows {
            assert!(row.contains(" s "), "a measured time: {row}");
        }
    });
}
