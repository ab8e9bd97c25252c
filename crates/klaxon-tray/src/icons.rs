//! The tray's pictures: one per headline state ([`crate::look::icon_name`]), PNGs built into
//! the binary and decoded into the RGBA pixels tray-icon takes.

use tray_icon::Icon;

fn png(name: &str) -> &'static [u8] {
    match name {
        "down" => include_bytes!("../../../icons/tray-down.png"),
        "acknowledged" => include_bytes!("../../../icons/tray-acknowledged.png"),
        "offline" => include_bytes!("../../../icons/tray-offline.png"),
        "paused" => include_bytes!("../../../icons/tray-paused.png"),
        _ => include_bytes!("../../../icons/tray-ok.png"),
    }
}

/// The icon for a state; `None` only if a built-in picture could not be decoded, which the
/// tests rule out for every state.
pub fn icon(name: &str) -> Option<Icon> {
    let (rgba, width, height) = decode(png(name)).ok()?;
    Icon::from_rgba(rgba, width, height).ok()
}

/// Any 8-bit PNG to RGBA (grey, palette and missing alpha expanded).
fn decode(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), png::DecodingError> {
    let mut decoder = png::Decoder::new(bytes);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf)?;
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        _ => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
    };
    Ok((rgba, info.width, info.height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_a_picture_that_decodes_to_a_square_rgba_icon() {
        for name in ["ok", "down", "acknowledged", "offline", "paused"] {
            let (rgba, width, height) = decode(png(name)).expect(name);
            assert_eq!(width, height, "{name}");
            assert!(width >= 16, "{name}: {width}");
            assert_eq!(rgba.len(), (width * height * 4) as usize, "{name}");
            // Not an empty picture: some pixels are opaque.
            assert!(rgba.chunks_exact(4).any(|p| p[3] == 255), "{name}");
        }
        // Each state looks different from "all up".
        let ok = decode(png("ok")).unwrap().0;
        for name in ["down", "acknowledged", "offline", "paused"] {
            assert_ne!(decode(png(name)).unwrap().0, ok, "{name}");
        }
    }
}
