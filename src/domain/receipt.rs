//! Proof of payment: the photo or PDF of a transfer receipt that a
//! passenger sends with a hold, so the admin can match the transfer without
//! asking on WhatsApp.
//!
//! What a passenger sends is an attacker's input, shown to the admin. So a
//! file is judged by its content, never its name or declared type
//! ([`sniff`]): a JPEG, PNG or WebP image is decoded and encoded afresh
//! ([`clean`]), which keeps the pixels (turned upright by their EXIF
//! orientation) and drops everything else: the EXIF block with the phone's
//! GPS position, comments, and whatever a polyglot hid after the image. A
//! PDF cannot be re-encoded here; it is kept only when it is one plain PDF
//! from its first byte to its `%%EOF` without active content
//! ([`check_pdf`]), and the admin gets it as a download, never rendered in
//! the app's origin.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AppError, HoldStatus};

/// The largest file a passenger may send (5 MiB).
pub const MAX_RECEIPT_BYTES: usize = 5 * 1024 * 1024;

/// How many receipts one hold keeps: a new one beyond this replaces the
/// oldest (a passenger who sends a clearer photo does not need the blurry
/// one kept).
pub const RECEIPTS_PER_HOLD: usize = 3;

/// Re-encoded images are at most this many pixels on their long side:
/// enough to read any receipt, small enough to open fast on a phone.
pub const MAX_SIDE: u32 = 2400;

/// What a stored receipt is (after cleaning: a WebP becomes a PNG).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum ReceiptKind {
    Jpeg,
    Png,
    Pdf,
}

impl ReceiptKind {
    pub const ALL: [ReceiptKind; 3] = [ReceiptKind::Jpeg, ReceiptKind::Png, ReceiptKind::Pdf];

    /// As stored in `receipts.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptKind::Jpeg => "JPEG",
            ReceiptKind::Png => "PNG",
            ReceiptKind::Pdf => "PDF",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ReceiptKind::Jpeg => "image/jpeg",
            ReceiptKind::Png => "image/png",
            ReceiptKind::Pdf => "application/pdf",
        }
    }

    /// The file name extension (the stored file's and the download's).
    pub fn extension(self) -> &'static str {
        match self {
            ReceiptKind::Jpeg => "jpg",
            ReceiptKind::Png => "png",
            ReceiptKind::Pdf => "pdf",
        }
    }

    pub fn is_image(self) -> bool {
        self != ReceiptKind::Pdf
    }
}

/// One receipt of a hold, as the admin sees it listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Receipt {
    /// Its id; the file is `GET /api/admin/receipts/{id}/` (admins only).
    pub id: i64,
    pub kind: ReceiptKind,
    /// Size of the stored file, in bytes.
    pub bytes: i64,
    pub uploaded_at: DateTime<Utc>,
}

impl Receipt {
    /// "240 KB", "1,2 MB": the size for people.
    pub fn size_label(&self) -> String {
        let kb = (self.bytes as f64 / 1024.0).ceil() as i64;
        if kb < 1024 {
            format!("{kb} KB")
        } else {
            format!("{:.1} MB", self.bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
        }
    }
}

/// Whether a hold in `status` (as clients see it: a HELD hold past its
/// time is EXPIRED) takes a receipt. Only a hold awaiting payment does:
/// one with contact attached (so it has its amount), still live. A
/// booked hold needs no proof any more, and a receipt for an expired one
/// would tell the admin of a payment for seats that may be gone; the
/// passenger hears which it is.
pub fn may_take_receipt(status: HoldStatus, has_contact: bool) -> Result<(), AppError> {
    match status {
        HoldStatus::Held if has_contact => Ok(()),
        HoldStatus::Held => Err(AppError::ContactRequired),
        HoldStatus::Booked => Err(AppError::AlreadyBooked),
        HoldStatus::Cancelled => Err(AppError::BookingCancelled),
        HoldStatus::Expired | HoldStatus::Released => Err(AppError::HoldExpired),
    }
}

/// What a file's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    Jpeg,
    Png,
    WebP,
    Pdf,
}

/// The format of `bytes` by their signature, or `None` for anything that is
/// not one of the four accepted (an HTML page or a program named
/// `bukti.jpg` is `None`).
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Sniffed::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Sniffed::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Sniffed::WebP)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Sniffed::Pdf)
    } else {
        None
    }
}

/// Why a PDF is refused (for the log; the passenger hears only that the
/// file could not be read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdfRefusal {
    /// No `%PDF-1.x`/`%PDF-2.x` header at byte 0.
    Header,
    /// The file does not end with `%%EOF` (something was appended: a
    /// polyglot's second file, or it was cut short).
    Trailer,
    /// It names active content: scripts, launching programs, embedded
    /// files, forms that post elsewhere.
    ActiveContent(&'static str),
    /// It carries markup a browser would run if it ever read it as a page.
    Markup,
}

