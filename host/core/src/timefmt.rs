//! RFC 3339 timestamps.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Parse an RFC 3339 timestamp (any offset, optional fractional seconds).
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}

/// Format as RFC 3339 in UTC with whole seconds and a `Z` suffix.
pub fn format(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// Normalise any RFC 3339 timestamp to UTC `Z` form.
pub fn normalize(s: &str) -> Option<String> {
    parse(s).map(format)
}
