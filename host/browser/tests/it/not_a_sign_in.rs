//! An IdP page that posts something other than a SAML Response to AWS's
//! sign-in (a request, a logout): the attempt ends a few seconds later
//! saying what was posted, instead of waiting out the whole time given
//! (the page has gone to AWS; the person can do nothing more there).
use crate::common;

use std::time::Duration;

use awsprocesscreds_browser::{sign_in, Error, Mode, SignIn};
use common::http::{Response, Server};
use common::idp_pages;

#[test]
fn a_post_that_is_not_a_sign_in_ends_the_attempt_with_what_it_was() {
    let Some(browser) = common::browser() else {
        return;
    };
    let idp = Server::start(move |req| match req.path() {
        "/start" => Response::html(idp_pages::auto_post(
            "https://signin.aws.amazon.com/saml",
            &idp_pages::authn_request(),
            None,
            None,
        )),
        _ => Response::not_found(),
    });
    let p = common::profile(&browser);
    let rule = common::aws_rule(None);
    let logged = common::Logged::default();
    // Far beyond the test's run: only the POST can end it this way.
    let err = sign_in(&SignIn {
        browser: &browser,
        profile: &p.profile,
        start_url: &idp.url("/start"),
        capture: &rule,
        cookies: &[],
        mode: Mode::Headless {
            give_up_after: Duration::from_secs(300),
        },
        deadline: common::deadline(600),
        sinks: &logged.sinks(),
        cancel: None,
    })
    .unwrap_err();
    assert!(matches!(err, Error::NotSignIn { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("posted to https://signin.aws.amazon.com/saml, but not a SAML sign-in")
            && msg.contains("AuthnRequest"),
        "{msg}"
    );
    assert!(err.hint().unwrap().contains("SAML 2.0"));
    common::assert_nothing_left(&common::config_home(&p));
}