/// PDF names that make a document act rather than show.
const ACTIVE_NAMES: [&str; 9] = [
    "JavaScript",
    "JS",
    "Launch",
    "EmbeddedFile",
    "EmbeddedFiles",
    "RichMedia",
    "XFA",
    "SubmitForm",
    "ImportData",
];

/// Whether `bytes` is one plain PDF: the header at byte 0, `%%EOF` at the
/// end (trailing whitespace allowed), no active content among its names
/// (read with their `#xx` escapes decoded, so `/J#61vaScript` is caught),
/// and no HTML or SVG markup anywhere.
///
/// Names inside compressed object streams are not seen here; that is why
/// the admin gets a PDF as a download with `nosniff`, never inline.
pub fn check_pdf(bytes: &[u8]) -> Result<(), PdfRefusal> {
    let header_ok = bytes.len() >= 8
        && bytes.starts_with(b"%PDF-")
        && matches!(bytes[5], b'1' | b'2')
        && bytes[6] == b'.'
        && bytes[7].is_ascii_digit();
    if !header_ok {
        return Err(PdfRefusal::Header);
    }
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    if !bytes[..end].ends_with(b"%%EOF") {
        return Err(PdfRefusal::Trailer);
    }
    let lower: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
    for markup in [&b"<script"[..], b"<html", b"<!doctype", b"<svg", b"<iframe"] {
        if lower.windows(markup.len()).any(|w| w == markup) {
            return Err(PdfRefusal::Markup);
        }
    }
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'/' {
            let (name, next) = pdf_name(bytes, i + 1);
            if let Some(active) = ACTIVE_NAMES.iter().find(|a| a.as_bytes() == name) {
                return Err(PdfRefusal::ActiveContent(active));
            }
            i = next;
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// The PDF name starting at `start` (just after its `/`), with `#xx`
/// escapes decoded, and where it ends.
fn pdf_name(bytes: &[u8], start: usize) -> (Vec<u8>, usize) {
    let is_delimiter = |b: u8| b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b) || b == 0;
    let mut name = Vec::new();
    let mut i = start;
    while i < bytes.len() && !is_delimiter(bytes[i]) && name.len() < 128 {
        if bytes[i] == b'#'
            && let Some(v) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            name.push(v);
            i += 3;
        } else {
            name.push(bytes[i]);
            i += 1;
        }
    }
    (name, i.max(start))
}

/// A receipt ready to store: its kind and its bytes.
#[derive(Debug)]
pub struct Cleaned {
    pub kind: ReceiptKind,
    pub bytes: Vec<u8>,
}

/// Judges and cleans what a passenger sent: images decoded (within memory
/// limits, so a small file that claims to be 60,000 pixels wide is refused
/// before anything is allocated), turned upright, scaled to [`MAX_SIDE`] and
/// encoded afresh (JPEG stays JPEG; PNG and WebP, usually screenshots of a
/// banking app, become PNG so their text stays sharp); PDFs checked by
/// [`check_pdf`] and kept as they are.
#[cfg(feature = "ssr")]
pub fn clean(bytes: &[u8]) -> Result<Cleaned, AppError> {
    clean_to(bytes, MAX_SIDE)
}

