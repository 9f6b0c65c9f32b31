# The command line's own messages and errors, English. Every key is also in zh-CN/cli.ftl.

cli-error = webproof: error: { $error }

## What a command was doing when an error came (the error follows after a colon).
ctx-reading = reading { $path }
ctx-writing = writing { $path }
ctx-creating = creating { $path }
ctx-opening = opening { $path }
ctx-removing = removing { $path }
ctx-sealing = sealing { $path }
ctx-reopening = reopening { $path }
ctx-adding = adding { $path }
ctx-journaling = journaling { $path }
ctx-moving-aside = moving { $path } aside
ctx-listening = listening on { $addr }
ctx-checkpoint = a checkpoint
ctx-config-written = the configuration written
ctx-deposit = the deposit
ctx-dev-registrar = adding the development registrar
ctx-enrolling = enrolling
ctx-hashing-record = hashing a step record
ctx-keeping-receipt = keeping a receipt
ctx-keeping-token = keeping a time-stamp token
ctx-passphrase = reading the passphrase
ctx-pdf-chromium = starting Chromium to print the PDF
ctx-printing = printing the report
ctx-reading-tsa-root = reading TSA root { $path }
ctx-recording = starting the screen recording
ctx-replacing = replacing { $path }
ctx-runtime = starting the async runtime
ctx-signals = listening for Ctrl-C and termination signals
ctx-screencast = starting the screencast recording
ctx-sealing-report = sealing { $path } with its report
ctx-serving = serving
ctx-signing-request = signing the request

## Words and field labels.
cli-role-operator = operator
cli-role-notary = notary
cli-field-role = role
cli-field-name = name
cli-field-organisation = organisation
cli-field-contact = contact
cli-field-id-ref = id reference
cli-field-algorithm = algorithm
cli-field-fingerprint = fingerprint
cli-field-gen-time = genTime
cli-field-accuracy = accuracy
cli-field-imprint = imprint
cli-field-policy = policy
cli-field-signer = signer
cli-field-chain = chain
cli-field-reason = reason
cli-no-witness = no witness
cli-dev-tsa-mark = (development TSA)

## Operator identity, passphrases, files.
cli-no-home = set WEBPROOF_HOME (or HOME)
cli-var-empty = { $var } is empty
cli-no-passphrase = no passphrase: set { $var } (no terminal to ask on)
cli-prompt-new-passphrase = Passphrase for the new key (at least 8 characters): 
cli-prompt-repeat-passphrase = The same passphrase again: 
cli-passphrases-differ = the two passphrases differ: nothing was created
cli-passphrase-short = a new key's passphrase needs at least { $min } characters: nothing was created
cli-passphrase-prompt = Passphrase for the { $role } key:
cli-identity-exists = an { $role } identity already exists in { $path } (use --force to replace it; the old one is kept)
cli-identity-created = created { $role } identity in { $path }
cli-no-identity = no { $role } identity at { $path } ({ $hint })
cli-hint-init-operator = run `webproof operator init`
cli-hint-init-notary = run `webproof operator init --role notary`
cli-hint-other-role = this home holds a { $other } identity: add `--role { $flag }`
cli-key-not-identity = { $key } does not belong to the identity in { $path }
cli-out-exists = { $path } already exists; webproof never overwrites a package
cli-not-regular = { $path } is not a regular file
cli-work-exists = { $path } exists (an interrupted run?); remove it first
cli-bad-fingerprint = { $value } is not a key fingerprint (64 hex digits)
cli-not-certificate = { $path }: { $error }
cli-not-identity = { $path } is not an identity document
cli-no-public-key = { $path } holds no public key
cli-not-seed = { $path } is not a 32-byte key
cli-random = the random number generator failed: { $error }

## Profiles.
cli-no-profile = no profile named { $name } (see `webproof profiles list`)
cli-profile-valid = valid: { $name } ({ $steps } steps)
cli-profile-invalid = invalid: { $error }
cli-ask = { $name } for { $selector }:
cli-ask-no-terminal = the profile asks for { $name }: set { $var } (no terminal to ask on)

