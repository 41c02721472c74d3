use std::ffi::CString;
use std::path::Path;
use std::ptr::{self, NonNull};

use speech2face_sys as sys;

use crate::error::{c_path, check, Error, Result};

/// A loaded model container. Immutable once loaded: share it between threads (`&Model` is
/// `Send + Sync`); encoders and decoders borrow it, so it outlives them by construction.
pub struct Model {
    ptr: NonNull<sys::s2f_model>,
}

// SAFETY: the C model is immutable after loading and documented as shareable across threads.
unsafe impl Send for Model {}
unsafe impl Sync for Model {}

/// A metadata value of a model container.
#[derive(Debug, Clone, PartialEq)]
pub enum MetadataValue {
    I64(i64),
    F64(f64),
    String(String),
    I64Array(Vec<i64>),
    F32Array(Vec<f32>),
}

impl Model {
    /// Loads (maps) the container at `path`, verifying its checksum.
    pub fn load<P: AsRef<Path>>(path: P) -> Result<Model> {
        Model::load_with(path, true, true)
    }

    /// Loads with explicit options: `verify_checksum` (CRC-32 of the whole file) and `use_mmap`
    /// (map read-only rather than read into memory).
    pub fn load_with<P: AsRef<Path>>(path: P, verify_checksum: bool, use_mmap: bool) -> Result<Model> {
        let path = c_path(path.as_ref())?;
        let params = load_params(verify_checksum, use_mmap)?;
        let mut out = ptr::null_mut();
        check(unsafe { sys::s2f_model_load_file(path.as_ptr(), &params, &mut out) })?;
        Ok(Model { ptr: NonNull::new(out).expect("s2f_model_load_file returned NULL") })
    }

    /// Loads a container from memory (the bytes are copied).
    pub fn from_bytes(data: &[u8]) -> Result<Model> {
        let params = load_params(true, true)?;
        let mut out = ptr::null_mut();
        check(unsafe {
            sys::s2f_model_load_buffer(data.as_ptr().cast(), data.len(), &params, &mut out)
        })?;
        Ok(Model { ptr: NonNull::new(out).expect("s2f_model_load_buffer returned NULL") })
    }

    pub(crate) fn as_ptr(&self) -> *const sys::s2f_model {
        self.ptr.as_ptr()
    }

    /// Whether the container holds a component ("voice_encoder", "face_decoder", ...).
    pub fn has_component(&self, component: &str) -> Result<bool> {
        let name = cstring(component)?;
        let mut has = 0;
        check(unsafe { sys::s2f_model_has_component(self.as_ptr(), name.as_ptr(), &mut has) })?;
        Ok(has != 0)
    }

    fn text(
        &self,
        f: impl Fn(*mut std::os::raw::c_char, usize, *mut usize) -> sys::s2f_status,
    ) -> Result<String> {
        let mut needed = 0usize;
        check(f(ptr::null_mut(), 0, &mut needed))?;
        let mut buffer = vec![0u8; needed];
        check(f(buffer.as_mut_ptr().cast(), buffer.len(), &mut needed))?;
        buffer.truncate(needed.saturating_sub(1));
        String::from_utf8(buffer).map_err(|_| Error::invalid("metadata text is not UTF-8".into()))
    }

    /// Metadata keys in byte order.
    pub fn metadata_keys(&self) -> Result<Vec<String>> {
        let mut count = 0usize;
        check(unsafe { sys::s2f_model_metadata_count(self.as_ptr(), &mut count) })?;
        (0..count)
            .map(|i| self.text(|b, c, n| unsafe { sys::s2f_model_metadata_key(self.as_ptr(), i, b, c, n) }))
            .collect()
    }

    /// The metadata value at `key`.
    pub fn metadata(&self, key: &str) -> Result<MetadataValue> {
        let k = cstring(key)?;
        let (mut kind, mut count) = (0, 0usize);
        check(unsafe { sys::s2f_model_metadata_type(self.as_ptr(), k.as_ptr(), &mut kind, &mut count) })?;
        let m = self.as_ptr();
        Ok(match kind {
            sys::S2F_MODEL_VALUE_I64 => {
                let mut v = 0i64;
                check(unsafe { sys::s2f_model_metadata_i64(m, k.as_ptr(), &mut v) })?;
                MetadataValue::I64(v)
            }
            sys::S2F_MODEL_VALUE_F64 => {
                let mut v = 0f64;
                check(unsafe { sys::s2f_model_metadata_f64(m, k.as_ptr(), &mut v) })?;
                MetadataValue::F64(v)
            }
            sys::S2F_MODEL_VALUE_STRING => MetadataValue::String(self.text(|b, c, n| unsafe {
                sys::s2f_model_metadata_string(m, k.as_ptr(), b, c, n)
            })?),
            sys::S2F_MODEL_VALUE_I64_ARRAY => {
                let mut v = vec![0i64; count];
                check(unsafe {
                    sys::s2f_model_metadata_i64_array(m, k.as_ptr(), v.as_mut_ptr(), v.len(), &mut count)
                })?;
                MetadataValue::I64Array(v)
            }
            _ => {
                let mut v = vec![0f32; count];
                check(unsafe {
                    sys::s2f_model_metadata_f32_array(m, k.as_ptr(), v.as_mut_ptr(), v.len(), &mut count)
                })?;
                MetadataValue::F32Array(v)
            }
        })
    }

    /// Tensor names in byte order.
    pub fn tensor_names(&self) -> Result<Vec<String>> {
        let mut count = 0usize;
        check(unsafe { sys::s2f_model_tensor_count(self.as_ptr(), &mut count) })?;
        (0..count)
            .map(|i| self.text(|b, c, n| unsafe { sys::s2f_model_tensor_name(self.as_ptr(), i, b, c, n) }))
            .collect()
    }

    /// (dtype code — sys::S2F_MODEL_DTYPE_* —, shape) of tensor `name`.
    pub fn tensor_info(&self, name: &str) -> Result<(u32, Vec<i64>)> {
        let n = cstring(name)?;
        let (mut dtype, mut ndim, mut shape) = (0, 0, [0i64; 4]);
        check(unsafe {
            sys::s2f_model_tensor_info(self.as_ptr(), n.as_ptr(), &mut dtype, &mut ndim, shape.as_mut_ptr())
        })?;
        Ok((dtype, shape[..ndim.clamp(0, 4) as usize].to_vec()))
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        unsafe { sys::s2f_model_free(self.ptr.as_ptr()) }
    }
}

fn load_params(verify_checksum: bool, use_mmap: bool) -> Result<sys::s2f_model_load_params> {
    let mut params: sys::s2f_model_load_params = unsafe { std::mem::zeroed() };
    check(unsafe {
        sys::s2f_model_load_default_params_sized(&mut params, std::mem::size_of::<sys::s2f_model_load_params>())
    })?;
    params.verify_checksum = verify_checksum as i32;
    params.use_mmap = use_mmap as i32;
    Ok(params)
}

pub(crate) fn cstring(text: &str) -> Result<CString> {
    CString::new(text).map_err(|_| Error::invalid(format!("{:?} contains a NUL byte", text)))
}
