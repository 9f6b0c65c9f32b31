//! The evidence log's HTTP API and the witness's, written once: the paths the server routes
//! (crates/log), the client asks (crates/net) and the registration-authority commands sign
//! (a signed request names its path, `auth::request_message`). A path that changes here
//! changes on both sides, or the build breaks.

/// `POST`: one canonical deposit; answered with the log's promise once durable.
pub const ADD: &str = "/add";
/// `POST`: many deposits, committed together.
pub const ADD_BATCH: &str = "/add-batch";
/// `GET`: the latest witnessed checkpoint (a signed note).
pub const CHECKPOINT: &str = "/checkpoint";
/// `GET`: c2sp.org/tlog-tiles hash tiles and entry bundles, under this prefix.
pub const TILE_PREFIX: &str = "/tile/";
/// `POST` to a witness: c2sp.org/tlog-witness `add-checkpoint`.
pub const ADD_CHECKPOINT: &str = "/add-checkpoint";

/// `POST`: an admin adds a registrar.
pub const RA_REGISTRARS: &str = "/ra/registrars";
/// `POST`: a registrar issues a one-time enrollment code.
pub const RA_CODES: &str = "/ra/codes";
/// `POST`: an operator enrolls with a code and gets a certificate.
pub const RA_ENROLL: &str = "/ra/enroll";
/// `POST`: a registrar revokes an operator.
pub const RA_REVOKE: &str = "/ra/revoke";
/// `GET`: the operator CA's certificate.
pub const RA_CA: &str = "/ra/ca";
/// `GET`: the log's origin (the name signed requests carry).
pub const RA_ORIGIN: &str = "/ra/origin";
/// `GET`: the signed list of revoked operators.
pub const RA_REVOCATIONS: &str = "/ra/revocations";
/// `GET`: the alliance's trust bundle (docs/trust-bundle.md) as this log knows it.
pub const TRUST_BUNDLE: &str = "/trust-bundle.json";
/// `GET`: the verifier page (docs/verify-page.md), one offline HTML file, when the log serves it.
pub const VERIFY_PAGE: &str = "/verify";

/// The server's route patterns (axum syntax) for the paths that carry values.
pub mod routes {
    pub const INCLUSION: &str = "/proof/inclusion/{index}/{size}";
    pub const CONSISTENCY: &str = "/proof/consistency/{old}/{size}";
    pub const ENTRY: &str = "/entry/{index}";
    pub const LOOKUP: &str = "/lookup/{digest}";
    pub const LOOKUP_FILE: &str = "/lookup-file/{alg}/{digest}";
    pub const TILE: &str = "/tile/{*path}";
    pub const RA_POST: &str = "/ra/{action}";
    pub const RA_LABEL: &str = "/ra/labels/{index}";
}

/// `GET`: the inclusion proof of entry `index` in the tree of `size`.
pub fn inclusion(index: u64, size: u64) -> String {
    format!("/proof/inclusion/{index}/{size}")
}

/// `GET`: the consistency proof from the tree of `old` to the tree of `size`.
pub fn consistency(old: u64, size: u64) -> String {
    format!("/proof/consistency/{old}/{size}")
}

/// `GET`: entry `index`.
pub fn entry(index: u64) -> String {
    format!("/entry/{index}")
}

/// `GET`: the index of the deposit of chain head `sha256` (hex).
pub fn lookup(sha256: &str) -> String {
    format!("/lookup/{sha256}")
}

/// `GET`: the index of the first deposit that names a file of digest `hex` by algorithm
/// `alg` (`sha256` or `sm3`).
pub fn lookup_file(alg: &str, hex: &str) -> String {
    format!("/lookup-file/{alg}/{hex}")
}

/// `GET` (signed by the depositor's tenant): the private label of entry `index`.
pub fn ra_label(index: u64) -> String {
    format!("/ra/labels/{index}")
}

/// `POST /ra/{action}`: the path of an RA action.
pub fn ra_post(action: &str) -> String {
    format!("/ra/{action}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each path a client builds is one its route pattern matches.
    #[test]
    fn built_paths_match_their_routes() {
        let matches = |pattern: &str, path: &str| {
            let (p, q): (Vec<&str>, Vec<&str>) =
                (pattern.split('/').collect(), path.split('/').collect());
            p.len() == q.len()
                && p.iter()
                    .zip(&q)
                    .all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
        };
        assert!(matches(routes::INCLUSION, &inclusion(3, 10)));
        assert!(matches(routes::CONSISTENCY, &consistency(3, 10)));
        assert!(matches(routes::ENTRY, &entry(7)));
        assert!(matches(routes::LOOKUP, &lookup(&"ab".repeat(32))));
        assert!(matches(
            routes::LOOKUP_FILE,
            &lookup_file("sm3", &"cd".repeat(32))
        ));
        assert_eq!(lookup_file("sha256", "ab"), "/lookup-file/sha256/ab");
        assert!(matches(routes::RA_LABEL, &ra_label(9)));
        for p in [RA_REGISTRARS, RA_CODES, RA_ENROLL, RA_REVOKE] {
            assert!(matches(routes::RA_POST, p), "{p}");
            assert_eq!(ra_post(p.trim_start_matches("/ra/")), p);
        }
        assert_eq!(inclusion(3, 10), "/proof/inclusion/3/10");
        assert!(TILE_PREFIX.starts_with(routes::TILE.trim_end_matches("{*path}")));
    }
}