## Sealing and capturing.
cli-step-file = step { $seq }: { $file } -> { $path }
cli-interruption = step { $seq }: interruption recorded ({ $seq } earlier steps kept)
cli-quorum-missed = warning: { $got } of { $total } time-stamp authorities stamped the final chain head (quorum { $quorum }): the package is sealed and written anyway, with exit 5; `webproof verify` shows which steps have trusted time
cli-undelivered-log = sealed, but the evidence log gave no receipt for the final chain head: exit 5 (the package is written, without that receipt)
cli-report-incomplete = warning: the evidence report could not be made completely ({ $error }); the package is sealed with what there is
cli-written-fails = the package just written does not verify ({ $first }); the capture directory { $path } is kept
cli-manual-no-display = manual mode shows the browser on your screen: run it in a desktop session (DISPLAY) or pass --display
cli-manual-no-devtools = manual mode needs the DevTools connection
cli-environment-failed = the environment check failed (see above); nothing was captured. The report is sealed in { $path }. Fix the machine, or pass --override-env REASON
cli-target-unusable = the page cannot be captured from this machine: { $why }. Nothing was captured and no package was written; check the URL, and that the site is up
cli-capture-stopped = capture stopped: { $reason }; what was captured before is sealed in { $path }
cli-stopping = { $signal }: stopping — the step under way is abandoned and what was captured is sealed. Press Ctrl-C again to stop at once and keep the capture directory for `webproof captures resume`
cli-stopped-at-once = stopped at once ({ $signal }); nothing was sealed. The capture directory is kept; seal what it holds with:
    webproof captures resume { $dir } --out { $out }
cli-stopped-nothing = stopped at once ({ $signal }); nothing had been captured yet
cli-capture-interrupted = capture interrupted ({ $signal }); what was captured before is sealed in { $path } and verifies as an interrupted capture
cli-capture-limit = the capture stopped: { $reason }; what was captured is sealed into { $path }
cli-no-tab = no tab to record
cli-browser-gone = the browser closed or crashed during step { $step } ({ $action }); the steps before it are kept
cli-no-devtools = warning: chromedriver reported no DevTools address; the network is not archived
cli-bad-imprint = config.toml: timestamp.imprint { $value } is not sha256, sm3 or both
cli-bad-policy = TSA policy { $value } is not an OID: { $error }

## Reports.
cli-report-written = report: { $path }
cli-report-pdf = report: { $path } ({ $bytes } bytes)
cli-report-verdict = verdict: { $verdict }
cli-bad-tz = time zone { $value }: give ±HH:MM, e.g. +08:00, or UTC
cli-no-pdf = Chromium returned no PDF
cli-pdf-not-base64 = Chromium's PDF is not base64

## Revocation lists.
cli-not-signed-note = { $path }: not a signed note
cli-not-revocations = { $path } is not a revocation list
cli-revocations-untrusted = the revocation list is of { $log }, whose key is not trusted (--trust-log)
cli-revocations-unsigned = the revocation list is not signed by { $log }
cli-revocation-line = a malformed revocation line: { $line }

