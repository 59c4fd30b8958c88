//! Errors in plain words for passengers, in their language.

use crate::app::i18n::Lang;
use crate::domain::AppError;

pub fn explain(lang: Lang, err: &AppError) -> String {
    let list = |seats: &[crate::domain::SeatCode]| {
        seats
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (lang, err) {
        (Lang::Id, AppError::SeatsUnavailable { seats }) => {
            format!(
                "Kursi {} baru saja diambil penumpang lain. Pilih kursi lain.",
                list(seats)
            )
        }
        (Lang::En, AppError::SeatsUnavailable { seats }) => {
            format!(
                "Seat {} was just taken by another passenger. Please pick another.",
                list(seats)
            )
        }
        (Lang::Id, AppError::TooManySeats { max }) => {
            format!("Maksimal {max} kursi per pemesanan.")
        }
        (Lang::En, AppError::TooManySeats { max }) => format!("At most {max} seats per booking."),
        (_, AppError::HoldOnOtherTrip { .. } | AppError::SessionHasHold { .. }) => lang
            .t(
                "Anda sedang menahan kursi di perjalanan lain. Lepaskan kursi itu dulu.",
                "You are holding seats on another trip. Release them first.",
            )
            .into(),
        (_, AppError::TripNotFound) => lang
            .t(
                "Perjalanan ini sudah tidak dibuka untuk pemesanan.",
                "This trip is no longer open for booking.",
            )
            .into(),
        (_, AppError::NoActiveHold | AppError::HoldExpired) => lang
            .t(
                "Waktu penahanan kursi sudah habis.",
                "Your hold on these seats has ended.",
            )
            .into(),
        (_, AppError::ExtendNotAllowed) => lang
            .t(
                "Waktu hanya bisa diperpanjang sekali, di 2 menit terakhir.",
                "You can extend once, in the last 2 minutes.",
            )
            .into(),
        (Lang::Id, AppError::TooManyActiveHolds { max }) => {
            format!("Nomor WhatsApp ini sudah punya {max} pesanan yang menunggu pembayaran.")
        }
        (Lang::En, AppError::TooManyActiveHolds { max }) => {
            format!("This WhatsApp number already has {max} holds waiting for payment.")
        }
        (Lang::Id, AppError::TooManySeatsFromNetwork { max }) => format!(
            "Jaringan Anda sudah menahan {max} kursi di perjalanan ini, batas terbanyak. \
             Bayar atau lepaskan sebagian dulu."
        ),
        (Lang::En, AppError::TooManySeatsFromNetwork { max }) => format!(
            "Your network already holds {max} seats on this trip, the most allowed. \
             Pay for or release some first."
        ),
        (_, AppError::PaymentCodesExhausted) => lang
            .t(
                "Terlalu banyak penumpang sedang membayar jumlah yang sama. Coba lagi beberapa menit lagi.",
                "Too many passengers are paying this same amount right now. Please try again in a few minutes.",
            )
            .into(),
        (_, AppError::ClaimNotFound) => lang
            .t(
                "Kode klaim tidak ditemukan. Periksa lagi kodenya.",
                "No hold has this claim code. Please check it.",
            )
            .into(),
        (_, AppError::AlreadyBooked) => lang
            .t(
                "Pesanan ini sudah dibayar dan dikonfirmasi.",
                "This hold is already paid and confirmed.",
            )
            .into(),
        (Lang::Id, AppError::RateLimited { retry_after }) => {
            format!("Terlalu banyak percobaan. Coba lagi dalam {retry_after} detik.")
        }
        (Lang::En, AppError::RateLimited { retry_after }) => {
            format!("Too many attempts. Try again in {retry_after} seconds.")
        }
        (_, AppError::BookingNotFound) => lang
            .t(
                "Tidak ada pesanan dengan kode dan nomor WhatsApp ini.",
                "No booking matches this code and WhatsApp number.",
            )
            .into(),
        (_, AppError::InvalidCredentials) => lang
            .t(
                "Nama pengguna atau kata sandi salah.",
                "The username or password is wrong.",
            )
            .into(),
        (_, AppError::TripHasBookings) => lang
            .t(
                "Perjalanan ini sudah punya pesanan, jadi jenis busnya tidak bisa diubah.",
                "This trip has bookings, so its bus type cannot change.",
            )
            .into(),
        (_, AppError::Unauthorized) => lang
            .t(
                "Silakan masuk sebagai staf terlebih dahulu.",
                "Please sign in as staff first.",
            )
            .into(),
        (_, AppError::AdminOnly) => lang
            .t(
                "Akun kru hanya bisa menaikkan penumpang. Buka halaman Naik bus di /crew.",
                "A crew account can only board passengers. Open the boarding page at /crew.",
            )
            .into(),
        (_, AppError::ForgedTicket) => lang
            .t(
                "KODE QR PALSU: kode ini bukan tiket Kursi dari operator ini. Jangan naikkan; periksa kode booking-nya.",
                "FORGED QR CODE: this is not a Kursi ticket of this operator. Do not board; check the booking code.",
            )
            .into(),
        (_, AppError::BookingCancelled) => lang
            .t(
                "Pesanan ini sudah dibatalkan.",
                "This booking was cancelled.",
            )
            .into(),
        (_, AppError::UnsupportedFile) => lang
            .t(
                "Kirim foto (JPEG, PNG atau WebP) atau PDF bukti transfer.",
                "Send a photo (JPEG, PNG or WebP) or a PDF of the transfer receipt.",
            )
            .into(),
        (_, AppError::UnreadableFile) => lang
            .t(
                "Berkas ini tidak bisa dibaca sebagai bukti transfer; mungkin rusak. Coba foto atau PDF lain.",
                "This file could not be read as a receipt; it may be damaged. Try another photo or PDF.",
            )
            .into(),
        (_, AppError::PayloadTooLarge) => lang
            .t(
                "Berkas terlalu besar; paling besar 5 MB.",
                "The file is too large; at most 5 MB.",
            )
            .into(),
        (_, AppError::ContactRequired) => lang
            .t(
                "Isi nama dan nomor WhatsApp dulu.",
                "Give your name and WhatsApp number first.",
            )
            .into(),
        (_, AppError::InvalidRequest { message }) => message.clone(),
        _ => lang
            .t(
                "Terjadi gangguan. Silakan coba lagi.",
                "Something went wrong. Please try again.",
            )
            .into(),
    }
}