/// [`clean`], with images scaled to at most `max_side` pixels a side.
#[cfg(feature = "ssr")]
pub fn clean_to(bytes: &[u8], max_side: u32) -> Result<Cleaned, AppError> {
    use image::{ImageDecoder, ImageFormat, ImageReader};

    if bytes.len() > MAX_RECEIPT_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    let format = match sniff(bytes).ok_or(AppError::UnsupportedFile)? {
        Sniffed::Pdf => {
            return match check_pdf(bytes) {
                Ok(()) => Ok(Cleaned {
                    kind: ReceiptKind::Pdf,
                    bytes: bytes.to_vec(),
                }),
                Err(why) => {
                    tracing::info!(reason = ?why, "refused a PDF receipt");
                    Err(AppError::UnreadableFile)
                }
            };
        }
        Sniffed::Jpeg => ImageFormat::Jpeg,
        Sniffed::Png => ImageFormat::Png,
        Sniffed::WebP => ImageFormat::WebP,
    };
    let unreadable = |e: image::ImageError| {
        tracing::info!(error = %e, "refused an unreadable image receipt");
        AppError::UnreadableFile
    };
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = image::DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    if image.width() > max_side || image.height() > max_side {
        image = image.resize(max_side, max_side, image::imageops::FilterType::Triangle);
    }
    let mut out = Vec::new();
    let kind = if format == ImageFormat::Jpeg {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        image::DynamicImage::ImageRgb8(image.to_rgb8())
            .write_with_encoder(encoder)
            .map_err(unreadable)?;
        ReceiptKind::Jpeg
    } else {
        let encoder = image::codecs::png::PngEncoder::new(&mut out);
        let image = if image.color().has_alpha() {
            image::DynamicImage::ImageRgba8(image.to_rgba8())
        } else {
            image::DynamicImage::ImageRgb8(image.to_rgb8())
        };
        image.write_with_encoder(encoder).map_err(unreadable)?;
        ReceiptKind::Png
    };
    Ok(Cleaned { kind, bytes: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_known_by_their_first_bytes_only() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(Sniffed::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Sniffed::Png));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(Sniffed::WebP));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Sniffed::Pdf));
        // What a renamed file really is.
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"MZ\x90\0"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b""), None);
        // A signature further in does not count.
        assert_eq!(sniff(b" %PDF-1.7"), None);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), None);
    }

    fn pdf(body: &str) -> Vec<u8> {
        format!("%PDF-1.4\n1 0 obj << /Type /Catalog {body} >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
            .into_bytes()
    }

    #[test]
    fn a_plain_pdf_passes() {
        assert_eq!(check_pdf(&pdf("/Pages 2 0 R")), Ok(()));
        // Names that only begin like an active one are fine.
        assert_eq!(check_pdf(&pdf("/JSON 1 /Launcher 2")), Ok(()));
    }

    #[test]
    fn active_content_is_refused_even_escaped() {
        assert_eq!(
            check_pdf(&pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")),
            Err(PdfRefusal::ActiveContent("JavaScript"))
        );
        assert_eq!(
            check_pdf(&pdf("/OpenAction << /S /J#61vaScript >>")),
            Err(PdfRefusal::ActiveContent("JavaScript"))
        );
        assert_eq!(
            check_pdf(&pdf("/AA << /O << /S /Launch /F (calc.exe) >> >>")),
            Err(PdfRefusal::ActiveContent("Launch"))
        );
        assert_eq!(
            check_pdf(&pdf("/Names << /EmbeddedFiles 3 0 R >>")),
            Err(PdfRefusal::ActiveContent("EmbeddedFiles"))
        );
    }

    #[test]
    fn polyglots_and_cut_files_are_refused() {
        // Something appended after the PDF's end (a ZIP, a page).
        let mut appended = pdf("/Pages 2 0 R");
        appended.extend_from_slice(b"PK\x03\x04 rest of a zip");
        assert_eq!(check_pdf(&appended), Err(PdfRefusal::Trailer));
        // Markup inside, for a browser that would sniff it as a page.
        assert_eq!(
            check_pdf(&pdf("/Title (<HTML><SCRIPT>alert(1)</SCRIPT>)")),
            Err(PdfRefusal::Markup)
        );
        // Header not at byte 0, or not a version.
        assert_eq!(check_pdf(b"\n%PDF-1.4\n%%EOF"), Err(PdfRefusal::Header));
        assert_eq!(check_pdf(b"%PDF-x.4\n%%EOF"), Err(PdfRefusal::Header));
        // Cut short.
        let full = pdf("/Pages 2 0 R");
        assert_eq!(check_pdf(&full[..full.len() - 8]), Err(PdfRefusal::Trailer));
    }

    #[test]
    fn only_a_live_hold_awaiting_payment_takes_a_receipt() {
        assert_eq!(may_take_receipt(HoldStatus::Held, true), Ok(()));
        assert_eq!(
            may_take_receipt(HoldStatus::Held, false),
            Err(AppError::ContactRequired)
        );
        assert_eq!(
            may_take_receipt(HoldStatus::Booked, true),
            Err(AppError::AlreadyBooked)
        );
        assert_eq!(
            may_take_receipt(HoldStatus::Expired, true),
            Err(AppError::HoldExpired)
        );
        assert_eq!(
            may_take_receipt(HoldStatus::Released, true),
            Err(AppError::HoldExpired)
        );
        assert_eq!(
            may_take_receipt(HoldStatus::Cancelled, true),
            Err(AppError::BookingCancelled)
        );
    }

    #[test]
    fn kinds_round_trip_and_sizes_read_well() {
        for k in ReceiptKind::ALL {
            assert_eq!(ReceiptKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ReceiptKind::parse("GIF"), None);
        let r = |bytes| Receipt {
            id: 1,
            kind: ReceiptKind::Jpeg,
            bytes,
            uploaded_at: Utc::now(),
        };
        assert_eq!(r(1).size_label(), "1 KB");
        assert_eq!(r(245_760).size_label(), "240 KB");
        assert_eq!(r(1_258_291).size_label(), "1,2 MB");
    }

    #[cfg(feature = "ssr")]
    mod cleaning {
        use super::super::*;
        use image::{ImageEncoder, RgbImage};

        fn jpeg_with_exif(w: u32, h: u32, exif: Vec<u8>) -> Vec<u8> {
            let img = RgbImage::from_fn(w, h, |x, _| image::Rgb([(x * 7) as u8, 90, 200]));
            let mut out = Vec::new();
            let mut enc = image::codecs::jpeg::JpegEncoder::new(&mut out);
            enc.set_exif_metadata(exif).unwrap();
            enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
                .unwrap();
            out
        }

        /// A little-endian EXIF block with the orientation tag and a
        /// marker standing in for the GPS position.
        fn exif(orientation: u8) -> Vec<u8> {
            let mut e = b"II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
            e.extend_from_slice(&[orientation, 0, 0, 0, 0, 0, 0, 0]);
            e.extend_from_slice(b"GPS-SECRET-LOCATION");
            e
        }

        #[test]
        fn images_are_encoded_afresh_upright_without_metadata() {
            // Stored sideways (orientation 6: turn 90° clockwise to show).
            let sent = jpeg_with_exif(40, 20, exif(6));
            assert!(sent.windows(19).any(|w| w == b"GPS-SECRET-LOCATION"));
            let cleaned = clean(&sent).unwrap();
            assert_eq!(cleaned.kind, ReceiptKind::Jpeg);
            assert!(
                !cleaned
                    .bytes
                    .windows(19)
                    .any(|w| w == b"GPS-SECRET-LOCATION")
            );
            assert!(!cleaned.bytes.windows(4).any(|w| w == b"Exif"));
            let shown = image::load_from_memory(&cleaned.bytes).unwrap();
            assert_eq!((shown.width(), shown.height()), (20, 40));
        }

        #[test]
        fn large_images_are_scaled_and_webp_becomes_png() {
            let img = RgbImage::from_pixel(3000, 1000, image::Rgb([250, 250, 250]));
            let mut webp = Vec::new();
            image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
                .write_image(img.as_raw(), 3000, 1000, image::ExtendedColorType::Rgb8)
                .unwrap();
            let cleaned = clean(&webp).unwrap();
            assert_eq!(cleaned.kind, ReceiptKind::Png);
            let shown = image::load_from_memory(&cleaned.bytes).unwrap();
            assert_eq!((shown.width(), shown.height()), (MAX_SIDE, 800));
        }

        #[test]
        fn what_a_polyglot_hid_after_the_image_is_gone() {
            let mut sent = jpeg_with_exif(16, 16, exif(1));
            sent.extend_from_slice(b"<script>alert(document.cookie)</script>");
            let cleaned = clean(&sent).unwrap();
            assert!(!cleaned.bytes.windows(7).any(|w| w == b"<script"));
        }

        #[test]
        fn wrong_corrupt_and_oversized_files_are_refused() {
            assert_eq!(
                clean(b"<html>not a receipt</html>").unwrap_err(),
                AppError::UnsupportedFile
            );
            let sent = jpeg_with_exif(16, 16, exif(1));
            assert_eq!(
                clean(&sent[..sent.len() / 3]).unwrap_err(),
                AppError::UnreadableFile
            );
            assert_eq!(
                clean(b"\x89PNG\r\n\x1a\ngarbage").unwrap_err(),
                AppError::UnreadableFile
            );
            let mut big = sent.clone();
            big.resize(MAX_RECEIPT_BYTES + 1, 0);
            assert_eq!(clean(&big).unwrap_err(), AppError::PayloadTooLarge);
        }

        #[test]
        fn a_tiny_file_claiming_huge_dimensions_is_refused_before_allocating() {
            // A PNG header that says 60,000 x 60,000 pixels.
            let mut png = Vec::new();
            let img = image::GrayImage::from_pixel(1, 1, image::Luma([0]));
            image::codecs::png::PngEncoder::new(&mut png)
                .write_image(img.as_raw(), 1, 1, image::ExtendedColorType::L8)
                .unwrap();
            // IHDR width and height live at bytes 16..24.
            png[16..20].copy_from_slice(&60_000u32.to_be_bytes());
            png[20..24].copy_from_slice(&60_000u32.to_be_bytes());
            assert_eq!(clean(&png).unwrap_err(), AppError::UnreadableFile);
        }
    }
}
