//! Sending a file the passenger or admin picked to a JSON API route that
//! takes it as the raw request body (the browser's `fetch`, same origin,
//! cookies included); a refusal comes back as the API's error body.

#[cfg(feature = "hydrate")]
use crate::domain::AppError;

/// Posts `file` to `url`; answers with the response's text.
#[cfg(feature = "hydrate")]
pub async fn post_file(url: &str, file: &web_sys::File) -> Result<String, AppError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(file);
    let answer = JsFuture::from(leptos::prelude::window().fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| AppError::Internal)?;
    let answer: web_sys::Response = answer.dyn_into().map_err(|_| AppError::Internal)?;
    let text = match answer.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    };
    if answer.ok() {
        return Ok(text.unwrap_or_default());
    }
    Err(text
        .and_then(|t| serde_json::from_str::<AppError>(&t).ok())
        .unwrap_or(AppError::Internal))
}

/// Posts nothing to `url` (an action such as retiring); `Ok` on any 2xx.
#[cfg(feature = "hydrate")]
pub async fn post_empty(url: &str) -> Result<(), AppError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let answer = JsFuture::from(leptos::prelude::window().fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| AppError::Internal)?;
    let answer: web_sys::Response = answer.dyn_into().map_err(|_| AppError::Internal)?;
    if answer.ok() {
        return Ok(());
    }
    let text = match answer.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    };
    Err(text
        .and_then(|t| serde_json::from_str::<AppError>(&t).ok())
        .unwrap_or(AppError::Internal))
}
