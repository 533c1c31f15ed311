//! Fuzz target `saml_parse`: see `fuzz_harness::saml_parse` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_harness::saml_parse(data);
});
