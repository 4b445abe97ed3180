//! Rendering measurements: a text table for the terminal, Markdown, and an SVG bar chart.

use std::fmt::Write;
use std::time::Duration;

/// Measurements of one kind (steady-state calls, startup, ...): a row per workload, module or
/// program, a column per contender; an `Err` (why) where a contender could not run a row.
pub struct Table {
    pub title: String,
    /// What exactly is measured, printed under the title.
    pub note: String,
    /// Header of the first column: what a row is (workload, module, program).
    pub row_kind: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Result<Duration, String>>)>,
}

fn fmt_time(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1e6 {
        format!("{:.2} s", us / 1e6)
    } else if us >= 1e3 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{us:.1} µs")
    }
}

impl Table {
    pub fn new(title: &str, row_kind: &'static str, note: &str, columns: &[String]) -> Table {
        Table {
            title: title.into(),
            note: note.into(),
            row_kind,
            columns: columns.to_vec(),
            rows: vec![],
        }
    }

    /// The fastest time in each row, which ratios are relative to.
    fn best(cells: &[Result<Duration, String>]) -> Option<Duration> {
        cells.iter().filter_map(|c| c.as_ref().ok()).min().copied()
    }

    fn cell(cell: &Result<Duration, String>, best: Option<Duration>) -> String {
        match (cell, best) {
            (Ok(d), Some(b)) => format!(
                "{} ({:.2}x)",
                fmt_time(*d),
                d.as_secs_f64() / b.as_secs_f64()
            ),
            (Ok(d), None) => fmt_time(*d),
            (Err(_), _) => "failed".into(),
        }
    }

    pub fn markdown(&self) -> String {
        let mut out = format!(
            "### {}\n\n{}\n\n| {} | {} |\n|---|",
            self.title,
            self.note,
            self.row_kind,
            self.columns.join(" | ")
        );
        out.push_str(&"---|".repeat(self.columns.len()));
        out.push('\n');
        for (name, cells) in &self.rows {
            let best = Self::best(cells);
            let cells: Vec<String> = cells.iter().map(|c| Self::cell(c, best)).collect();
            let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
        }
        out.push_str(
            "\nTimes are medians; ratios are relative to the fastest engine in the row.\n",
        );
        out
    }

    pub fn text(&self) -> String {
        let mut grid = vec![
            std::iter::once(self.row_kind.to_string())
                .chain(self.columns.clone())
                .collect::<Vec<_>>(),
        ];
        for (name, cells) in &self.rows {
            let best = Self::best(cells);
            grid.push(
                std::iter::once(name.clone())
                    .chain(cells.iter().map(|c| Self::cell(c, best)))
                    .collect(),
            );
        }
        let widths: Vec<usize> = (0..grid[0].len())
            .map(|i| grid.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = format!("{}\n  ({})\n", self.title, self.note);
        for row in &grid {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:>w$}"))
                .collect();
            let _ = writeln!(out, "{}", line.join("  "));
        }
        for (name, cells) in &self.rows {
            for (column, cell) in self.columns.iter().zip(cells) {
                if let Err(e) = cell {
                    let _ = writeln!(out, "  {name} / {column}: {e}");
                }
            }
        }
        out
    }

    /// Horizontal bars of each engine's ratio to the fastest, one group per workload.
    pub fn svg(&self) -> String {
        const BAR: f64 = 14.0;
        const LABEL: f64 = 170.0;
        const WIDTH: f64 = 460.0;
        const PALETTE: [&str; 6] = [
            "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1",
        ];
        let max_ratio = self
            .rows
            .iter()
            .flat_map(|(_, cells)| {
                let best = Self::best(cells);
                cells
                    .iter()
                    .filter_map(move |c| Some(c.as_ref().ok()?.as_secs_f64() / best?.as_secs_f64()))
            })
            .fold(1.0f64, f64::max);
        let group = BAR * self.columns.len() as f64 + 12.0;
        let legend = 20.0 * self.columns.len() as f64;
        let height = 40.0 + group * self.rows.len() as f64 + legend;
        let mut out = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{height}" font-family="sans-serif" font-size="11">"#,
            LABEL + WIDTH + 120.0
        );
        let _ = write!(
            out,
            r#"<text x="4" y="16" font-size="13">{} (time relative to the fastest, shorter is better)</text>"#,
            self.title
        );
        for (r, (name, cells)) in self.rows.iter().enumerate() {
            let y0 = 30.0 + r as f64 * group;
            let _ = write!(out, r#"<text x="4" y="{}">{name}</text>"#, y0 + BAR);
            let best = Self::best(cells);
            for (c, cell) in cells.iter().enumerate() {
                let y = y0 + c as f64 * BAR;
                let (width, label) = match (cell, best) {
                    (Ok(d), Some(b)) => {
                        let ratio = d.as_secs_f64() / b.as_secs_f64();
                        (WIDTH * ratio / max_ratio, format!("{ratio:.2}x"))
                    }
                    _ => (0.0, "n/a".into()),
                };
                let _ = write!(
                    out,
                    r#"<rect x="{LABEL}" y="{y}" width="{width:.1}" height="{}" fill="{}"/><text x="{:.1}" y="{:.1}">{label}</text>"#,
                    BAR - 2.0,
                    PALETTE[c % PALETTE.len()],
                    LABEL + width + 4.0,
                    y + BAR - 4.0
                );
            }
        }
        let ly = 30.0 + group * self.rows.len() as f64;
        for (c, column) in self.columns.iter().enumerate() {
            let y = ly + c as f64 * 20.0;
            let _ = write!(
                out,
                r#"<rect x="{LABEL}" y="{y}" width="12" height="12" fill="{}"/><text x="{}" y="{}">{column}</text>"#,
                PALETTE[c % PALETTE.len()],
                LABEL + 18.0,
                y + 10.0
            );
        }
        out.push_str("</svg>\n");
        out
    }
}
