//! Safe Rust API of libspeech2face: speech → face feature → canonical face, and face-gallery
//! retrieval (Oh et al., "Speech2Face", CVPR 2019). Owned handles free themselves on drop;
//! every fallible call returns `Result<_, Error>` carrying the C status and message; data goes
//! in and out as slices and `Vec`s. Encoders and decoders borrow their `Model`, which the
//! compiler therefore keeps alive. docs/rust.md is the guide.
//!
//! ```no_run
//! let model = speech2face::Model::load("default.s2fm")?;
//! let mut encoder = speech2face::VoiceEncoder::new(&model)?;
//! let pcm: Vec<f32> = vec![0.0; 96000]; // 6 s of 16 kHz mono PCM from your decoder
//! let feature = encoder.encode_pcm(&pcm, 16000.0)?;
//! # Ok::<(), speech2face::Error>(())
//! ```
mod decoder;
mod error;
mod face_encoder;
mod index;
mod model;
mod pipeline;
mod spectrogram;
mod voice;

pub use decoder::{warp_default_params, warp_image, warp_image_u8, Face, FaceDecoder, WarpParams};
pub use error::{status_name, Error, Result};
pub use face_encoder::{crop_resize, FaceEncoder, ResizeFilter, RgbImage};
pub use index::{topk_merge, ExportFormat, FaceIndex, Hits, Metric, Storage};
pub use model::{MetadataValue, Model};
pub use pipeline::Pipeline;
pub use spectrogram::{default_params as spectrogram_default_params, downmix, Spectrogram, SpectrogramData, SpectrogramParams};
pub use speech2face_sys as sys;
pub use voice::VoiceEncoder;

/// Version of the loaded library, e.g. "0.1.0".
pub fn version() -> String {
    error::text(unsafe { sys::s2f_version_string() })
}

/// Short English description of a status code.
pub fn strerror(status: u32) -> String {
    error::text(unsafe { sys::s2f_strerror(status) })
}
