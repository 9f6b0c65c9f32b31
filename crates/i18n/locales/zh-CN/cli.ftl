# 命令行自身的消息与错误，简体中文。每个键也在 en/cli.ftl 中。

cli-error = webproof：错误：{ $error }

## 出错时命令正在做什么（冒号后是错误本身）。
ctx-reading = 读取 { $path }
ctx-writing = 写入 { $path }
ctx-creating = 创建 { $path }
ctx-opening = 打开 { $path }
ctx-removing = 删除 { $path }
ctx-sealing = 封存 { $path }
ctx-reopening = 重新打开 { $path }
ctx-adding = 加入 { $path }
ctx-journaling = 记入操作日志 { $path }
ctx-moving-aside = 将 { $path } 移到一旁
ctx-listening = 监听 { $addr }
ctx-checkpoint = 检查点
ctx-config-written = 所写入的配置
ctx-deposit = 存证条目
ctx-dev-registrar = 添加开发用登记员
ctx-enrolling = 登记
ctx-hashing-record = 计算步骤记录的摘要
ctx-keeping-receipt = 保存回执
ctx-keeping-token = 保存时间戳令牌
ctx-passphrase = 读取口令
ctx-pdf-chromium = 启动 Chromium 打印 PDF
ctx-printing = 打印报告
ctx-reading-tsa-root = 读取时间戳机构根证书 { $path }
ctx-recording = 启动录屏
ctx-replacing = 替换 { $path }
ctx-runtime = 启动异步运行时
ctx-signals = 监听 Ctrl-C 与终止信号
ctx-screencast = 启动屏幕录制（screencast）
ctx-sealing-report = 连同报告封存 { $path }
ctx-serving = 提供服务
ctx-signing-request = 为请求签名

## 词语与字段名。
cli-role-operator = 操作员
cli-role-notary = 公证员
cli-field-role = 角色
cli-field-name = 姓名
cli-field-organisation = 单位
cli-field-contact = 联系方式
cli-field-id-ref = 证件参照
cli-field-algorithm = 算法
cli-field-fingerprint = 指纹
cli-field-gen-time = 生成时间
cli-field-accuracy = 精度
cli-field-imprint = 摘要
cli-field-policy = 策略
cli-field-signer = 签名者
cli-field-chain = 证书链
cli-field-reason = 原因
cli-no-witness = 无见证方
cli-dev-tsa-mark = （开发用时间戳机构）

## 操作员身份、口令、文件。
cli-no-home = 请设置 WEBPROOF_HOME（或 HOME）
cli-var-empty = { $var } 为空
cli-no-passphrase = 没有口令：请设置 { $var }（没有可询问的终端）
cli-prompt-new-passphrase = 新密钥的口令（至少 8 个字符）：
cli-prompt-repeat-passphrase = 再次输入同一口令：
cli-passphrases-differ = 两次输入的口令不同：未创建任何内容
cli-passphrase-short = 新密钥的口令至少需要 { $min } 个字符：未创建任何内容
cli-passphrase-prompt = { $role }密钥的口令：
cli-identity-exists = { $path } 中已有{ $role }身份（用 --force 替换；旧身份会保留）
cli-identity-created = 已在 { $path } 创建{ $role }身份
cli-no-identity = { $path } 没有{ $role }身份（{ $hint }）
cli-hint-init-operator = 请运行 `webproof operator init`
cli-hint-init-notary = 请运行 `webproof operator init --role notary`
cli-hint-other-role = 此目录保存的是{ $other }身份：请加上 `--role { $flag }`
cli-key-not-identity = { $key } 不属于 { $path } 中的身份
cli-out-exists = { $path } 已存在；webproof 从不覆盖证据包
cli-not-regular = { $path } 不是普通文件
cli-work-exists = { $path } 已存在（上次运行被中断？）；请先删除
cli-bad-fingerprint = { $value } 不是密钥指纹（64 位十六进制）
cli-not-certificate = { $path }：{ $error }
cli-not-identity = { $path } 不是身份文件
cli-no-public-key = { $path } 中没有公钥
cli-not-seed = { $path } 不是 32 字节的密钥
cli-random = 随机数生成器出错：{ $error }

