//! `--help` in the chosen language. The English help is the doc comments (clap derive); the
//! catalogue's `help.ftl` has every command's and option's text under a key made from its
//! path (`help-verify`, `help-verify--trust-operator`): for English generated from those doc
//! comments (a test keeps it equal: `WEBPROOF_BLESS=1 cargo test -p webproof help` rewrites
//! it), for Chinese translated. The language is read from the arguments before they are
//! parsed (`--lang X`), else `WEBPROOF_LANG`, else the locale.

use clap::{Arg, ArgAction, Command};
use webproof_i18n::{Catalogue, Lang};

/// A command's key: `help-<names from the top>` (`help-webproof` for the top).
fn command_key(path: &[String]) -> String {
    if path.is_empty() {
        "help-webproof".to_owned()
    } else {
        format!("help-{}", path.join("-"))
    }
}

/// An option's or argument's key: its command's key, `--`, its identifier.
fn arg_key(path: &[String], id: &str) -> String {
    format!("{}--{}", command_key(path), id.replace('_', "-"))
}

#[cfg(test)]
fn walk(cmd: &Command, path: &mut Vec<String>, out: &mut Vec<(String, String)>) {
    if let Some(a) = cmd.get_about() {
        out.push((command_key(path), a.to_string()));
    }
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        if id == "help" || id == "version" {
            continue;
        }
        if let Some(h) = arg.get_help() {
            out.push((arg_key(path, id), h.to_string()));
        }
    }
    for sub in cmd.get_subcommands() {
        path.push(sub.get_name().to_owned());
        walk(sub, path, out);
        path.pop();
    }
}

/// Every (key, English text) of the command tree, in order.
#[cfg(test)]
pub fn entries(cmd: &Command) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(cmd, &mut Vec::new(), &mut out);
    out
}

/// `help.ftl` for English: every entry as a Fluent message (braces quoted).
#[cfg(test)]
pub fn english_ftl(cmd: &Command) -> String {
    let mut s = String::from(
        "# `webproof --help`, English: generated from the doc comments of crates/cli (a test keeps\n\
         # it equal; WEBPROOF_BLESS=1 cargo test -p webproof help rewrites it). Every key is also\n\
         # in zh-CN/help.ftl.\n\n",
    );
    for (k, v) in entries(cmd) {
        s.push_str(&format!("{k} = {}\n", quote(&v)));
    }
    s
}

/// Text as a one-line Fluent pattern: braces become string literals.
#[cfg(test)]
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.replace('\n', " ").chars() {
        match c {
            '{' => out.push_str("{\"{\"}"),
            '}' => out.push_str("{\"}\"}"),
            c => out.push(c),
        }
    }
    out
}

/// The help language asked for by the arguments (`--lang X`, `--lang=X`), else the
/// environment; English when it is `both` or unknown (the parser then says why).
pub fn lang_of(args: &[String]) -> Lang {
    let mut flag = None;
    for (i, a) in args.iter().enumerate() {
        if a == "--lang" {
            flag = args.get(i + 1).map(String::as_str);
        } else if let Some(v) = a.strip_prefix("--lang=") {
            flag = Some(v);
        }
    }
    Lang::detect(flag.filter(|f| *f != "both")).unwrap_or(Lang::En)
}

/// clap's help layout with the headings in `cat`'s language (sections only where there is
/// something to list).
fn template(cmd: &Command, cat: &Catalogue) -> String {
    let usage = cat.t("help-usage");
    let gap = if usage.ends_with('：') { "" } else { " " };
    let mut t = format!("{{about-with-newline}}\n{usage}{gap}{{usage}}\n");
    if cmd.get_positionals().next().is_some() {
        t.push_str(&format!("\n{}\n{{positionals}}\n", cat.t("help-arguments")));
    }
    t.push_str(&format!("\n{}\n{{options}}\n", cat.t("help-options")));
    if cmd.has_subcommands() {
        t.push_str(&format!("\n{}\n{{subcommands}}\n", cat.t("help-commands")));
    }
    t
}

