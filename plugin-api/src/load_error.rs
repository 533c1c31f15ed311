//! Why a file could not be used as a plugin.

/// Why a file could not be used as a plugin.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("not a loadable shared library: {0}")]
    NotALibrary(String),
    #[error("a shared library, but not an awsprocesscreds plugin")]
    NotAPlugin,
    #[error("built against an incompatible plugin API ({0})")]
    IncompatibleApi(String),
    /// The binary layout differs. `summary` holds the `Error:` lines,
    /// `detail` the whole layout dump (for `-v`).
    #[error("binary interface mismatch: {summary}")]
    AbiMismatch { summary: String, detail: String },
    #[error("plugin '{name}' speaks plugin protocol {offered:?}; this host speaks {supported}")]
    UnsupportedProtocol {
        name: String,
        offered: Vec<u32>,
        supported: String,
    },
    #[error("its manifest is invalid: {0}")]
    BadManifest(String),
    #[error("it failed to initialize: {0}")]
    InitFailed(String),
    /// The host refused to load the file (permissions, file type).
    #[error("refused: {0}")]
    Refused(String),
    /// The file name says one plugin name, the manifest another.
    #[error("its file name says plugin '{file}' but its manifest says '{manifest}'")]
    NameMismatch { file: String, manifest: String },
    /// A process plugin that could not be started or did not say hello.
    #[error("{0}")]
    Process(String),
}
