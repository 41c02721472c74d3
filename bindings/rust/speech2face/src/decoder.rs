use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use speech2face_sys as sys;

use crate::error::{check, check_with, text, Error, Result};
use crate::model::Model;

/// A decoded face: `height × width × 3` RGB values and `landmark_count` (x, y) pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Face<T> {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<T>,
    pub landmarks: Vec<f32>,
}

/// Face feature → canonical face (the model's "face_decoder"). One per thread.
pub struct FaceDecoder<'m> {
    ptr: NonNull<sys::s2f_face_decoder>,
    feature_dim: usize,
    height: usize,
    width: usize,
    landmark_count: usize,
    _model: PhantomData<&'m Model>,
}

unsafe impl Send for FaceDecoder<'_> {}

impl<'m> FaceDecoder<'m> {
    pub fn new(model: &'m Model) -> Result<FaceDecoder<'m>> {
        let mut out = ptr::null_mut();
        check(unsafe { sys::s2f_face_decoder_create(model.as_ptr(), &mut out) })?;
        let ptr = NonNull::new(out).expect("s2f_face_decoder_create returned NULL");
        let (mut d, mut h, mut w, mut l) = (0, 0, 0, 0);
        unsafe { sys::s2f_face_decoder_shape(ptr.as_ptr(), &mut d, &mut h, &mut w, &mut l) };
        Ok(FaceDecoder { ptr, feature_dim: d, height: h, width: w, landmark_count: l, _model: PhantomData })
    }

    /// (feature_dim, height, width, landmark_count).
    pub fn shape(&self) -> (usize, usize, usize, usize) {
        (self.feature_dim, self.height, self.width, self.landmark_count)
    }

    fn check(&self, status: sys::s2f_status) -> Result<()> {
        check_with(status, || text(unsafe { sys::s2f_face_decoder_last_error(self.ptr.as_ptr()) }))
    }

    fn empty<T: Clone + Default>(&self) -> Face<T> {
        Face { width: self.width, height: self.height, rgb: vec![T::default(); self.height * self.width * 3],
               landmarks: vec![0f32; 2 * self.landmark_count] }
    }

    /// The warped face, floats in [0, 1].
    pub fn decode(&mut self, feature: &[f32]) -> Result<Face<f32>> {
        let mut face = self.empty::<f32>();
        self.check(unsafe {
            sys::s2f_face_decoder_decode(self.ptr.as_ptr(), feature.as_ptr(), feature.len(), face.rgb.as_mut_ptr(),
                                         face.rgb.len(), face.landmarks.as_mut_ptr(), face.landmarks.len())
        })?;
        Ok(face)
    }

    /// The warped face, 8-bit.
    pub fn decode_u8(&mut self, feature: &[f32]) -> Result<Face<u8>> {
        let mut face = self.empty::<u8>();
        self.check(unsafe {
            sys::s2f_face_decoder_decode_u8(self.ptr.as_ptr(), feature.as_ptr(), feature.len(), face.rgb.as_mut_ptr(),
                                            self.width * 3, face.rgb.len(), face.landmarks.as_mut_ptr(), face.landmarks.len())
        })?;
        Ok(face)
    }

    /// The unwarped texture (drawn at the mean landmarks) and the predicted landmarks.
    pub fn decode_texture(&mut self, feature: &[f32]) -> Result<Face<f32>> {
        let mut face = self.empty::<f32>();
        self.check(unsafe {
            sys::s2f_face_decoder_decode_texture(self.ptr.as_ptr(), feature.as_ptr(), feature.len(), face.rgb.as_mut_ptr(),
                                                 face.rgb.len(), face.landmarks.as_mut_ptr(), face.landmarks.len())
        })?;
        Ok(face)
    }

    /// The model's mean-face landmarks, (x, y) pairs.
    pub fn mean_landmarks(&self) -> Result<Vec<f32>> {
        let mut out = vec![0f32; 2 * self.landmark_count];
        check(unsafe { sys::s2f_face_decoder_mean_landmarks(self.ptr.as_ptr(), out.as_mut_ptr(), out.len()) })?;
        Ok(out)
    }
}

impl Drop for FaceDecoder<'_> {
    fn drop(&mut self) {
        unsafe { sys::s2f_face_decoder_free(self.ptr.as_ptr()) }
    }
}

/// Options of the spline warp (defaults: thin-plate spline, 2 boundary points, no regularization).
pub type WarpParams = sys::s2f_warp_params;

pub fn warp_default_params() -> WarpParams {
    let mut params: WarpParams = unsafe { std::mem::zeroed() };
    let status = unsafe { sys::s2f_warp_default_params_sized(&mut params, std::mem::size_of::<WarpParams>()) };
    assert_eq!(status, sys::S2F_OK, "the library rejects this crate's params struct");
    params
}

fn check_image(len: usize, height: usize, width: usize, channels: usize, points: (usize, usize)) -> Result<()> {
    if len != height * width * channels || points.0 != points.1 || points.0 % 2 != 0 {
        return Err(Error::invalid(format!(
            "{} values are not a {}x{}x{} image, or {} / {} point coordinates do not pair up",
            len, height, width, channels, points.0, points.1)));
    }
    Ok(())
}

/// Warps an H×W×C float image so that `src_points` move to `dst_points` ((x, y) pairs).
pub fn warp_image(src: &[f32], height: usize, width: usize, channels: usize, src_points: &[f32],
                  dst_points: &[f32], params: &WarpParams) -> Result<Vec<f32>> {
    check_image(src.len(), height, width, channels, (src_points.len(), dst_points.len()))?;
    let mut dst = vec![0f32; src.len()];
    check(unsafe {
        sys::s2f_warp_image(src.as_ptr(), height as i32, width as i32, channels as i32, src_points.as_ptr(),
                            dst_points.as_ptr(), src_points.len() / 2, params, dst.as_mut_ptr())
    })?;
    Ok(dst)
}

/// warp_image for 8-bit images.
pub fn warp_image_u8(src: &[u8], height: usize, width: usize, channels: usize, src_points: &[f32],
                     dst_points: &[f32], params: &WarpParams) -> Result<Vec<u8>> {
    check_image(src.len(), height, width, channels, (src_points.len(), dst_points.len()))?;
    let mut dst = vec![0u8; src.len()];
    check(unsafe {
        sys::s2f_warp_image_u8(src.as_ptr(), height as i32, width as i32, channels as i32, src_points.as_ptr(),
                               dst_points.as_ptr(), src_points.len() / 2, params, dst.as_mut_ptr())
    })?;
    Ok(dst)
}
