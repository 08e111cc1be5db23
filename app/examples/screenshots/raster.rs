//! A ratatui buffer as a PNG: each cell's background filled, its symbol drawn with a
//! monospace TrueType font (fontdue), colors as the terminal would show them.

use std::path::Path;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

pub struct Raster {
    regular: fontdue::Font,
    bold: fontdue::Font,
    /// For symbols the monospace font lacks (a terminal falls back the same way).
    fallback: fontdue::Font,
    px: f32,
    cell_w: usize,
    cell_h: usize,
    ascent: f32,
    /// What `Color::Reset` means: the terminal's own colors.
    default_fg: [u8; 3],
    default_bg: [u8; 3],
}

fn load(path: &Path) -> Result<fontdue::Font, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    fontdue::Font::from_bytes(bytes, fontdue::FontSettings::default())
        .map_err(|e| format!("{}: {e}", path.display()))
}

impl Raster {
    pub fn new(font_dir: &Path, px: f32, dark: bool) -> Result<Raster, String> {
        let regular = load(&font_dir.join("DejaVuSansMono.ttf"))?;
        let bold = load(&font_dir.join("DejaVuSansMono-Bold.ttf"))?;
        let fallback = load(&font_dir.join("DejaVuSans.ttf"))?;
        let m = regular.metrics('M', px);
        let lines = regular
            .horizontal_line_metrics(px)
            .ok_or("the font has no line metrics")?;
        Ok(Raster {
            cell_w: m.advance_width.ceil() as usize,
            cell_h: lines.new_line_size.ceil() as usize,
            ascent: lines.ascent,
            regular,
            bold,
            fallback,
            px,
            default_fg: if dark { [0xd0; 3] } else { [0x20; 3] },
            default_bg: if dark { [0x1c; 3] } else { [0xfa; 3] },
        })
    }

    fn rgb(&self, c: Color, fg: bool) -> [u8; 3] {
        // The xterm palette for named and indexed colors.
        const BASE: [[u8; 3]; 16] = [
            [0, 0, 0],
            [205, 0, 0],
            [0, 205, 0],
            [205, 205, 0],
            [0, 0, 238],
            [205, 0, 205],
            [0, 205, 205],
            [229, 229, 229],
            [127, 127, 127],
            [255, 0, 0],
            [0, 255, 0],
            [255, 255, 0],
            [92, 92, 255],
            [255, 0, 255],
            [0, 255, 255],
            [255, 255, 255],
        ];
        let indexed = |i: u8| -> [u8; 3] {
            match i {
                0..=15 => BASE[i as usize],
                16..=231 => {
                    let i = i - 16;
                    let v = |x: u8| if x == 0 { 0 } else { 55 + x * 40 };
                    [v(i / 36), v((i / 6) % 6), v(i % 6)]
                }
                _ => {
                    let g = 8 + (i - 232) * 10;
                    [g, g, g]
                }
            }
        };
        match c {
            Color::Reset => {
                if fg {
                    self.default_fg
                } else {
                    self.default_bg
                }
            }
            Color::Rgb(r, g, b) => [r, g, b],
            Color::Indexed(i) => indexed(i),
            Color::Black => BASE[0],
            Color::Red => BASE[1],
            Color::Green => BASE[2],
            Color::Yellow => BASE[3],
            Color::Blue => BASE[4],
            Color::Magenta => BASE[5],
            Color::Cyan => BASE[6],
            Color::Gray => BASE[7],
            Color::DarkGray => BASE[8],
            Color::LightRed => BASE[9],
            Color::LightGreen => BASE[10],
            Color::LightYellow => BASE[11],
            Color::LightBlue => BASE[12],
            Color::LightMagenta => BASE[13],
            Color::LightCyan => BASE[14],
            Color::White => BASE[15],
        }
    }

