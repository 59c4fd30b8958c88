//! `/admin/statement`: the admin uploads the bank's statement export and
//! sees each credit beside the hold it pays; exact matches are confirmed
//! with one click each, or all at once; doubtful and unmatched lines are
//! shown apart and never booked without a look.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_meta::Title;

use super::admin::{AdminNav, status_label};
use crate::app::components::explain;
use crate::app::i18n::{Lang, use_lang};
use crate::domain::statement::{
    ColumnMapping, StatementCredit, StatementLayout, StatementReport, Verdict,
};
use crate::domain::{AppError, format_rupiah};
use crate::server_fns::admin::{Confirmation, admin_confirm_many, admin_match_statement};

#[component]
pub fn AdminStatementPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("Admin · Cocokkan mutasi", "Admin · Match a statement") />
        <section class="wrap admin">
            <AdminNav current="statement" />
            <h1>{lang.t("Cocokkan mutasi rekening", "Match a bank statement")}</h1>
            <p class="muted">
                {lang.t(
                    "Unggah ekspor mutasi (CSV) dari internet banking. Setiap transfer masuk dicocokkan dengan pesanan lewat jumlah uniknya. Tidak ada yang dikonfirmasi sebelum Anda menekan tombol.",
                    "Upload the statement export (CSV) from internet banking. Each incoming transfer is matched to a hold by its unique amount. Nothing is confirmed until you press a button.",
                )}
            </p>
            <StatementMatcher />
        </section>
    }
}

type Outcomes = RwSignal<HashMap<String, Result<Confirmation, AppError>>>;

/// The upload, the column choice and the matches (an island).
#[island(lazy)]
fn StatementMatcher() -> impl IntoView {
    let lang = use_lang();
    let csv = RwSignal::new(None::<String>);
    let report = RwSignal::new(None::<Result<StatementReport, AppError>>);
    let busy = RwSignal::new(false);
    let outcomes: Outcomes = RwSignal::new(HashMap::new());
    let run = move |mapping: Option<ColumnMapping>| {
        let Some(text) = csv.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            report.set(Some(admin_match_statement(text, mapping).await));
            busy.set(false);
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        outcomes.set(HashMap::new());
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            // The largest export the page sends (the server refuses more).
            const MAX_FILE_BYTES: f64 = 2.0 * 1024.0 * 1024.0;
            let file = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|input| input.files())
                .and_then(|files| files.get(0));
            let Some(file) = file else {
                return;
            };
            if file.size() > MAX_FILE_BYTES {
                report.set(Some(Err(AppError::PayloadTooLarge)));
                return;
            }
            busy.set(true);
            leptos::task::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(text) => {
                        csv.set(text.as_string());
                        run(None);
                    }
                    Err(_) => {
                        report.set(Some(Err(AppError::invalid("The file could not be read."))));
                        busy.set(false);
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, run);
    };
    let confirm = move |codes: Vec<String>| {
        if codes.is_empty() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match admin_confirm_many(codes.clone()).await {
                Ok(list) => outcomes.update(|m| {
                    for c in list {
                        m.insert(c.claim_code, c.outcome);
                    }
                }),
                Err(e) => outcomes.update(|m| {
                    for code in codes {
                        m.insert(code, Err(e.clone()));
                    }
                }),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="panel form-panel statement-upload">
            <div class="field">
                <label for="statement-file">{lang.t("File mutasi (CSV)", "Statement file (CSV)")}</label>
                <input id="statement-file" type="file" accept=".csv,text/csv,text/plain"
                    data-testid="statement-file" on:change=on_file />
                <p class="small muted">
                    {lang.t(
                        "KlikBCA (Mutasi Rekening, CSV) dikenali otomatis; ekspor bank lain dengan kolom tanggal, keterangan dan jumlah (atau kredit/debit) juga bisa.",
                        "KlikBCA (Mutasi Rekening, CSV) is recognised; other banks' exports with date, description and amount (or credit/debit) columns work too.",
                    )}
                </p>
            </div>
            <p class="small muted" role="status" aria-live="polite">
                {move || busy.get().then(|| lang.t("Memproses…", "Working…"))}
            </p>
        </div>
        {move || report.get().map(|r| match r {
            Err(e) => view! { <p class="panel error" role="alert" data-testid="statement-error">{explain(lang, &e)}</p> }.into_any(),
            Ok(report) => view! { <Report report outcomes busy run confirm /> }.into_any(),
        })}
    }
}

