//! The remote's address as a QR code: in the terminal for `treadcuectl
//! web`, and as an image on the page, so a second phone opens the remote
//! by pointing its camera.

use qrcode::QrCode;
use qrcode::render::{svg, unicode};

/// The QR code of `text` in half-block characters, two modules a line,
/// drawn as `qrencode -t UTF8` draws it: the light modules (and the quiet
/// zone round them) are the drawn ones, for a dark terminal.
pub fn terminal(text: &str) -> Result<String, String> {
    let code = code(text)?;
    Ok(code
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

/// The QR code of `text` as an SVG image, dark on white.
pub fn svg_image(text: &str) -> Result<String, String> {
    let code = code(text)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

fn code(text: &str) -> Result<QrCode, String> {
    QrCode::new(text.as_bytes()).map_err(|e| format!("cannot make a QR code of {text:?}: {e}"))
}