## 取证方案。
cli-no-profile = 没有名为 { $name } 的取证方案（见 `webproof profiles list`）
cli-profile-valid = 有效：{ $name }（{ $steps } 步）
cli-profile-invalid = 无效：{ $error }
cli-ask = { $selector } 的{ $name }：
cli-ask-no-terminal = 取证方案需要 { $name }：请设置 { $var }（没有可询问的终端）

## 封存与取证。
cli-step-file = 第 { $seq } 步：{ $file } -> { $path }
cli-interruption = 第 { $seq } 步：已记录中断（保留此前 { $seq } 步）
cli-quorum-missed = 警告：{ $total } 个时间戳机构中有 { $got } 个为最终链头盖戳（法定数 { $quorum }）：证据包仍已封存并写出，退出码 5；`webproof verify` 会显示哪些步骤有可信时间
cli-undelivered-log = 已封存，但存证日志没有为最终链头给出回执：退出码 5（证据包已写出）
cli-report-incomplete = 警告：未能完整生成证据报告（{ $error }）；证据包已按现有内容封存
cli-written-fails = 刚写出的证据包验证不通过（{ $first }）；取证目录 { $path } 予以保留
cli-manual-no-display = 手动模式会在您的屏幕上显示浏览器：请在桌面会话（DISPLAY）中运行，或指定 --display
cli-manual-no-devtools = 手动模式需要 DevTools 连接
cli-environment-failed = 取证环境检查未通过（见上文）；未进行任何取证。检查报告已封存于 { $path }。请修复本机，或用 --override-env 原因 强制继续
cli-target-unusable = 本机无法取得该网页：{ $why }。未取得任何内容，也未写出证据包；请检查网址，以及该网站是否在线
cli-capture-stopped = 取证中止：{ $reason }；此前取得的内容已封存于 { $path }
cli-stopping = { $signal }：正在停止——放弃进行中的步骤，封存已取得的内容。再按一次 Ctrl-C 立即停止，并保留取证目录供 `webproof captures resume` 使用
cli-stopped-at-once = 已立即停止（{ $signal }）；未封存任何内容。取证目录已保留，可用以下命令封存其中内容：
    webproof captures resume { $dir } --out { $out }
cli-stopped-nothing = 已立即停止（{ $signal }）；尚未取得任何内容
cli-capture-interrupted = 取证被中断（{ $signal }）；此前取得的内容已封存于 { $path }，验证时显示为中断的取证
cli-capture-limit = 取证已停止：{ $reason }；已取得的内容已封存到 { $path }
cli-no-tab = 没有可录制的标签页
cli-browser-gone = 浏览器在第 { $step } 步（{ $action }）时关闭或崩溃；此前的步骤均已保留
cli-no-devtools = 警告：chromedriver 未提供 DevTools 地址；网络流量未归档
cli-bad-imprint = config.toml：timestamp.imprint { $value } 不是 sha256、sm3 或 both
cli-bad-policy = 时间戳策略 { $value } 不是 OID：{ $error }

## 报告。
cli-report-written = 报告：{ $path }
cli-report-pdf = 报告：{ $path }（{ $bytes } 字节）
cli-report-verdict = 结论：{ $verdict }
cli-bad-tz = 时区 { $value }：请写作 ±HH:MM，例如 +08:00，或 UTC
cli-no-pdf = Chromium 没有返回 PDF
cli-pdf-not-base64 = Chromium 返回的 PDF 不是 base64

## 吊销列表。
cli-not-signed-note = { $path }：不是签名笔记
cli-not-revocations = { $path } 不是吊销列表
cli-revocations-untrusted = 该吊销列表属于 { $log }，其密钥未受信任（--trust-log）
cli-revocations-unsigned = 该吊销列表不是由 { $log } 签名
cli-revocation-line = 吊销列表中有格式错误的一行：{ $line }

