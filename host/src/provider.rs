//! The provider plugin of a login: found by the name given with `-p`
//! (or what exists is named), and given the inputs it declares.

use plugin_api::{LoadedPlugin, Need};

use crate::error::{Error, Kind, Result};
use crate::log;
use crate::plugin_loader::{Found, Registry};
use crate::settings::{Common, Login};

/// Find the plugin named by `-p`, or explain what exists.
pub fn find(common: &Common, provider: &str) -> Result<LoadedPlugin> {
    let (hit, reg) = Registry::find_with(&common.plugin_dirs, provider, process_limits(common));
    if let Some(p) = hit {
        log::debug(&format!(
            "provider '{}' from {} (plugin {} protocol {})",
            provider,
            p.path().display(),
            p.manifest().version,
            p.protocol()
        ));
        return Ok(p);
    }
    // Only files named for this provider were opened: a failure is it.
    let failed = reg.found.iter().find_map(|f| match f {
        Found::Failed { path, error } => Some(format!("{}: {error}", path.display())),
        _ => None,
    });
    if let Some(f) = failed {
        return Err(Error::new(
            Kind::PluginLoad,
            format!("provider '{provider}' could not be loaded: {f}"),
        )
        .hint("rebuild or reinstall the plugin for this version of awsprocesscreds; `awsprocesscreds plugins` shows details"));
    }
    // The search opened only files named for this provider: name the
    // others from their file names.
    let mut names = reg.names();
    if names.is_empty() {
        names = reg.names_on_disk();
    }
    let known = if names.is_empty() {
        "no plugins were found".to_string()
    } else {
        format!("available: {}", names.join(", "))
    };
    Err(Error::usage(format!("unknown provider '{provider}' ({known})"))
        .hint("check -p/--provider; `awsprocesscreds plugins` lists plugins and where they were searched"))
}

/// How long a process plugin may take to say hello (`--timeout`) and stay
/// silent during a login (`--timeout` plus `--mfa-timeout`, since it may be
/// waiting for the IdP on its own between host calls).
fn process_limits(common: &Common) -> plugin_api::Limits {
    plugin_api::Limits::new(common.timeout, common.timeout + common.mfa_timeout)
}

/// Check the standard inputs and `--plugin-option` keys against what the
/// plugin declares.
pub fn check_inputs(plugin: &LoadedPlugin, login: &Login) -> Result<()> {
    let m = plugin.manifest();
    let name = &m.name;
    if m.kind == plugin_api::PluginKind::Unknown {
        return Err(Error::new(
            Kind::PluginLoad,
            format!("provider '{name}' is a kind of plugin this version of awsprocesscreds does not know"),
        )
        .hint("the plugin is newer than awsprocesscreds: update awsprocesscreds"));
    }
    if m.inputs.endpoint == Need::Required && login.endpoint.is_none() {
        return Err(
            Error::usage(format!("provider '{name}' needs -e/--endpoint"))
                .hint("pass -e URL (your IdP's sign-in endpoint), or --profile NAME"),
        );
    }
    if m.inputs.username == Need::Required && login.username.is_none() {
        return Err(
            Error::usage(format!("provider '{name}' needs -u/--username"))
                .hint("pass -u USER (or AWSPROCESSCREDS_USERNAME)"),
        );
    }
    for key in login.plugin_options.keys() {
        if !m.options.iter().any(|o| &o.key == key) {
            let accepted = if m.options.is_empty() {
                "it accepts none".to_string()
            } else {
                format!(
                    "it accepts: {}",
                    m.options
                        .iter()
                        .map(|o| o.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(Error::usage(format!(
                "provider '{name}' has no option '{key}' ({accepted})"
            ))
            .hint(format!(
                "`awsprocesscreds plugins` lists the options of each plugin; check the spelling of --plugin-option {key}=..."
            )));
        }
    }
    Ok(())
}
