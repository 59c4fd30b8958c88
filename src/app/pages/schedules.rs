//! `/admin/schedules`: the routes the operator runs every week. An admin
//! adds one (route, local departure time, days, bus, price, first and last
//! day) and Kursi makes its trips ahead; a date can be skipped or given a
//! peak price; a schedule can be stopped.

use chrono::{Datelike, Weekday};
use leptos::prelude::*;
use leptos_meta::Title;

use super::admin::{AdminNav, bus_options, loaded};
use crate::app::components::{bus_label, explain};
use crate::app::i18n::{Lang, use_lang};
use crate::domain::format_rupiah;
use crate::domain::schedule::{Schedule, Weekdays};
use crate::server_fns::schedules::{
    AdminCreateSchedule, AdminScheduleDate, AdminStopSchedule, SchedulesView, admin_schedules,
};

#[component]
pub fn AdminSchedulesPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), |_| admin_schedules());
    view! {
        <Title text=lang.t("Admin · Jadwal", "Admin · Schedules") />
        <section class="wrap admin">
            <AdminNav current="schedules" />
            <h1>{lang.t("Jadwal rutin", "Schedules")}</h1>
            <p class="muted">
                {lang.t(
                    "Rute yang berangkat setiap minggu. Kursi membuat perjalanannya untuk hari-hari ke depan secara otomatis.",
                    "Routes that leave every week. Kursi makes their trips for the days ahead by itself.",
                )}
            </p>
            <Suspense>
                {move || data.get().map(|r| loaded(lang, r, move |initial| view! { <SchedulesBoard initial /> }))}
            </Suspense>
        </section>
    }
}

/// Day names, Monday first, and the form field of each.
const DAYS: [(Weekday, &str, &str, &str); 7] = [
    (Weekday::Mon, "mon", "Sen", "Mon"),
    (Weekday::Tue, "tue", "Sel", "Tue"),
    (Weekday::Wed, "wed", "Rab", "Wed"),
    (Weekday::Thu, "thu", "Kam", "Thu"),
    (Weekday::Fri, "fri", "Jum", "Fri"),
    (Weekday::Sat, "sat", "Sab", "Sat"),
    (Weekday::Sun, "sun", "Min", "Sun"),
];

fn days_label(lang: Lang, days: Weekdays) -> String {
    if days == Weekdays::EVERY_DAY {
        return lang.t("Setiap hari", "Every day").to_string();
    }
    DAYS.iter()
        .filter(|(d, ..)| days.contains(*d))
        .map(|(_, _, id, en)| lang.t(id, en))
        .collect::<Vec<_>>()
        .join(", ")
}

fn date_label(lang: Lang, d: chrono::NaiveDate) -> String {
    let months_id = [
        "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
    ];
    let months_en = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = d.month0() as usize;
    format!(
        "{} {} {}",
        d.day(),
        lang.t(months_id[m], months_en[m]),
        d.year()
    )
}

