//! Property test of the JSON API: at least 1,000 random or mutated requests
//! per route. None may answer 5xx, none may succeed at a write, and the
//! database must be exactly as it was.
//!
//! The seed is printed; `FUZZ_SEED=<n>` replays a run and `FUZZ_CASES=<n>`
//! changes the number of requests per route.

#![cfg(feature = "ssr")]

mod common;

use common::*;
use kursi::domain::BusType;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Map, Value, json};

/// Strings that are never a valid seat, code, number or name on their own:
/// odd characters, SQL and markup, huge and empty ones.
fn nasty_string(rng: &mut StdRng) -> String {
    const PIECES: &[&str] = &[
        "'; DROP TABLE seats; --",
        "\" OR 1=1 --",
        "%",
        "_",
        "\\",
        "<script>alert(1)</script>",
        "\u{202E}",
        "\u{0000}",
        "😀",
        "ۺ",
        "\r\n",
        "../../",
        "{{",
        "NaN",
        "1A1A",
        "BK-",
        "~",
    ];
    let mut s = String::new();
    for _ in 0..rng.random_range(0..4) {
        match rng.random_range(0..3) {
            0 => s.push_str(PIECES[rng.random_range(0..PIECES.len())]),
            1 => s.push(char::from_u32(rng.random_range(0x20..0x2FFF)).unwrap_or('?')),
            _ => s.push_str(&"Z".repeat(rng.random_range(0..300))),
        }
    }
    s.push('~');
    s
}

fn random_json(rng: &mut StdRng, depth: u32) -> Value {
    let pick = if depth > 3 {
        rng.random_range(0..5)
    } else {
        rng.random_range(0..7)
    };
    match pick {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => match rng.random_range(0..4) {
            0 => json!(rng.random::<i64>()),
            1 => json!(-rng.random_range(0..1000)),
            2 => json!(rng.random::<f64>() * 1e300),
            _ => json!(u64::MAX),
        },
        3 | 4 => json!(nasty_string(rng)),
        5 => Value::Array(
            (0..rng.random_range(0..6))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "trip_id",
                "seats",
                "name",
                "whatsapp",
                "claim_code",
                "booking_code",
                "minutes",
                "price",
                "bus_type",
                "route_from",
                "route_to",
                "depart_at",
                "admin_wa",
                "is_active",
                "username",
                "password",
                "extra",
                "",
            ];
            Value::Object(
                (0..rng.random_range(0..5))
                    .map(|_| {
                        (
                            keys[rng.random_range(0..keys.len())].to_string(),
                            random_json(rng, depth + 1),
                        )
                    })
                    .collect::<Map<_, _>>(),
            )
        }
    }
}

/// A value of another JSON type than `v` (so a field stops type-checking).
fn other_type(rng: &mut StdRng, v: &Value) -> Value {
    loop {
        let candidate = random_json(rng, 2);
        let same = std::mem::discriminant(&candidate) == std::mem::discriminant(v);
        if !same {
            return candidate;
        }
    }
}