    fn fill_shape(&self, img: &mut [u8], w: usize, x0: usize, y0: usize, s: Shape, fg: [u8; 3]) {
        let (cw, ch) = (self.cell_w, self.cell_h);
        let mut fill = |xa: usize, xb: usize, ya: usize, yb: usize| {
            for py in y0 + ya..y0 + yb.min(ch) {
                for px in x0 + xa..x0 + xb.min(cw) {
                    img[(py * w + px) * 3..][..3].copy_from_slice(&fg);
                }
            }
        };
        match s {
            Shape::Lines {
                left,
                right,
                up,
                down,
            } => {
                let (mx, my) = (cw / 2, ch / 2);
                if left {
                    fill(0, mx + 1, my, my + 1);
                }
                if right {
                    fill(mx, cw, my, my + 1);
                }
                if up {
                    fill(mx, mx + 1, 0, my + 1);
                }
                if down {
                    fill(mx, mx + 1, my, ch);
                }
            }
            Shape::Bar(eighths) => {
                let top = ch - ch * eighths as usize / 8;
                fill(0, cw, top, ch);
            }
        }
    }

    pub fn write_png(&self, buf: &Buffer, out: &Path) -> Result<(), String> {
        let (cols, rows) = (buf.area.width as usize, buf.area.height as usize);
        let (w, h) = (cols * self.cell_w, rows * self.cell_h);
        let mut img = vec![0u8; w * h * 3];
        for y in 0..rows {
            for x in 0..cols {
                let cell = &buf[(x as u16, y as u16)];
                let mut fg = self.rgb(cell.fg, true);
                let mut bg = self.rgb(cell.bg, false);
                if cell.modifier.contains(Modifier::REVERSED) {
                    std::mem::swap(&mut fg, &mut bg);
                }
                let (x0, y0) = (x * self.cell_w, y * self.cell_h);
                for py in y0..y0 + self.cell_h {
                    for px in x0..x0 + self.cell_w {
                        img[(py * w + px) * 3..][..3].copy_from_slice(&bg);
                    }
                }
                let Some(ch) = cell.symbol().chars().next() else {
                    continue;
                };
                if ch == ' ' {
                    continue;
                }
                let font = if self.regular.lookup_glyph_index(ch) == 0 {
                    &self.fallback
                } else if cell.modifier.contains(Modifier::BOLD) {
                    &self.bold
                } else {
                    &self.regular
                };
                // Box lines and bars are drawn to the cell's edges, so they join up.
                if let Some(shape) = shape_of(ch) {
                    self.fill_shape(&mut img, w, x0, y0, shape, fg);
                    continue;
                }
                let (m, bitmap) = font.rasterize(ch, self.px);
                let gx = x0 as i64 + m.xmin as i64;
                let gy = y0 as i64 + (self.ascent as i64) - (m.height as i64 + m.ymin as i64);
                for by in 0..m.height {
                    for bx in 0..m.width {
                        let a = bitmap[by * m.width + bx] as u32;
                        if a == 0 {
                            continue;
                        }
                        let (px, py) = (gx + bx as i64, gy + by as i64);
                        if px < 0 || py < 0 || px as usize >= w || py as usize >= h {
                            continue;
                        }
                        let o = (py as usize * w + px as usize) * 3;
                        for k in 0..3 {
                            let base = img[o + k] as u32;
                            img[o + k] = ((fg[k] as u32 * a + base * (255 - a)) / 255) as u8;
                        }
                    }
                }
            }
        }
        let file = std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Best);
        let mut writer = enc
            .write_header()
            .map_err(|e| format!("{}: {e}", out.display()))?;
        writer
            .write_image_data(&img)
            .map_err(|e| format!("{}: {e}", out.display()))
    }
}

#[derive(Clone, Copy)]
enum Shape {
    Lines {
        left: bool,
        right: bool,
        up: bool,
        down: bool,
    },
    /// A block filled from the bottom, in eighths of the cell.
    Bar(u8),
}

fn shape_of(c: char) -> Option<Shape> {
    let l = |left, right, up, down| {
        Some(Shape::Lines {
            left,
            right,
            up,
            down,
        })
    };
    match c {
        '─' => l(true, true, false, false),
        '│' => l(false, false, true, true),
        '┌' => l(false, true, false, true),
        '┐' => l(true, false, false, true),
        '└' => l(false, true, true, false),
        '┘' => l(true, false, true, false),
        '├' => l(false, true, true, true),
        '┤' => l(true, false, true, true),
        '┬' => l(true, true, false, true),
        '┴' => l(true, true, true, false),
        '┼' => l(true, true, true, true),
        // U+2581 is one eighth, U+2588 the full block.
        '▁'..='█' => Some(Shape::Bar((c as u32 - 0x2580) as u8)),
        _ => None,
    }
}
