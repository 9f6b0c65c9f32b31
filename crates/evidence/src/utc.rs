//! UTC instants written as RFC 3339 with exactly six fractional digits and a `Z`:
//! `2026-11-23T09:44:41.123456Z`. One fixed width makes records byte-comparable and sortable.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// A UTC instant with microsecond precision.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Utc(OffsetDateTime);

impl Utc {
    /// The system clock now, truncated to microseconds. (Trusted time comes from RFC 3161
    /// tokens; this is the capture machine's own claim.)
    pub fn now() -> Self {
        Self::from_offset(OffsetDateTime::now_utc())
    }

    pub fn from_offset(t: OffsetDateTime) -> Self {
        let t = t.to_offset(UtcOffset::UTC);
        let micros = t.microsecond();
        // replace_microsecond cannot fail for a value read from the same instant.
        Utc(t.replace_microsecond(micros).unwrap_or(t))
    }

    /// The instant `secs` seconds after the Unix epoch (`None` out of range).
    pub fn from_unix(secs: u64) -> Option<Self> {
        let secs = i64::try_from(secs).ok()?;
        OffsetDateTime::from_unix_timestamp(secs)
            .ok()
            .map(Self::from_offset)
    }

    pub fn as_offset(&self) -> OffsetDateTime {
        self.0
    }

    pub fn parse(s: &str) -> Result<Self, TimeError> {
        PrimitiveDateTime::parse(s, FORMAT)
            .map(|p| Utc(p.assume_utc()))
            .map_err(|_| TimeError(s.chars().take(64).collect()))
    }

    fn render(&self) -> String {
        // Formatting a valid instant with a fixed description does not fail; fall back to the
        // unambiguous Debug form rather than panic if it ever did.
        self.0
            .format(FORMAT)
            .unwrap_or_else(|_| format!("{:?}", self.0))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("not a UTC time of the form YYYY-MM-DDTHH:MM:SS.ffffffZ: {0:?}")]
pub struct TimeError(pub String);

impl fmt::Display for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl fmt::Debug for Utc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl Serialize for Utc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.render())
    }
}

impl<'de> Deserialize<'de> for Utc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Utc::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_fixed_width() {
        let t = Utc::parse("2026-11-23T09:44:41.000120Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-23T09:44:41.000120Z");
        let now = Utc::now();
        assert_eq!(Utc::parse(&now.to_string()).unwrap(), now);
        assert_eq!(now.to_string().len(), 27);
    }

    #[test]
    fn unix_seconds_are_read_as_utc_and_out_of_range_is_none() {
        assert_eq!(
            Utc::from_unix(0).map(|t| t.to_string()),
            Some("1970-01-01T00:00:00.000000Z".to_owned())
        );
        assert_eq!(
            Utc::from_unix(1_764_900_000).map(|t| t.to_string()),
            Some("2025-12-05T02:00:00.000000Z".to_owned())
        );
        assert_eq!(Utc::from_unix(u64::MAX), None);
    }

    #[test]
    fn rejects_other_forms() {
        for s in [
            "2026-11-23T09:44:41Z",
            "2026-11-23T09:44:41.123Z",
            "2026-11-23T09:44:41.123456+08:00",
            "2026-11-23 09:44:41.123456Z",
            "",
        ] {
            assert!(Utc::parse(s).is_err(), "{s}");
        }
    }
}
