fn main() {
    std::process::exit(awsprocesscreds::app::main_saml());
}
