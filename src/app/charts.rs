//! Charts drawn on the server as SVG text: bars and axes from numbers, so
//! they read without JavaScript and weigh nothing in the browser's bundle.
//! Each chart is an image with a title for screen readers; the page puts
//! its figures in a table beside it. Colours come from the page's CSS
//! (`.chart …` classes), so they follow the rest of the design.

use crate::domain::report::axis_step;

/// Text made safe inside SVG markup.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One column of a [`column_chart`].
#[derive(Clone, Debug)]
pub struct Column {
    /// Under the axis (shown for some columns when there are many).
    pub label: String,
    pub value: i64,
    /// What a pointer hovering the column shows.
    pub tip: String,
}

const WIDTH: f64 = 400.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 28.0;
/// At most this many labels under the axis.
const MAX_LABELS: usize = 8;

/// Vertical bars, one per column in order, on a round axis from zero;
/// `tick` writes an axis value (`1,5 jt`).
pub fn column_chart(title: &str, columns: &[Column], tick: impl Fn(i64) -> String) -> String {
    let max = columns.iter().map(|c| c.value).max().unwrap_or(0).max(0);
    let step = axis_step(max);
    let top = ((max + step - 1) / step).max(1) * step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |v: i64| TOP + plot_h - plot_h * (v as f64) / (top as f64);
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = escape(title),
    );
    let mut v = 0;
    while v <= top {
        let at = y(v);
        svg.push_str(&format!(
            r#"<line class="grid" x1="{LEFT}" x2="{x2}" y1="{at:.1}" y2="{at:.1}"/><text class="tick" x="{tx}" y="{ty:.1}" text-anchor="end">{label}</text>"#,
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ty = at + 4.0,
            label = escape(&tick(v)),
        ));
        v += step;
    }
    let n = columns.len().max(1);
    let slot = plot_w / n as f64;
    let every = n.div_ceil(MAX_LABELS);
    for (i, c) in columns.iter().enumerate() {
        let x = LEFT + slot * i as f64;
        let value = c.value.max(0);
        let bar_top = y(value);
        svg.push_str(&format!(
            r#"<rect class="bar" x="{bx:.1}" y="{bar_top:.1}" width="{bw:.1}" height="{bh:.1}"><title>{tip}</title></rect>"#,
            bx = x + slot * 0.15,
            bw = slot * 0.7,
            bh = (TOP + plot_h - bar_top).max(0.0),
            tip = escape(&c.tip),
        ));
        if i % every == 0 {
            svg.push_str(&format!(
                r#"<text class="tick" x="{lx:.1}" y="{ly}" text-anchor="middle">{label}</text>"#,
                lx = x + slot / 2.0,
                ly = HEIGHT - 8.0,
                label = escape(&c.label),
            ));
        }
    }
    svg.push_str(&format!(
        r#"<line class="axis" x1="{LEFT}" x2="{x2}" y1="{base}" y2="{base}"/></svg>"#,
        x2 = WIDTH - RIGHT,
        base = TOP + plot_h,
    ));
    svg
}

/// One part of a [`share_bar`]: how many, and the CSS class that colours it.
#[derive(Clone, Copy, Debug)]
pub struct Part<'a> {
    pub value: u32,
    pub class: &'a str,
}

/// A horizontal bar of `whole` (the track) filled from the left by
/// `parts` in order: a bus's seats booked and held, or holds by outcome.
pub fn share_bar(label: &str, parts: &[Part<'_>], whole: u32) -> String {
    let mut svg = format!(
        r#"<svg class="share" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="{l}" xmlns="http://www.w3.org/2000/svg"><title>{l}</title><rect class="track" x="0" y="0" width="100" height="10"/>"#,
        l = escape(label),
    );
    let mut x = 0.0;
    for p in parts {
        if whole == 0 || p.value == 0 {
            continue;
        }
        let w = (100.0 * f64::from(p.value) / f64::from(whole)).min(100.0 - x);
        svg.push_str(&format!(
            r#"<rect class="{c}" x="{x:.2}" y="0" width="{w:.2}" height="10"/>"#,
            c = escape(p.class),
        ));
        x += w;
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(label: &str, value: i64) -> Column {
        Column {
            label: label.into(),
            value,
            tip: format!("{label}: {value}"),
        }
    }

    fn heights(svg: &str) -> Vec<f64> {
        svg.split(r#"<rect class="bar""#)
            .skip(1)
            .map(|r| {
                let h = r.split("height=\"").nth(1).unwrap();
                h[..h.find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn columns_are_as_tall_as_their_values_on_a_round_axis() {
        let svg = column_chart(
            "Pendapatan",
            &[column("1", 100), column("2", 50), column("3", 0)],
            |v| v.to_string(),
        );
        let h = heights(&svg);
        // Axis 0–100 in steps of 50 (the plot is 162 units tall).
        assert_eq!(h.len(), 3);
        assert!((h[0] - 162.0).abs() < 0.1, "{h:?}");
        assert!((h[1] - 81.0).abs() < 0.1, "{h:?}");
        assert_eq!(h[2], 0.0);
        for tick in ["0", "50", "100"] {
            assert!(svg.contains(&format!(">{tick}</text>")), "tick {tick}");
        }
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img" aria-label="Pendapatan""#));
    }

    #[test]
    fn an_empty_chart_still_has_an_axis() {
        let svg = column_chart("Kosong", &[column("1", 0)], |v| v.to_string());
        assert!(svg.contains(">0</text>") && svg.contains(">1</text>"));
        assert_eq!(heights(&svg), vec![0.0]);
    }

    #[test]
    fn many_columns_label_only_some() {
        let cols: Vec<_> = (1..=30).map(|d| column(&d.to_string(), d)).collect();
        let svg = column_chart("30 hari", &cols, |v| v.to_string());
        let labels = svg.matches(r#"text-anchor="middle""#).count();
        assert!(labels <= MAX_LABELS, "{labels} labels");
        assert_eq!(heights(&svg).len(), 30);
    }

    #[test]
    fn text_is_escaped() {
        let svg = column_chart("<script>", &[column("a&b", 1)], |v| v.to_string());
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;") && svg.contains("a&amp;b"));
        let bar = share_bar("\"quoted\"", &[], 10);
        assert!(bar.contains("&quot;quoted&quot;"));
    }

    #[test]
    fn a_share_bar_fills_its_parts_and_never_overflows() {
        let bar = share_bar(
            "18 of 30",
            &[
                Part {
                    value: 15,
                    class: "booked",
                },
                Part {
                    value: 3,
                    class: "held",
                },
            ],
            30,
        );
        assert!(
            bar.contains(r#"class="booked" x="0.00" y="0" width="50.00""#),
            "{bar}"
        );
        assert!(
            bar.contains(r#"class="held" x="50.00" y="0" width="10.00""#),
            "{bar}"
        );
        let over = share_bar(
            "x",
            &[Part {
                value: 40,
                class: "booked",
            }],
            30,
        );
        assert!(over.contains(r#"width="100.00""#), "{over}");
        let empty = share_bar(
            "x",
            &[Part {
                value: 0,
                class: "booked",
            }],
            0,
        );
        assert!(!empty.contains("booked"));
    }
}
