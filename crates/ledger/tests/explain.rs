//! Every error of the ledger explains itself with its own catalogue message (a message
//! without a key would reach the user as an empty line).

use webproof_ledger::merkle::ProofError;
use webproof_ledger::note::NoteError;
use webproof_ledger::receipt::ReceiptError;
use webproof_message::Explain;

#[test]
fn each_error_has_its_own_message() {
    let cases: [(&dyn Explain, &str); 3] = [
        (&ProofError::WrongLength, "err-proof-length"),
        (&NoteError::Unsigned, "err-note-unsigned"),
        (
            &ReceiptError::NoConsistency(5),
            "err-receipt-no-consistency",
        ),
    ];
    for (e, want) in cases {
        assert_eq!(e.message().key, want);
    }
}
