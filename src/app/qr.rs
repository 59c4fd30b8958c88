//! Reading a QR code from pixels, for the crew's scanner where the browser
//! has no `BarcodeDetector`: a frame of the camera or a photo, drawn on a
//! canvas, comes here as RGBA bytes. The decoder is `rqrr` (pure Rust, a
//! port of quirc); the image is scaled down first by the caller, so a
//! frame costs a few milliseconds on a phone.

/// The text of the first QR code found in an RGBA image `width` pixels
/// wide, if any.
pub fn read_rgba(width: usize, height: usize, rgba: &[u8]) -> Option<String> {
    if width == 0 || height == 0 || rgba.len() < width * height * 4 {
        return None;
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let i = (y * width + x) * 4;
        // Rec. 601 luma, in integers.
        let (r, g, b) = (rgba[i] as u32, rgba[i + 1] as u32, rgba[i + 2] as u32);
        ((r * 299 + g * 587 + b * 114) / 1000) as u8
    });
    image
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    /// An RGBA picture of `text` as a QR code, `scale` pixels a module,
    /// dark on light, with a quiet zone: what a camera sees, minus the blur.
    fn picture(text: &str, scale: usize) -> (usize, Vec<u8>) {
        let qr = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let modules = qr.width();
        let colors = qr.to_colors();
        let side = (modules + 8) * scale;
        let mut rgba = vec![255u8; side * side * 4];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / scale) as isize - 4, (y / scale) as isize - 4);
                let inside =
                    (0..modules as isize).contains(&mx) && (0..modules as isize).contains(&my);
                if inside && colors[my as usize * modules + mx as usize] == qrcode::Color::Dark {
                    let i = (y * side + x) * 4;
                    rgba[i..i + 3].copy_from_slice(&[20, 30, 40]);
                }
            }
        }
        (side, rgba)
    }

    #[test]
    fn reads_back_a_ticket_code() {
        let text = "KURSI:BK-7Q2M9X:0123456789ABCDEF";
        let (side, rgba) = picture(text, 4);
        assert_eq!(read_rgba(side, side, &rgba).as_deref(), Some(text));
    }

    #[test]
    fn finds_nothing_in_a_blank_or_short_image() {
        assert_eq!(read_rgba(64, 64, &vec![255; 64 * 64 * 4]), None);
        assert_eq!(read_rgba(64, 64, &[0; 16]), None);
        assert_eq!(read_rgba(0, 0, &[]), None);
    }
}
