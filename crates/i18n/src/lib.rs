//! # webproof-i18n
//!
//! One message catalogue for what webproof says to people, in Simplified Chinese and English,
//! as Fluent resources (`locales/<lang>/webproof.ftl` and `cli.ftl`, compiled in). The language comes from
//! `--lang`, else `WEBPROOF_LANG`, else the OS locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
//! Machine-readable output stays language-neutral: stable identifiers, localized text beside.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
pub use webproof_message::Message;

/// A language webproof speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

// Each language: the verifier's, report's and progress messages (webproof.ftl), the command
// line's own messages and errors (cli.ftl), and its `--help` (help.ftl).
const EN: &str = concat!(
    include_str!("../locales/en/webproof.ftl"),
    "\n",
    include_str!("../locales/en/cli.ftl"),
    "\n",
    include_str!("../locales/en/help.ftl")
);
const ZH_CN: &str = concat!(
    include_str!("../locales/zh-CN/webproof.ftl"),
    "\n",
    include_str!("../locales/zh-CN/cli.ftl"),
    "\n",
    include_str!("../locales/zh-CN/help.ftl")
);

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum I18nError {
    #[error("unknown language {0:?} (en, zh-CN)")]
    UnknownLang(String),
    #[error("the {0} catalogue: {1}")]
    Catalogue(&'static str, String),
}

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => EN,
            Lang::ZhCn => ZH_CN,
        }
    }

    /// `en`, `zh-CN` (also `zh`, `zh_CN.UTF-8`, …).
    pub fn parse(s: &str) -> Result<Lang, I18nError> {
        let l = s.trim().to_ascii_lowercase().replace('_', "-");
        let base = l.split(['.', '@']).next().unwrap_or("");
        if base == "zh"
            || base.starts_with("zh-cn")
            || base.starts_with("zh-hans")
            || base == "zh-sg"
        {
            Ok(Lang::ZhCn)
        } else if base == "en" || base.starts_with("en-") || base == "c" || base == "posix" {
            Ok(Lang::En)
        } else {
            Err(I18nError::UnknownLang(s.to_owned()))
        }
    }

    /// The language a flag, `WEBPROOF_LANG` or the OS locale asks for; English otherwise.
    pub fn detect(flag: Option<&str>) -> Result<Lang, I18nError> {
        if let Some(f) = flag {
            return Lang::parse(f);
        }
        if let Ok(v) = std::env::var("WEBPROOF_LANG")
            && !v.is_empty()
        {
            return Lang::parse(&v);
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
            {
                return Ok(Lang::parse(&v).unwrap_or(Lang::En));
            }
        }
        Ok(Lang::En)
    }
}

/// The key of a verifier verdict's word (`PASS` → `verdict-word-pass`: 通过 …).
pub fn verdict_key(verdict: &str) -> String {
    format!("verdict-word-{}", verdict.to_lowercase())
}

/// The messages of one language.
pub struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    lang: Lang,
}

impl Catalogue {
    pub fn new(lang: Lang) -> Result<Catalogue, I18nError> {
        let res = FluentResource::try_new(lang.source().to_owned())
            .map_err(|(_, e)| I18nError::Catalogue(lang.tag(), format!("{e:?}")))?;
        let id = lang
            .tag()
            .parse()
            .map_err(|e| I18nError::Catalogue(lang.tag(), format!("{e}")))?;
        let mut bundle = FluentBundle::new(vec![id]);
        // No Unicode isolation marks around arguments: the text goes into HTML and terminals.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(res)
            .map_err(|e| I18nError::Catalogue(lang.tag(), format!("{e:?}")))?;
        Ok(Catalogue { bundle, lang })
    }

    /// The language of these messages.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message `key`: a checked [`webproof_message::Key`], or a key made at run time
    /// (the key itself if the catalogue lacks it; a test keeps those families whole).
    pub fn t(&self, key: impl AsRef<str>) -> String {
        self.format(key.as_ref(), None)
    }

