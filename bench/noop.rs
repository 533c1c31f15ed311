//! The baseline: a Rust process that does nothing. Its start-up cost
//! (exec, dynamic loader, Rust runtime init, exit) is the floor any
//! credential_process helper written in Rust pays.
fn main() {}