## 存证日志、见证方与登记机构。
cli-not-vkey = { $what } { $value } 不是验证密钥
cli-quorum-too-high = 见证法定数 { $quorum } 至少需要 { $quorum } 个见证方密钥；已配置 { $count } 个
cli-no-log-key = 向 { $url } 存证需要日志的验证密钥：--log-key，或 config.toml [log] 中的 `key`
cli-log-keys-without-log = --log-key、--witness-key 与 --witness-quorum 用于证据日志，但未配置任何日志：请给出 --log URL（或 config.toml [log] 中的 `url`）
cli-tsa-quorum-zero = --tsa-quorum 至少为 1
cli-tsa-quorum-no-tsa = 给出了 --tsa-quorum { $quorum }，但未配置任何时间戳机构：请给出 --tsa URL（或 WEBPROOF_TSA，或 config.toml [timestamp] tsa）
cli-tsa-quorum-too-high = 时间戳机构法定数 { $quorum } 至少需要 { $quorum } 个时间戳机构；已配置 { $count } 个
cli-bad-url = { $option } { $value }：无法使用（{ $why }）
cli-url-scheme = 只支持 http:// 与 https://，不支持 { $scheme }://
cli-url-no-host = 该 URL 未指明主机
cli-bad-target = 要取证的网页 { $value }：无法使用（{ $why }）
cli-not-program = { $option } { $path }：在本机不是可执行程序（请安装，或给出其路径）
cli-out-no-dir = --out { $path }：目录 { $dir } 不存在
cli-bad-segment = --segment-secs 至少为 1
cli-no-log-url = 请给出日志的网址：--log，或 config.toml [log] 中的 `url`
cli-no-log-vkey = 请给出日志的验证密钥：--log-key，或 config.toml [log] 中的 `key`
cli-no-inclusion = 日志没有包含证明
cli-entry-not-utf8 = 存证条目不是 UTF-8 文本
cli-no-not-before = 存证日志：第 0 步没有“不早于”检查点：{ $error }
cli-log-checkpoint-size = 其最新的见证检查点大小为 { $size }
cli-log-checkpoint-bad = 其检查点验证不通过：{ $error }
cli-log-no-checkpoint = 尚未发布任何检查点
cli-log-no-receipts = 存证日志：{ $seconds } 秒内没有见证检查点覆盖这些存证（{ $why }）；证据包没有回执。日志的承诺如下：
cli-log-promise = 第 { $seq } 步，序号 { $index }
cli-log-step-error = 存证日志：第 { $seq } 步：{ $error }
cli-log-receipt-bad = 存证日志：第 { $seq } 步的回执验证不通过（{ $error }）；未保存
cli-witness-arg = --witness { $value }：请写作 网址=验证密钥
cli-witness-not-endpoint = 见证方 { $url } 返回 { $status }：它不是 tlog-witness 的 add-checkpoint 网址（请给出见证方的 .../add-checkpoint 网址，即 `webproof witness serve` 打印的那个）
cli-witness-unreachable = 警告：见证方 { $url } 尚无应答（{ $error }）；日志会继续向其请求
cli-digest-hex = 请以 64 位十六进制给出链头的 SHA-256
cli-not-deposited = 未存证：{ $digest } 不在 { $url } 中
cli-no-checkpoint = 日志尚未发布任何检查点
cli-entry-not-served = 日志列出了该存证，却不提供其内容
cli-deposited-unwitnessed = 已存证，序号 { $index }，但尚未进入见证检查点（大小 { $size }）
cli-deposit-at = 序号 { $index } 的存证
cli-entry-other-head = 失败：日志第 { $index } 号条目属于另一个链头
cli-entry-other-file = 失败：日志第 { $index } 号条目未同时以 SHA-256 和 SM3 列出此文件
cli-lookup-file = 文件 { $path }（SHA-256 { $sha256 }，SM3 { $sm3 }）
cli-proven-file-step = 由取证 { $package } 的第 { $seq } 步记录；该存证为链头 { $head }
cli-proven = 已存证并已证明：{ $digest }
cli-proven-where = 序号 { $index }，共 { $size }，证据包 { $package }，操作员 { $operator }
cli-proven-claimed = 声称时间 { $time }（客户端时钟）
cli-cosigned-by = 由 { $name } 于 { $time } 联署
cli-failed = 失败：{ $error }
cli-witness-banner = 见证方 { $name }，地址 { $url }
cli-log-banner = 存证日志 { $name }，地址 { $url }
cli-log-store-kind = --store（或 config.toml 的 [log] store）须为 PostgreSQL 地址：postgres://用户@主机:端口/数据库
cli-log-store-open = 无法打开存证日志的 PostgreSQL 数据库
cli-verifier-key = 验证密钥：{ $key }
cli-log-verify-page = 验证页面（在浏览器中打开；见 docs/verify-page.md）：{ $url }（来自 { $path }）
cli-log-no-verify-page = /verify 没有验证页面：请用 scripts/build-verify-page.sh 构建，或指定 --verify-page FILE
cli-log-trust-bundle = 联盟信任包（docs/trust-bundle.md）：{ $url }
cli-not-verify-page = { $path } 不是 webproof 的验证页面（其中没有禁止一切连接的内容安全策略）
cli-capture-linux-only = 取证目前需要 Linux（webproof 自己的 Xvfb 显示、Chromium 和 FFmpeg）；此 webproof 可封存、验证、生成报告、核验时间戳和查询存证
cli-pdf-linux-only = 将报告打印为 PDF 目前需要 Linux（webproof 自己的 Chromium）；HTML 报告已写出，任何浏览器都可打印
cli-log-controlled = 只接受已登记操作员的存证（登记机构已启用）
cli-log-open = 接受任何人的存证
cli-answer-not-json = 日志的答复不是 JSON
cli-registrar-added = 已添加登记员 { $name }：密钥 { $key }（记为第 { $entry } 号条目）
cli-salt-hex = --id-salt 应为十六进制
cli-no-code = 答复中没有登记码
cli-ra-code = { $name }（{ $tenant }）的登记码：{ $code }
cli-ra-code-valid = 有效期至 { $time }（Unix 时间 { $unix }）；仅可使用一次。请当面交给 { $name }。
cli-revoked = 已于 Unix 时间 { $unix } 吊销 { $fingerprint }（记为第 { $entry } 号条目）
cli-no-ra = 该日志没有登记机构
cli-enrolled = 已在 { $url } 登记 { $fingerprint }：认证为 { $name }（{ $organisation }），租户 { $tenant }
cli-enrolled-notary = 已在 { $url } 登记 { $fingerprint }：认证为公证员 { $name }（{ $organisation }），租户 { $tenant }
cli-enrolled-other-role = 日志为此密钥认证的角色不是{ $role }；请向登记员申请相应角色的登记码
cli-enrolled-certificate = 证书：{ $path }（封存的证据包会附带）
cli-no-certificate = 答复中没有证书
cli-no-ca-certificate = 答复中没有 CA 证书
cli-certificate-exists = { $path } 已存在；如需重新登记，请先将其移开

