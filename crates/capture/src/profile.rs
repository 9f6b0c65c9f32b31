//! Capture profiles: TOML files that say what to do on a kind of page (see
//! docs/capture-profiles.md). The shipped ones live in `capture-profiles/` and are compiled
//! into the binary, so `--profile gallery` works anywhere; a path to a `.toml` file works too.

use serde::Deserialize;
use webproof_message::{Explain, Message, msg};

use crate::Action;

/// A parsed, validated profile.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub description: String,
    /// URL patterns (`*` matches any run of characters) this profile suits; used to suggest one.
    #[serde(default)]
    pub r#match: Vec<String>,
    #[serde(default)]
    pub viewport: Option<Viewport>,
    pub steps: Vec<StepSpec>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
}

/// One step of a profile, as written in TOML (`action = "…"` plus its fields).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "action", rename_all = "kebab-case", deny_unknown_fields)]
pub enum StepSpec {
    /// Go to the capture's target URL (or `url` if given).
    Navigate {
        url: Option<String>,
    },
    /// Scroll to the bottom, repeatedly, so lazy content loads; at most `max_rounds` rounds.
    Scroll {
        #[serde(default = "default_rounds")]
        max_rounds: u32,
        #[serde(default = "default_pause")]
        pause_ms: u64,
    },
    /// Wait for a selector to appear, for the network to be idle for `network_idle_ms`, or
    /// (with neither) for a time.
    Wait {
        selector: Option<String>,
        network_idle_ms: Option<u64>,
        #[serde(default = "default_timeout")]
        timeout_ms: u64,
    },
    /// Click the element a selector names, or the point (`x`, `y`, CSS pixels of the viewport).
    Click {
        selector: Option<String>,
        x: Option<u32>,
        y: Option<u32>,
    },
    /// Type text into a field; `secret = true` masks it in the record.
    Type {
        selector: String,
        text: String,
        #[serde(default)]
        secret: bool,
    },
    Screenshot {},
    Snapshot {},
    /// Download page media: `images`, `videos` or `links` (PDFs and other files).
    Download {
        what: MediaKind,
        #[serde(default = "default_max_files")]
        max_files: u32,
    },
    /// Extract text (or an attribute, `selector@attr`) of named fields into extract.json.
    Extract {
        fields: std::collections::BTreeMap<String, String>,
    },
    Note {
        text: String,
    },
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Images,
    Videos,
    Links,
}

fn default_rounds() -> u32 {
    20
}
fn default_pause() -> u64 {
    400
}
fn default_timeout() -> u64 {
    10_000
}
fn default_max_files() -> u32 {
    200
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("profile {name}: {reason}")]
    Invalid { name: String, reason: String },
    #[error("profile {name}: not valid TOML for a profile: {source}")]
    Toml {
        name: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("no profile named {0:?} (see `webproof profiles list`)")]
    Unknown(String),
}

/// The profiles shipped in capture-profiles/, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "generic",
        include_str!("../../../capture-profiles/generic.toml"),
    ),
    (
        "gallery",
        include_str!("../../../capture-profiles/gallery.toml"),
    ),
    (
        "article",
        include_str!("../../../capture-profiles/article.toml"),
    ),
    (
        "ecommerce",
        include_str!("../../../capture-profiles/ecommerce.toml"),
    ),
    (
        "video",
        include_str!("../../../capture-profiles/video.toml"),
    ),
    (
        "login",
        include_str!("../../../capture-profiles/login.toml"),
    ),
    (
        "social",
        include_str!("../../../capture-profiles/social.toml"),
    ),
];