fn localize(cmd: Command, path: &mut Vec<String>, cat: &Catalogue) -> Command {
    let key = command_key(path);
    let about = cat.t(&key);
    let mut cmd = if about != key {
        cmd.about(about).long_about(None)
    } else {
        cmd
    };
    let layout = template(&cmd, cat);
    cmd = cmd.help_template(layout);
    cmd = cmd.disable_help_flag(true).arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help(cat.t("help-help")),
    );
    if path.is_empty() {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(cat.t("help-version")),
        );
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .filter(|id| id != "help" && id != "version")
        .collect();
    for id in ids {
        let key = arg_key(path, &id);
        let text = cat.t(&key);
        if text != key {
            cmd = cmd.mut_arg(id.as_str(), |a| a.help(text).long_help(None));
        }
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        path.push(name.clone());
        let p = &mut *path;
        cmd = cmd.mut_subcommand(name.as_str(), |s| localize(s, p, cat));
        path.pop();
    }
    cmd
}

/// A usage mistake (unknown option, missing argument, bad value …) in `cat`'s language; `None`
/// in English, where clap says it itself, and for help and version, which are not mistakes.
pub fn usage_error(e: &clap::Error, cat: &Catalogue) -> Option<String> {
    use clap::error::{ContextKind as C, ContextValue, ErrorKind as K};
    if cat.lang() == Lang::En {
        return None;
    }
    let get = |k: C| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let arg = get(C::InvalidArg);
    let said = match e.kind() {
        // Help asked for, or shown because nothing was asked: clap prints the localized help.
        K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand => {
            return None;
        }
        K::UnknownArgument => cat.t_with("clap-unknown-argument", &[("arg", &arg)]),
        K::InvalidSubcommand => cat.t_with(
            "clap-unknown-command",
            &[("name", &get(C::InvalidSubcommand))],
        ),
        K::InvalidValue | K::ValueValidation => cat.t_with(
            "clap-invalid-value",
            &[("arg", &arg), ("value", &get(C::InvalidValue))],
        ),
        K::MissingRequiredArgument => cat.t_with("clap-missing-argument", &[("arg", &arg)]),
        K::MissingSubcommand => cat.t("clap-missing-command"),
        K::ArgumentConflict => cat.t_with(
            "clap-conflict",
            &[("arg", &arg), ("other", &get(C::PriorArg))],
        ),
        K::TooManyValues | K::WrongNumberOfValues | K::TooFewValues => {
            cat.t_with("clap-value-count", &[("arg", &arg)])
        }
        _ => return None,
    };
    let mut out = cat.t_with("cli-error", &[("error", &said)]);
    for k in [C::SuggestedArg, C::SuggestedSubcommand, C::SuggestedValue] {
        let s = get(k);
        if !s.is_empty() {
            out.push('\n');
            out.push_str(&cat.t_with("clap-suggest", &[("suggestion", &s)]));
        }
    }
    out.push('\n');
    out.push_str(&cat.t("clap-more"));
    Some(out)
}

/// The command tree with its texts in `cat`'s language (as it is in English).
pub fn localized(cmd: Command, cat: &Catalogue) -> Command {
    if cat.lang() == Lang::En {
        return cmd;
    }
    let mut cmd = localize(cmd, &mut Vec::new(), cat);
    // clap adds its `help` subcommand when it builds the tree: build it, then say that too.
    cmd.build();
    help_subcommands(cmd, cat)
}

fn help_subcommands(cmd: Command, cat: &Catalogue) -> Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    let mut cmd = cmd;
    for name in names {
        cmd = cmd.mut_subcommand(name.as_str(), |s| {
            if name == "help" {
                s.about(cat.t("help-help-command"))
            } else {
                help_subcommands(s, cat)
            }
        });
    }
    cmd
}