## 回执更新与续期。
cli-refresh-fails = { $path } 验证不通过（{ $first }）；不能更新回执
cli-no-receipts = { $path } 没有可更新的存证日志回执
cli-url-no-checkpoint = { $url } 尚未发布检查点
cli-checkpoint-not-of = { $url } 提供的检查点不属于 { $log }，或验证不通过
cli-nothing-to-refresh = 日志最新的见证检查点（{ $size }）不比证据包中的（{ $held }）新：无需更新
cli-checkpoint-older = 日志最新的检查点（{ $size }）比某个回执的（{ $old }）还旧
cli-no-consistency = { $url } 没有从 { $old } 到 { $size } 的一致性证明
cli-consistency-malformed = 一致性证明格式有误
cli-split-view = 日志最新的检查点不能延续回执中的检查点（分叉视图？）
cli-refresh-added = 已添加第 { $n } 次回执更新：{ $log } 的检查点 { $size }（由 { $witnesses } 联署），与回执中的检查点 { $earlier } 一致；更新后的证据包：{ $path }
cli-renew-no-tsa = 续期需要时间戳机构：请指定 --tsa 网址
cli-renew-fails = { $path } 验证不通过（{ $first }）；不能续期
cli-no-capture = 证据包未写明所属取证
cli-renewal-stamped = 第 { $n } 次续期由 { $url } 于 { $time } 盖戳
cli-renew-none = 没有时间戳机构应答；未续期
cli-renewal-added = 已添加第 { $n } 次续期（以 { $alg } 覆盖 { $count } 个文件）；续期后的证据包：{ $path }

## 手动时间戳、开发用时间戳机构。
cli-digest-not-hex = --digest 不是十六进制
cli-data-or-digest = 请给出 --data 文件 或 --digest 十六进制摘要
cli-digest-length = { $alg } 摘要应为 { $expected } 字节；此摘要为 { $found } 字节
cli-ts-stamped = { $tsa } 于 { $time } 为 { $alg } { $digest } 盖戳（写入 { $path }）
cli-not-token = { $path } 既不是时间戳响应，也不是时间戳令牌
cli-ts-trusted = 受信任
cli-ts-untrusted = 有效，但不受信任
cli-ts-invalid = 无效
cli-tsa-banner = 开发用时间戳机构（不是可信时间来源），地址 { $url }
cli-tsa-root = 其根证书：{ $path }
cli-tsa-trust = 只有加上 --trust-tsa { $path }，其令牌才验证为受信任