## The evidence log, its witnesses and registration authority.
cli-not-vkey = { $what } { $value } is not a verifier key
cli-quorum-too-high = a witness quorum of { $quorum } needs at least { $quorum } witness keys; { $count } configured
cli-no-log-key = depositing in { $url } needs the log's verifier key: --log-key, or `key` in config.toml [log]
cli-log-keys-without-log = --log-key, --witness-key and --witness-quorum belong to an evidence log, and none is configured: give --log URL (or `url` in config.toml [log])
cli-tsa-quorum-zero = --tsa-quorum must be at least 1
cli-tsa-quorum-no-tsa = --tsa-quorum { $quorum } was given, but no TSA is configured: give --tsa URL (or WEBPROOF_TSA, or config.toml [timestamp] tsa)
cli-tsa-quorum-too-high = a TSA quorum of { $quorum } needs at least { $quorum } TSAs; { $count } configured
cli-bad-url = { $option } { $value }: not usable ({ $why })
cli-url-scheme = only http:// and https:// are supported, not { $scheme }://
cli-url-no-host = the URL names no host
cli-bad-target = the page to capture, { $value }: not usable ({ $why })
cli-not-program = { $option } { $path }: not an executable program here (install it, or give the path to one)
cli-out-no-dir = --out { $path }: the directory { $dir } does not exist
cli-bad-segment = --segment-secs must be at least 1
cli-no-log-url = give the log's URL: --log, or `url` in config.toml [log]
cli-no-log-vkey = give the log's verifier key: --log-key, or `key` in config.toml [log]
cli-no-inclusion = the log has no inclusion proof
cli-entry-not-utf8 = a deposit entry is not UTF-8
cli-no-not-before = evidence log: no "not before" checkpoint for step 0: { $error }
cli-log-checkpoint-size = its latest witnessed checkpoint has size { $size }
cli-log-checkpoint-bad = its checkpoint does not check: { $error }
cli-log-no-checkpoint = it has published no checkpoint yet
cli-log-no-receipts = evidence log: no witnessed checkpoint covers the deposits within { $seconds } s ({ $why }); the package has no receipts. The promises were:
cli-log-promise = step { $seq } at index { $index }
cli-log-step-error = evidence log: step { $seq }: { $error }
cli-log-receipt-bad = evidence log: the receipt for step { $seq } does not check ({ $error }); not kept
cli-witness-arg = --witness { $value }: give URL=VKEY
cli-witness-not-endpoint = witness { $url } answers { $status }: it is not a tlog-witness add-checkpoint URL (give the witness's .../add-checkpoint URL, as `webproof witness serve` prints it)
cli-witness-unreachable = warning: witness { $url } does not answer yet ({ $error }); the log keeps asking it
cli-digest-hex = give the chain head's SHA-256 as 64 hex digits
cli-not-deposited = NOT DEPOSITED: { $digest } is not in { $url }
cli-no-checkpoint = the log has published no checkpoint yet
cli-entry-not-served = the log lists the deposit but does not serve it
cli-deposited-unwitnessed = DEPOSITED at index { $index }, not yet in a witnessed checkpoint (size { $size })
cli-deposit-at = the deposit at { $index }
cli-entry-other-head = FAILED: the log's entry { $index } is for another chain head
cli-entry-other-file = FAILED: the log's entry { $index } does not name this file by both its SHA-256 and its SM3
cli-lookup-file = file { $path } (SHA-256 { $sha256 }, SM3 { $sm3 })
cli-proven-file-step = recorded by step { $seq } of capture { $package }; the deposit is of the chain head { $head }
cli-proven = DEPOSITED and PROVEN: { $digest }
cli-proven-where = index { $index } of { $size }, package { $package }, operator { $operator }
cli-proven-claimed = claimed time { $time } (the client's clock)
cli-cosigned-by = cosigned by { $name } at { $time }
cli-failed = FAILED: { $error }
cli-witness-banner = witness { $name } on { $url }
cli-log-banner = evidence log { $name } on { $url }
cli-log-store-kind = --store (or config.toml [log] store) is a PostgreSQL URL: postgres://user@host:port/database
cli-log-store-open = cannot open the log's PostgreSQL database
cli-verifier-key = verifier key: { $key }
cli-log-verify-page = verifier page (open it in a browser; docs/verify-page.md): { $url } (from { $path })
cli-log-no-verify-page = no verifier page at /verify: build it with scripts/build-verify-page.sh, or give --verify-page FILE
cli-log-trust-bundle = the alliance's trust bundle (docs/trust-bundle.md): { $url }
cli-not-verify-page = { $path } is not webproof's verifier page (it has no Content-Security-Policy forbidding every connection)
cli-capture-linux-only = capturing needs Linux for now (webproof's own Xvfb display, Chromium and FFmpeg); this webproof seals, verifies, reports, checks time-stamps and looks deposits up
cli-pdf-linux-only = printing the report to PDF needs Linux for now (webproof's own Chromium); the HTML report is written, and any browser prints it
cli-log-controlled = deposits from enrolled operators only (registration authority on)
cli-log-open = open to any depositor
cli-answer-not-json = the log's answer is not the JSON its API defines
cli-registrar-added = registrar { $name } added: key { $key } (logged as entry { $entry })
cli-salt-hex = --id-salt is hex
cli-ra-code = enrollment code for { $name } ({ $tenant }): { $code }
cli-ra-code-valid = valid until { $time } (Unix time { $unix }); usable once. Give it to { $name } in person.
cli-revoked = revoked { $fingerprint } at Unix time { $unix } (logged as entry { $entry })
cli-no-ra = the log has no registration authority
cli-enrolled = enrolled { $fingerprint } in { $url }: certified as { $name } ({ $organisation }), tenant { $tenant }
cli-enrolled-notary = enrolled { $fingerprint } in { $url }: certified as notary { $name } ({ $organisation }), tenant { $tenant }
cli-enrolled-other-role = the log certified this key for another role than the { $role }'s; ask the registrar for a code of the right role
cli-enrolled-certificate = certificate: { $path } (sealed packages carry it)
cli-certificate-exists = { $path } exists; move it aside to enroll again

## Receipts refreshed, renewals.
cli-refresh-fails = { $path } does not verify ({ $first }); it cannot be refreshed
cli-no-receipts = { $path } has no evidence-log receipts to refresh
cli-url-no-checkpoint = { $url } has published no checkpoint
cli-checkpoint-not-of = the checkpoint { $url } serves is not of { $log }, or does not check
cli-nothing-to-refresh = the log's newest witnessed checkpoint ({ $size }) is not newer than the package's ({ $held }): nothing to refresh
cli-checkpoint-older = the log's newest checkpoint ({ $size }) is older than a receipt's ({ $old })
cli-no-consistency = { $url } has no consistency proof from { $old } to { $size }
cli-consistency-malformed = the consistency proof is malformed
cli-split-view = the log's newest checkpoint does not extend the receipts' checkpoints (a split view?)
cli-refresh-added = refresh { $n } added: checkpoint { $size } of { $log } (cosigned by { $witnesses }), consistent with the receipts' checkpoints { $earlier }; refreshed package: { $path }
cli-renew-no-tsa = renewal needs a time-stamp authority: pass --tsa URL
cli-renew-fails = { $path } does not verify ({ $first }); it cannot be renewed
cli-no-capture = the package names no capture
cli-renewal-stamped = renewal { $n } stamped by { $url } at { $time }
cli-renew-none = no time-stamp authority answered; nothing was renewed
cli-renewal-added = renewal { $n } ({ $count ->
        [one] 1 file
       *[other] { $count } files
    } under { $alg }) added; renewed package: { $path }

## Time-stamps by hand, the development TSA.
cli-digest-not-hex = --digest is not hex
cli-data-or-digest = give --data FILE or --digest HEX
cli-digest-length = a { $alg } digest has { $expected } bytes; this one has { $found }
cli-ts-stamped = { $tsa } stamped { $alg } { $digest } at { $time } (written to { $path })
cli-not-token = { $path } is neither a response nor a token
cli-ts-trusted = TRUSTED
cli-ts-untrusted = VALID, NOT TRUSTED
cli-ts-invalid = INVALID
cli-tsa-banner = development TSA (NOT a trusted time source) on { $url }
cli-tsa-root = its root certificate: { $path }
cli-tsa-trust = tokens verify as trusted only with --trust-tsa { $path }

## webproof dev up.
cli-dev-own-config = { $path } is your own configuration; `dev up` would replace it. Use another WEBPROOF_HOME, or --force
cli-dev-title = webproof dev up: a local development alliance (Ctrl-C to stop)
cli-dev-tsa = development TSA { $n }: { $url }
cli-dev-witness = witness { $name }: { $url }
cli-dev-log = evidence log { $name }: { $url } (checkpoints cosigned by all { $quorum } witnesses; deposits from enrolled operators only)
cli-dev-log-key = log verifier key: { $key }
cli-dev-bundle = the alliance's trust bundle (docs/trust-bundle.md; also GET /trust-bundle.json from the log): { $path }
cli-dev-witness-key = witness verifier key: { $key }
cli-dev-config = configuration written to { $path }
cli-dev-stopped = stopped; { $path } keeps the keys, so packages still verify offline
cli-dev-no-identity = no operator identity in this WEBPROOF_HOME yet: run `webproof operator init`, then restart `dev up` to enroll it
cli-dev-enrolled-already = operator { $name } ({ $fingerprint }) is enrolled
cli-dev-code = enrollment code for { $name }: { $code } (run `webproof operator enroll --code { $code }`)
cli-dev-enrolled = operator { $name } ({ $fingerprint }) enrolled: certified by the development operator CA, tenant dev

## Network errors (a TSA's or the evidence log's).
err-net-transport = { $url }: { $detail }
err-net-status = { $url }: HTTP { $status }
err-net-refused = { $url }: refused (HTTP { $status }): { $detail }
err-net-url = { $url }
err-net-mismatch = { $url }: the token does not answer this request: { $reason }

## The capture's edges: browser, profiles, recorder (their own words stay as they are).
err-browser = browser: { $action }: { $detail }
err-profile = profile { $name }: { $reason }
err-profile-toml = profile { $name }: not valid TOML for a profile: { $detail }
err-ffmpeg = FFmpeg: { $context }: { $detail }
err-ffmpeg-missing = FFmpeg has no { $what } (install Debian's libavdevice/libavcodec with libx264)
err-recorder-thread = the recording thread stopped unexpectedly

## The help's headings and built-in options (the commands' own texts are in help.ftl).
help-usage = Usage:
help-arguments = Arguments:
help-options = Options:
help-commands = Commands:
help-help = Print help
help-version = Print version

## Usage mistakes (in English clap says these itself; these are for the other languages).
clap-unknown-argument = unexpected argument { $arg }
clap-unknown-command = unrecognized subcommand { $name }
clap-invalid-value = invalid value { $value } for { $arg }
clap-missing-argument = the following required arguments were not provided: { $arg }
clap-missing-command = a command is needed
clap-conflict = the argument { $arg } cannot be used with { $other }
clap-value-count = the wrong number of values for { $arg }
clap-suggest = tip: a similar one exists: { $suggestion }
clap-more = For more information, try '--help'.
help-help-command = Print this message or the help of the given subcommand(s)
cli-no-log-origin = the log at { $url } does not say its origin (GET /ra/origin); set config.toml [log] key to its verifier key
cli-review-stamped = review { $n } stamped by { $url } at { $time }
cli-review-seen = { $path }: { $verdict } under your trust; its steps:
cli-review-step-unreadable = (a step that does not read: { $error })
cli-review-added = review { $n } added (the package was { $verdict } under your trust; { $count } time-stamps over your signature): { $path }
cli-review-fails = { $path } does not verify ({ $first }); a notary does not countersign it
cli-review-not-notary = a review is countersigned by a notary, and this home's identity is the { $role }'s: run it in the notary's WEBPROOF_HOME (`webproof operator init --role notary`)
cli-review-own-package = your key is the operator's of this package: a review must be someone else's
cli-review-written-fails = the countersigned package does not verify ({ $first }); it was not kept
cli-review-no-tsa = a review needs a time-stamp authority over your signature: pass --tsa URL
cli-review-none-stamped = no time-stamp authority answered; nothing was countersigned
ctx-signing-review = signing the review statement
cli-supervise-code = join code for the notary (give it by another channel; `webproof supervise CODE` on the notary's machine): { $code }
cli-supervise-step = a step of the journal does not read
cli-supervise-nobody = no notary joined within { $seconds } s; what was captured stays in the capture directory (`webproof captures resume`)
cli-supervise-joined = notary { $name } ({ $fingerprint }) joined; each step is shown to them
cli-supervise-no-answer = the notary did not answer within { $seconds } s; what was captured stays in the capture directory (`webproof captures resume`)
cli-supervise-refused = the notary refused: { $reason } (recorded; the package is sealed without the notary)
cli-supervise-stated = the notary signed "{ $event }" about the chain head after step { $seq } (recorded)
cli-supervise-bad-code = not a join code (ADDRESS/CODE)
cli-supervise-session = supervising capture { $capture }
cli-supervise-seen = step { $seq }: { $kind } { $url } (chain head { $head })
cli-supervise-seen-late = step { $seq } (journaled while you were away): { $kind } { $url } (chain head { $head })
cli-supervise-ask = sign "{ $event }" about the chain head after step { $seq } ({ $head })? type yes, or your reason to refuse:
cli-supervise-checkpoint = countersigned the checkpoint: the chain head after step { $seq } ({ $head }), as shown
cli-supervise-no-consent = the notary did not agree
cli-supervise-ended = the operator ended the session
cli-supervise-lost = the connection to the operator's webproof was lost
cli-supervise-rejoin = connection lost ({ $error }); joining again
cli-supervise-picture = picture: { $path }
cli-supervise-picture-bad = the step's picture is not base64
cli-batch-no-urls = { $path } lists no http:// or https:// URL
cli-batch-exe = finding the webproof program to run each capture
cli-batch-worker = a capture of the batch could not be waited for
cli-batch-spawn = the capture could not be started: { $error }
cli-batch-no-package = the capture ended ({ $status }) without a package
cli-batch-sealed = #{ $n } { $url }: sealed, { $package }
cli-batch-failed = #{ $n } { $url }: failed: { $reason }
cli-batch-queue = batch: { $total } URLs, { $done } ended in an earlier run
cli-batch-started = #{ $n } { $url }: capturing
cli-batch-skipped = #{ $n } { $url }: skipped: { $reason }
cli-batch-skipped-total = { $count } URLs skipped for the batch's disk quota: run the batch again with a larger --max-total-mb to capture them
cli-batch-pending = { $count } URLs not captured yet (the batch was stopped): run it again to go on
cli-batch-summary = batch: { $total } URLs — { $sealed } sealed, { $interrupted } sealed after an interruption, { $failed } failed; { $ran } captured in this run ({ $per_minute } a minute); summary: { $path }
cli-batch-capture-args = the capture arguments after --
cli-batch-relay = starting the batch's deposit relay on 127.0.0.1
cli-batch-relay-url = { $var } must name a relay on this machine (http://127.0.0.1:PORT), not { $url }
cli-batch-deposits = evidence log: { $deposits } chain heads deposited in { $requests } requests to its /add-batch
cli-catalogue-empty = no package to list (a directory given holds no .wacz file)
cli-catalogue-format = cannot write a catalogue as ".{ $ext }": name the file .csv, .xlsx, .html or .pdf
cli-catalogue-written = evidence catalogue of { $count } packages written to { $path } ({ $failed } failed verification)

## Watching a URL until it is taken down (crates/watch, `webproof watch`)
err-watch-no-navigation = the package holds no navigation: it is not a capture of a URL
err-watch-duration = “{ $value }” is not a duration (say 30m, 6h or 1d)
err-watch-too-often = a watch re-captures at most every minute, not every { $value }
err-watch-selector = “{ $value }” is not a CSS selector
err-watch-url = “{ $value }” is not an http(s) URL
cli-watch-usage = say the URL to watch and how often: webproof watch URL --every 6h
cli-watch-exists = { $url } is watched already (watch { $id }): see webproof watch list
cli-watch-added = Watching { $url } every { $every } (watch { $id }, in { $dir }); its first capture now.
cli-watch-no-service = The watch is kept, but the timer that runs it could not be installed ({ $error }). Captures happen whenever `webproof watch tick` runs (from cron, say), or now with `webproof watch tick { $id }`.
cli-watch-unknown = there is no watch { $id } (see webproof watch list)
cli-watch-broken = watch { $id } could not be read or captured: { $error }
cli-watch-busy = watch { $id } is being captured by another run: left to it
cli-watch-stopped = watch { $id } is stopped: start it again with webproof watch start { $id }
cli-watch-ended-gone = ended: the page was gone in capture { $n }
cli-watch-none-due = No watch is due.
cli-watch-present = capture { $n } of { $url }: present ({ $package })
cli-watch-gone = capture { $n } of { $url }: GONE ({ $why }; { $package }). Last present in { $last }.
cli-watch-unreachable = capture { $n } of { $url }: did not load ({ $error }; { $package }); not known to be gone
cli-watch-failed = capture { $n } of { $url } failed: { $reason }
cli-watch-gone-status = the page answers { $status }
cli-watch-gone-element = { $selector } is no longer in the page
cli-watch-gone-home = it now leads to the home page { $to }
cli-watch-unchanged = nothing changed since the capture before
cli-watch-changed-title = title “{ $before }” → “{ $after }”
cli-watch-changed-status = HTTP status { $before } → { $after }
cli-watch-changed-text = text: { $added } line(s) added, { $removed } removed ({ $diff })
cli-watch-changed-screenshot = the screenshot looks different ({ $bits } of 64 bits)
cli-watch-changed-media = media: { $added } new, { $removed } gone, { $changed } changed
cli-watch-list-empty = No watches (start one with webproof watch URL --every 6h).
cli-watch-state-active = active, next capture at { $next }
cli-watch-state-stopped = stopped
cli-watch-every = every { $every }, { $captures } capture(s)
cli-watch-started = Watch { $id } started again.
cli-watch-stopped-now = Watch { $id } stopped; its packages and history stay.
cli-watch-systemctl = systemctl --user { $args }
cli-watch-units-written = Wrote { $service } and { $timer }.
cli-watch-service-on = The watch timer is on: due watches are captured every five minutes, and after a boot (for captures while you are logged out: loginctl enable-linger).
cli-watch-service-off = The watch timer is removed; the watches stay (captures happen only when webproof watch tick runs).
cli-watch-service-absent = The watch timer is not installed (webproof watch service install).
cli-watch-service-state = { $timer }: { $state }
cli-passphrase-file-open = { $path } may be read by other users: make it readable by you only (chmod 600)
cli-trust-own-config = { $path } is your own configuration; `trust import` would replace it. Use another WEBPROOF_HOME, or --force (the old file is kept as config.toml.bak)
cli-trust-tsa-quorum = a TSA quorum of { $quorum } cannot be met by { $n } TSAs
cli-trust-no-bundle = { $url } publishes no trust bundle (GET /trust-bundle.json answered 404)
cli-trust-log-url = a bundle read from a file does not say where the log is: give --log URL
cli-trust-which-log = the bundle names several logs and { $url } has published no checkpoint yet, so which of them it is cannot be told; try again once it has
cli-trust-not-its-log = the log at { $url } does not sign its checkpoints with a key of this bundle: it is not the alliance's log
cli-trust-imported = trusting the alliance { $alliance }: log { $log }, { $witnesses } witnesses (quorum { $quorum }), { $tsas } TSAs; configuration written to { $path }. Enroll with the registrar's code: webproof operator enroll --code CODE
cli-trust-development = WARNING: this is a development alliance (its keys were made on one machine): NOT for court use
