//! Bahasa Indonesia by default, English one click away.
//!
//! The language lives in the `lang` cookie, set by `/lang/{code}` (a plain
//! link, so it works without JavaScript). The server reads it for the
//! first render and the browser reads the same value from the page, so
//! hydration renders the same words.

use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Self {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// Picks the text of this language.
    pub fn t(self, id: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }

    /// A span of time as a hold's life is told: `10 menit` / `10 minutes`,
    /// or in seconds when it is not whole minutes (demos shorten it).
    pub fn span(self, seconds: i64) -> String {
        let (n, unit) = if seconds % 60 == 0 {
            (seconds / 60, self.t("menit", "minute"))
        } else {
            (seconds, self.t("detik", "second"))
        };
        let plural = self == Lang::En && n != 1;
        format!("{n} {unit}{}", if plural { "s" } else { "" })
    }

    /// `Sen, 30 Nov 2026` / `Mon, 30 Nov 2026`.
    pub fn date(self, t: NaiveDateTime) -> String {
        const DAYS_ID: [&str; 7] = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"];
        const DAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS_ID: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
        ];
        const MONTHS_EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let wd = t.weekday().num_days_from_monday() as usize;
        let m = t.month0() as usize;
        let (days, months) = match self {
            Lang::Id => (DAYS_ID, MONTHS_ID),
            Lang::En => (DAYS_EN, MONTHS_EN),
        };
        format!("{}, {} {} {}", days[wd], t.day(), months[m], t.year())
    }

    /// `08.00` in Indonesian, `08:00` in English.
    pub fn time(self, t: NaiveDateTime) -> String {
        let sep = match self {
            Lang::Id => '.',
            Lang::En => ':',
        };
        format!("{:02}{sep}{:02}", t.hour(), t.minute())
    }
}

/// The language of this request (server) or of this page (browser, read
/// from `<html lang>`): islands hydrate without the server's context.
pub fn current_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| crate::web::cookie_value(&parts.headers, "lang"))
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        leptos::prelude::document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }
}

/// The page's language: the app's context on the server, the document's
/// in an island.
pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_else(current_lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hold_spans_read_naturally() {
        assert_eq!(Lang::Id.span(600), "10 menit");
        assert_eq!(Lang::En.span(600), "10 minutes");
        assert_eq!(Lang::En.span(60), "1 minute");
        assert_eq!(Lang::Id.span(12), "12 detik");
        assert_eq!(Lang::En.span(12), "12 seconds");
    }

    #[test]
    fn dates_read_naturally_in_both_languages() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(8, 5, 0)
            .unwrap();
        assert_eq!(Lang::Id.date(t), "Sen, 30 Nov 2026");
        assert_eq!(Lang::En.date(t), "Mon, 30 Nov 2026");
        assert_eq!(Lang::Id.time(t), "08.05");
        assert_eq!(Lang::En.time(t), "08:05");
    }
}
