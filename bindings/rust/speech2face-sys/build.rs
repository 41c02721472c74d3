//! Finds libspeech2face with pkg-config (PKG_CONFIG_PATH for a non-standard prefix) and tells
//! cargo how to link it.
fn main() {
    if let Err(error) = pkg_config::Config::new()
        .atleast_version("0.1.0")
        .probe("speech2face")
    {
        eprintln!(
            "libspeech2face was not found by pkg-config ({}). Install it, or point \
             PKG_CONFIG_PATH at the directory holding speech2face.pc.",
            error
        );
        std::process::exit(1);
    }
}
