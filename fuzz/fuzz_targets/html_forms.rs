//! Fuzz target `html_forms`: see `fuzz_harness::html_forms` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_harness::html_forms(data);
});
