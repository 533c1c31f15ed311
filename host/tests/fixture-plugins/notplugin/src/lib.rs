//! Test fixture: a shared library that is not a plugin.

// It must export a C symbol, which needs `no_mangle` (an unsafe attribute).
#![allow(unsafe_code)]

#[unsafe(no_mangle)]
pub extern "C" fn fixture_hello() -> u32 {
    42
}
