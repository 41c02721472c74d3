use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use speech2face_sys as sys;

use crate::decoder::Face;
use crate::error::{check, check_with, text, Error, Result};
use crate::index::{FaceIndex, Hits};
use crate::model::Model;

/// The main job in one call (`s2f_pipeline`): interleaved PCM at any rate → face feature, the
/// face, or the closest gallery entries. `segments` averages 6 s windows every 3 s over the
/// whole recording instead of the paper's first 6 s. One per thread (`Send`, `&mut self`).
pub struct Pipeline<'m> {
    ptr: NonNull<sys::s2f_pipeline>,
    feature_dim: usize,
    height: usize,
    width: usize,
    landmarks: usize,
    _model: PhantomData<&'m Model>,
}

unsafe impl Send for Pipeline<'_> {}

impl<'m> Pipeline<'m> {
    /// A pipeline on the model's voice encoder and (when it has one) its face decoder.
    pub fn new(model: &'m Model) -> Result<Pipeline<'m>> {
        let mut out = ptr::null_mut();
        check(unsafe { sys::s2f_pipeline_create(model.as_ptr(), &mut out) })?;
        let ptr = NonNull::new(out).expect("s2f_pipeline_create returned NULL");
        let (mut dim, mut height, mut width, mut landmarks) = (0, 0, 0, 0);
        unsafe { sys::s2f_pipeline_shape(ptr.as_ptr(), &mut dim, &mut height, &mut width, &mut landmarks) };
        Ok(Pipeline { ptr, feature_dim: dim, height, width, landmarks, _model: PhantomData })
    }

    /// Seconds of speech each recording needs (default 0.5): less fails with
    /// `S2F_ERR_NO_SPEECH` (silence, noise, hum, tones). 0 accepts any audio.
    pub fn set_min_speech(&mut self, seconds: f64) -> Result<()> {
        self.check(unsafe { sys::s2f_pipeline_set_min_speech(self.ptr.as_ptr(), seconds) })
    }

    /// Length of the features.
    pub fn feature_dim(&self) -> usize {
        self.feature_dim
    }

    fn check(&self, status: sys::s2f_status) -> Result<()> {
        check_with(status, || text(unsafe { sys::s2f_pipeline_last_error(self.ptr.as_ptr()) }))
    }

    fn frames(pcm: &[f32], channels: usize) -> Result<usize> {
        if channels == 0 || pcm.len() % channels != 0 {
            return Err(Error::new(sys::S2F_ERR_INVALID_ARGUMENT, format!(
                "{} samples are not whole frames of {} channels", pcm.len(), channels)));
        }
        Ok(pcm.len() / channels)
    }

    /// Interleaved PCM (`channels` per frame) at `sample_rate` → the face feature.
    pub fn encode(&mut self, pcm: &[f32], channels: usize, sample_rate: f64, segments: bool) -> Result<Vec<f32>> {
        let frames = Self::frames(pcm, channels)?;
        let mut feature = vec![0f32; self.feature_dim];
        self.check(unsafe {
            sys::s2f_pipeline_encode(self.ptr.as_ptr(), pcm.as_ptr(), frames, channels as i32, sample_rate,
                                     segments as i32, feature.as_mut_ptr(), feature.len())
        })?;
        Ok(feature)
    }

    /// Voice → the 8-bit RGB face and its landmarks.
    pub fn face(&mut self, pcm: &[f32], channels: usize, sample_rate: f64, segments: bool) -> Result<Face<u8>> {
        let frames = Self::frames(pcm, channels)?;
        let mut rgb = vec![0u8; self.height * self.width * 3];
        let mut landmarks = vec![0f32; self.landmarks * 2];
        self.check(unsafe {
            sys::s2f_pipeline_face(self.ptr.as_ptr(), pcm.as_ptr(), frames, channels as i32, sample_rate,
                                   segments as i32, ptr::null_mut(), 0, rgb.as_mut_ptr(), self.width * 3,
                                   rgb.len(), landmarks.as_mut_ptr(), landmarks.len())
        })?;
        Ok(Face { width: self.width, height: self.height, rgb, landmarks })
    }

    /// Voice → the `k` closest entries of `index`.
    pub fn search(&mut self, index: &FaceIndex, pcm: &[f32], channels: usize, sample_rate: f64, segments: bool,
                  k: usize) -> Result<Hits> {
        let frames = Self::frames(pcm, channels)?;
        let mut ids = vec![0i64; k];
        let mut scores = vec![0f32; k];
        let mut found = 0usize;
        self.check(unsafe {
            sys::s2f_pipeline_search(self.ptr.as_ptr(), index.as_ptr(), pcm.as_ptr(), frames, channels as i32,
                                     sample_rate, segments as i32, k, ids.as_mut_ptr(), scores.as_mut_ptr(),
                                     &mut found)
        })?;
        ids.truncate(found);
        scores.truncate(found);
        Ok(Hits { ids, scores })
    }
}

impl Drop for Pipeline<'_> {
    fn drop(&mut self) {
        unsafe { sys::s2f_pipeline_free(self.ptr.as_ptr()) }
    }
}
