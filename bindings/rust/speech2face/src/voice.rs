use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use speech2face_sys as sys;

use crate::error::{check, check_with, text, Error, Result};
use crate::model::Model;
use crate::spectrogram::{Spectrogram, SpectrogramData};

/// The paper's voice encoder (spectrogram → face feature), borrowing its model.
/// One per thread (`Send`, methods take `&mut self`).
pub struct VoiceEncoder<'m> {
    ptr: NonNull<sys::s2f_voice_encoder>,
    feature_dim: usize,
    input_bins: usize,
    input_channels: usize,
    _model: PhantomData<&'m Model>,
}

unsafe impl Send for VoiceEncoder<'_> {}

impl<'m> VoiceEncoder<'m> {
    /// Builds the encoder of the model's "voice_encoder" component.
    pub fn new(model: &'m Model) -> Result<VoiceEncoder<'m>> {
        let mut out = ptr::null_mut();
        check(unsafe { sys::s2f_voice_encoder_create(model.as_ptr(), &mut out) })?;
        let ptr = NonNull::new(out).expect("s2f_voice_encoder_create returned NULL");
        let (mut dim, mut bins, mut channels) = (0, 0, 0);
        unsafe { sys::s2f_voice_encoder_shape(ptr.as_ptr(), &mut dim, &mut bins, &mut channels, ptr::null_mut()) };
        Ok(VoiceEncoder { ptr, feature_dim: dim, input_bins: bins, input_channels: channels, _model: PhantomData })
    }

    /// Length of the features.
    pub fn feature_dim(&self) -> usize {
        self.feature_dim
    }

    /// Threads one encode uses: 0 (the default) as many as OpenBLAS uses, n ≥ 1 exactly n.
    pub fn set_threads(&mut self, threads: usize) -> Result<()> {
        self.check(unsafe { sys::s2f_voice_encoder_set_threads(self.ptr.as_ptr(), threads) })
    }

    fn check(&self, status: sys::s2f_status) -> Result<()> {
        check_with(status, || text(unsafe { sys::s2f_voice_encoder_last_error(self.ptr.as_ptr()) }))
    }

    fn frames_of(&self, floats: usize, count: usize) -> Result<usize> {
        let per_frame = self.input_bins * self.input_channels;
        if count == 0 || floats == 0 || floats % (per_frame * count) != 0 {
            return Err(Error::new(sys::S2F_ERR_SHAPE_MISMATCH, format!(
                "{} floats are not {} spectrograms of {} bins x {} channels", floats, count, self.input_bins, self.input_channels)));
        }
        Ok(floats / per_frame / count)
    }

    /// One spectrogram (frames × bins × channels, as Spectrogram::compute gives) → feature.
    pub fn encode(&mut self, spectrogram: &[f32]) -> Result<Vec<f32>> {
        let frames = self.frames_of(spectrogram.len(), 1)?;
        let mut feature = vec![0f32; self.feature_dim];
        self.check(unsafe {
            sys::s2f_voice_encoder_encode(self.ptr.as_ptr(), spectrogram.as_ptr(), frames, self.input_bins,
                                          self.input_channels, feature.as_mut_ptr(), feature.len())
        })?;
        Ok(feature)
    }

    /// `count` spectrograms of equal length back to back → count × feature_dim floats.
    pub fn encode_batch(&mut self, spectrograms: &[f32], count: usize) -> Result<Vec<f32>> {
        let frames = self.frames_of(spectrograms.len(), count)?;
        let mut features = vec![0f32; count * self.feature_dim];
        self.check(unsafe {
            sys::s2f_voice_encoder_encode_batch(self.ptr.as_ptr(), spectrograms.as_ptr(), count, frames,
                                                self.input_bins, self.input_channels, features.as_mut_ptr(), features.len())
        })?;
        Ok(features)
    }

    /// Mono PCM at `sample_rate` → feature of its first 6 s (tiled if shorter), as `s2f embed`.
    pub fn encode_pcm(&mut self, pcm: &[f32], sample_rate: f64) -> Result<Vec<f32>> {
        let spectrogram: SpectrogramData = Spectrogram::with_rate(sample_rate)?.compute(pcm)?;
        self.encode(&spectrogram.data)
    }
}

impl Drop for VoiceEncoder<'_> {
    fn drop(&mut self) {
        unsafe { sys::s2f_voice_encoder_free(self.ptr.as_ptr()) }
    }
}
