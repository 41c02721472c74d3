use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use speech2face_sys as sys;

use crate::error::{check, check_with, text, Error, Result};
use crate::model::Model;

/// How images are resampled (sys::S2F_RESIZE_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResizeFilter {
    ModelDefault,
    BilinearTf,
    BilinearAntialias,
}

impl ResizeFilter {
    fn raw(self) -> sys::s2f_resize_filter {
        match self {
            ResizeFilter::ModelDefault => sys::S2F_RESIZE_MODEL_DEFAULT,
            ResizeFilter::BilinearTf => sys::S2F_RESIZE_BILINEAR_TF,
            ResizeFilter::BilinearAntialias => sys::S2F_RESIZE_BILINEAR_ANTIALIAS,
        }
    }
}

/// An 8-bit RGB image, rows of `3 × width` bytes.
#[derive(Debug, Clone, Copy)]
pub struct RgbImage<'a> {
    pub data: &'a [u8],
    pub width: usize,
    pub height: usize,
}

impl RgbImage<'_> {
    fn validate(&self) -> Result<()> {
        if self.width == 0 || self.height == 0 || self.data.len() != self.width * self.height * 3
            || self.width > i32::MAX as usize || self.height > i32::MAX as usize {
            return Err(Error::invalid(format!("{} bytes are not a {}x{} RGB image", self.data.len(), self.width, self.height)));
        }
        Ok(())
    }
}

/// Face photo crop → face feature (the model's "face_encoder"). One per thread.
pub struct FaceEncoder<'m> {
    ptr: NonNull<sys::s2f_face_encoder>,
    feature_dim: usize,
    input_size: usize,
    _model: PhantomData<&'m Model>,
}

unsafe impl Send for FaceEncoder<'_> {}

impl<'m> FaceEncoder<'m> {
    pub fn new(model: &'m Model) -> Result<FaceEncoder<'m>> {
        let mut out = ptr::null_mut();
        check(unsafe { sys::s2f_face_encoder_create(model.as_ptr(), &mut out) })?;
        let ptr = NonNull::new(out).expect("s2f_face_encoder_create returned NULL");
        let (mut dim, mut size) = (0, 0);
        unsafe { sys::s2f_face_encoder_shape(ptr.as_ptr(), &mut dim, &mut size) };
        Ok(FaceEncoder { ptr, feature_dim: dim, input_size: size, _model: PhantomData })
    }

    pub fn feature_dim(&self) -> usize {
        self.feature_dim
    }

    /// The network's square input side (150 for face-api's network).
    pub fn input_size(&self) -> usize {
        self.input_size
    }

    fn check(&self, status: sys::s2f_status) -> Result<()> {
        check_with(status, || text(unsafe { sys::s2f_face_encoder_last_error(self.ptr.as_ptr()) }))
    }

    pub fn set_resize_filter(&mut self, filter: ResizeFilter) -> Result<()> {
        self.check(unsafe { sys::s2f_face_encoder_set_resize_filter(self.ptr.as_ptr(), filter.raw()) })
    }

    /// One face crop → feature.
    pub fn encode(&mut self, image: RgbImage<'_>) -> Result<Vec<f32>> {
        image.validate()?;
        let mut feature = vec![0f32; self.feature_dim];
        self.check(unsafe {
            sys::s2f_face_encoder_encode(self.ptr.as_ptr(), image.data.as_ptr(), image.width as i32, image.height as i32,
                                         image.width * 3, feature.as_mut_ptr(), feature.len())
        })?;
        Ok(feature)
    }

    /// `count` crops of one size back to back → count × feature_dim floats.
    pub fn encode_batch(&mut self, images: &[u8], count: usize, width: usize, height: usize) -> Result<Vec<f32>> {
        let one = width * height * 3;
        if count == 0 || images.len() != count * one {
            return Err(Error::invalid(format!("{} bytes are not {} {}x{} RGB images", images.len(), count, width, height)));
        }
        RgbImage { data: &images[..one], width, height }.validate()?;
        let mut features = vec![0f32; count * self.feature_dim];
        self.check(unsafe {
            sys::s2f_face_encoder_encode_batch(self.ptr.as_ptr(), images.as_ptr(), count, width as i32, height as i32,
                                               width * 3, one, features.as_mut_ptr(), features.len())
        })?;
        Ok(features)
    }
}

impl Drop for FaceEncoder<'_> {
    fn drop(&mut self) {
        unsafe { sys::s2f_face_encoder_free(self.ptr.as_ptr()) }
    }
}

/// Crops the box (x, y, width, height) in pixel units (may extend past the image: black) and
/// resizes it to out_width × out_height.
pub fn crop_resize(image: RgbImage<'_>, b: (f64, f64, f64, f64), filter: ResizeFilter, out_width: usize,
                   out_height: usize) -> Result<Vec<u8>> {
    image.validate()?;
    if out_width == 0 || out_height == 0 || out_width > 8192 || out_height > 8192 {
        return Err(Error::invalid(format!("output size {}x{} is out of range", out_width, out_height)));
    }
    let mut out = vec![0u8; out_width * out_height * 3];
    check(unsafe {
        sys::s2f_image_crop_resize(image.data.as_ptr(), image.width as i32, image.height as i32, image.width * 3, b.0, b.1,
                                   b.2, b.3, filter.raw(), out.as_mut_ptr(), out_width as i32, out_height as i32, out_width * 3)
    })?;
    Ok(out)
}