    /// The message `key` with arguments.
    pub fn t_with(&self, key: impl AsRef<str>, args: &[(&str, &str)]) -> String {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            a.set(*k, FluentValue::from(*v));
        }
        self.format(key.as_ref(), Some(&a))
    }

    /// A catalogue message given as key and named arguments (what the pure crates attach to
    /// their findings: `webproof_message::Message`).
    pub fn t_map<'a>(
        &self,
        key: &str,
        args: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> String {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            // A whole number as a number, so messages can choose plural forms
            // (`{ $count -> [one] … *[other] … }`); anything else (zero-padded numbers, digests)
            // as the text it is.
            match v.parse::<i64>() {
                Ok(n) if n.to_string() == *v => a.set(k.as_str(), FluentValue::from(n)),
                _ => a.set(k.as_str(), FluentValue::from(v.as_str())),
            }
        }
        self.format(key, Some(&a))
    }

    /// A catalogue message with what it rests on (`message: cause: …`, with the language's
    /// colon).
    pub fn message(&self, m: &Message) -> String {
        let mut out = self.t_map(&m.key, &m.args);
        let mut cause = m.cause.as_deref();
        while let Some(c) = cause {
            out.push_str(self.colon());
            out.push_str(&self.t_map(&c.key, &c.args));
            cause = c.cause.as_deref();
        }
        out
    }

    /// `": "` in English, `"："` in Chinese.
    pub fn colon(&self) -> &'static str {
        match self.lang {
            Lang::En => ": ",
            Lang::ZhCn => "：",
        }
    }

    /// A finding the pure crates wrote in English (`english`) with its catalogue message
    /// beside it: in English the English text, which is the fullest; in another language the
    /// message, when there is one.
    pub fn finding(&self, english: &str, message: Option<&Message>) -> String {
        match message {
            Some(m) if self.lang != Lang::En => self.message(m),
            _ => english.to_owned(),
        }
    }

    /// The message `key` if the catalogue has it, else `fallback` (for texts that may come from
    /// elsewhere, such as the description of a profile the user wrote).
    pub fn t_or(&self, key: &str, fallback: &str) -> String {
        match self.bundle.get_message(key) {
            Some(_) => self.t(key),
            None => fallback.to_owned(),
        }
    }

    /// A capture profile's description: the catalogue's for a shipped profile, else the
    /// profile's own.
    pub fn profile_description(&self, name: &str, own: &str) -> String {
        self.t_or(&format!("profile-desc-{name}"), own)
    }

    /// The name of a verifier check by its stable identifier (`file.digest` →
    /// `check-file-digest`); the identifier itself when the catalogue has no name for it.
    pub fn check_name(&self, id: &str) -> String {
        let key = format!("check-{}", id.replace('.', "-"));
        match self.bundle.get_message(&key) {
            Some(_) => self.t(&key),
            None => id.to_owned(),
        }
    }

    fn format(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// Every message key of the catalogue.
    pub fn keys(lang: Lang) -> Vec<String> {
        lang.source()
            .lines()
            .filter(|l| !l.starts_with(['#', ' ']) && l.contains(" = "))
            .filter_map(|l| l.split(" = ").next().map(|k| k.trim().to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webproof_message::msg;

    #[test]
    fn both_catalogues_have_every_key_and_parse() {
        let en = Catalogue::keys(Lang::En);
        let zh = Catalogue::keys(Lang::ZhCn);
        assert!(en.len() > 30);
        let missing_zh: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        let missing_en: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        assert!(missing_zh.is_empty(), "missing in zh-CN: {missing_zh:?}");
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        for lang in [Lang::En, Lang::ZhCn] {
            let c = Catalogue::new(lang).unwrap();
            for k in Catalogue::keys(lang) {
                assert_ne!(c.t(&k), k, "{} {k} does not format", lang.tag());
            }
        }
    }

    #[test]
    fn whole_numbers_choose_plural_forms_and_padded_numbers_stay_text() {
        let c = Catalogue::new(Lang::En).unwrap();
        let say = |count: &str| {
            let args = [
                ("seq".to_owned(), "000007".to_owned()),
                ("kind".to_owned(), "navigate".to_owned()),
                ("url".to_owned(), "http://x/".to_owned()),
                ("count".to_owned(), count.to_owned()),
            ];
            c.t_map("cli-step", args.iter().map(|(k, v)| (k, v)))
        };
        assert_eq!(say("1"), "step 000007: navigate http://x/ (1 artifact)");
        assert_eq!(say("3"), "step 000007: navigate http://x/ (3 artifacts)");
    }

    /// The desktop app's messages (`app.ftl`, read by ui/src/i18n.ts) are part of the one
    /// catalogue: same keys in both languages, valid Fluent, every message with a value.
    #[test]
    fn app_catalogues_have_every_key_and_parse() {
        let parse = |src: &'static str, tag: &str| {
            let res = FluentResource::try_new(src.to_owned())
                .unwrap_or_else(|(_, e)| panic!("{tag} app.ftl: {e:?}"));
            let keys: Vec<String> = res
                .entries()
                .filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => {
                        assert!(m.value.is_some(), "{tag} {} has no value", m.id.name);
                        Some(m.id.name.to_owned())
                    }
                    _ => None,
                })
                .collect();
            keys
        };
        let en = parse(include_str!("../locales/en/app.ftl"), "en");
        let zh = parse(include_str!("../locales/zh-CN/app.ftl"), "zh-CN");
        assert!(en.len() > 100);
        let missing_zh: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        let missing_en: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        assert!(
            missing_zh.is_empty(),
            "missing in zh-CN app.ftl: {missing_zh:?}"
        );
        assert!(
            missing_en.is_empty(),
            "missing in en app.ftl: {missing_en:?}"
        );
    }

    /// Every key the code can make a message of is in both catalogues: `key!` checks each
    /// against the English catalogue when the code compiles (webproof_message::KEYS, generated
    /// from locales/en), and this holds the list to what the catalogue loads and to zh-CN. (The
    /// verifier's check names are held to the catalogue by its own `CheckId` list:
    /// crates/verify/tests/checks.rs.)
    #[test]
    fn every_key_the_code_can_use_is_in_both_catalogues() {
        let mut en = Catalogue::keys(Lang::En);
        en.sort();
        en.dedup();
        assert_eq!(
            webproof_message::KEYS,
            en,
            "the generated list is the catalogue's"
        );
        let zh = Catalogue::keys(Lang::ZhCn);
        let missing: Vec<_> = webproof_message::KEYS
            .iter()
            .filter(|k| !zh.iter().any(|z| z == *k))
            .collect();
        assert!(missing.is_empty(), "zh-CN: missing {missing:?}");
        let zh = Catalogue::new(Lang::ZhCn).unwrap();
        assert_eq!(zh.check_name("file.digest"), "文件摘要");
        assert_eq!(zh.check_name("no.such"), "no.such");
        // A finding that quotes an error says the error in the same language.
        let refused = msg!("msg-refused").because(msg!("err-pkg-duplicate").arg("name", "a.png"));
        assert_eq!(zh.message(&refused), "拒绝处理：条目 a.png 出现不止一次");
        let en = Catalogue::new(Lang::En).unwrap();
        assert_eq!(
            en.message(&refused),
            "refused: entry a.png appears more than once"
        );
        assert_eq!(
            en.finding("the English text", Some(&refused)),
            "the English text"
        );
        let args: std::collections::BTreeMap<String, String> =
            [("count".to_owned(), "3".to_owned())].into();
        assert_eq!(
            zh.t_map("msg-datapackage-ok", &args),
            "列出全部 3 个文件及其 SHA-256 和大小"
        );
    }

    /// Every step kind a journal can hold, and every finding of the environment check, has
    /// its word in both languages (the report's timeline and tables and the progress lines say
    /// them).
    #[test]
    fn every_step_kind_and_finding_has_a_word() {
        use webproof_evidence::record::StepKind;
        for lang in [Lang::En, Lang::ZhCn] {
            let have = Catalogue::keys(lang);
            for k in StepKind::ALL {
                let key = format!("step-kind-{}", k.as_str());
                assert!(have.contains(&key), "{}: {key}", lang.tag());
            }
        }
        let zh = Catalogue::new(Lang::ZhCn).unwrap();
        assert_eq!(zh.t("step-kind-navigate"), "导航");
        // And every finding of the environment check its name.
        let ids = webproof_capture::environment::FINDINGS;
        assert!(ids.len() >= 12, "{ids:?}");
        for lang in [Lang::En, Lang::ZhCn] {
            let have = Catalogue::keys(lang);
            for id in &ids {
                assert!(
                    have.contains(&format!("env-name-{id}")),
                    "{}: {id}",
                    lang.tag()
                );
            }
        }
    }

    /// Every shipped capture profile's description is in both catalogues, the English one as
    /// the profile file says it.
    #[test]
    fn shipped_profiles_are_described_in_both_languages() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../capture-profiles");
        let en = Catalogue::new(Lang::En).unwrap();
        let zh = Catalogue::new(Lang::ZhCn).unwrap();
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let v: toml::Value = toml::from_str(&text).unwrap();
            let name = p.file_stem().unwrap().to_str().unwrap();
            let name = v.get("name").and_then(|x| x.as_str()).unwrap_or(name);
            let own = v["description"].as_str().unwrap();
            assert_eq!(en.profile_description(name, "?"), own, "{name}");
            let said = zh.profile_description(name, "?");
            assert!(said != "?" && said != own, "{name}: {said}");
            n += 1;
        }
        assert!(n >= 7);
        assert_eq!(en.profile_description("mine", "my own"), "my own");
    }

    #[test]
    fn messages_format_with_arguments_and_languages_parse() {
        let zh = Catalogue::new(Lang::ZhCn).unwrap();
        assert_eq!(zh.t("report-title"), "电子证据报告");
        assert_eq!(
            zh.t_with("frames-duration", &[("frames", "25"), ("seconds", "1.0")]),
            "25 帧，1.0 秒"
        );
        let en = Catalogue::new(Lang::En).unwrap();
        assert_eq!(
            en.t_with("all-files-ok", &[("count", "7")]),
            "all 7 listed files have their SHA-256 and SM3"
        );
        assert_eq!(en.t("no-such-key"), "no-such-key");
        assert_eq!(Lang::parse("zh_CN.UTF-8").unwrap(), Lang::ZhCn);
        assert_eq!(Lang::parse("en_US.UTF-8").unwrap(), Lang::En);
        assert_eq!(Lang::parse("C.UTF-8").unwrap(), Lang::En);
        assert!(Lang::parse("fr").is_err());
    }
}
