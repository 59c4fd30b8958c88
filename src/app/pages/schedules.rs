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
    AdminSaveSchedule, AdminScheduleDate, AdminStopSchedule, SchedulesView, admin_schedules,
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

/// The fields of a schedule (the add and edit forms), empty or filled in;
/// `prefix` keeps each form's ids apart.
fn schedule_fields(lang: Lang, prefix: &str, s: Option<&Schedule>) -> impl IntoView + use<> {
    let id = |f: &str| format!("{prefix}-{f}");
    let v = |f: fn(&Schedule) -> String| s.map(f).unwrap_or_default();
    let days = s.map(|s| s.days);
    let stops = s
        .and_then(|s| {
            let departs = crate::domain::schedule::parse_time(&s.depart_time).ok()?;
            Some(crate::domain::Stops::to_lines(&s.stops, departs))
        })
        .unwrap_or_default();
    view! {
        <div class="field">
            <label for=id("route-from")>{lang.t("Dari", "From")}</label>
            <input id=id("route-from") name="route_from" type="text" required maxlength="60" value=v(|s| s.route_from.clone()) />
        </div>
        <div class="field">
            <label for=id("route-to")>{lang.t("Ke", "To")}</label>
            <input id=id("route-to") name="route_to" type="text" required maxlength="60" value=v(|s| s.route_to.clone()) />
        </div>
        <div class="field">
            <label for=id("time")>{lang.t("Jam berangkat (waktu setempat)", "Departs at (local time)")}</label>
            <input id=id("time") name="depart_time" type="time" required value=v(|s| s.depart_time.clone()) />
        </div>
        <fieldset class="field days">
            <legend>{lang.t("Hari", "Days")}</legend>
            {DAYS.iter().map(|(day, name, id, en)| view! {
                <label class="day">
                    <input type="checkbox" name=*name value="on" checked=days.is_some_and(|d| d.contains(*day)) />
                    <span>{lang.t(id, en)}</span>
                </label>
            }).collect_view()}
        </fieldset>
        <div class="field">
            <label for=id("bus")>{lang.t("Jenis bus", "Bus type")}</label>
            <select id=id("bus") name="bus_type">{bus_options(lang, s.map(|s| s.bus_type))}</select>
        </div>
        <div class="field">
            <label for=id("price")>{lang.t("Harga (Rp)", "Price (Rp)")}</label>
            <input id=id("price") name="price" type="text" inputmode="numeric" required value=v(|s| s.price.to_string()) />
        </div>
        <div class="field">
            <label for=id("wa")>{lang.t("WhatsApp admin", "Admin's WhatsApp")}</label>
            <input id=id("wa") name="admin_wa" type="text" inputmode="tel" required value=v(|s| format!("+{}", s.admin_wa)) />
        </div>
        <div class="field">
            <label for=id("from")>{lang.t("Mulai tanggal", "First day")}</label>
            <input id=id("from") name="valid_from" type="date" required value=v(|s| s.valid_from.to_string()) />
        </div>
        <div class="field">
            <label for=id("until")>{lang.t("Sampai tanggal (boleh kosong)", "Last day (optional)")}</label>
            <input id=id("until") name="valid_until" type="date" value=v(|s| s.valid_until.map(|u| u.to_string()).unwrap_or_default()) />
        </div>
        {super::admin::stops_field(lang, id("stops"), stops)}
    }
}

/// The schedules and the forms that change them (an island: every action
/// answers with the schedules as they now are).
#[island(lazy)]
fn SchedulesBoard(initial: SchedulesView) -> impl IntoView {
    let lang = use_lang();
    let data = RwSignal::new(initial);
    let save = ServerAction::<AdminSaveSchedule>::new();
    let date = ServerAction::<AdminScheduleDate>::new();
    let stop = ServerAction::<AdminStopSchedule>::new();
    // The add form empties once its schedule is saved.
    let add_form = NodeRef::<leptos::html::Form>::new();
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
    Effect::new(move |_| {
        let saved = save.value().get();
        let added = matches!(&saved, Some(Ok(v)) if v.made.is_some());
        answer(saved);
        if added && let Some(form) = add_form.get_untracked() {
            form.reset();
        }
    });
    Effect::new(move |_| answer(date.value().get()));
    Effect::new(move |_| answer(stop.value().get()));
    let busy = move || save.pending().get() || date.pending().get() || stop.pending().get();
    view! {
        {move || data.with(|d| d.edited).map(|e| view! {
            <p class="panel success" role="status" data-testid="schedule-edited">
                {match lang {
                    Lang::Id => format!("Jadwal diubah: {} perjalanan ikut berubah, {} tetap (sudah ada pemesan), {} dibuat.", e.changed, e.kept, e.made),
                    Lang::En => format!("Schedule changed: {} trips follow it, {} kept (they have passengers), {} made.", e.changed, e.kept, e.made),
                }}
            </p>
        })}
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
                    {data.get().schedules.into_iter().map(|line| schedule_item(lang, line.schedule, line.trips_ahead, ScheduleActions { date, stop, save }, busy)).collect_view()}
                </ul>
            }.into_any()
        }}
        <div class="panel form-panel">
            <h2>{lang.t("Tambah jadwal", "Add a schedule")}</h2>
            <ActionForm action=save node_ref=add_form attr:class="schedule-form">
                {schedule_fields(lang, "s", None)}
                <button type="submit" class="button" disabled=busy>
                    {lang.t("Simpan jadwal", "Save schedule")}
                </button>
            </ActionForm>
        </div>
    }
}

/// What a schedule's buttons and forms do.
#[derive(Clone, Copy)]
struct ScheduleActions {
    date: ServerAction<AdminScheduleDate>,
    stop: ServerAction<AdminStopSchedule>,
    save: ServerAction<AdminSaveSchedule>,
}

fn schedule_item(
    lang: Lang,
    s: Schedule,
    trips_ahead: usize,
    actions: ScheduleActions,
    busy: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ScheduleActions { date, stop, save } = actions;
    let id = s.id;
    let fields = schedule_fields(lang, &format!("e{id}"), Some(&s));
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
                {(!s.stops.is_empty()).then(|| view! {
                    <dt>{lang.t("Titik", "Stops")}</dt>
                    <dd>{s.stops.iter().map(|p| p.place.clone()).collect::<Vec<_>>().join(" → ")}</dd>
                })}
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
                <details class="schedule-edit">
                    <summary>{lang.t("Ubah jadwal…", "Change schedule…")}</summary>
                    <p class="muted small">{lang.t(
                        "Perjalanan yang belum ada pemesannya ikut berubah; yang sudah ada pemesannya tetap seperti dibeli.",
                        "Trips nobody has booked yet follow the change; trips with passengers stay as they were sold.",
                    )}</p>
                    <ActionForm action=save attr:class="schedule-form">
                        <input type="hidden" name="id" value=id />
                        {fields}
                        <button type="submit" class="button" disabled=busy>
                            {lang.t("Simpan perubahan", "Save changes")}
                        </button>
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
