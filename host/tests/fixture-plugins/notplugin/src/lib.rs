//! Test fixture: a shared library that is not a plugin.

#[unsafe(no_mangle)]
pub extern "C" fn fixture_hello() -> u32 {
    42
}
