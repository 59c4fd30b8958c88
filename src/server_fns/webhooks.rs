//! The admin's webhook page: its endpoints and deliveries, and what it does
//! to them. Every action answers with the page's data as it now is.

use chrono::NaiveDateTime;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::AppError;
use crate::domain::webhook::{WebhookDelivery, WebhookEndpoint};

/// What `/admin/webhooks` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksView {
    pub endpoints: Vec<WebhookEndpoint>,
    /// Newest first.
    pub deliveries: Vec<DeliveryLine>,
    /// The signing secret of the endpoint just added: shown this once.
    pub new_secret: Option<String>,
}

/// A delivery with its time in the display time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLine {
    pub delivery: WebhookDelivery,
    pub created_local: NaiveDateTime,
    pub tz_abbr: String,
}

#[cfg(feature = "ssr")]
async fn view(
    s: &crate::state::AppState,
    new_secret: Option<String>,
) -> Result<WebhooksView, AppError> {
    let tz = s.service.tz();
    let deliveries = s
        .service
        .webhook_deliveries()
        .await?
        .into_iter()
        .map(|delivery| {
            let local = delivery.created_at.with_timezone(&tz);
            DeliveryLine {
                created_local: local.naive_local(),
                tz_abbr: local.format("%Z").to_string(),
                delivery,
            }
        })
        .collect();
    Ok(WebhooksView {
        endpoints: s.service.webhook_endpoints().await?,
        deliveries,
        new_secret,
    })
}

#[server(prefix = "/sf", endpoint = "admin_webhooks")]
pub async fn admin_webhooks() -> Result<WebhooksView, AppError> {
    super::with_status(
        async move {
            let (s, _) = super::admin::ssr::staff().await?;
            view(&s, None).await
        }
        .await,
    )
}

/// Registers an endpoint; the answer carries its secret, once.
#[server(prefix = "/sf", endpoint = "admin_add_webhook")]
pub async fn admin_add_webhook(url: String) -> Result<WebhooksView, AppError> {
    super::with_status(
        async move {
            let (s, actor) = super::admin::ssr::staff().await?;
            let (_, secret) = s
                .service
                .add_webhook_endpoint(&actor, &url, s.clock.now())
                .await?;
            view(&s, Some(secret)).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "admin_retire_webhook")]
pub async fn admin_retire_webhook(id: i64) -> Result<WebhooksView, AppError> {
    super::with_status(
        async move {
            let (s, actor) = super::admin::ssr::staff().await?;
            s.service
                .retire_webhook_endpoint(&actor, id, s.clock.now())
                .await?;
            view(&s, None).await
        }
        .await,
    )
}

#[server(prefix = "/sf", endpoint = "admin_resend_webhook")]
pub async fn admin_resend_webhook(id: i64) -> Result<WebhooksView, AppError> {
    super::with_status(
        async move {
            let (s, _) = super::admin::ssr::staff().await?;
            s.service.resend_webhook(id, s.clock.now()).await?;
            view(&s, None).await
        }
        .await,
    )
}
