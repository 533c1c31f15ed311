//! An IdP page that posts something other than a SAML Response to AWS's
//! sign-in (a request, a logout): the attempt ends a few seconds later
//! saying what was posted, instead of waiting out the whole time given
//! (the page has gone to AWS; the person can do nothing more there).
use crate::common;

use awsprocesscreds_browser::Error;
use common::attempt::Attempt;
use common::http::Server;
use common::idp_pages;

#[test]
fn a_post_that_is_not_a_sign_in_ends_the_attempt_with_what_it_was() {
    let _env = common::env::unchanged();
    let Some(browser) = common::browser() else {
        return;
    };
    let idp = Server::pages([(
        "/start",
        idp_pages::auto_post_to_aws(&idp_pages::authn_request()),
    )]);
    let p = common::profile(&browser);
    // Far beyond the test's run: only the POST can end it this way.
    let err = Attempt::new(&browser, &p, idp.url("/start"))
        .headless(300)
        .deadline(600)
        .error();
    assert!(matches!(err, Error::NotSignIn { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("posted to https://signin.aws.amazon.com/saml, but not a SAML sign-in")
            && msg.contains("AuthnRequest"),
        "{msg}"
    );
    assert!(err.hint().unwrap().contains("SAML 2.0"));
    p.assert_nothing_left();
}
