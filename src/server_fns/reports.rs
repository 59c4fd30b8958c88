//! The admin's reports page: the report for the range the page's GET form
//! asks for.

use chrono::NaiveDateTime;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::AppError;
use crate::domain::report::Report;

/// What `/admin/reports` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub report: Report,
    /// The local departure of each trip of `report.occupancy`, in order.
    pub departs: Vec<NaiveDateTime>,
    /// The zone's abbreviation, e.g. `WIB`.
    pub tz_abbr: String,
}

#[server(prefix = "/sf", endpoint = "admin_report")]
pub async fn admin_report(
    from: Option<String>,
    to: Option<String>,
    ahead: Option<String>,
) -> Result<ReportView, AppError> {
    super::with_status(
        async move {
            use crate::domain::report::{DateRange, parse_ahead};
            let (s, _) = super::admin::ssr::staff().await?;
            let now = s.clock.now();
            let tz = s.service.tz();
            let today = now.with_timezone(&tz).date_naive();
            let range = DateRange::parse(from.as_deref(), to.as_deref(), today)?;
            let ahead = parse_ahead(ahead.as_deref())?;
            let report = s.service.report(range, ahead, now).await?;
            Ok(ReportView {
                departs: report
                    .occupancy
                    .iter()
                    .map(|t| t.depart_at.with_timezone(&tz).naive_local())
                    .collect(),
                tz_abbr: now.with_timezone(&tz).format("%Z").to_string(),
                report,
            })
        }
        .await,
    )
}
