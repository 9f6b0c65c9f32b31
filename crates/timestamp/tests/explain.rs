//! Every error of the time-stamp crate explains itself with its own catalogue message (a
//! message without a key would reach the user as an empty line).

use webproof_message::Explain;
use webproof_timestamp::ca::CertError;
use webproof_timestamp::{Problem, TspError};

#[test]
fn each_error_has_its_own_message() {
    let cases: [(&dyn Explain, &str); 3] = [
        (&CertError::OtherKey, "err-cert-other-key"),
        (&TspError::NoToken, "err-tsp-no-token"),
        (&Problem::SignerCount { count: 2 }, "err-ts-signers"),
    ];
    for (e, want) in cases {
        assert_eq!(e.message().key, want);
    }
}