/// The `NAME` of a run-time placeholder `{{ask:NAME}}`, if `text` is one.
pub fn ask_placeholder(text: &str) -> Option<&str> {
    let name = text.strip_prefix("{{ask:")?.strip_suffix("}}")?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

impl Profile {
    pub fn parse(name: &str, text: &str) -> Result<Self, ProfileError> {
        let p: Profile = toml::from_str(text).map_err(|source| ProfileError::Toml {
            name: name.to_owned(),
            source,
        })?;
        p.validate()?;
        Ok(p)
    }

    /// A shipped profile by name, or a profile file by path.
    pub fn load(name_or_path: &str) -> Result<Self, ProfileError> {
        if let Some((n, t)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return Profile::parse(n, t);
        }
        if name_or_path.ends_with(".toml") {
            let text =
                std::fs::read_to_string(name_or_path).map_err(|e| ProfileError::Invalid {
                    name: name_or_path.to_owned(),
                    reason: e.to_string(),
                })?;
            return Profile::parse(name_or_path, &text);
        }
        Err(ProfileError::Unknown(name_or_path.to_owned()))
    }

    fn validate(&self) -> Result<(), ProfileError> {
        let bad = |reason: String| {
            Err(ProfileError::Invalid {
                name: self.name.clone(),
                reason,
            })
        };
        if !self
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
            || self.name.is_empty()
        {
            return bad("name must be letters, digits and '-'".into());
        }
        if !matches!(self.steps.first(), Some(StepSpec::Navigate { .. })) {
            return bad("the first step must be `navigate`".into());
        }
        if let Some(v) = self.viewport
            && !(320..=3840).contains(&v.width)
        {
            return bad(format!("viewport width {} is outside 320..3840", v.width));
        }
        for (i, s) in self.steps.iter().enumerate() {
            match s {
                StepSpec::Scroll { max_rounds, .. } if *max_rounds == 0 || *max_rounds > 500 => {
                    return bad(format!("step {}: max_rounds must be 1..500", i + 1));
                }
                StepSpec::Wait { timeout_ms, .. } if *timeout_ms > 120_000 => {
                    return bad(format!("step {}: timeout_ms over 2 minutes", i + 1));
                }
                StepSpec::Type { selector, .. } if selector.trim().is_empty() => {
                    return bad(format!("step {}: empty selector", i + 1));
                }
                StepSpec::Click { selector, x, y } => match (selector, x, y) {
                    (Some(sel), None, None) if !sel.trim().is_empty() => {}
                    (None, Some(_), Some(_)) => {}
                    _ => {
                        return bad(format!(
                            "step {}: click needs a selector, or both x and y",
                            i + 1
                        ));
                    }
                },
                StepSpec::Wait {
                    selector: Some(_),
                    network_idle_ms: Some(_),
                    ..
                } => {
                    return bad(format!(
                        "step {}: wait for a selector or for network idle, not both",
                        i + 1
                    ));
                }
                StepSpec::Extract { fields } if fields.is_empty() => {
                    return bad(format!("step {}: extract needs fields", i + 1));
                }
                StepSpec::Download { max_files, .. } if *max_files == 0 || *max_files > 10_000 => {
                    return bad(format!("step {}: max_files must be 1..10000", i + 1));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether `url` matches one of the profile's patterns.
    pub fn matches(&self, url: &str) -> bool {
        self.r#match.iter().any(|p| glob(p, url))
    }

    /// The actions to run for `target`.
    pub fn actions(&self, target: &str) -> Vec<Action> {
        self.steps
            .iter()
            .map(|s| match s {
                StepSpec::Navigate { url } => {
                    Action::Navigate(url.clone().unwrap_or_else(|| target.to_owned()))
                }
                StepSpec::Scroll {
                    max_rounds,
                    pause_ms,
                } => Action::Scroll {
                    max_rounds: *max_rounds,
                    pause_ms: *pause_ms,
                },
                StepSpec::Wait {
                    selector,
                    network_idle_ms,
                    timeout_ms,
                } => match network_idle_ms {
                    Some(idle) => Action::WaitIdle {
                        idle_ms: *idle,
                        timeout_ms: *timeout_ms,
                    },
                    None => Action::Wait {
                        selector: selector.clone(),
                        timeout_ms: *timeout_ms,
                    },
                },
                StepSpec::Click { selector, x, y } => match (selector, x, y) {
                    (Some(sel), _, _) => Action::Click(sel.clone()),
                    (None, Some(x), Some(y)) => Action::ClickAt { x: *x, y: *y },
                    // validate() refuses this; a click on nothing is a note of that.
                    _ => Action::Note("click without a target".into()),
                },
                StepSpec::Type {
                    selector,
                    text,
                    secret,
                } => Action::Type {
                    selector: selector.clone(),
                    text: text.clone(),
                    secret: *secret,
                },
                StepSpec::Screenshot {} => Action::Screenshot,
                StepSpec::Snapshot {} => Action::Snapshot,
                StepSpec::Download { what, max_files } => Action::Download {
                    what: *what,
                    max_files: *max_files,
                },
                StepSpec::Extract { fields } => Action::Extract(fields.clone()),
                StepSpec::Note { text } => Action::Note(text.clone()),
            })
            .collect()
    }
}

/// `*` matches any run of characters; everything else literally.
fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == s;
    }
    let mut rest = s;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(p) => rest = &rest[p + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// The first shipped profile (other than `generic`) whose patterns match `url`, else `generic`.
pub fn suggest(url: &str) -> &'static str {
    BUILTIN
        .iter()
        .filter(|(n, _)| *n != "generic")
        .find(|(n, t)| Profile::parse(n, t).is_ok_and(|p| p.matches(url)))
        .map(|(n, _)| *n)
        .unwrap_or("generic")
}

impl Explain for ProfileError {
    fn message(&self) -> Message {
        match self {
            ProfileError::Invalid { name, reason } => {
                msg!("err-profile").arg("name", name).arg("reason", reason)
            }
            ProfileError::Toml { name, source } => msg!("err-profile-toml")
                .arg("name", name)
                .arg("detail", source),
            ProfileError::Unknown(name) => msg!("cli-no-profile").arg("name", name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_profile_is_valid() {
        for (name, text) in BUILTIN {
            let p = Profile::parse(name, text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(&p.name, name);
            assert!(!p.actions("http://x/").is_empty());
        }
        // And the folder holds no profile that is not shipped.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../capture-profiles");
        for e in std::fs::read_dir(dir).unwrap() {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(stem) = n.strip_suffix(".toml") {
                assert!(
                    BUILTIN.iter().any(|(b, _)| *b == stem),
                    "{n} is not in BUILTIN"
                );
            }
        }
    }

    #[test]
    fn invalid_profiles_are_refused_with_reasons() {
        for (text, why) in [
            (
                "name='x'\ndescription='d'\nsteps=[{action='screenshot'}]",
                "first step",
            ),
            (
                "name='x'\ndescription='d'\nsteps=[{action='navigate'},{action='scroll',max_rounds=0}]",
                "max_rounds",
            ),
            (
                "name='x'\ndescription='d'\nsteps=[{action='navigate'},{action='fly'}]",
                "TOML",
            ),
            (
                "name='x'\ndescription='d'\nbogus=1\nsteps=[{action='navigate'}]",
                "TOML",
            ),
            (
                "name='x y'\ndescription='d'\nsteps=[{action='navigate'}]",
                "name must",
            ),
            (
                "name='x'\ndescription='d'\nsteps=[{action='navigate'},{action='click',x=3}]",
                "both x and y",
            ),
            (
                "name='x'\ndescription='d'\nsteps=[{action='navigate'},{action='click',selector='a',x=1,y=2}]",
                "both x and y",
            ),
            (
                "name='x'\ndescription='d'\nsteps=[{action='navigate'},{action='wait',selector='a',network_idle_ms=500}]",
                "not both",
            ),
        ] {
            let e = Profile::parse("t", text).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn ask_placeholders() {
        assert_eq!(ask_placeholder("{{ask:password}}"), Some("password"));
        assert_eq!(ask_placeholder("{{ask:}}"), None);
        assert_eq!(ask_placeholder("plain"), None);
        assert_eq!(ask_placeholder("{{ask:a b}}"), None);
    }

    #[test]
    fn globs_and_suggestions() {
        assert!(glob(
            "*://*.taobao.com/item*",
            "https://item.taobao.com/item.htm?id=1"
        ));
        assert!(!glob("*://*.taobao.com/item*", "https://example.com/item"));
        assert!(glob("*", "anything"));
        assert_eq!(
            suggest("https://item.taobao.com/item.htm?id=1"),
            "ecommerce"
        );
        assert_eq!(suggest("https://nowhere.example/"), "generic");
    }
}