/// The schedules and the forms that change them (an island: every action
/// answers with the schedules as they now are).
#[island(lazy)]
fn SchedulesBoard(initial: SchedulesView) -> impl IntoView {
    let lang = use_lang();
    let data = RwSignal::new(initial);
    let create = ServerAction::<AdminCreateSchedule>::new();
    let date = ServerAction::<AdminScheduleDate>::new();
    let stop = ServerAction::<AdminStopSchedule>::new();
    let error = RwSignal::new(None::<String>);
    let answer = move |result: Option<Result<SchedulesView, crate::domain::AppError>>| match result
    {
        Some(Ok(view)) => {
            data.set(view);
            error.set(None);
        }
        Some(Err(e)) => error.set(Some(explain(lang, &e))),
        None => {}
    };
    Effect::new(move |_| answer(create.value().get()));
    Effect::new(move |_| answer(date.value().get()));
    Effect::new(move |_| answer(stop.value().get()));
    let busy = move || create.pending().get() || date.pending().get() || stop.pending().get();
    view! {
        {move || data.with(|d| d.made).map(|n| view! {
            <p class="panel success" role="status" data-testid="schedule-made">
                {match lang {
                    Lang::Id => format!("Jadwal disimpan; {n} perjalanan dibuat."),
                    Lang::En => format!("Schedule saved; {n} trips made."),
                }}
            </p>
        })}
        <p class="field-error" role="alert">{move || error.get()}</p>
        {move || if data.with(|d| d.schedules.is_empty()) {
            view! {
                <p class="panel" data-testid="no-schedules">{lang.t("Belum ada jadwal.", "No schedule yet.")}</p>
            }.into_any()
        } else {
            view! {
                <ul class="schedule-list">
                    {data.get().schedules.into_iter().map(|line| schedule_item(lang, line.schedule, line.trips_ahead, date, stop, busy)).collect_view()}
                </ul>
            }.into_any()
        }}
        <div class="panel form-panel">
            <h2>{lang.t("Tambah jadwal", "Add a schedule")}</h2>
            <ActionForm action=create attr:class="schedule-form">
                <div class="field">
                    <label for="s-route-from">{lang.t("Dari", "From")}</label>
                    <input id="s-route-from" name="route_from" type="text" required maxlength="60" />
                </div>
                <div class="field">
                    <label for="s-route-to">{lang.t("Ke", "To")}</label>
                    <input id="s-route-to" name="route_to" type="text" required maxlength="60" />
                </div>
                <div class="field">
                    <label for="s-time">{lang.t("Jam berangkat (waktu setempat)", "Departs at (local time)")}</label>
                    <input id="s-time" name="depart_time" type="time" required />
                </div>
                <fieldset class="field days">
                    <legend>{lang.t("Hari", "Days")}</legend>
                    {DAYS.iter().map(|(_, name, id, en)| view! {
                        <label class="day">
                            <input type="checkbox" name=*name value="on" />
                            <span>{lang.t(id, en)}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="s-bus">{lang.t("Jenis bus", "Bus type")}</label>
                    <select id="s-bus" name="bus_type">{bus_options(lang, None)}</select>
                </div>
                <div class="field">
                    <label for="s-price">{lang.t("Harga (Rp)", "Price (Rp)")}</label>
                    <input id="s-price" name="price" type="text" inputmode="numeric" required />
                </div>
                <div class="field">
                    <label for="s-wa">{lang.t("WhatsApp admin", "Admin's WhatsApp")}</label>
                    <input id="s-wa" name="admin_wa" type="text" inputmode="tel" required />
                </div>
                <div class="field">
                    <label for="s-from">{lang.t("Mulai tanggal", "First day")}</label>
                    <input id="s-from" name="valid_from" type="date" required />
                </div>
                <div class="field">
                    <label for="s-until">{lang.t("Sampai tanggal (boleh kosong)", "Last day (optional)")}</label>
                    <input id="s-until" name="valid_until" type="date" />
                </div>
                <button type="submit" class="button" disabled=busy>
                    {lang.t("Simpan jadwal", "Save schedule")}
                </button>
            </ActionForm>
        </div>
    }
}

fn schedule_item(
    lang: Lang,
    s: Schedule,
    trips_ahead: usize,
    date: ServerAction<AdminScheduleDate>,
    stop: ServerAction<AdminStopSchedule>,
    busy: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = s.id;
    let date_field = format!("d-date-{id}");
    let price_field = format!("d-price-{id}");
    let dates: Vec<String> = s
        .skipped
        .iter()
        .map(|d| format!("{} ({})", date_label(lang, *d), lang.t("libur", "skipped")))
        .chain(
            s.prices
                .iter()
                .map(|p| format!("{} ({})", date_label(lang, p.date), format_rupiah(p.price))),
        )
        .collect();
    view! {
        <li class="panel schedule" data-testid="schedule">
            <div class="admin-hold-head">
                <strong>{format!("{} → {}", s.route_from, s.route_to)}</strong>
                <span class=if s.is_active { "badge status-booked" } else { "badge status-expired" }>
                    {if s.is_active { lang.t("Berjalan", "Running") } else { lang.t("Dihentikan", "Stopped") }}
                </span>
            </div>
            <dl class="facts compact">
                <dt>{lang.t("Berangkat", "Departs")}</dt>
                <dd>{format!("{} · {}", s.depart_time, days_label(lang, s.days))}</dd>
                <dt>{lang.t("Bus", "Bus")}</dt>
                <dd>{bus_label(lang, s.bus_type)}</dd>
                <dt>{lang.t("Harga", "Price")}</dt>
                <dd>{format_rupiah(s.price)}</dd>
                <dt>{lang.t("Berlaku", "Runs")}</dt>
                <dd>{match s.valid_until {
                    Some(u) => format!("{} – {}", date_label(lang, s.valid_from), date_label(lang, u)),
                    None => format!("{} {}", lang.t("mulai", "from"), date_label(lang, s.valid_from)),
                }}</dd>
                <dt>{lang.t("Perjalanan dijual", "Trips on sale")}</dt>
                <dd data-testid="trips-ahead">{trips_ahead}</dd>
                {(!dates.is_empty()).then(|| view! {
                    <dt>{lang.t("Tanggal khusus", "Special dates")}</dt>
                    <dd>{dates.join(", ")}</dd>
                })}
            </dl>
            {s.is_active.then(|| view! {
                <details class="schedule-dates">
                    <summary>{lang.t("Libur atau harga khusus…", "Skip a date or set its price…")}</summary>
                    <ActionForm action=date attr:class="date-form">
                        <input type="hidden" name="id" value=id />
                        <div class="field">
                            <label for=date_field.clone()>{lang.t("Tanggal", "Date")}</label>
                            <input id=date_field.clone() name="date" type="date" required />
                        </div>
                        <div class="field">
                            <label for=price_field.clone()>{lang.t("Harga khusus (Rp)", "Its price (Rp)")}</label>
                            <input id=price_field.clone() name="price" type="text" inputmode="numeric" />
                        </div>
                        <div class="admin-actions">
                            <button type="submit" name="what" value="skip" class="button button-quiet" disabled=busy>
                                {lang.t("Liburkan", "Skip")}
                            </button>
                            <button type="submit" name="what" value="price" class="button button-quiet" disabled=busy>
                                {lang.t("Pakai harga ini", "Use this price")}
                            </button>
                            <button type="submit" name="what" value="normal" class="button button-quiet" disabled=busy>
                                {lang.t("Kembali biasa", "Back to normal")}
                            </button>
                        </div>
                    </ActionForm>
                </details>
                <button type="button" class="button button-small button-quiet danger" disabled=busy
                    on:click=move |_| { stop.dispatch(AdminStopSchedule { id }); }>
                    {lang.t("Hentikan jadwal", "Stop schedule")}
                </button>
            })}
        </li>
    }
}
