//! Deciding, headless, that the page waits for a person: then the sign-in
//! is handed to a window. Checked about every 0.4 s on each page (the
//! reference measurement: a decision in about a second).
//!
//! A person is needed when a page shows a password, user-name or
//! one-time-code field, offers a passkey, or has called WebAuthn
//! (`navigator.credentials.get/create` with `publicKey`): security keys
//! and passkeys need a window. WebAuthn calls are seen through a small
//! hook installed with `Page.addScriptToEvaluateOnNewDocument` in
//! headless runs only; the DevTools `WebAuthn` domain is never enabled
//! (it would replace the person's real authenticators with a virtual
//! one).

/// Recorded on `window` when the page calls WebAuthn.
const FLAG: &str = "__awsprocesscredsWebAuthn";

/// Installed before each document of a headless page.
pub fn hook_source() -> String {
    format!(
        r#"(() => {{
  const c = navigator.credentials;
  if (!c) return;
  const mark = () => {{
    try {{ Object.defineProperty(window, '{FLAG}', {{ value: true, configurable: true }}); }} catch (e) {{}}
  }};
  for (const m of ['get', 'create']) {{
    const orig = c[m];
    if (typeof orig !== 'function') continue;
    c[m] = function (opts) {{
      if (m === 'create' || (opts && opts.publicKey)) mark();
      return orig.apply(this, arguments);
    }};
  }}
}})();"#
    )
}

/// Evaluated on each page: `''`, or why a person is needed.
pub fn probe_expression() -> String {
    format!(
        r#"(() => {{
  const docs = [document];
  for (const f of document.querySelectorAll('iframe, frame')) {{
    try {{ if (f.contentDocument) docs.push(f.contentDocument); }} catch (e) {{}}
  }}
  const shown = (el) => {{
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    const s = el.ownerDocument.defaultView.getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none' && s.opacity !== '0';
  }};
  for (const d of docs) {{
    for (const el of d.querySelectorAll('input')) {{
      if (el.disabled || el.type === 'hidden' || !shown(el)) continue;
      const t = (el.type || '').toLowerCase();
      const ac = (el.getAttribute('autocomplete') || '').toLowerCase();
      if (t === 'password') return 'the page asks for a password';
      if (ac.includes('webauthn')) return 'the page offers a passkey';
      if (ac.includes('one-time-code')) return 'the page asks for a one-time code';
      if (ac.includes('username') || t === 'email') return 'the page asks for a user name';
    }}
  }}
  if (window['{FLAG}']) return 'the page asks for a security key or passkey (WebAuthn)';
  return '';
}})()"#
    )
}
