//! Fuzz target `okta_responses`: see `fuzz_harness::okta_responses` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_harness::okta_responses(data);
});