## webproof dev up。
cli-dev-own-config = { $path } 是您自己的配置；`dev up` 会替换它。请换一个 WEBPROOF_HOME，或使用 --force
cli-dev-title = webproof dev up：本地开发用联盟（按 Ctrl-C 停止）
cli-dev-tsa = 开发用时间戳机构 { $n }：{ $url }
cli-dev-witness = 见证方 { $name }：{ $url }
cli-dev-log = 存证日志 { $name }：{ $url }（检查点由全部 { $quorum } 个见证方联署；只接受已登记操作员的存证）
cli-dev-log-key = 日志验证密钥：{ $key }
cli-dev-bundle = 联盟信任包（docs/trust-bundle.md；也可从日志 GET /trust-bundle.json 获取）：{ $path }
cli-dev-witness-key = 见证方验证密钥：{ $key }
cli-dev-config = 配置已写入 { $path }
cli-dev-stopped = 已停止；{ $path } 保存着各密钥，证据包仍可离线验证
cli-dev-no-identity = 此 WEBPROOF_HOME 中还没有操作员身份：请运行 `webproof operator init`，再重启 `dev up` 完成登记
cli-dev-enrolled-already = 操作员 { $name }（{ $fingerprint }）已登记
cli-dev-code = { $name } 的登记码：{ $code }（请运行 `webproof operator enroll --code { $code }`）
cli-dev-enrolled = 操作员 { $name }（{ $fingerprint }）已登记：由开发用操作员 CA 认证，租户 dev

## 网络错误（时间戳机构或存证日志的）。
err-net-transport = { $url }：{ $detail }
err-net-status = { $url }：HTTP { $status }
err-net-refused = { $url }：被拒绝（HTTP { $status }）：{ $detail }
err-net-url = { $url }
err-net-mismatch = { $url }：令牌与本次请求不对应：{ $reason }

## 取证的外围部件：浏览器、取证方案、录屏（它们自己的原话保持不变）。
err-browser = 浏览器出错（{ $action }）：{ $detail }
err-profile = 取证方案 { $name }：{ $reason }
err-profile-toml = 取证方案 { $name }：不是有效的取证方案 TOML：{ $detail }
err-ffmpeg = FFmpeg 出错（{ $context }）：{ $detail }
err-ffmpeg-missing = FFmpeg 缺少 { $what }（请安装 Debian 的 libavdevice/libavcodec 及 libx264）
err-recorder-thread = 录屏线程意外停止

## 帮助的标题与内置选项（各命令自己的说明在 help.ftl 中）。
help-usage = 用法：
help-arguments = 参数：
help-options = 选项：
help-commands = 命令：
help-help = 显示帮助
help-version = 显示版本

