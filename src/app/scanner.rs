//! The crew's camera and photo scanning, in the browser only.
//!
//! The camera runs through `getUserMedia` (the back camera, `facingMode:
//! environment`); each frame is read by the browser's own `BarcodeDetector`
//! where there is one (Android's Chrome) and otherwise drawn on a canvas,
//! scaled to at most 640 pixels, and read by [`super::qr::read_rgba`]. A
//! photo (the file input, which on a phone opens the camera app) is read
//! the same way at up to 1,280 pixels.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream};

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The browser's `BarcodeDetector` for QR codes, where it exists.
pub fn barcode_detector() -> Option<JsValue> {
    let window = web_sys::window()?;
    let ctor = js_sys::Reflect::get(&window, &"BarcodeDetector".into()).ok()?;
    let ctor = ctor.dyn_into::<js_sys::Function>().ok()?;
    let options = js_sys::Object::new();
    let formats = js_sys::Array::of1(&"qr_code".into());
    js_sys::Reflect::set(&options, &"formats".into(), &formats).ok()?;
    js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(&options)).ok()
}

/// What `detector` reads in `source` (a video or an image element).
async fn detect_with(detector: &JsValue, source: &JsValue) -> Option<String> {
    let detect = js_sys::Reflect::get(detector, &"detect".into()).ok()?;
    let detect = detect.dyn_into::<js_sys::Function>().ok()?;
    let promise = detect.call1(detector, source).ok()?;
    let found = JsFuture::from(promise.dyn_into::<js_sys::Promise>().ok()?)
        .await
        .ok()?;
    let found = found.dyn_into::<js_sys::Array>().ok()?;
    js_sys::Reflect::get(&found.get(0), &"rawValue".into())
        .ok()?
        .as_string()
}

/// Draws `width`×`height` of a source, scaled to at most `max` pixels a
/// side, and reads it with the Rust decoder.
fn read_drawn(
    width: u32,
    height: u32,
    max: u32,
    draw: impl FnOnce(&CanvasRenderingContext2d, f64, f64) -> Result<(), JsValue>,
) -> Option<String> {
    if width == 0 || height == 0 {
        return None;
    }
    let scale = (max as f64 / width.max(height) as f64).min(1.0);
    let (w, h) = (
        ((width as f64 * scale) as u32).max(1),
        ((height as f64 * scale) as u32).max(1),
    );
    let canvas = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into::<HtmlCanvasElement>()
        .ok()?;
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = canvas
        .get_context("2d")
        .ok()??
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    draw(&ctx, w as f64, h as f64).ok()?;
    let data = ctx.get_image_data(0.0, 0.0, w as f64, h as f64).ok()?;
    super::qr::read_rgba(w as usize, h as usize, &data.data())
}

/// Reads the QR code in a photo file. The file is decoded with
/// `createImageBitmap`, not loaded through a `blob:` URL, which the page's
/// Content-Security-Policy does not allow for images.
pub async fn read_file(file: web_sys::File) -> Option<String> {
    let window = web_sys::window()?;
    let bitmap = JsFuture::from(window.create_image_bitmap_with_blob(&file).ok()?)
        .await
        .ok()?
        .dyn_into::<web_sys::ImageBitmap>()
        .ok()?;
    if let Some(detector) = barcode_detector()
        && let Some(text) = detect_with(&detector, &bitmap).await
    {
        return Some(text);
    }
    let text = read_drawn(bitmap.width(), bitmap.height(), 1280, |ctx, w, h| {
        ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, w, h)
    });
    bitmap.close();
    text
}

/// Starts the back camera into `video`.
pub async fn start_camera(video: &HtmlVideoElement) -> Result<MediaStream, JsValue> {
    let devices = web_sys::window()
        .ok_or(JsValue::NULL)?
        .navigator()
        .media_devices()?;
    let constraints = web_sys::MediaStreamConstraints::new();
    let video_wanted = js_sys::Object::new();
    js_sys::Reflect::set(&video_wanted, &"facingMode".into(), &"environment".into())?;
    constraints.set_video(&video_wanted);
    constraints.set_audio(&JsValue::FALSE);
    let stream = JsFuture::from(devices.get_user_media_with_constraints(&constraints)?)
        .await?
        .dyn_into::<MediaStream>()?;
    video.set_src_object(Some(&stream));
    JsFuture::from(video.play()?).await?;
    Ok(stream)
}

/// Stops every track of the camera's stream (the light goes off).
pub fn stop_camera(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// Reads the QR code in the video's current frame, if one is there.
pub async fn read_frame(video: &HtmlVideoElement, detector: Option<&JsValue>) -> Option<String> {
    if let Some(detector) = detector {
        return detect_with(detector, video).await;
    }
    read_drawn(
        video.video_width(),
        video.video_height(),
        640,
        |ctx, w, h| ctx.draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, w, h),
    )
}