/// One request body: random bytes, random JSON, or `template` broken in one
/// way that makes it invalid.
fn mutate(rng: &mut StdRng, template: &Value) -> (Vec<u8>, &'static str) {
    let json_type = "application/json";
    match rng.random_range(0..9) {
        0 => {
            let n = rng.random_range(0..200);
            ((0..n).map(|_| rng.random::<u8>()).collect(), json_type)
        }
        1 => (serde_json::to_vec(&random_json(rng, 0)).unwrap(), json_type),
        2 => {
            // Without a field.
            let mut v = template.clone();
            if let Some(obj) = v.as_object_mut()
                && !obj.is_empty()
            {
                let key = obj
                    .keys()
                    .nth(rng.random_range(0..obj.len()))
                    .unwrap()
                    .clone();
                obj.remove(&key);
            }
            if v == *template {
                v = json!([v]);
            }
            (serde_json::to_vec(&v).unwrap(), json_type)
        }
        3 => {
            // A field of the wrong type.
            let mut v = template.clone();
            match v.as_object_mut() {
                Some(obj) if !obj.is_empty() => {
                    let key = obj
                        .keys()
                        .nth(rng.random_range(0..obj.len()))
                        .unwrap()
                        .clone();
                    let new = other_type(rng, &obj[&key]);
                    obj.insert(key, new);
                }
                _ => v = json!("not an object"),
            }
            (serde_json::to_vec(&v).unwrap(), json_type)
        }
        4 => {
            // A string field replaced by a nasty string.
            let mut v = template.clone();
            if let Some(obj) = v.as_object_mut() {
                for (_, value) in obj.iter_mut() {
                    if value.is_string() || value.is_array() {
                        *value = if value.is_array() {
                            json!([nasty_string(rng)])
                        } else {
                            json!(nasty_string(rng))
                        };
                        break;
                    }
                }
            }
            if v == *template {
                v["unexpected"] = json!(1);
            }
            (serde_json::to_vec(&v).unwrap(), json_type)
        }
        5 => {
            // An unknown field.
            let mut v = template.clone();
            match v.as_object_mut() {
                Some(obj) => {
                    obj.insert(format!("x{}", rng.random::<u16>()), random_json(rng, 2));
                }
                None => v = json!({"x": v}),
            }
            (serde_json::to_vec(&v).unwrap(), json_type)
        }
        6 => {
            // Cut short.
            let bytes = serde_json::to_vec(template).unwrap();
            let cut = rng.random_range(1..bytes.len().max(2));
            (bytes[..cut.min(bytes.len() - 1)].to_vec(), json_type)
        }
        7 => {
            // Deeply nested.
            let depth = rng.random_range(100..5000);
            let mut s = "[".repeat(depth);
            s.push_str(&"]".repeat(depth));
            (s.into_bytes(), json_type)
        }
        _ => {
            // The right body as the wrong content type.
            let types = [
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "",
            ];
            (
                serde_json::to_vec(template).unwrap(),
                types[rng.random_range(0..types.len())],
            )
        }
    }
}

