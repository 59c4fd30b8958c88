//! Proof of payment over real HTTP: a passenger sends the receipt of the
//! transfer, only an admin reads it back, what is not a clean image or a
//! plain PDF is refused by its content (whatever its name says), a hold
//! keeps its newest three, uploads are rate-limited, and a departed trip's
//! receipts go from the database and the disk. On SQLite, and on PostgreSQL
//! with `KURSI_TEST_DB=postgres`.

#![cfg(feature = "ssr")]

mod common;

use chrono::Duration;
use common::*;
use image::ImageEncoder;
use kursi::domain::BusType;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A JPEG whose EXIF block carries a marker standing in for the phone's
/// GPS position; `shade` makes each one different.
fn photo(shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([shade, (x * 3) as u8, (y * 5) as u8])
    });
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new(&mut out);
    let mut exif = b"II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x01\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(b"GPS-6.2000S-106.8166E");
    enc.set_exif_metadata(exif).unwrap();
    enc.write_image(img.as_raw(), 64, 48, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

const PLAIN_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Sends `bytes` as the raw body; returns the status and JSON answer.
async fn upload(app: &TestApp, client: &reqwest::Client, bytes: Vec<u8>) -> (StatusCode, Value) {
    answer(
        client
            .post(app.url("/api/hold/receipts/"))
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Sends `bytes` as a browser form would, under `file_name`.
async fn upload_form(
    app: &TestApp,
    client: &reqwest::Client,
    bytes: Vec<u8>,
    file_name: &str,
    mime: &str,
) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(file_name.to_string())
        .mime_str(mime)
        .unwrap();
    let form = reqwest::multipart::Form::new().part("receipt", part);
    answer(
        client
            .post(app.url("/api/hold/receipts/"))
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn listed(app: &TestApp, claim: &str) -> Vec<Value> {
    let (status, body) = send(
        &app.client(),
        app,
        reqwest::Method::GET,
        &format!("/api/admin/holds/{claim}/receipts/"),
        None,
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

/// Every file under the receipts folder, as (hold folder, file name).
fn stored_files(app: &TestApp) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(holds) = std::fs::read_dir(&app.state.settings.receipts_dir) else {
        return out;
    };
    for hold in holds {
        let hold = hold.unwrap();
        for file in std::fs::read_dir(hold.path()).unwrap() {
            out.push((
                hold.file_name().into_string().unwrap(),
                file.unwrap().file_name().into_string().unwrap(),
            ));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn a_passenger_sends_a_receipt_and_only_an_admin_reads_it_back() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (passenger, claim) = app.passenger_with_hold(trip, &["1A"], "081234567890").await;

    let sent = photo(10);
    assert!(contains(&sent, b"GPS-6.2000S"));
    let (status, receipt) = upload(&app, &passenger, sent).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert_eq!(receipt["kind"], "JPEG");
    let id = receipt["id"].as_i64().unwrap();

    // The passenger's page counts it; the admin lists it.
    let (_, mine) = answer(
        passenger
            .get(app.url("/api/hold/receipts/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(listed(&app, &claim).await, vec![receipt.clone()]);

    // The admin gets the cleaned image: no metadata, nothing to sniff or run.
    let file = app
        .client()
        .get(app.url(&format!("/api/admin/receipts/{id}/")))
        .header("x-admin-key", ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    let h = file.headers().clone();
    assert_eq!(h["content-type"], "image/jpeg");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "private, no-store");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let bytes = file.bytes().await.unwrap();
    assert!(!contains(&bytes, b"GPS-6.2000S"));
    assert!(!contains(&bytes, b"Exif"));
    let shown = image::load_from_memory(&bytes).unwrap();
    assert_eq!((shown.width(), shown.height()), (64, 48));
    assert_eq!(bytes.len() as i64, receipt["bytes"].as_i64().unwrap());

    // A staff session reads it too.
    let staff = app.staff_client().await;
    let r = staff
        .get(app.url(&format!("/api/admin/receipts/{id}/")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Nobody else: not anonymous, not the passenger who sent it, not a
    // wrong key; and an id that names nothing is not found.
    for (client, key) in [
        (app.client(), None),
        (passenger.clone(), None),
        (app.client(), Some("nope")),
    ] {
        let mut req = client.get(app.url(&format!("/api/admin/receipts/{id}/")));
        if let Some(k) = key {
            req = req.header("x-admin-key", k);
        }
        let (status, body) = answer(req.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "unauthorized");
    }
    let (status, _) = send(
        &app.client(),
        &app,
        reqwest::Method::GET,
        &format!("/api/admin/receipts/{}/", id + 1000),
        None,
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // On disk: <hold>/<sha256 of the stored bytes>.jpg, outside the web root.
    let files = stored_files(&app);
    assert_eq!(files.len(), 1);
    assert_eq!(
        files[0].1,
        format!("{}.jpg", hex::encode(Sha256::digest(&bytes)))
    );
    assert!(
        app.state
            .settings
            .receipts_dir
            .starts_with(std::env::temp_dir())
    );
}

#[tokio::test]
async fn files_are_judged_by_their_content_not_their_name() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (passenger, claim) = app.passenger_with_hold(trip, &["1A"], "081234567890").await;

    // A page renamed to .jpg, declared as a JPEG.
    let (status, body) = upload_form(
        &app,
        &passenger,
        b"<html><script>alert(document.cookie)</script></html>".to_vec(),
        "bukti.jpg",
        "image/jpeg",
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["code"], "unsupported_file");
    assert!(body["message"].as_str().unwrap().contains("PDF"));

    // A program, a GIF: not accepted either.
    for bytes in [
        b"MZ\x90\0\x03\0\0\0".to_vec(),
        b"GIF89a\x01\0\x01\0".to_vec(),
    ] {
        let (status, body) = upload(&app, &passenger, bytes).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    }

    // A JPEG cut short, a PNG signature over garbage: damaged.
    let jpeg = photo(20);
    let (status, body) = upload(&app, &passenger, jpeg[..jpeg.len() / 2].to_vec()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unreadable_file"))
    );
    let (status, _) = upload(
        &app,
        &passenger,
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRjunk".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A PDF that runs script, and one with a page appended after its end.
    let scripted = b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n";
    let (status, _) = upload(&app, &passenger, scripted.to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut appended = PLAIN_PDF.to_vec();
    appended.extend_from_slice(b"<html><script>alert(1)</script>");
    let (status, _) = upload(&app, &passenger, appended).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Over 5 MB: refused before it is read to the end.
    let mut big = photo(30);
    big.resize(5 * 1024 * 1024 + 1, 0);
    let (status, body) = upload(&app, &passenger, big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["code"], "payload_too_large");

    // Nothing refused was stored.
    assert!(listed(&app, &claim).await.is_empty());
    assert!(stored_files(&app).is_empty());

    // A polyglot (a JPEG with a page after it) is kept as the image only.
    let mut polyglot = photo(40);
    polyglot.extend_from_slice(b"<script>alert(document.cookie)</script>");
    let (status, receipt) = upload(&app, &passenger, polyglot).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let id = receipt["id"].as_i64().unwrap();
    let stored = app
        .client()
        .get(app.url(&format!("/api/admin/receipts/{id}/")))
        .header("x-admin-key", ADMIN_KEY)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(!contains(&stored, b"<script"));

    // A name with path tricks decides nothing about where the file goes.
    let escape = std::env::temp_dir().join("kursi-receipt-escape.jpg");
    let _ = std::fs::remove_file(&escape);
    let (status, body) = upload_form(
        &app,
        &passenger,
        photo(50),
        "../../../../../tmp/kursi-receipt-escape.jpg",
        "image/jpeg",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(!escape.exists());
    for (hold, file) in stored_files(&app) {
        assert!(hold.chars().all(|c| c.is_ascii_digit()), "{hold}");
        let (hash, ext) = file.split_once('.').unwrap();
        assert!(
            hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "{file}"
        );
        assert_eq!(ext, "jpg");
    }

    // A plain PDF is kept as it is, and the admin gets it as a download.
    let (status, receipt) = upload(&app, &passenger, PLAIN_PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert_eq!(receipt["kind"], "PDF");
    let file = app
        .client()
        .get(app.url(&format!("/api/admin/receipts/{}/", receipt["id"])))
        .header("x-admin-key", ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(file.headers()["content-type"], "application/pdf");
    let disposition = file.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains(&claim), "{disposition}");
    assert_eq!(&file.bytes().await.unwrap()[..], PLAIN_PDF);
}

#[tokio::test]
async fn only_a_hold_awaiting_payment_takes_a_receipt() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;

    // No session at all.
    let (status, body) = upload(&app, &app.client(), photo(1)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_active_hold"))
    );

    // Seats held, but no name and number yet: no amount to have paid.
    let early = app.client();
    let r = early
        .post(app.url("/api/seats/hold/"))
        .json(&json!({"trip_id": trip, "seats": ["2A"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, body) = upload(&app, &early, photo(2)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("contact_required"))
    );

    // Booked: no proof needed any more.
    let (paid, claim) = app.passenger_with_hold(trip, &["3A"], "081234567890").await;
    let (status, _) = send(
        &app.client(),
        &app,
        reqwest::Method::POST,
        "/api/admin/generate-booking-code/",
        Some(json!({"claim_code": claim})),
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = upload(&app, &paid, photo(3)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_booked"))
    );

    // Claimed on another phone: the old one no longer sends for it.
    let (old_phone, claim) = app.passenger_with_hold(trip, &["4A"], "081298765432").await;
    let new_phone = app.client();
    let r = new_phone
        .post(app.url("/api/hold/claim/"))
        .json(&json!({"claim_code": claim}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (status, _) = upload(&app, &old_phone, photo(4)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = upload(&app, &new_phone, photo(4)).await;
    assert_eq!(status, StatusCode::CREATED);

    // Expired (the clock passes the 30 minutes contact gives).
    app.state.clock.advance(Duration::minutes(31));
    let (status, body) = upload(&app, &new_phone, photo(5)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::GONE, Some("hold_expired"))
    );
    assert!(body["message"].as_str().is_some());
    assert_eq!(listed(&app, &claim).await.len(), 1);
}

#[tokio::test]
async fn a_hold_keeps_its_newest_three_receipts() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (passenger, claim) = app
        .passenger_with_hold(trip, &["1A", "1B"], "081234567890")
        .await;
    let mut ids = Vec::new();
    for shade in [60, 70, 80, 90] {
        let (status, r) = upload(&app, &passenger, photo(shade)).await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        ids.push(r["id"].as_i64().unwrap());
    }
    // The same photo again is one more receipt but no second file.
    let (status, again) = upload(&app, &passenger, photo(90)).await;
    assert_eq!(status, StatusCode::CREATED);
    ids.push(again["id"].as_i64().unwrap());

    let kept: Vec<i64> = listed(&app, &claim)
        .await
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(kept, ids[2..].to_vec());
    // Files for the two kept photos only (the repeated one is one file).
    assert_eq!(stored_files(&app).len(), 2);
    // The replaced ones are gone for the admin too.
    let (status, _) = send(
        &app.client(),
        &app,
        reqwest::Method::GET,
        &format!("/api/admin/receipts/{}/", ids[0]),
        None,
        Some(ADMIN_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn uploads_are_rate_limited_per_client() {
    let app = spawn_app_with(|s| s.upload_rate_per_minute = 2).await;
    let trip = app.trip(BusType::Economy).await;
    let (passenger, _) = app.passenger_with_hold(trip, &["1A"], "081234567890").await;
    for shade in [1, 2] {
        let (status, _) = upload(&app, &passenger, photo(shade)).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let r = passenger
        .post(app.url("/api/hold/receipts/"))
        .body(photo(3))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    // Refused ones count too, so guessing costs the same.
    let (status, _) = upload(&app, &app.client(), b"junk".to_vec()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn another_site_cannot_post_a_receipt_for_the_visitor() {
    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    let (passenger, claim) = app.passenger_with_hold(trip, &["1A"], "081234567890").await;
    let r = passenger
        .post(app.url("/api/hold/receipts/"))
        .header("origin", "http://evil.example")
        .body(photo(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(listed(&app, &claim).await.is_empty());
}

#[tokio::test]
async fn receipts_go_some_days_after_their_trip_departs() {
    let app = spawn_app().await;
    // One trip departs in a week (`app.trip`), another in sixty days.
    let soon = app.trip(BusType::Economy).await;
    let later = app
        .state
        .service
        .create_trip(
            &admin(),
            &kursi::services::NewTripInput {
                route_from: "Jakarta".into(),
                route_to: "Solo".into(),
                depart_at: app.state.clock.now() + Duration::days(60),
                price: 200_000,
                bus_type: BusType::Economy,
                admin_wa: "081200001111".into(),
                stops: Vec::new(),
            },
            app.state.clock.now(),
        )
        .await
        .unwrap()
        .id;
    let (a, claim_a) = app.passenger_with_hold(soon, &["1A"], "081234567890").await;
    let (b, claim_b) = app
        .passenger_with_hold(later, &["1A"], "081298765432")
        .await;
    assert_eq!(upload(&app, &a, photo(1)).await.0, StatusCode::CREATED);
    assert_eq!(upload(&app, &b, photo(2)).await.0, StatusCode::CREATED);
    // A file a crash left without its row, in a departed hold's folder.
    let a_folder = stored_files(&app)[0].0.clone();
    let orphan = app
        .state
        .settings
        .receipts_dir
        .join(&a_folder)
        .join("orphan.tmp");
    std::fs::write(&orphan, b"half").unwrap();

    let service = &app.state.service;
    // Departed, but not 30 days ago yet: kept.
    let now = app.state.clock.now();
    assert_eq!(
        service
            .prune_receipts(30, now + Duration::days(20))
            .await
            .unwrap(),
        0
    );
    assert_eq!(stored_files(&app).len(), 3);
    // 30 days after the first trip departed: its receipts go, the other's stay.
    assert_eq!(
        service
            .prune_receipts(30, now + Duration::days(38))
            .await
            .unwrap(),
        1
    );
    assert!(listed(&app, &claim_a).await.is_empty());
    assert_eq!(listed(&app, &claim_b).await.len(), 1);
    let left = stored_files(&app);
    assert_eq!(left.len(), 1);
    assert_ne!(left[0].0, a_folder);
    assert!(!orphan.exists());
    // Running it again removes nothing more.
    assert_eq!(
        service
            .prune_receipts(30, now + Duration::days(38))
            .await
            .unwrap(),
        0
    );
    assert_eq!(stored_files(&app).len(), 1);
}

/// A JPEG of `w` × `h` pixels with the EXIF marker of [`photo`].
fn big_photo(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 250) as u8, (y % 250) as u8, 128])
    });
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new(&mut out);
    let mut exif = b"II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x01\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(b"GPS-6.2000S-106.8166E");
    enc.set_exif_metadata(exif).unwrap();
    enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

async fn set_qris(app: &TestApp, key: Option<&str>, bytes: Vec<u8>) -> (StatusCode, Value) {
    let mut req = app
        .client()
        .post(app.url("/api/admin/payment-qris/"))
        .body(bytes);
    if let Some(k) = key {
        req = req.header("x-admin-key", k);
    }
    answer(req.send().await.unwrap()).await
}

#[tokio::test]
async fn the_operators_qris_is_cleaned_shown_to_everyone_and_replaced() {
    let app = spawn_app().await;
    let public = app.client();
    let r = public
        .get(app.url("/api/payment-qris/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Only an admin sets it, and only to an image.
    let (status, _) = set_qris(&app, None, photo(1)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = set_qris(&app, Some(ADMIN_KEY), PLAIN_PDF.to_vec()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_file"))
    );

    // A large photo: kept cleaned and scaled to 1,200 pixels a side.
    let (status, body) = set_qris(&app, Some(ADMIN_KEY), big_photo(1600, 2000)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let version = body["version"].as_str().unwrap().to_string();
    let r = public
        .get(app.url(&format!("/api/payment-qris/?v={version}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let bytes = r.bytes().await.unwrap();
    assert_eq!(hex::encode(Sha256::digest(&bytes)), version);
    assert!(!contains(&bytes, b"GPS-6.2000S"));
    let shown = image::load_from_memory(&bytes).unwrap();
    assert_eq!((shown.width(), shown.height()), (960, 1200));
    // The pay step learns the version with the accounts.
    assert_eq!(
        app.state
            .service
            .payment_qris_version()
            .await
            .unwrap()
            .as_deref(),
        Some(version.as_str())
    );

    // Replacing it: a new version; an old link gets the new image, uncached.
    let (status, body) = set_qris(&app, Some(ADMIN_KEY), photo(200)).await;
    assert_eq!(status, StatusCode::CREATED);
    let newer = body["version"].as_str().unwrap().to_string();
    assert_ne!(newer, version);
    let r = public
        .get(app.url(&format!("/api/payment-qris/?v={version}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert_eq!(hex::encode(Sha256::digest(r.bytes().await.unwrap())), newer);

    // Retired: gone for passengers; retiring again is not found.
    for expected in [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND] {
        let r = app
            .client()
            .post(app.url("/api/admin/payment-qris/retire/"))
            .header("x-admin-key", ADMIN_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), expected);
    }
    let r = public
        .get(app.url("/api/payment-qris/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.state.service.payment_qris_version().await.unwrap(),
        None
    );
}
