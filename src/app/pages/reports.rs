//! `/admin/reports`: the business at a glance. How full the coming buses
//! are (a seat-fill bar per trip), bookings and revenue per day and per
//! route over a chosen range, and what became of the holds (paid, or time
//! ran out). Charts are SVG drawn on the server (`app::charts`), each with
//! its figures in a table; every table has a CSV twin in the JSON API.
//! A plain GET form picks the range, so the page needs no JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::admin::{AdminNav, loaded};
use crate::app::charts::{Column, Part, column_chart, share_bar};
use crate::app::i18n::{Lang, use_lang};
use crate::domain::format_rupiah;
use crate::domain::report::{Conversion, MAX_AHEAD_DAYS, Report};
use crate::server_fns::reports::{ReportView, admin_report};

#[component]
pub fn AdminReportsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let asked = move || query.with(|q| (q.get("from"), q.get("to"), q.get("ahead")));
    let data = Resource::new(asked, |(from, to, ahead)| admin_report(from, to, ahead));
    view! {
        <Title text=lang.t("Admin · Laporan", "Admin · Reports") />
        <section class="wrap admin reports">
            <AdminNav current="reports" />
            <h1>{lang.t("Laporan", "Reports")}</h1>
            <Suspense fallback=move || view! { <p class="muted">{lang.t("Memuat…", "Loading…")}</p> }>
                {move || data.get().map(|r| {
                    // The form shows the range shown, or what was typed when
                    // it was refused.
                    let (from, to, ahead) = match &r {
                        Ok(v) => (
                            v.report.range.from.to_string(),
                            v.report.range.to.to_string(),
                            v.report.ahead_days.to_string(),
                        ),
                        Err(_) => {
                            let (f, t, a) = asked();
                            (f.unwrap_or_default(), t.unwrap_or_default(), a.unwrap_or_default())
                        }
                    };
                    view! {
                        <RangeForm from to ahead />
                        {loaded(lang, r, move |v| view! { <ReportBody view=v /> })}
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn RangeForm(from: String, to: String, ahead: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <form method="get" action="/admin/reports" class="panel report-range">
            <div class="field">
                <label for="report-from">{lang.t("Dari tanggal", "From")}</label>
                <input id="report-from" name="from" type="date" value=from />
            </div>
            <div class="field">
                <label for="report-to">{lang.t("Sampai tanggal", "To")}</label>
                <input id="report-to" name="to" type="date" value=to />
            </div>
            <div class="field">
                <label for="report-ahead">{lang.t("Keterisian, hari ke depan", "Occupancy, days ahead")}</label>
                <input id="report-ahead" name="ahead" type="number" min="1" max=MAX_AHEAD_DAYS.to_string() value=ahead />
            </div>
            <button type="submit" class="button">{lang.t("Tampilkan", "Show")}</button>
        </form>
    }
}

/// `1,5 jt` / `1.5M`, `500 rb` / `500k`: rupiah for an axis.
fn short_rupiah(lang: Lang, v: i64) -> String {
    let (million, thousand, comma) = match lang {
        Lang::Id => (" jt", " rb", ','),
        Lang::En => ("M", "k", '.'),
    };
    let with_tenths = |units: i64, unit: i64, suffix: &str| {
        let tenths = (v % unit) * 10 / unit;
        if tenths == 0 {
            format!("{units}{suffix}")
        } else {
            format!("{units}{comma}{tenths}{suffix}")
        }
    };
    if v >= 1_000_000 {
        with_tenths(v / 1_000_000, 1_000_000, million)
    } else if v >= 1_000 {
        with_tenths(v / 1_000, 1_000, thousand)
    } else {
        v.to_string()
    }
}

/// `1 booking`, `2 bookings`: English counts (Indonesian nouns do not
/// change with number).
fn count(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `3/12`: a day under a chart's axis.
fn day_label(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}/{}", d.day(), d.month())
}

fn day_long(lang: Lang, d: chrono::NaiveDate) -> String {
    lang.date(d.and_hms_opt(0, 0, 0).expect("midnight"))
}

#[component]
fn ReportBody(view: ReportView) -> impl IntoView {
    let lang = use_lang();
    let r = view.report.clone();
    let q = format!(
        "?from={}&to={}&ahead={}",
        r.range.from, r.range.to, r.ahead_days
    );
    let range_text = format!(
        "{} – {}",
        day_long(lang, r.range.from),
        day_long(lang, r.range.to)
    );
    let paid = r.conversion.booked_percent();
    view! {
        <p class="muted" data-testid="report-range">{range_text}</p>
        <dl class="report-totals" data-testid="report-totals">
            <div><dt>{lang.t("Pendapatan", "Revenue")}</dt><dd data-testid="total-revenue">{format_rupiah(r.revenue())}</dd></div>
            <div><dt>{lang.t("Pesanan dibayar", "Paid bookings")}</dt><dd>{r.bookings()}</dd></div>
            <div><dt>{lang.t("Kursi terjual", "Seats sold")}</dt><dd>{r.seats()}</dd></div>
            <div><dt>{lang.t("Tahanan yang dibayar", "Holds paid")}</dt><dd>{paid.map_or_else(|| "—".to_string(), |p| format!("{p}%"))}</dd></div>
        </dl>
        {occupancy(lang, &view, &q)}
        {daily(lang, &r, &q)}
        {routes(lang, &r, &q)}
        {conversion(lang, &r.conversion)}
    }
}

fn csv_link(lang: Lang, href: String, testid: &'static str) -> impl IntoView + use<> {
    view! {
        <p class="report-csv">
            <a class="button button-quiet button-small" href=href download data-testid=testid>{lang.t("Unduh CSV", "Download CSV")}</a>
        </p>
    }
}

fn occupancy(lang: Lang, view: &ReportView, q: &str) -> impl IntoView + use<> {
    let r = &view.report;
    let title = match lang {
        Lang::Id => format!("Keterisian {} hari ke depan", r.ahead_days),
        Lang::En => format!("Occupancy, next {} days", r.ahead_days),
    };
    let rows = r
        .occupancy
        .iter()
        .zip(&view.departs)
        .map(|(t, depart)| {
            let label = match lang {
                Lang::Id => format!("{} dari {} kursi terisi, {} ditahan", t.booked, t.seats_total, t.held),
                Lang::En => format!("{} of {} seats booked, {} held", t.booked, t.seats_total, t.held),
            };
            let bar = share_bar(
                &label,
                &[
                    Part { value: t.booked, class: "booked" },
                    Part { value: t.held, class: "held" },
                ],
                t.seats_total,
            );
            let when = format!("{} {} {}", lang.date(*depart), lang.time(*depart), view.tz_abbr);
            let held = (t.held > 0).then(|| format!(" + {} {}", t.held, lang.t("ditahan", "held")));
            view! {
                <tr data-testid="fill-row">
                    <td class="wrap-cell">
                        <a href=format!("/admin/trips/{}", t.trip_id)>{format!("{} → {}", t.route_from, t.route_to)}</a>
                        <span class="muted small cell-line">{when}</span>
                    </td>
                    <td class="fill-cell">
                        <span class="fill-bar" inner_html=bar></span>
                        <span class="fill-figures">{format!("{}/{} · {}%", t.booked, t.seats_total, t.booked_percent())}{held}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let empty = r.occupancy.is_empty();
    view! {
        <section class="panel report-section" aria-labelledby="fill-title">
            <h2 id="fill-title">{title}</h2>
            <ul class="chart-keys">
                <li><span class="key booked"></span>{lang.t("Terisi (dibayar)", "Booked (paid)")}</li>
                <li><span class="key held"></span>{lang.t("Ditahan, belum dibayar", "Held, not paid yet")}</li>
            </ul>
            {if empty {
                Some(view! { <p class="muted">{lang.t("Tidak ada perjalanan aktif dalam rentang ini.", "No active trips in this window.")}</p> })
            } else {
                None
            }}
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="fill-title">
                <table class="admin-table" data-testid="occupancy">
                    <thead><tr>
                        <th scope="col">{lang.t("Perjalanan, berangkat", "Trip, departure")}</th>
                        <th scope="col">{lang.t("Terisi", "Booked")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {csv_link(lang, format!("/api/admin/reports/occupancy.csv{q}"), "occupancy-csv")}
        </section>
    }
}

fn daily(lang: Lang, r: &Report, q: &str) -> impl IntoView + use<> {
    let columns: Vec<Column> = r
        .days
        .iter()
        .map(|d| Column {
            label: day_label(d.date),
            value: d.revenue,
            tip: match lang {
                Lang::Id => format!(
                    "{}: {}, {} pesanan",
                    day_long(lang, d.date),
                    format_rupiah(d.revenue),
                    d.bookings
                ),
                Lang::En => format!(
                    "{}: {}, {}",
                    day_long(lang, d.date),
                    format_rupiah(d.revenue),
                    count(d.bookings, "booking")
                ),
            },
        })
        .collect();
    let title = lang.t("Pendapatan per hari", "Revenue per day");
    let chart = column_chart(title, &columns, |v| short_rupiah(lang, v));
    let rows = r
        .days
        .iter()
        .map(|d| {
            view! {
                <tr>
                    <td>{day_long(lang, d.date)}</td>
                    <td class="num">{d.bookings}</td>
                    <td class="num">{d.seats}</td>
                    <td class="num">{format_rupiah(d.revenue)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel report-section" aria-labelledby="daily-title">
            <h2 id="daily-title">{lang.t("Pesanan dan pendapatan per hari", "Bookings and revenue per day")}</h2>
            <div class="chart-box" data-testid="daily-chart" inner_html=chart></div>
            <details>
                <summary>{lang.t("Tabel per hari", "Table by day")}</summary>
                <div class="table-scroll" tabindex="0" role="region" aria-label=lang.t("Tabel per hari", "Table by day")>
                    <table class="admin-table" data-testid="daily-table">
                        <thead><tr>
                            <th scope="col">{lang.t("Tanggal", "Date")}</th>
                            <th scope="col" class="num">{lang.t("Pesanan", "Bookings")}</th>
                            <th scope="col" class="num">{lang.t("Kursi", "Seats")}</th>
                            <th scope="col" class="num">{lang.t("Pendapatan", "Revenue")}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
            {csv_link(lang, format!("/api/admin/reports/days.csv{q}"), "days-csv")}
        </section>
    }
}

fn routes(lang: Lang, r: &Report, q: &str) -> impl IntoView + use<> {
    let top = r.routes.first().map_or(0, |t| t.revenue).max(1);
    let rows = r
        .routes
        .iter()
        .map(|t| {
            let route = format!("{} → {}", t.route_from, t.route_to);
            // Revenue against the best route's, in thousandths.
            let share = ((t.revenue.max(0) * 1000) / top) as u32;
            let bar = share_bar(
                &format!("{route}: {}", format_rupiah(t.revenue)),
                &[Part {
                    value: share,
                    class: "booked",
                }],
                1000,
            );
            view! {
                <tr data-testid="route-row">
                    <th scope="row" class="wrap-cell">
                        {route}
                        <span class="muted small cell-line">{match lang {
                            Lang::Id => format!("{} pesanan · {} kursi", t.bookings, t.seats),
                            Lang::En => format!("{} · {}", count(t.bookings, "booking"), count(t.seats, "seat")),
                        }}</span>
                    </th>
                    <td class="fill-cell">
                        <span class="fill-bar" inner_html=bar></span>
                        <span class="fill-figures">{format_rupiah(t.revenue)}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let empty = r.routes.is_empty();
    view! {
        <section class="panel report-section" aria-labelledby="routes-title">
            <h2 id="routes-title">{lang.t("Per rute", "By route")}</h2>
            {if empty {
                Some(view! { <p class="muted">{lang.t("Belum ada pesanan dibayar dalam rentang ini.", "No paid bookings in this range yet.")}</p> })
            } else {
                None
            }}
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="routes-title">
                <table class="admin-table" data-testid="routes">
                    <thead><tr>
                        <th scope="col">{lang.t("Rute", "Route")}</th>
                        <th scope="col">{lang.t("Pendapatan", "Revenue")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {csv_link(lang, format!("/api/admin/reports/routes.csv{q}"), "routes-csv")}
        </section>
    }
}

fn conversion(lang: Lang, c: &Conversion) -> impl IntoView + use<> {
    let parts = [
        (c.booked, "booked", lang.t("Dibayar", "Paid")),
        (
            c.expired_unpaid,
            "expired",
            lang.t("Waktu habis, belum dibayar", "Time ran out unpaid"),
        ),
        (
            c.abandoned,
            "abandoned",
            lang.t(
                "Waktu habis sebelum isi kontak",
                "Time ran out before contact",
            ),
        ),
        (c.released, "released", lang.t("Dilepas", "Released")),
        (c.live, "held", lang.t("Masih berjalan", "Still live")),
    ];
    let label = match lang {
        Lang::Id => format!(
            "{} tahanan: {} dibayar, {} habis waktu tanpa bayar",
            c.holds,
            c.booked,
            c.expired_unpaid + c.abandoned
        ),
        Lang::En => format!(
            "{}: {} paid, {} ran out unpaid",
            count(c.holds, "hold"),
            c.booked,
            c.expired_unpaid + c.abandoned
        ),
    };
    let bar = share_bar(
        &label,
        &parts.map(|(value, class, _)| Part { value, class }),
        c.holds,
    );
    let headline = match (lang, c.booked_percent()) {
        (_, None) => lang
            .t(
                "Belum ada tahanan dengan kontak dalam rentang ini.",
                "No holds with contact in this range yet.",
            )
            .to_string(),
        (Lang::Id, Some(p)) => format!(
            "{p}% tahanan yang sudah isi kontak dibayar ({} dari {}).",
            c.booked, c.with_contact
        ),
        (Lang::En, Some(p)) => format!(
            "{p}% of holds with contact were paid ({} of {}).",
            c.booked, c.with_contact
        ),
    };
    let rows = parts
        .into_iter()
        .map(|(value, class, text)| {
            view! {
                <tr>
                    <th scope="row"><span class=format!("key {class}")></span>{text}</th>
                    <td class="num">{value}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel report-section" aria-labelledby="conversion-title">
            <h2 id="conversion-title">{lang.t("Dari tahanan ke pesanan", "From hold to booking")}</h2>
            <p data-testid="conversion-headline">{headline}</p>
            <div class="conversion-bar" inner_html=bar></div>
            <table class="admin-table wrap-table" data-testid="conversion">
                <caption class="muted">{match lang {
                    Lang::Id => format!("{} tahanan dibuka dalam rentang ini", c.holds),
                    Lang::En => format!("{} opened in this range", count(c.holds, "hold")),
                }}</caption>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_amounts_are_short() {
        assert_eq!(short_rupiah(Lang::Id, 0), "0");
        assert_eq!(short_rupiah(Lang::Id, 500_000), "500 rb");
        assert_eq!(short_rupiah(Lang::Id, 1_500_000), "1,5 jt");
        assert_eq!(short_rupiah(Lang::En, 1_500_000), "1.5M");
        assert_eq!(short_rupiah(Lang::En, 2_000_000), "2M");
        assert_eq!(short_rupiah(Lang::En, 250_000), "250k");
    }

    #[test]
    fn english_counts_agree() {
        assert_eq!(count(1, "hold"), "1 hold");
        assert_eq!(count(0, "hold"), "0 holds");
        assert_eq!(count(12, "seat"), "12 seats");
    }
}
