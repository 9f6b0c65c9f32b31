//! The systemd user units that run the watches: a timer that fires every few minutes (and,
//! being persistent, once at boot for a firing missed while the machine was off) and the
//! one-shot service it starts, `webproof watch tick`, which captures the watches that are
//! due. One timer for every watch: what is due is decided from each watch's history, so a
//! missed or repeated firing neither loses nor doubles a capture.

/// The units' file names, in `~/.config/systemd/user/`.
pub const SERVICE: &str = "webproof-watch.service";
pub const TIMER: &str = "webproof-watch.timer";

/// How often the timer looks for due watches, as a systemd calendar event.
pub const CHECK_EVERY: &str = "*:0/5";

/// What the service runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// The `webproof` program.
    pub program: String,
    /// WEBPROOF_HOME, where the watches and the operator's identity are.
    pub home: String,
    /// The file with the operator's passphrase (mode 0600), for captures nobody attends.
    pub passphrase_file: Option<String>,
}

/// `s` as one word of a unit file: quoted, with `\`, `"` and systemd's `%` escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Service {
    /// `webproof-watch.service`.
    pub fn service_unit(&self) -> String {
        let mut env = vec![format!("WEBPROOF_HOME={}", self.home)];
        if let Some(p) = &self.passphrase_file {
            env.push(format!("WEBPROOF_PASSPHRASE_FILE={p}"));
        }
        let env: String = env
            .iter()
            .map(|e| format!("Environment={}\n", quote(e)))
            .collect();
        format!(
            "# Written by `webproof watch service install`; `webproof watch service remove` removes it.\n\
             [Unit]\n\
             Description=webproof: capture the watched URLs that are due\n\
             Documentation=https://example.invalid/webproof/docs/watch.md\n\
             \n\
             [Service]\n\
             Type=oneshot\n\
             {env}\
             ExecStart={} watch tick\n\
             Nice=5\n",
            quote(&self.program)
        )
    }

    /// `webproof-watch.timer`.
    pub fn timer_unit(&self) -> String {
        format!(
            "# Written by `webproof watch service install`; `webproof watch service remove` removes it.\n\
             [Unit]\n\
             Description=webproof: look for watched URLs that are due\n\
             \n\
             [Timer]\n\
             OnCalendar={CHECK_EVERY}\n\
             Persistent=true\n\
             Unit={SERVICE}\n\
             \n\
             [Install]\n\
             WantedBy=timers.target\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_name_the_program_home_and_passphrase_quoted() {
        let s = Service {
            program: "/opt/web proof/webproof".into(),
            home: "/home/a \"b\"/.webproof".into(),
            passphrase_file: Some("/home/a/100%.pass".into()),
        };
        let unit = s.service_unit();
        assert!(
            unit.contains("ExecStart=\"/opt/web proof/webproof\" watch tick\n"),
            "{unit}"
        );
        assert!(unit.contains("Environment=\"WEBPROOF_HOME=/home/a \\\"b\\\"/.webproof\"\n"));
        assert!(unit.contains("Environment=\"WEBPROOF_PASSPHRASE_FILE=/home/a/100%%.pass\"\n"));
        assert!(unit.contains("Type=oneshot\n"));
        let timer = s.timer_unit();
        assert!(timer.contains("OnCalendar=*:0/5\nPersistent=true\nUnit=webproof-watch.service\n"));
        assert!(timer.contains("WantedBy=timers.target"));
        let bare = Service {
            passphrase_file: None,
            ..s
        };
        assert!(!bare.service_unit().contains("PASSPHRASE"));
        assert_eq!(quote("a\nb"), "\"a b\"");
    }
}