## 用法错误（英文时由 clap 自己说明；以下用于其他语言）。
clap-unknown-argument = 未知的参数 { $arg }
clap-unknown-command = 未知的命令 { $name }
clap-invalid-value = { $arg } 的值 { $value } 无效
clap-missing-argument = 缺少必需的参数：{ $arg }
clap-missing-command = 需要给出一个命令
clap-conflict = 参数 { $arg } 不能与 { $other } 同用
clap-value-count = { $arg } 的取值个数不对
clap-suggest = 提示：有相近的：{ $suggestion }
clap-more = 更多信息请使用 '--help'。
help-help-command = 显示此帮助或所给命令的帮助
cli-no-log-origin = { $url } 处的存证日志没有给出其来源名称（GET /ra/origin）；请在 config.toml 的 [log] key 中设置其验证公钥
cli-review-stamped = 第 { $n } 次审查由 { $url } 于 { $time } 盖戳
cli-review-seen = { $path }：在您的信任设置下为 { $verdict }；其步骤：
cli-review-step-unreadable = （无法读取的步骤：{ $error }）
cli-review-added = 已添加第 { $n } 次审查（证据包在您的信任设置下为 { $verdict }；签名上有 { $count } 个时间戳）：{ $path }
cli-review-fails = { $path } 验证不通过（{ $first }）；公证员不会签署
cli-review-not-notary = 审查会签须由公证员进行，而此主目录的身份是{ $role }：请在公证员的 WEBPROOF_HOME 中运行（`webproof operator init --role notary`）
cli-review-own-package = 您的密钥就是此证据包操作员的：审查须由他人进行
cli-review-written-fails = 会签后的证据包验证不通过（{ $first }）；未保留
cli-review-no-tsa = 审查需要时间戳机构为您的签名盖戳：请指定 --tsa 网址
cli-review-none-stamped = 没有时间戳机构应答；未会签
ctx-signing-review = 签署审查声明
cli-supervise-code = 供公证员使用的加入码（请通过其他渠道告知；在公证员的电脑上运行 `webproof supervise 加入码`）：{ $code }
cli-supervise-step = 日志中有一步无法读取
cli-supervise-nobody = { $seconds } 秒内没有公证员加入；已采集的内容保留在采集目录中（`webproof captures resume`）
cli-supervise-joined = 公证员 { $name }（{ $fingerprint }）已加入；每一步都会展示给其
cli-supervise-no-answer = 公证员在 { $seconds } 秒内没有应答；已采集的内容保留在采集目录中（`webproof captures resume`）
cli-supervise-refused = 公证员拒绝：{ $reason }（已记录；证据包将在没有公证员签名的情况下封存）
cli-supervise-stated = 公证员已就第 { $seq } 步之后的链头签署“{ $event }”（已记录）
cli-supervise-bad-code = 不是加入码（地址/码）
cli-supervise-session = 正在监督采集 { $capture }
cli-supervise-seen = 第 { $seq } 步：{ $kind } { $url }（链头 { $head }）
cli-supervise-seen-late = 第 { $seq } 步（在您离开期间记录）：{ $kind } { $url }（链头 { $head }）
cli-supervise-ask = 是否就第 { $seq } 步之后的链头（{ $head }）签署“{ $event }”？输入 yes，或输入拒绝的理由：
cli-supervise-checkpoint = 已会签检查点：第 { $seq } 步之后的链头（{ $head }），与所见一致
cli-supervise-no-consent = 公证员未同意
cli-supervise-ended = 操作员结束了会话
cli-supervise-lost = 与操作员的 webproof 的连接已断开
cli-supervise-rejoin = 连接断开（{ $error }）；正在重新加入
cli-supervise-picture = 画面：{ $path }
cli-supervise-picture-bad = 该步骤的画面不是 base64
cli-batch-no-urls = { $path } 中没有 http:// 或 https:// 网址
cli-batch-exe = 查找用于执行每次取证的 webproof 程序
cli-batch-worker = 无法等待批量中的一次取证结束
cli-batch-spawn = 无法启动取证：{ $error }
cli-batch-no-package = 取证已结束（{ $status }），但没有生成证据包
cli-batch-sealed = #{ $n } { $url }：已封存，{ $package }
cli-batch-failed = #{ $n } { $url }：失败：{ $reason }
cli-batch-queue = 批量：共 { $total } 个网址，其中 { $done } 个已在之前的运行中结束
cli-batch-started = #{ $n } { $url }：正在取证
cli-batch-skipped = #{ $n } { $url }：已跳过：{ $reason }
cli-batch-skipped-total = 因批量磁盘配额跳过 { $count } 个网址：以更大的 --max-total-mb 再次运行批量即可取证这些网址
cli-batch-pending = { $count } 个网址尚未取证（批量已停止）：再次运行即可继续
cli-batch-summary = 批量：共 { $total } 个网址——{ $sealed } 个已封存，{ $interrupted } 个在中断后封存，{ $failed } 个失败；本次运行取证 { $ran } 个（每分钟 { $per_minute } 个）；汇总：{ $path }
cli-batch-capture-args = -- 之后的取证参数
cli-batch-relay = 在 127.0.0.1 上启动批量的存证中继
cli-batch-relay-url = { $var } 必须指向本机上的中继（http://127.0.0.1:端口），而不是 { $url }
cli-batch-deposits = 存证日志：{ $deposits } 个链头经 { $requests } 次 /add-batch 请求存证
cli-catalogue-empty = 没有可列出的证据包（所给目录中没有 .wacz 文件）
cli-catalogue-format = 无法将证据目录写为“.{ $ext }”：文件名请以 .csv、.xlsx、.html 或 .pdf 结尾
cli-catalogue-written = 已将 { $count } 个证据包的证据目录写入 { $path }（{ $failed } 个验证失败）
