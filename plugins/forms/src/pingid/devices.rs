//! PingID's device picker: the devices it lists and which one
//! `--mfa-factor` names.

use plugin_kit::html::Page;

/// One device of PingID's list (`ul.device-list li[data-id]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// `data-id`: what the form posts as `deviceId`.
    pub id: String,
    /// `.device-name` (else the item's text).
    pub name: String,
    /// The item's classes other than `device`/`selected`, such as
    /// `mobile-phone` or `desktop`.
    pub kinds: Vec<String>,
    /// PingID's preselected device.
    pub selected: bool,
}

/// `--mfa-factor` words that mean "a push to the phone app".
pub const PUSH_WORDS: &[&str] = &["push", "swipe", "app", "mobile"];
/// `--mfa-factor` words that mean "a code typed in".
pub const CODE_WORDS: &[&str] = &["totp", "otp", "code", "passcode", "token"];

/// Device kinds (list classes) that each factor word picks.
const KINDS_FOR: &[(&[&str], &[&str])] = &[
    (PUSH_WORDS, &["mobile"]),
    (
        CODE_WORDS,
        &[
            "desktop",
            "yubikey",
            "oath",
            "authenticator",
            "sms",
            "email",
            "voice",
        ],
    ),
    (&["sms", "text"], &["sms"]),
    (&["voice", "call"], &["voice"]),
    (&["email", "mail"], &["email"]),
    (&["yubikey"], &["yubikey"]),
    (&["desktop"], &["desktop"]),
];

/// The devices PingID lists on `page`, in its order.
pub fn devices(page: &Page) -> Vec<Device> {
    page.items("ul.device-list li[data-id]", ".device-name")
        .into_iter()
        .filter_map(|(item, label)| {
            let id = item.attr("data-id")?.trim().to_string();
            if id.is_empty() {
                return None;
            }
            let classes: Vec<String> = item
                .attr("class")
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_ascii_lowercase)
                .collect();
            let name = label
                .or_else(|| (!item.text.is_empty()).then(|| item.text.clone()))
                .unwrap_or_else(|| format!("device {id}"));
            Some(Device {
                id,
                name,
                selected: classes.iter().any(|c| c == "selected"),
                kinds: classes
                    .into_iter()
                    .filter(|c| c != "device" && c != "selected")
                    .collect(),
            })
        })
        .collect()
}

/// Lower case, letters and digits only ("iPhone X" -> "iphonex").
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `--mfa-factor` names `device`: by its name ("iphone",
/// "Desktop Mac") or by a kind word (`push` a phone, `totp` a desktop or
/// token, `sms`, `email`, `voice`, `yubikey`).
pub fn matches(factor: &str, device: &Device) -> bool {
    let f = normalize(factor);
    if f.is_empty() {
        return false;
    }
    if normalize(&device.name).contains(&f) {
        return true;
    }
    KINDS_FOR
        .iter()
        .filter(|(words, _)| words.contains(&f.as_str()))
        .any(|(_, kinds)| {
            device
                .kinds
                .iter()
                .any(|k| kinds.iter().any(|want| k.contains(want)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(name: &str, kinds: &[&str]) -> Device {
        Device {
            id: "1".into(),
            name: name.into(),
            kinds: kinds.iter().map(|k| k.to_string()).collect(),
            selected: false,
        }
    }

    #[test]
    fn factor_names_a_device_by_name_or_kind() {
        let phone = device("iPhone X", &["mobile-phone"]);
        let desk = device("Desktop Mac", &["desktop"]);
        assert!(matches("iphone", &phone));
        assert!(matches("iPhone X", &phone));
        assert!(matches("push", &phone));
        assert!(!matches("push", &desk));
        assert!(matches("totp", &desk));
        assert!(matches("desktop", &desk));
        assert!(!matches("sms", &desk));
        assert!(!matches("", &desk));
    }
}
