//! Whole IDX answers that end a sign-in, as Okta sends them, for
//! [`super::IdxUser::answer_after_password`]. Each is written from scratch
//! with the structure (fields, i18n keys, HTTP status) of an
//! okta-signin-widget mock, named in its doc comment
//! (`playground/mocks/data/idp/idx/<name>.json`; the mock server answers a
//! file named `error-<status>-...` with that status).

use serde_json::{json, Value};

/// An HTTP status and an IDX (or other JSON) body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

fn messages(text: &str, key: &str) -> Value {
    json!({"type": "array", "value": [
        {"message": text, "i18n": {"key": key}, "class": "ERROR"}]})
}

fn terminal(status: u16, handle: &str, text: &str, key: &str) -> Answer {
    Answer {
        status,
        body: json!({"version": "1.0.0", "stateHandle": handle, "intent": "LOGIN",
            "expiresAt": "2099-01-01T00:00:00.000Z", "messages": messages(text, key)}),
    }
}

/// `error-401-session-expired.json`: the transaction timed out.
pub fn session_expired(handle: &str) -> Answer {
    terminal(
        401,
        handle,
        "You have been logged out due to inactivity. Refresh or return to the sign in screen.",
        "idx.session.expired",
    )
}

/// `error-404-verification-timed-out.json`: the transaction is gone.
pub fn verification_timed_out(handle: &str) -> Answer {
    terminal(
        404,
        handle,
        "Verification timed out. Please try again",
        "core.system.transaction_resource_not_found",
    )
}

/// `error-429-too-many-request.json`: an IDX body (only `version` and
/// `messages`) with HTTP 429, not Okta's `E0000047` error object.
pub fn too_many_requests(_handle: &str) -> Answer {
    Answer {
        status: 429,
        body: json!({"version": "1.0.0",
            "messages": messages("Too many requests", "tooManyRequests")}),
    }
}

/// `error-authenticator-phone-sms-ratelimit.json` (`errors.E0000150`).
pub fn sms_rate_limit(handle: &str) -> Answer {
    terminal(
        429,
        handle,
        "You have reached the limit of sms requests, please try again later.",
        "errors.E0000150",
    )
}

/// `error-authenticator-phone-voice-ratelimit.json` (`errors.E0000151`).
pub fn voice_rate_limit(handle: &str) -> Answer {
    terminal(
        429,
        handle,
        "You have reached the limit of call requests, please try again later.",
        "errors.E0000151",
    )
}

/// `error-403-proxy-block.json`: a network zone (or proxy) refuses the
/// request; the body is not IDX at all.
pub fn network_policy_block(_handle: &str) -> Answer {
    Answer {
        status: 403,
        body: json!({"error": "Forbidden", "message": "Access denied by network policy"}),
    }
}

fn handle_field(handle: &str) -> Value {
    json!({"name": "stateHandle", "required": true, "value": handle, "visible": false, "mutable": false})
}

/// `identify-with-device-launch-authenticator.json`: the policy wants Okta
/// FastPass, probed through a custom URI (`device-challenge-poll` and
/// `authenticatorChallenge`); only a browser on an enrolled device can
/// answer it.
pub fn fastpass_device_challenge(handle: &str) -> Answer {
    Answer {
        status: 200,
        body: json!({"version": "1.0.0", "stateHandle": handle, "intent": "LOGIN",
            "expiresAt": "2099-01-01T00:00:00.000Z",
            "remediation": {"type": "array", "value": [
                {"rel": ["create-form"], "name": "device-challenge-poll", "relatesTo": ["authenticatorChallenge"],
                 "href": "/idp/idx/authenticators/poll", "method": "POST",
                 "accepts": "application/json; okta-version=1.0.0", "refresh": 4000,
                 "value": [handle_field(handle)]}]},
            "authenticatorChallenge": {"type": "object", "value": {
                "challengeMethod": "CUSTOM_URI", "href": "com-okta-authenticator:/deviceChallenge",
                "downloadHref": "https://apps.apple.com/us/app/okta-verify/id490179405"}},
            "cancel": {"rel": ["create-form"], "name": "cancel", "href": "/idp/idx/cancel",
                "method": "POST", "value": [handle_field(handle)]}}),
    }
}

/// `error-authenticator-verification-password-too-many-attempts.json`:
/// the password authenticator is suspended
/// (`authfactor.challenge.suspended_factor`), its challenge form still
/// offered.
pub fn password_suspended(handle: &str) -> Answer {
    Answer {
        status: 403,
        body: json!({"version": "1.0.0", "stateHandle": handle, "intent": "LOGIN",
            "expiresAt": "2099-01-01T00:00:00.000Z",
            "messages": messages("This factor is suspended for your account due to too many failed attempts", "authfactor.challenge.suspended_factor"),
            "remediation": {"type": "array", "value": [
                {"rel": ["create-form"], "name": "challenge-authenticator", "href": "/idp/idx/challenge/answer",
                 "method": "POST", "accepts": "application/json; okta-version=1.0.0",
                 "value": [{"name": "credentials", "type": "object", "required": true,
                    "form": {"value": [{"name": "passcode", "label": "Password", "secret": true}]}},
                    handle_field(handle)]}]},
            "currentAuthenticatorEnrollment": {"type": "object", "value": {
                "type": "password", "key": "okta_password", "id": "lae0password", "displayName": "Password"}}}),
    }
}
