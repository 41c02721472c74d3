use std::ffi::CStr;
use std::fmt;
use std::os::raw::c_char;

use speech2face_sys as sys;

/// A failed libspeech2face call: the `s2f_status` code, its C name (`"S2F_ERR_IO"`) and the
/// library's detailed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub status: u32,
    pub name: String,
    pub message: String,
}

impl Error {
    pub(crate) fn new(status: sys::s2f_status, message: String) -> Error {
        Error { status, name: status_name(status), message }
    }

    /// An argument the safe API rejects before calling into C (as the C API would, with
    /// S2F_ERR_INVALID_ARGUMENT).
    pub(crate) fn invalid(message: String) -> Error {
        Error::new(sys::S2F_ERR_INVALID_ARGUMENT, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// A C string from the library (static or handle-owned) copied into a String.
pub(crate) fn text(pointer: *const c_char) -> String {
    if pointer.is_null() {
        return String::new();
    }
    // SAFETY: the library returns NUL-terminated strings valid until the next call.
    unsafe { CStr::from_ptr(pointer) }.to_string_lossy().into_owned()
}

/// The C name of a status code, e.g. "S2F_ERR_IO".
pub fn status_name(status: sys::s2f_status) -> String {
    text(unsafe { sys::s2f_status_name(status) })
}

/// Ok(()) for S2F_OK, else an Error with the calling thread's last message.
pub(crate) fn check(status: sys::s2f_status) -> Result<()> {
    if status == sys::S2F_OK {
        Ok(())
    } else {
        Err(Error::new(status, text(unsafe { sys::s2f_last_error_message() })))
    }
}

/// Ok(()) for S2F_OK, else an Error with `message()` (a handle's last_error).
pub(crate) fn check_with(status: sys::s2f_status, message: impl FnOnce() -> String) -> Result<()> {
    if status == sys::S2F_OK {
        Ok(())
    } else {
        Err(Error::new(status, message()))
    }
}

pub(crate) fn c_path(path: &std::path::Path) -> Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::invalid(format!("path {:?} contains a NUL byte", path)))
}