#[component]
fn Report(
    report: StatementReport,
    outcomes: Outcomes,
    busy: RwSignal<bool>,
    run: impl Fn(Option<ColumnMapping>) + Copy + Send + Sync + 'static,
    confirm: impl Fn(Vec<String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let section = |verdict: Verdict| {
        report
            .credits
            .iter()
            .filter(|c| c.verdict == verdict)
            .cloned()
            .collect::<Vec<_>>()
    };
    let ready = section(Verdict::Ready);
    let doubtful = section(Verdict::Ambiguous);
    let booked = section(Verdict::AlreadyBooked);
    let unmatched = section(Verdict::Unmatched);
    let ready_codes = StoredValue::new(
        ready
            .iter()
            .filter_map(|c| {
                c.holds
                    .first()?
                    .claim_code
                    .as_ref()
                    .map(ToString::to_string)
            })
            .collect::<Vec<_>>(),
    );
    // The ready holds not confirmed yet.
    let to_confirm = move || {
        let codes = ready_codes.get_value();
        outcomes.with(|m| {
            codes
                .iter()
                .filter(|c| !matches!(m.get(*c), Some(Ok(_))))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let layout = match report.layout {
        Some(StatementLayout::KlikBca) => {
            lang.t("Format KlikBCA dikenali.", "KlikBCA format recognised.")
        }
        Some(StatementLayout::Generic) => lang.t(
            "Kolom dikenali dari judulnya.",
            "Columns found by their headers.",
        ),
        None => lang.t(
            "Judul kolom tidak dikenali: pilih kolomnya.",
            "Column headers not recognised: choose the columns.",
        ),
    };
    let summary = match lang {
        Lang::Id => format!(
            "{} transfer masuk, {} debit diabaikan{}.",
            report.credits.len(),
            report.debits,
            if report.unreadable > 0 {
                format!(", {} baris tidak terbaca", report.unreadable)
            } else {
                String::new()
            }
        ),
        Lang::En => format!(
            "{} credits, {} debits left alone{}.",
            report.credits.len(),
            report.debits,
            if report.unreadable > 0 {
                format!(", {} lines unreadable", report.unreadable)
            } else {
                String::new()
            }
        ),
    };
    let has_mapping = report.mapping.is_some();
    view! {
        <div class="panel statement-summary" data-testid="statement-summary">
            <p>{layout}</p>
            {has_mapping.then(|| view! { <p>{summary}</p> })}
            <Columns columns=report.columns.clone() mapping=report.mapping run />
        </div>
        {has_mapping.then(|| view! {
            <section class="statement-section" aria-labelledby="ready-title" data-testid="statement-ready">
                <div class="section-head">
                    <h2 id="ready-title">{format!("{} ({})", lang.t("Siap dikonfirmasi", "Ready to confirm"), ready.len())}</h2>
                    {(!ready.is_empty()).then(|| view! {
                        <button type="button" class="button" data-testid="confirm-all"
                            disabled=move || busy.get() || to_confirm().is_empty()
                            on:click=move |_| confirm(to_confirm())>
                            {move || format!("{} ({})", lang.t("Konfirmasi semua", "Confirm all"), to_confirm().len())}
                        </button>
                    })}
                </div>
                {credit_list(ready, outcomes, busy, confirm, lang.t("Tidak ada yang cocok persis.", "No exact matches."))}
            </section>
            <section class="statement-section" aria-labelledby="doubt-title" data-testid="statement-ambiguous">
                <h2 id="doubt-title">{format!("{} ({})", lang.t("Perlu dicek", "Needs a look"), doubtful.len())}</h2>
                <p class="small muted">{lang.t(
                    "Lebih dari satu pesanan atau lebih dari satu transfer dengan jumlah ini. Cocokkan dengan nama di keterangan, lalu konfirmasi di daftar pesanan.",
                    "More than one hold, or more than one transfer, with this amount. Compare the names in the description, then confirm on the hold list.",
                )}</p>
                {credit_list(doubtful, outcomes, busy, confirm, lang.t("Tidak ada.", "None."))}
            </section>
            <section class="statement-section" aria-labelledby="booked-title" data-testid="statement-booked">
                <h2 id="booked-title">{format!("{} ({})", lang.t("Sudah lunas", "Already paid"), booked.len())}</h2>
                {credit_list(booked, outcomes, busy, confirm, lang.t("Tidak ada.", "None."))}
            </section>
            <section class="statement-section" aria-labelledby="unmatched-title" data-testid="statement-unmatched">
                <h2 id="unmatched-title">{format!("{} ({})", lang.t("Tidak cocok", "No match"), unmatched.len())}</h2>
                {credit_list(unmatched, outcomes, busy, confirm, lang.t("Tidak ada.", "None."))}
            </section>
        })}
    }
}

/// The column choice: found by the header, or chosen by the admin.
#[component]
fn Columns(
    columns: Vec<String>,
    mapping: Option<ColumnMapping>,
    run: impl Fn(Option<ColumnMapping>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let guess = mapping.unwrap_or(ColumnMapping {
        date: 0,
        description: 1.min(columns.len().saturating_sub(1)),
        amount: 2.min(columns.len().saturating_sub(1)),
        debit: None,
    });
    let date = RwSignal::new(guess.date);
    let description = RwSignal::new(guess.description);
    let amount = RwSignal::new(guess.amount);
    let debit = RwSignal::new(guess.debit);
    let options = move |chosen: Option<usize>, none: Option<&'static str>| {
        let columns = columns.clone();
        view! {
            {none.map(|label| view! { <option value="" selected=chosen.is_none()>{label}</option> })}
            {columns.into_iter().enumerate().map(|(i, name)| {
                let name = if name.is_empty() { format!("Kolom {}", i + 1) } else { name };
                view! { <option value=i.to_string() selected=chosen == Some(i)>{name}</option> }
            }).collect_view()}
        }
    };
    let pick = |signal: RwSignal<usize>| {
        move |ev: leptos::ev::Event| {
            if let Ok(i) = event_target_value(&ev).parse() {
                signal.set(i);
            }
        }
    };
    view! {
        <details class="statement-columns" open=mapping.is_none()>
            <summary>{lang.t("Kolom yang dipakai", "Columns used")}</summary>
            <form class="admin-search" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                run(Some(ColumnMapping {
                    date: date.get_untracked(),
                    description: description.get_untracked(),
                    amount: amount.get_untracked(),
                    debit: debit.get_untracked(),
                }));
            }>
                <div class="field">
                    <label for="col-date">{lang.t("Tanggal", "Date")}</label>
                    <select id="col-date" on:change=pick(date)>{options(Some(guess.date), None)}</select>
                </div>
                <div class="field">
                    <label for="col-description">{lang.t("Keterangan", "Description")}</label>
                    <select id="col-description" on:change=pick(description)>{options(Some(guess.description), None)}</select>
                </div>
                <div class="field">
                    <label for="col-amount">{lang.t("Jumlah atau kredit", "Amount or credit")}</label>
                    <select id="col-amount" on:change=pick(amount)>{options(Some(guess.amount), None)}</select>
                </div>
                <div class="field">
                    <label for="col-debit">{lang.t("Debit (jika kolomnya terpisah)", "Debit (if a column of its own)")}</label>
                    <select id="col-debit" on:change=move |ev| debit.set(event_target_value(&ev).parse().ok())>
                        {options(guess.debit, Some(lang.t("— tidak ada —", "— none —")))}
                    </select>
                </div>
                <button type="submit" class="button button-quiet">{lang.t("Pakai kolom ini", "Use these columns")}</button>
            </form>
        </details>
    }
}

fn credit_list(
    credits: Vec<StatementCredit>,
    outcomes: Outcomes,
    busy: RwSignal<bool>,
    confirm: impl Fn(Vec<String>) + Copy + Send + Sync + 'static,
    empty: &'static str,
) -> impl IntoView {
    if credits.is_empty() {
        return view! { <p class="panel empty">{empty}</p> }.into_any();
    }
    view! {
        <ul class="statement-credits">
            {credits.into_iter().map(|c| view! { <CreditRow c outcomes busy confirm /> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn CreditRow(
    c: StatementCredit,
    outcomes: Outcomes,
    busy: RwSignal<bool>,
    confirm: impl Fn(Vec<String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let date = c
        .date
        .map(|d| d.format("%d-%m-%Y").to_string())
        .unwrap_or_else(|| lang.t("tertunda", "pending").to_string());
    let amount = if c.sen == 0 {
        format_rupiah(c.amount)
    } else {
        format!("{},{:02}", format_rupiah(c.amount), c.sen)
    };
    let ready = c.verdict == Verdict::Ready;
    let claim = c
        .holds
        .first()
        .and_then(|h| h.claim_code.as_ref())
        .map(ToString::to_string)
        .unwrap_or_default();
    let holds = c.holds.clone();
    let code = claim.clone();
    let outcome = move || outcomes.with(|m| m.get(&code).cloned());
    view! {
        <li class="panel statement-credit" data-testid="statement-credit" data-row=c.row data-claim=claim.clone()>
            <div class="statement-line">
                <strong class="amount-due">{amount}</strong>
                <span class="muted">{date}</span>
                <span class="statement-description">{c.description.clone()}</span>
            </div>
            {(!holds.is_empty()).then(|| view! {
                <ul class="statement-holds">
                    {holds.into_iter().map(|h| {
                        let seats = h.seats.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                        let claim = h.claim_code.as_ref().map(ToString::to_string).unwrap_or_default();
                        view! {
                            <li>
                                <strong>{h.name.clone().unwrap_or_default()}</strong>
                                " · " <a class="mono" href=format!("/admin?q={claim}&status=ALL")>{claim.clone()}</a>
                                " · " {seats}
                                " · " <span class=format!("badge status-{}", h.status.as_str().to_ascii_lowercase())>{status_label(lang, h.status)}</span>
                                {h.booking_code.as_ref().map(|b| view! { " · " <span class="mono">{b.to_string()}</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {ready.then(|| {
                let code = claim.clone();
                view! {
                    <div class="admin-actions">
                        {move || match outcome() {
                            Some(Ok(done)) => view! {
                                <p class="success" role="status" data-testid="statement-booked-code">
                                    {lang.t("Lunas. Kode booking: ", "Paid. Booking code: ")}
                                    <strong class="mono">{done.booking.booking_code.to_string()}</strong>
                                </p>
                                <a class="button whatsapp" href=done.whatsapp_url target="_blank" rel="noopener">
                                    {lang.t("Kirim tiket lewat WhatsApp", "Send the ticket on WhatsApp")}
                                </a>
                            }.into_any(),
                            other => {
                                let code = code.clone();
                                view! {
                                    {other.and_then(Result::err).map(|e| view! {
                                        <p class="field-error" role="alert">{explain(lang, &e)}</p>
                                    })}
                                    <button type="button" class="button" data-testid="statement-confirm"
                                        disabled=move || busy.get()
                                        on:click=move |_| confirm(vec![code.clone()])>
                                        {lang.t("Konfirmasi bayar", "Confirm payment")}
                                    </button>
                                }.into_any()
                            }
                        }}
                    </div>
                }
            })}
        </li>
    }
}
