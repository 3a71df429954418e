//! One hand-written SVG bar chart per group: for every benchmark a bar per runtime, its
//! length the runtime's standing relative to the best runtime on that benchmark (best =
//! full length; a runtime twice as slow, or twice as large, gets half). Benchmarks of very
//! different magnitudes share one chart that way, and longer always means better.

use std::fmt::Write as _;

use crate::measure::{Measurement, Unit};
use crate::report::{benches, human_ns};
use crate::rt::{FLAVOURS, Needs};

const WIDTH: f64 = 980.0;
const BAR_X: f64 = 110.0;
const BAR_MAX: f64 = 560.0;
const ROW: f64 = 17.0;
const BAR_H: f64 = 13.0;

/// The colour of a runtime's bars: corio warm, tokio blue, smol green; `-ct` lighter.
fn colour(runtime: &str) -> &'static str {
    match runtime {
        "corio-mt" => "#c0392b",
        "corio-ct" => "#f39c12",
        "tokio-mt" => "#1f5fa8",
        "tokio-ct" => "#6fa8dc",
        "smol-mt" => "#2e8b3a",
        "smol-ct" => "#93d07f",
        _ => "#888888",
    }
}

/// The chart for `group`.
pub(crate) fn chart(results: &[Measurement], group: &str) -> String {
    let benches = benches(results, group);
    let mut body = String::new();
    let mut y = 112.0;
    for b in &benches {
        let rows: Vec<&Measurement> = FLAVOURS
            .iter()
            .filter_map(|rt| {
                results.iter().find(|m| {
                    m.bench.group == group && m.bench.name == b.bench.name && m.runtime == *rt
                })
            })
            .collect();
        let best = rows
            .iter()
            .filter_map(|m| m.per_op())
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        let _ = writeln!(
            body,
            r#"<text x="12" y="{y:.1}" class="bench">{} <tspan class="unit">({})</tspan></text>"#,
            escape(b.bench.name),
            unit_label(b.bench.unit)
        );
        y += 6.0;
        for m in rows {
            let _ = writeln!(
                body,
                r#"<text x="{:.1}" y="{:.1}" class="rt" text-anchor="end">{}</text>"#,
                BAR_X - 8.0,
                y + BAR_H - 2.5,
                m.runtime
            );
            match m.per_op() {
                Some(v) => {
                    // A zero (e.g. an overhead below the clock's resolution) counts as best.
                    let share = if v <= 0.0 || !best.is_finite() {
                        1.0
                    } else {
                        (best / v).min(1.0)
                    };
                    let w = (BAR_MAX * share).max(1.5);
                    let _ = writeln!(
                        body,
                        r#"<rect class="bar" x="{BAR_X:.1}" y="{y:.1}" width="{w:.1}" height="{BAR_H:.1}" fill="{}"><title>{} {}: {}</title></rect>"#,
                        colour(m.runtime),
                        escape(b.bench.name),
                        m.runtime,
                        escape(&value_label(b.bench.unit, v))
                    );
                    let _ = writeln!(
                        body,
                        r#"<text x="{:.1}" y="{:.1}" class="val">{} · {:.0}%</text>"#,
                        BAR_X + w + 6.0,
                        y + BAR_H - 2.5,
                        escape(&value_label(b.bench.unit, v)),
                        share * 100.0
                    );
                }
                None => {
                    // As in the table: `n/a` = cannot run it yet, `—` = not its workload.
                    let mark = if m.bench.needs == Needs::CorioInternal {
                        "—"
                    } else {
                        "n/a"
                    };
                    let _ = writeln!(
                        body,
                        r#"<text x="{:.1}" y="{:.1}" class="na">{mark}</text>"#,
                        BAR_X + 4.0,
                        y + BAR_H - 2.5
                    );
                }
            }
            y += ROW;
        }
        y += 22.0;
    }
    let height = y + 6.0;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
<style>
.title {{ font-size: 17px; font-weight: bold; }}
.sub {{ font-size: 12px; fill: #444; }}
.bench {{ font-size: 13px; font-weight: bold; }}
.unit {{ font-weight: normal; fill: #666; }}
.rt, .val, .legend {{ font-size: 11px; }}
.val {{ fill: #222; }}
.na {{ font-size: 11px; fill: #999; font-style: italic; }}
</style>
<rect x="0" y="0" width="{WIDTH}" height="{height:.0}" fill="white"/>
<text x="12" y="24" class="title">corio-bench · {}</text>
<text x="12" y="43" class="sub">Median per benchmark, relative to the best runtime on that benchmark (100% = best; longer is better: faster, or fewer bytes).</text>
<text x="12" y="59" class="sub">Labels: median time per op (or per run, or bytes) · share of the best. n/a: the runtime cannot run the workload yet.</text>"#,
        escape(group)
    );
    let mut x = 12.0;
    for rt in FLAVOURS {
        let _ = writeln!(
            svg,
            r#"<rect x="{x:.1}" y="70" width="12" height="12" fill="{}"/><text x="{:.1}" y="80" class="legend">{rt}</text>"#,
            colour(rt),
            x + 16.0
        );
        x += 92.0;
    }
    svg.push_str(&body);
    svg.push_str("</svg>\n");
    svg
}

fn unit_label(unit: Unit) -> String {
    match unit {
        Unit::PerOp(ops) => format!("time per op, {} ops per run", thousands(ops)),
        Unit::PerRun => "time per run".to_string(),
        Unit::Bytes(per) => format!("bytes per {per}"),
    }
}

fn value_label(unit: Unit, v: f64) -> String {
    match unit {
        Unit::PerOp(_) => format!("{}/op", human_ns(v)),
        Unit::PerRun => human_ns(v),
        Unit::Bytes(per) => format!("{v:.0} B/{per}"),
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::row;

    /// Checks that every tag is closed in order (a small well-formedness check: no
    /// attributes containing `>`, which the chart never writes).
    fn well_formed(xml: &str) -> Result<(), String> {
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = xml;
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').ok_or("unterminated tag")? + start;
            let tag = &rest[start + 1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('?') || tag.starts_with('!') || tag.ends_with('/') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                match stack.pop() {
                    Some(open) if open == name => {}
                    other => return Err(format!("</{name}> closes {other:?}")),
                }
            } else {
                stack.push(tag.split_whitespace().next().ok_or("empty tag")?);
            }
        }
        if stack.is_empty() {
            Ok(())
        } else {
            Err(format!("unclosed: {stack:?}"))
        }
    }

    #[test]
    fn one_bar_per_measurement_and_well_formed() {
        let mut results = row(
            "a<b",
            Unit::PerOp(10),
            &[("corio-ct", 100.0), ("tokio-ct", 250.0), ("smol-ct", 50.0)],
        );
        results.extend(row(
            "idle",
            Unit::Bytes("task"),
            &[("tokio-mt", 96.0), ("smol-mt", 0.0)],
        ));
        results.extend(row("drift", Unit::PerRun, &[("tokio-mt", 5.0)]));
        let svg = chart(&results, "timer");
        well_formed(&svg).unwrap();
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 6, "{svg}");
        assert_eq!(svg.matches(">n/a<").count(), 18 - 6);
        assert!(svg.contains("a&lt;b"));
        // smol-ct is the best of `a<b`: full length; tokio-ct at a fifth of it.
        assert!(svg.contains(&format!(
            "width=\"{BAR_MAX:.1}\" height=\"{BAR_H:.1}\" fill=\"{}\"",
            colour("smol-ct")
        )));
        assert!(svg.contains(&format!("width=\"{:.1}\"", BAR_MAX / 5.0)));
        assert!(svg.contains("25.0 ns/op · 20%"), "{svg}");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(200_000), "200,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn the_checker_rejects_broken_xml() {
        assert!(well_formed("<a><b></a></b>").is_err());
        assert!(well_formed("<a>").is_err());
        assert!(well_formed("<a><b/></a>").is_ok());
    }
}