fn random_segment(rng: &mut StdRng) -> String {
    let options = [
        "-1".to_string(),
        "0".into(),
        "99999999999999999999999".into(),
        i64::MAX.to_string(),
        "1e3".into(),
        "%00".into(),
        "%F0%9F%98%80".into(),
        "..%2F..".into(),
        "ZZZZ-ZZZZ".into(),
        "BK-ZZZZZZ".into(),
        urlencoding(&nasty_string(rng)),
        rng.random_range(1000..1_000_000).to_string(),
    ];
    options[rng.random_range(0..options.len())].clone()
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn random_query(rng: &mut StdRng) -> String {
    let keys = [
        "from", "to", "date", "q", "status", "trip_id", "whatsapp", "x",
    ];
    let mut parts = Vec::new();
    for _ in 0..rng.random_range(1..4) {
        let key = keys[rng.random_range(0..keys.len())];
        let value = match rng.random_range(0..4) {
            0 => urlencoding(&nasty_string(rng)),
            1 => "2026-02-30".into(),
            2 => "-9223372036854775809".into(),
            _ => "%ZZ".into(),
        };
        parts.push(format!("{key}={value}"));
    }
    parts.join("&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_and_mutated_requests_never_fail_the_server_or_change_data() {
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    println!("FUZZ_SEED={seed} FUZZ_CASES={cases}");
    let mut rng = StdRng::seed_from_u64(seed);

    let app = spawn_app().await;
    let trip = app.trip(BusType::Economy).await;
    // Some state for the requests to run into: a live hold with contact and
    // a booking.
    let (_, claim) = app.passenger_with_hold(trip, &["1A"], "081234567890").await;
    let (_, booked_claim) = app.passenger_with_hold(trip, &["2A"], "081298765432").await;
    let booking: Value = app
        .client()
        .post(app.url("/api/admin/generate-booking-code/"))
        .header("x-admin-key", ADMIN_KEY)
        .json(&json!({"claim_code": booked_claim}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let booking_code = booking["booking_code"].as_str().unwrap().to_string();
    // Fuzzing clients: an anonymous one, and one with a (forged) cookie.
    let anonymous = plain_client();
    let before = app.snapshot().await;

    let future = (chrono::Utc::now() + chrono::Duration::days(5)).to_rfc3339();
    // Writes: method, path, a valid body template, whether it needs the key.
    let writes: Vec<(Method, String, Value, bool)> = vec![
        (
            Method::POST,
            "/api/seats/hold/".into(),
            json!({"trip_id": trip, "seats": ["5A", "5B"]}),
            false,
        ),
        (
            Method::POST,
            "/api/seats/release/".into(),
            json!({"seats": ["1A"]}),
            false,
        ),
        (Method::POST, "/api/hold/extend/".into(), json!({}), false),
        (
            Method::POST,
            "/api/hold/attach-contact/".into(),
            json!({"name": "Budi", "whatsapp": "081234567890"}),
            false,
        ),
        (
            Method::POST,
            "/api/hold/claim/".into(),
            json!({"claim_code": claim}),
            false,
        ),
        (
            Method::POST,
            "/api/admin/generate-booking-code/".into(),
            json!({"claim_code": claim}),
            true,
        ),
        // `minutes` is optional, so dropping it would leave a valid body:
        // this one names a claim code that does not exist.
        (
            Method::POST,
            "/api/admin/holds/extend/".into(),
            json!({"claim_code": "ZZZZ-ZZZZ", "minutes": 5}),
            true,
        ),
        (
            Method::POST,
            "/api/admin/holds/release/".into(),
            json!({"claim_code": claim}),
            true,
        ),
        (
            Method::POST,
            "/api/admin/bookings/cancel/".into(),
            json!({"booking_code": booking_code}),
            true,
        ),
        (
            Method::POST,
            "/api/admin/trips/".into(),
            json!({"route_from": "Bogor", "route_to": "Depok", "depart_at": future,
                   "price": 50000, "bus_type": "ECONOMY", "admin_wa": "081200001111"}),
            true,
        ),
        // Every field of an edit is optional, so a random object can be a
        // valid edit: it goes to a trip that does not exist.
        (
            Method::PATCH,
            "/api/admin/trips/424242/".into(),
            json!({"price": 120000, "is_active": false}),
            true,
        ),
        (
            Method::POST,
            "/api/admin/login/".into(),
            json!({"username": "admin", "password": "staff-password-1"}),
            false,
        ),
    ];
    let mut total = 0;
    for (method, path, template, admin) in &writes {
        let mut client_errors = 0;
        for _ in 0..cases {
            let (body, content_type) = mutate(&mut rng, template);
            let mut req = anonymous
                .request(method.clone(), app.url(path))
                .body(body.clone());
            if !content_type.is_empty() {
                req = req.header("content-type", content_type);
            }
            if *admin {
                req = req.header("x-admin-key", ADMIN_KEY);
            }
            if rng.random_bool(0.2) {
                let forged: String = nasty_string(&mut rng)
                    .chars()
                    .filter(|c| c.is_ascii_graphic() && *c != ';')
                    .collect();
                req = req.header("cookie", format!("seat_hold_token={forged}"));
            }
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            assert!(
                status.is_client_error(),
                "{method} {path} answered {status} to {:?}: {text}",
                String::from_utf8_lossy(&body)
            );
            let err: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            assert!(
                err["code"].is_string() && err["message"].is_string(),
                "{method} {path} {status}: not an error body: {text}"
            );
            client_errors += 1;
        }
        assert_eq!(client_errors, cases);
        total += cases;
    }

    // Reads: random ids, codes and query strings.
    let reads = [
        "/api/trips/?{q}",
        "/api/trips/{s}/seats/",
        "/api/trips/{s}/seats/?{q}",
        "/api/hold/?{q}",
        "/api/bookings/{s}/?{q}",
        "/api/admin/holds/?{q}",
        "/api/admin/trips/{s}/manifest/",
        "/api/admin/trips/{s}/manifest.csv",
        "/api/admin/trips/{s}/audit/",
        "/api/admin/holds/{s}/audit/",
    ];
    for template in reads {
        for _ in 0..cases {
            let path = template
                .replace("{s}", &random_segment(&mut rng))
                .replace("{q}", &random_query(&mut rng));
            let resp = anonymous
                .get(app.url(&path))
                .header("x-admin-key", ADMIN_KEY)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            assert!(
                status.as_u16() < 500,
                "GET {path} answered {status}: {}",
                resp.text().await.unwrap_or_default()
            );
        }
        total += cases;
    }

    assert_eq!(
        app.snapshot().await,
        before,
        "a refused request changed data"
    );
    println!("{total} requests, no 5xx, data unchanged");
}
