use std::ptr::{self, NonNull};

use speech2face_sys as sys;

use crate::error::{check, check_with, text, Error, Result};

/// Parameters of the spectrogram (the paper's by default: 16 kHz input, 6 s clips, Hann 400,
/// hop 160, 512-point FFT, |x|^0.3 compression). See include/speech2face.h for each field.
pub type SpectrogramParams = sys::s2f_spectrogram_params;

/// The paper's parameters, sized for this crate's struct.
pub fn default_params() -> SpectrogramParams {
    let mut params: SpectrogramParams = unsafe { std::mem::zeroed() };
    let status = unsafe {
        sys::s2f_spectrogram_default_params_sized(&mut params, std::mem::size_of::<SpectrogramParams>())
    };
    assert_eq!(status, sys::S2F_OK, "the library rejects this crate's params struct");
    params
}

/// PCM → the compressed complex spectrogram the voice encoder takes. One per thread (`Send`).
pub struct Spectrogram {
    ptr: NonNull<sys::s2f_spectrogram>,
}

unsafe impl Send for Spectrogram {}

/// A spectrogram: `frames × bins × 2` floats (real, imaginary), per segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SpectrogramData {
    pub segments: usize,
    pub frames: usize,
    pub bins: usize,
    pub data: Vec<f32>,
}

impl Spectrogram {
    /// A handle with `params` (see default_params()).
    pub fn new(params: &SpectrogramParams) -> Result<Spectrogram> {
        let mut out = ptr::null_mut();
        check(unsafe { sys::s2f_spectrogram_create(params, &mut out) })?;
        Ok(Spectrogram { ptr: NonNull::new(out).expect("s2f_spectrogram_create returned NULL") })
    }

    /// The paper's parameters for PCM at `sample_rate` Hz.
    pub fn with_rate(sample_rate: f64) -> Result<Spectrogram> {
        let mut params = default_params();
        params.sample_rate = sample_rate;
        Spectrogram::new(&params)
    }

    fn check(&self, status: sys::s2f_status) -> Result<()> {
        check_with(status, || text(unsafe { sys::s2f_spectrogram_last_error(self.ptr.as_ptr()) }))
    }

    /// (frames, bins) for `n_samples` input samples.
    pub fn shape(&self, n_samples: usize) -> Result<(usize, usize)> {
        let (mut frames, mut bins) = (0, 0);
        self.check(unsafe { sys::s2f_spectrogram_shape(self.ptr.as_ptr(), n_samples, &mut frames, &mut bins) })?;
        Ok((frames, bins))
    }

    /// The spectrogram of mono PCM.
    pub fn compute(&mut self, pcm: &[f32]) -> Result<SpectrogramData> {
        if pcm.is_empty() {
            return Err(Error::invalid("no samples".into()));
        }
        let (frames, bins) = self.shape(pcm.len())?;
        let mut data = vec![0f32; frames * bins * 2];
        self.check(unsafe {
            sys::s2f_spectrogram_compute(self.ptr.as_ptr(), pcm.as_ptr(), pcm.len(), data.as_mut_ptr(), data.len(), ptr::null_mut())
        })?;
        Ok(SpectrogramData { segments: 1, frames, bins, data })
    }

    /// Long audio: one spectrogram per clip (clip_seconds long, every segment_hop_seconds).
    pub fn compute_segments(&mut self, pcm: &[f32]) -> Result<SpectrogramData> {
        if pcm.is_empty() {
            return Err(Error::invalid("no samples".into()));
        }
        let (frames, bins) = self.shape(pcm.len())?;
        let mut segments = 0;
        self.check(unsafe { sys::s2f_spectrogram_segment_count(self.ptr.as_ptr(), pcm.len(), &mut segments) })?;
        let mut data = vec![0f32; segments * frames * bins * 2];
        self.check(unsafe {
            sys::s2f_spectrogram_compute_segments(self.ptr.as_ptr(), pcm.as_ptr(), pcm.len(), data.as_mut_ptr(), data.len(), ptr::null_mut())
        })?;
        Ok(SpectrogramData { segments, frames, bins, data })
    }
}

impl Drop for Spectrogram {
    fn drop(&mut self) {
        unsafe { sys::s2f_spectrogram_free(self.ptr.as_ptr()) }
    }
}

/// Interleaved multi-channel PCM (`channels` per frame) → mono (the per-frame mean).
pub fn downmix(interleaved: &[f32], channels: usize) -> Result<Vec<f32>> {
    if channels == 0 || interleaved.len() % channels != 0 || interleaved.is_empty() {
        return Err(Error::invalid(format!("{} samples are not whole frames of {} channels", interleaved.len(), channels)));
    }
    let frames = interleaved.len() / channels;
    let mut mono = vec![0f32; frames];
    check(unsafe { sys::s2f_audio_downmix(interleaved.as_ptr(), frames, channels as i32, mono.as_mut_ptr()) })?;
    Ok(mono)
}
