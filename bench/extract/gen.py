#!/usr/bin/env python3
"""Deterministic inputs for the extraction benchmark (bench/extract/run.sh).

    gen.py corpus --size-mb N [--seed S] OUT   N * 10^6 bytes of forum posts,
                                               pastes, combo lists, stealer
                                               logs, threat reports, Unicode
    gen.py watch --terms N [--seed S] OUT      a drpwatch.yaml watchlist
    gen.py adversarial KIND [--seed S] OUT     KIND: base64 (1 MB, lines of
                                               76), dots (1 MB of '.'), at
                                               (1 MB of '@'), longline (one
                                               10 MB line, no newline)
    gen.py stats FILE [--sample-mb N]          token mix of a corpus (checks
                                               the ~3 % IoC-like share)

The same arguments always give the same bytes (random.Random(seed), no
clock, no environment, no hash-order dependence). Speed comes from building
pools of tokens and lines once and recombining them: 100 MB takes seconds.
Only the Python 3 standard library is used.
"""

import argparse
import base64
import os
import random
import re
import sys

MB = 1000 * 1000

# Watch terms that the corpus really mentions, so that a scan with the
# generated watchlist has brand (watch-term) findings. Kind -> values.
PRESENT_TERMS = [
    ("brand", "Northwind Bank"),
    ("brand", "Contoso"),
    ("brand", "Fabrikam"),
    ("brand", "Woodgrove Bank"),
    ("brand", "Tailspin Toys"),
    ("brand", "Litware"),
    ("product", "NorthPay"),
    ("product", "Contoso Vault"),
    ("product", "Fabrikam Cloud"),
    ("product", "Woodgrove Online"),
    ("executive", "Jane Holloway"),
    ("executive", "Marcus Whitfield"),
    ("executive", "Olga Petrova"),
    ("domain", "northwindbank.com"),
    ("domain", "contoso.com"),
    ("domain", "woodgrovebank.com"),
    ("domain", "fabrikam.net"),
    ("email_domain", "northwindbank.com"),
    ("email_domain", "contoso.com"),
    ("email_domain", "woodgrovebank.com"),
]
BRAND_MENTIONS = [v for k, v in PRESENT_TERMS
                  if k in ("brand", "product", "executive")]
WATCHED_DOMAINS = [v for k, v in PRESENT_TERMS if k == "domain"]
WATCHED_MAIL = [v for k, v in PRESENT_TERMS if k == "email_domain"]

# --------------------------------------------------------------------------
# Word lists (fixed data; the random choices over them are seeded).

ENGLISH = """
the of and to a in is it you that he was for on are with as I his they be
at one have this from or had by not word but what some we can out other were
all there when up use your how said an each she which do their time if will
way about many then them write would like so these her long make thing see
him two has look more day could go come did number sound no most people my
over know water than call first who may down side been now find any new work
part take get place made live where after back little only round man year
came show every good me give our under name very through just form sentence
great think say help low line differ turn cause much mean before move right
boy old too same tell does set three want air well also play small end put
home read hand port large spell add even land here must big high such follow
act why ask men change went light kind off need house picture try us again
animal point mother world near build self earth father head stand own page
should country found answer school grow study still learn plant cover food
sun four between state keep eye never last let thought city tree cross farm
hard start might story saw far sea draw left late run don't while press close
night real life few north open seem together next white children begin got
walk example ease paper group always music those both mark often letter until
mile river car feet care second book carry took science eat room friend began
idea fish mountain stop once base hear horse cut sure watch color face wood
main enough plain girl usual young ready above ever red list though feel talk
bird soon body dog family direct pose leave song measure door product black
short numeral class wind question happen complete ship area half rock order
fire south problem piece told knew pass since top whole king space heard best
hour better true during hundred five remember step early hold west ground
interest reach fast verb sing listen six table travel less morning ten simple
several vowel toward war lay against pattern slow center love person money
serve appear road map rain rule govern pull cold notice voice unit power town
fine certain fly fall lead cry dark machine note wait plan figure star box
noun field rest correct able pound done beauty drive stood contain front teach
week final gave green oh quick develop ocean warm free minute strong special
mind behind clear tail produce fact street inch multiply nothing course stay
wheel full force blue object decide surface deep moon island foot system busy
test record boat common gold possible plane stead dry wonder laugh thousand
ago ran check game shape equate hot miss brought heat snow tire bring yes
""".split()

SLANG = """
selling fresh logs dump vouch escrow btc xmr fullz combo hq private valid
checked cracked leak db access rdp vpn panel shell admin bypass 2fa otp
cashout drop method tutorial bro thx pm dm tg jabber xmpp legit scam
ripper exit price cheap bulk sample proof screenshot mirror link upload
mega anonfiles gofile password creds cookies session token api keys
stealer redline raccoon vidar lumma stealc infostealer loader crypter fud
botnet c2 phishing kit spam smtp leads autoshop bins cvv dumps pin track2
refund carding sauce bank drops mule wire swift ach zelle paypal cashapp
victim ransomware affiliate builder negotiation decryptor onion tor i2p
admin_panel dbdump sqli xss rce lfi ssrf webshell exploit poc 0day patch
""".split()

CYRILLIC = """
привет продам свежие логи база доступ пароль аккаунт банк карта оплата
гарант отзывы цена скидка работаем только через личку новый слив дамп
куплю проверено валид сервер панель шелл заливы обнал дропы схема
мануал братва спасибо ребята вопрос ответ тема форум модератор правила
пользователь почта телефон адрес город москва питер киев минск данные
утечка клиенты сотрудники выгрузка файл архив ссылка зеркало
""".split()

CJK = """
出售 数据库 最新 账号 密码 银行 免费 下载 联系 客服 价格 便宜 测试 有效
泄露 黑客 工具 教程 社工库 数据 用户 邮箱 手机号 身份证 信用卡 支付 钓鱼
パスワード アカウント 流出 販売 ログイン 無料 情報 会員 顧客 漏洩
비밀번호 계정 유출 판매 로그인 고객 정보 무료 은행 카드
""".split()

ACCENTED = """
café señor contraseña niño mañana données sécurité fuite compte accès
Passwort Zugangsdaten verkaufe Größe Straße über für bezahlt Kündigung
São Paulo coração informação ação senha vazamento usuário
žluťoučký kůň Łódź zażółć gęślą jaźń İstanbul şifre hesap güvenlik
déjà vu naïve façade crème brûlée résumé jalapeño smörgåsbord Ærø Ølstykke
""".split()

EMOJI = ("😀 🔥 💯 👍 🚀 💰 🔐 🏦 ✅ ❌ ⚠️ 👉 🤝 😂 🙏 💳 📦 🧨 🕵️ 💀 👨‍💻 "
         "🏴‍☠️ 🇷🇺 🇺🇸 ❤️ ⭐ 🎉 🤑 😎").split()

FIRST = """
john jane mike anna peter maria david laura james linda robert susan michael
karen william lisa richard nancy joseph betty thomas sandra charles ashley
daniel emily matthew donna anthony michelle mark carol steven amanda paul
melissa andrew deborah joshua stephanie kevin rebecca brian sharon george
kathleen timothy amy ronald shirley jason angela edward helen jeffrey anna
dmitry olga sergey irina alexei natalia wei li chen jun yuki hiro kenji
sofia lucas mateo camila jose ana pedro lucia hans greta jan piotr
""".split()
LAST = """
smith johnson williams brown jones garcia miller davis rodriguez martinez
hernandez lopez gonzalez wilson anderson thomas taylor moore jackson martin
lee perez thompson white harris sanchez clark ramirez lewis robinson walker
young allen king wright scott torres nguyen hill flores green adams nelson
baker hall rivera campbell mitchell carter roberts ivanov petrov smirnov
kuznetsov popov wang zhang liu tanaka suzuki sato muller schmidt schneider
fischer weber kowalski nowak silva santos oliveira
""".split()

FREEMAIL = """
gmail.com yahoo.com hotmail.com outlook.com mail.ru yandex.ru protonmail.com
aol.com gmx.de web.de icloud.com qq.com 163.com rambler.ru live.com
""".split()

SYLLABLES = """
ka ro mi zen tra vo lux nor bel cor dex fin gal hel ix jor kel lum mar nex
oz pra qu ril sol tek ul vex wen xan yor zu ar bo ci da el fo gu ha in jo
""".split()
TLDS = ("com com com net org ru info xyz top io biz cc su cn de co.uk online "
        "site club live").split()
SUBDOMAINS = "login secure cdn mail api update portal my auth static".split()
URL_PATHS = ("gate.php panel/login.php wp-admin/admin-ajax.php api/v1/upload "
             "download/setup.exe files/invoice.pdf.exe index.html c2/beacon "
             "update/check verify/account signin secure/login.aspx "
             "images/logo.png dl/payload.bin s/a8f3k2").split()
MALWARE = ("QakBot Emotet IcedID Cobalt-Strike AsyncRAT RedLine LummaC2 "
           "Raccoon SmokeLoader Remcos njRAT Vidar StealC DarkGate Pikabot "
           "Sliver BumbleBee GootLoader").split()
ACTORS = ("APT28 APT29 FIN7 Lazarus TA505 Scattered-Spider Wizard-Spider "
          "UNC3944 Sandworm Kimsuky TA577 Storm-0558").split()
SOFT = ("Google_[Chrome]_Default Microsoft_[Edge]_Profile-1 Mozilla_Firefox "
        "Opera_GX Brave_[Browser]_Default FileZilla Outlook Telegram").split()
COUNTRIES = "US DE RU UA BR IN FR GB NL PL TR VN ID CN JP".split()
PASSWORD_WORDS = ("password qwerty dragon monkey sunshine princess football "
                  "welcome shadow master letmein hunter summer winter spring "
                  "iloveyou trustno1 baseball superman batman admin").split()
FILE_NAMES = ("setup.exe config.php README.md main.py build.sh notes.txt "
              "report_final.docx photo.jpg archive.zip index.html style.css "
              "app.js Makefile.am data.csv invoice_0423.pdf payload.dll "
              "backup.tar.gz id_rsa.pub .env package.json").split()
CODE_LINES = [
    "for (int i = 0; i < n; i++) {",
    "    if (err != NULL) return -1;",
    "}",
    "if err != nil { return err }",
    "const url = `${base}/api/v1/users?id=${id}`;",
    "x = hashlib.sha256(data).hexdigest()",
    'printf("%s:%d\\n", host, port);',
    "SELECT id, email, pass FROM users WHERE id = 42;",
    "def handler(event, context):",
    "    return {'statusCode': 200, 'body': json.dumps(out)}",
    "#include <stdio.h>",
    "std::vector<std::string> parts = split(line, ':');",
    "curl -sSL -o /tmp/x.sh \"$URL\" && sh /tmp/x.sh",
    "ssh -p 2222 root@$HOST 'uname -a'",
    "var re = /^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$/i;",
    "export PATH=/usr/local/bin:$PATH",
    "timeout = 30",
    "retries: 5",
    "version: 2.4.1",
    "ratio = a / (b + 1e-9)",
    '{"id": 1873, "status": "ok", "items": [1, 2, 3]}',
    "Traceback (most recent call last):",
    '  File "main.py", line 42, in <module>',
    "git clone --depth 1 repo && cd repo && make -j8",
]


class Pools:
    """Every token the corpus is made of, drawn once from the seed."""

    def __init__(self, rng):
        self.rng = rng
        r = rng
        self.domains = [self._domain() for _ in range(3000)]
        self.domains += WATCHED_DOMAINS * 5
        # Homoglyph, IDN and punycode lookalikes of watched domains.
        self.domains += ["nοrthwindbank.com", "сontoso.com", "woodgrοvebank.com",
                         "xn--northwndbank-4kb.com", "пример.рф", "例子.中国",
                         "northwind-bank.net", "contoso-login.com",
                         "secure-northwindbank.com.verify-id.top"]
        self.ipv4 = ["%d.%d.%d.%d" % (r.choice((5, 23, 31, 45, 62, 77, 91,
                                                 103, 109, 141, 146, 176, 178,
                                                 185, 193, 194, 212, 217)),
                                       r.randrange(256), r.randrange(256),
                                       r.randrange(1, 255))
                     for _ in range(3000)]
        self.ipv6 = [self._ipv6() for _ in range(600)]
        self.md5 = ["%032x" % r.getrandbits(128) for _ in range(1500)]
        self.sha1 = ["%040x" % r.getrandbits(160) for _ in range(1000)]
        self.sha256 = ["%064x" % r.getrandbits(256) for _ in range(1500)]
        self.sha512 = ["%0128x" % r.getrandbits(512) for _ in range(200)]
        for lst in (self.md5, self.sha256):
            for i in range(0, len(lst), 7):
                lst[i] = lst[i].upper()
        self.cves = ["CVE-%d-%d" % (r.randrange(2014, 2025),
                                    r.choice((r.randrange(1000, 9999),
                                              r.randrange(10000, 52000))))
                     for _ in range(800)]
        self.emails = [self._email() for _ in range(6000)]
        self.passwords = [self._password() for _ in range(5000)]
        self.urls = [self._url() for _ in range(3000)]
        self.usernames = [self._handle() for _ in range(2000)]
        # Noise that looks a little like indicators but is not.
        self.versions = (["%d.%d.%d" % (r.randrange(12), r.randrange(30),
                                        r.randrange(100)) for _ in range(300)]
                         + ["v%d.%d" % (r.randrange(12), r.randrange(30))
                            for _ in range(100)]
                         + ["%d.%d.%d.%d" % (r.randrange(1, 11), r.randrange(30),
                                             r.randrange(10), r.randrange(4000))
                            for _ in range(100)])
        self.dates = ["%04d-%02d-%02d" % (r.randrange(2015, 2025),
                                          r.randrange(1, 13), r.randrange(1, 29))
                      for _ in range(400)]
        self.dates += ["%02d.%02d.%04d" % (r.randrange(1, 29), r.randrange(1, 13),
                                           r.randrange(2015, 2025))
                       for _ in range(200)]
        self.times = ["%02d:%02d:%02d" % (r.randrange(24), r.randrange(60),
                                          r.randrange(60)) for _ in range(300)]
        self.numbers = [str(r.randrange(100000)) for _ in range(300)]
        self.numbers += ["$%d.%02d" % (r.randrange(2000), r.randrange(100))
                         for _ in range(100)]
        self.numbers += ["%d%%" % r.randrange(101) for _ in range(50)]
        self.noise = (self.versions + self.dates + self.times + self.numbers
                      + FILE_NAMES * 10 + ["@" + h for h in self.usernames[:200]])
        self.prose = ENGLISH * 4 + SLANG
        self.combo_lines = [self._combo() for _ in range(8000)]
        self._build_iocs()

    # ---- single tokens
    def _label(self):
        return "".join(self.rng.choices(SYLLABLES, k=self.rng.randrange(2, 5)))

    def _domain(self):
        r = self.rng
        d = self._label()
        if r.random() < 0.25:
            d += "-" + self._label()
        d += "." + r.choice(TLDS)
        if r.random() < 0.2:
            d = r.choice(SUBDOMAINS) + "." + d
        return d

    def _ipv6(self):
        r = self.rng
        groups = ["%x" % r.randrange(65536) for _ in range(8)]
        groups[0] = r.choice(("2001", "2a03", "2a01", "2604", "2400", "fe80"))
        if r.random() < 0.6:
            i = r.randrange(1, 6)
            j = r.randrange(i + 1, 8)
            return ":".join(groups[:i]) + "::" + ":".join(groups[j:])
        return ":".join(groups)

    def _handle(self):
        r = self.rng
        f = r.choice(FIRST)
        return r.choice((f + str(r.randrange(100)), f + "_" + r.choice(SLANG),
                         "x" + self._label() + "x", f[0] + r.choice(LAST),
                         r.choice(SLANG) + str(r.randrange(1000))))

    def _email(self):
        r = self.rng
        f, l = r.choice(FIRST), r.choice(LAST)
        local = r.choice((f + "." + l, f + l[0], f[0] + l, f + str(r.randrange(100)),
                          f + "_" + l + str(r.randrange(1960, 2010)),
                          self._handle()))
        x = r.random()
        if x < 0.65:
            dom = r.choice(FREEMAIL)
        elif x < 0.8:
            dom = r.choice(WATCHED_MAIL)
        else:
            dom = r.choice(self.domains[:3000])
        if r.random() < 0.05:
            local = local.capitalize()
        return local + "@" + dom

    def _password(self):
        r = self.rng
        w = r.choice(PASSWORD_WORDS)
        x = r.random()
        if x < 0.3:
            return w + str(r.randrange(10000))
        if x < 0.5:
            return w.capitalize() + str(r.randrange(1970, 2025)) + r.choice("!@#$.*")
        if x < 0.8:
            return "".join(r.choices("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
                                     "23456789", k=r.randrange(8, 15)))
        if x < 0.9:
            return r.choice(("123456", "123456789", "qwerty123", "P@ssw0rd",
                             "1q2w3e4r", "Passw0rd!", "abc123", "111111"))
        return "".join(r.choices("abcdefghijkmnpqrstuvwxyz0123456789!#$%&*+-=?",
                                 k=r.randrange(10, 20)))

    def _url(self):
        r = self.rng
        scheme = r.choice(("http", "https", "https"))
        x = r.random()
        if x < 0.1:
            host = r.choice(self.ipv4) + (":" + str(r.choice((8080, 443, 8443, 81)))
                                           if r.random() < 0.5 else "")
        elif x < 0.13:
            host = "[" + r.choice(self.ipv6) + "]:" + str(r.choice((443, 8443)))
        elif x < 0.2:
            host = "".join(r.choices("abcdefghijklmnopqrstuvwxyz234567", k=56)) + ".onion"
        else:
            host = r.choice(self.domains)
        url = scheme + "://" + host + "/" + r.choice(URL_PATHS)
        if r.random() < 0.3:
            url += "?id=%d&ref=%s" % (r.randrange(10000), self._label())
        return url

    def _combo(self):
        r = self.rng
        sep = r.choice(":::;|")
        x = r.random()
        if x < 0.85:
            return r.choice(self.emails) + sep + r.choice(self.passwords)
        if x < 0.93:  # URL:login:pass ("ULP") lines
            return (r.choice(self.urls) + ":" + r.choice(self.emails) + ":"
                    + r.choice(self.passwords))
        return r.choice(self.usernames) + sep + r.choice(self.passwords)

    # ---- defanging
    def defang(self, s):
        r = self.rng
        x = r.random()
        if "://" in s:
            s = s.replace("http", "hxxp", 1) if x < 0.7 else s.replace("://", "[:]//", 1)
        if "@" in s and r.random() < 0.5:
            s = s.replace("@", r.choice(("[@]", "(at)", "[at]")), 1)
        i = s.rfind(".", 0, s.find("/", s.find("//") + 2) if "//" in s else len(s))
        if i > 0:
            s = s[:i] + r.choice(("[.]", "[.]", "(.)", "[dot]")) + s[i + 1:]
        if r.random() < 0.3:
            s = s.replace(".", "[.]")
        return s

    def _build_iocs(self):
        r = self.rng
        base = (self.ipv4 * 3 + self.ipv6 + self.domains + self.urls * 2
                + self.md5 + self.sha1 + self.sha256 + self.sha512 + self.cves
                + self.emails[:2000]
                + [ip + ":" + str(r.choice((80, 443, 4444, 8080, 1337)))
                   for ip in self.ipv4[:500]])
        defanged = [self.defang(r.choice(self.ipv4 + self.domains + self.urls))
                    for _ in range(3000)]
        defanged += [self.defang(e) for e in r.choices(self.emails, k=300)]
        self.iocs = base + defanged
        self.report_iocs = base + defanged * 3


class Corpus:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.p = Pools(self.rng)

    # ---- sentences
    def sentence(self, vocab, lo, hi, ioc_p, extra=None):
        """lo..hi words from vocab; with probability ioc_p one becomes an
        IoC-like token; extra: (probability, pool) for one more insert."""
        r = self.rng
        n = r.randrange(lo, hi)
        w = r.choices(vocab, k=n)
        if r.random() < ioc_p:
            w[r.randrange(n)] = r.choice(self.p.iocs)
        if r.random() < 0.25:
            w[r.randrange(n)] = r.choice(self.p.noise)
        if extra is not None and r.random() < extra[0]:
            w[r.randrange(n)] = r.choice(extra[1])
        s = " ".join(w)
        return s[0].upper() + s[1:] + r.choice("....!?,:")

    def brand_bit(self):
        r = self.rng
        b = r.choice(BRAND_MENTIONS)
        x = r.random()
        if x < 0.1:
            b = b.upper()
        elif x < 0.2:
            b = b.lower()
        elif x < 0.25:
            b = b.replace(" ", "")
        return b

    # ---- sections: each returns a str of lines ending in "\n"
    def forum_post(self):
        r = self.rng
        p = self.p
        lines = []
        title = " ".join(r.choices(SLANG, k=r.randrange(3, 7)))
        if r.random() < 0.3:
            title += " " + self.brand_bit()
        lines.append("[Thread #%d] %s - %s" % (r.randrange(1, 99999),
                                               title.title(), r.choice(p.dates)))
        for _ in range(r.randrange(1, 5)):
            lines.append("Posted by %s on %s %s (reply #%d)" % (
                r.choice(p.usernames), r.choice(p.dates), r.choice(p.times),
                r.randrange(1, 300)))
            for _ in range(r.randrange(1, 5)):
                s = " ".join(self.sentence(p.prose, 4, 18, 0.34,
                                           (0.08, EMOJI))
                             for _ in range(r.randrange(1, 4)))
                if r.random() < 0.04:
                    s += " " + self.brand_bit() + " " + r.choice(SLANG)
                lines.append(s)
            if r.random() < 0.15:
                lines.append("Quote from %s: %s" % (
                    r.choice(p.usernames), self.sentence(p.prose, 5, 12, 0.2)))
            if r.random() < 0.08:
                lines.append("Contact: tg @%s | jabber %s | %s" % (
                    r.choice(p.usernames), r.choice(p.emails), r.choice(EMOJI)))
            lines.append("")
        return "\n".join(lines) + "\n"

    def unicode_post(self):
        r = self.rng
        p = self.p
        lang = r.randrange(3)
        lines = ["Сообщение от %s · %s" % (r.choice(p.usernames), r.choice(p.dates))
                 if lang == 0 else
                 "%s 发表于 %s %s" % (r.choice(p.usernames), r.choice(p.dates),
                                   r.choice(p.times))
                 if lang == 1 else
                 "Publié par %s le %s" % (r.choice(p.usernames), r.choice(p.dates))]
        for _ in range(r.randrange(2, 8)):
            if lang == 1:
                s = "，".join("".join(r.choices(CJK, k=r.randrange(2, 6)))
                             for _ in range(r.randrange(1, 4)))
                s = s + " " + " ".join(r.choices(p.prose, k=r.randrange(2, 7)))
                if r.random() < 0.3:
                    s += " " + r.choice(p.iocs) + " "
                s += "。" + r.choice(EMOJI)
            else:
                vocab = CYRILLIC if lang == 0 else ACCENTED + ENGLISH
                s = self.sentence(vocab, 5, 16, 0.2, (0.2, EMOJI))
            if r.random() < 0.04:
                s += " " + self.brand_bit()
            lines.append(s)
        return "\n".join(lines) + "\n\n"

    def paste(self):
        r = self.rng
        p = self.p
        lines = ["Paste %s | Syntax: %s | Expires: %s | %s %s" % (
            "".join(r.choices("ABCDEFGHIJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789",
                              k=8)),
            r.choice(("text", "python", "bash", "sql", "json")),
            r.choice(("Never", "1 week", "1 day")), r.choice(p.dates),
            r.choice(p.times))]
        for _ in range(r.randrange(10, 60)):
            x = r.random()
            if x < 0.05:
                lines.append(r.choice(p.combo_lines))
            elif x < 0.35:
                lines.append(r.choice(CODE_LINES))
            elif x < 0.55:
                lines.append("%s %s %s [worker-%d] %s" % (
                    r.choice(p.dates), r.choice(p.times),
                    r.choice(("INFO", "WARN", "DEBUG", "ERROR")),
                    r.randrange(16), self.sentence(ENGLISH, 4, 10, 0.2)))
            elif x < 0.58:
                lines.append("INSERT INTO users VALUES (%d, '%s', '%s', '%s');" % (
                    r.randrange(100000), r.choice(p.usernames), r.choice(p.emails),
                    r.choice(p.md5).lower()))
            elif x < 0.65:
                lines.append("%s = %s" % (r.choice(("host", "path", "file", "name",
                                                    "version", "build", "date")),
                                          r.choice(p.noise)))
            else:
                lines.append(self.sentence(p.prose, 3, 14, 0.25))
        return "\n".join(lines) + "\n\n"

    def combo_list(self):
        r = self.rng
        p = self.p
        lines = ["=== %s COMBO %dk %s ===" % (
            r.choice(("FRESH", "PRIVATE", "HQ", "MIXED", "GAMING", "BANK")),
            r.randrange(1, 50), r.choice(p.dates))]
        if r.random() < 0.3:
            lines.append("target: %s  %s" % (self.brand_bit(), r.choice(EMOJI)))
        lines += r.choices(p.combo_lines, k=r.randrange(5, 30))
        lines.append("=== end ===")
        return "\n".join(lines) + "\n\n"

    def stealer_log(self):
        r = self.rng
        p = self.p
        lines = ["======= %s | HWID %s | IP %s | Country: %s | %s =======" % (
            r.choice(("RedLine", "LummaC2", "Vidar", "StealC", "Raccoon")),
            "%016X" % r.getrandbits(64), r.choice(p.ipv4), r.choice(COUNTRIES),
            r.choice(p.dates))]
        for _ in range(r.randrange(2, 6)):
            if r.random() < 0.7:
                lines += ["URL: " + r.choice(p.urls),
                          "Username: " + r.choice(p.emails),
                          "Password: " + r.choice(p.passwords),
                          "Application: " + r.choice(SOFT),
                          "==============="]
            else:
                lines += ["Soft: " + r.choice(SOFT),
                          "Host: " + r.choice(p.urls),
                          "Login: " + r.choice(p.usernames + p.emails),
                          "Pass: " + r.choice(p.passwords),
                          ""]
        return "\n".join(lines) + "\n"

    def threat_report(self):
        r = self.rng
        p = self.p
        io = p.report_iocs
        mal, act = r.choice(MALWARE), r.choice(ACTORS)
        lines = ["Threat report: %s activity attributed to %s (%s)" % (
            mal, act, r.choice(p.dates)), ""]
        for _ in range(r.randrange(2, 6)):
            x = r.random()
            if x < 0.25:
                s = ("The %s loader retrieves its second stage from %s and "
                     "beacons to %s every %d seconds." % (
                         mal, r.choice(io), r.choice(io), r.randrange(30, 900)))
            elif x < 0.4:
                s = ("We observed exploitation of %s against exposed %s "
                     "servers (build %s), followed by a webshell at %s." % (
                         r.choice(p.cves), r.choice(("Exchange", "Confluence",
                                                     "FortiOS", "Ivanti", "MOVEit")),
                         r.choice(p.versions), r.choice(io)))
            elif x < 0.5:
                s = ("Phishing pages impersonating %s were hosted on %s and "
                     "collected credentials for %s." % (
                         self.brand_bit(), r.choice(io), r.choice(io)))
            else:
                s = " ".join(self.sentence(ENGLISH, 8, 20, 0.3)
                             for _ in range(r.randrange(2, 5)))
            lines.append(s)
        lines.append("")
        lines.append("Indicators of compromise:")
        for _ in range(r.randrange(2, 9)):
            kind = r.randrange(6)
            if kind == 0:
                lines.append("SHA256: " + r.choice(p.sha256))
            elif kind == 1:
                lines.append("MD5 " + r.choice(p.md5) + "  " + r.choice(FILE_NAMES))
            elif kind == 2:
                lines.append("| sha1 | %s | %s |" % (r.choice(p.sha1), r.choice(p.dates)))
            elif kind == 3:
                lines.append("C2: %s, %s" % (r.choice(io), r.choice(io)))
            elif kind == 4:
                lines.append("- %s (%s)" % (r.choice(p.ipv6 + p.ipv4),
                                            r.choice(COUNTRIES)))
            else:
                lines.append("- " + p.defang(r.choice(p.urls + p.domains)))
        lines.append("")
        return "\n".join(lines) + "\n"

    def prose(self):
        r = self.rng
        p = self.p
        lines = []
        for _ in range(r.randrange(3, 12)):
            lines.append(" ".join(self.sentence(p.prose, 5, 20, 0.26)
                                  for _ in range(r.randrange(1, 5))))
        if r.random() < 0.3:
            lines += r.choices(CODE_LINES, k=r.randrange(2, 8))
        return "\n".join(lines) + "\n\n"

    # ---- transforms of whole sections
    ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                            '"': "&quot;", "'": "&#39;"})
    ESCAPE_MORE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                                 '"': "&#34;", "'": "&#x27;", "@": "&#64;",
                                 "é": "&eacute;", "ü": "&uuml;", "ñ": "&ntilde;",
                                 "ç": "&#231;", "ö": "&#xF6;", "\u00a0": "&nbsp;"})

    SECTIONS = ("forum_post", "unicode_post", "paste", "combo_list",
                "stealer_log", "threat_report", "prose")
    WEIGHTS = (36, 12, 20, 1.2, 1.6, 5, 24)

    def section(self):
        r = self.rng
        name = r.choices(self.SECTIONS, weights=self.WEIGHTS)[0]
        s = getattr(self, name)()
        x = r.random()
        if x < 0.08:
            s = s.translate(self.ESCAPE)
        elif x < 0.11:
            s = s.translate(self.ESCAPE_MORE)
        if r.random() < 0.15:
            s = s.replace("\n", "\r\n")
        return s

    def write(self, out, size):
        written = 0
        buf = []
        buffered = 0
        while written + buffered < size:
            b = self.section().encode("utf-8")
            buf.append(b)
            buffered += len(b)
            if buffered >= 4 * MB:
                chunk = b"".join(buf)
                if written + len(chunk) >= size:
                    break
                out.write(chunk)
                written += len(chunk)
                buf, buffered = [], 0
        chunk = b"".join(buf)[: size - written]
        # End on a whole line: cut after the last newline and pad with ASCII.
        cut = chunk.rfind(b"\n") + 1
        pad = size - written - cut
        chunk = chunk[:cut]
        if pad > 0:
            chunk += (b"end of corpus " * (pad // 14 + 1))[: pad - 1] + b"\n"
        out.write(chunk)
        return written + len(chunk)

    def longline(self, size):
        """One line, no CR or LF: words and IoC-like tokens."""
        r = self.rng
        p = self.p
        vocab = p.prose + ACCENTED + CYRILLIC + p.noise
        iocs = p.iocs + p.combo_lines
        parts = []
        total = 0
        while total < size:
            k = r.randrange(100, 400)
            w = r.choices(vocab, k=k)
            for _ in range(k // 8):
                w[r.randrange(k)] = r.choice(iocs)
            s = (" ".join(w) + " ").encode("utf-8")
            parts.append(s)
            total += len(s)
        data = b"".join(parts)[:size]
        data = data.decode("utf-8", "ignore").encode("utf-8")
        data += b" " * (size - len(data))
        assert b"\n" not in data and b"\r" not in data and len(data) == size
        return data


# --------------------------------------------------------------------------
# Watchlist

BRAND_A = ("Zen Nor Vel Cor Alt Bri Cal Dar Ev Fal Gryph Hal Ister Jun Kest "
           "Lum Mer Nov Orb Pell Quar Ros Stra Tel Ul Var Wex Xyl Yar Zor "
           "Ark Blu Cel Dyn Eon Fer Gla Hex").split()
BRAND_B = ("ova ex ion ant ara ero ix um is eda ora ite ance ium on ar ent "
           "ia yx ica").split()
BRAND_C = ("Bank Capital Pay Insurance Group Labs Health Energy Logistics "
           "Retail Telecom Airlines Motors Foods Systems Security Credit "
           "Holdings Trust Markets").split()
PRODUCT_C = ("Pay Wallet Vault Cloud Connect Mobile Online Shield Go Plus "
             "Direct Prime Flow Hub Card").split()


def gen_watch(nterms, seed):
    r = random.Random(seed)
    terms = []
    seen = set()

    def add(kind, value):
        if (kind, value) in seen or len(terms) >= nterms:
            return False
        seen.add((kind, value))
        terms.append((kind, value))
        return True

    for k, v in PRESENT_TERMS:
        add(k, v)
    # kind -> share of the generated terms
    plan = [("brand", 0.3), ("product", 0.25), ("executive", 0.2),
            ("domain", 0.15), ("email_domain", 0.1)]
    rest = nterms - len(terms)
    brands = []
    for kind, share in plan:
        want = len(terms) + (int(rest * share) if kind != "email_domain"
                             else nterms - len(terms))
        tries = 0
        while len(terms) < want:
            tries += 1
            if tries > 1000000:
                raise SystemExit("gen.py: cannot make %d unique terms" % nterms)
            stem = r.choice(BRAND_A) + r.choice(BRAND_B)
            if kind == "brand":
                v = stem + ("" if r.random() < 0.3 else " " + r.choice(BRAND_C))
                if add(kind, v):
                    brands.append(v)
            elif kind == "product":
                add(kind, stem + " " + r.choice(PRODUCT_C))
            elif kind == "executive":
                add(kind, r.choice(FIRST).capitalize() + " "
                    + r.choice(("", r.choice("ABCDEFGHJKLMNPRSTW") + ". "))
                    + stem + r.choice(("s", "son", "er", "ini", "ova", "")))
            else:
                name = (stem + r.choice(("", r.choice(BRAND_C)))).lower()
                tld = r.choice(("com", "com", "net", "org", "io", "de", "co.uk",
                                "bank", "fr"))
                add(kind, name + r.choice(("", "-group", "bank", "pay")) + "." + tld)
    r.shuffle(terms)
    return terms


def yaml_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------
# Adversarial inputs

def gen_adversarial(kind, seed):
    if kind == "base64":
        r = random.Random(seed)
        data = base64.encodebytes(r.randbytes(760000))  # lines of 76 + "\n"
        return data[:MB - 1] + b"\n"
    if kind == "dots":
        return b"." * MB
    if kind == "at":
        return b"@" * MB
    if kind == "longline":
        return Corpus(seed).longline(10 * MB)
    raise SystemExit("gen.py: unknown adversarial kind %r "
                     "(expected base64, dots, at, longline)" % kind)


# --------------------------------------------------------------------------
# Stats: an independent, rough classifier of whitespace-separated tokens.

IOC_RES = [
    ("email/combo", re.compile(r"[\w.+-]+(@|\[@\]|\(at\)|\[at\]|&#64;)[\w-]+(\.|\[\.\])")),
    ("url", re.compile(r"(?i)^[\W]*(h..ps?|ftp)(://|\[:\]//)")),
    ("ipv4", re.compile(r"(?<![\d.])\d{1,3}(\.|\[\.\]|\(\.\))\d{1,3}(\.|\[\.\]|\(\.\))"
                        r"\d{1,3}(\.|\[\.\]|\(\.\))\d{1,3}(?![\d.]*\d)")),
    ("ipv6", re.compile(r"(?i)^\[?(?=[0-9a-f:]*(::|[a-f]))([0-9a-f]{0,4}:){2,7}"
                        r"[0-9a-f]{0,4}\]?(:\d+)?[,.;)]*$")),
    ("hash", re.compile(r"(?i)(?<![0-9a-f])([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}"
                        r"|[0-9a-f]{128})(?![0-9a-f])")),
    ("cve", re.compile(r"CVE-\d{4}-\d{4,}")),
    ("domain", re.compile(r"(?i)[\w-]+((\.|\[\.\]|\(\.\)|\[dot\])[\w-]+)*"
                          r"(\.|\[\.\]|\(\.\)|\[dot\])(com|net|org|ru|info|xyz|top|"
                          r"io|biz|cc|su|cn|de|uk|online|site|club|live|onion|рф|"
                          r"中国)\b")),
]


def stats(path, sample_mb):
    with open(path, "rb") as f:
        data = f.read(int(sample_mb * MB))
    text = data.decode("utf-8", "replace")
    toks = text.split()
    counts = {name: 0 for name, _ in IOC_RES}
    ioc = 0
    for t in toks:
        for name, rx in IOC_RES:
            if rx.search(t):
                counts[name] += 1
                ioc += 1
                break
    lines = text.count("\n")
    print("file: %s (first %d bytes)" % (path, len(data)))
    print("lines: %d   CRLF lines: %d   non-ASCII bytes: %.2f %%" % (
        lines, text.count("\r\n"),
        100.0 * sum(1 for b in data if b >= 0x80) / max(1, len(data))))
    print("tokens: %d   IoC-like: %d (%.2f %%)" % (len(toks), ioc,
                                                   100.0 * ioc / max(1, len(toks))))
    for name, n in counts.items():
        print("  %-12s %8d" % (name, n))
    print("HTML entities: %d" % len(re.findall(r"&(#\d+|#x[0-9a-fA-F]+|[a-z]+);", text)))


# --------------------------------------------------------------------------

def write_atomic(path, writer):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    try:
        with open(tmp, "wb") as f:
            writer(f)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def main(argv):
    ap = argparse.ArgumentParser(prog="gen.py", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus", help="forum/paste-like corpus of N MB (10^6)")
    c.add_argument("--size-mb", type=float, required=True)
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("out")
    w = sub.add_parser("watch", help="watchlist YAML")
    w.add_argument("--terms", type=int, default=1000)
    w.add_argument("--seed", type=int, default=1)
    w.add_argument("out")
    a = sub.add_parser("adversarial", help="base64, dots, at or longline")
    a.add_argument("kind", choices=("base64", "dots", "at", "longline"))
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("out")
    s = sub.add_parser("stats", help="token mix of a corpus")
    s.add_argument("file")
    s.add_argument("--sample-mb", type=float, default=10)
    args = ap.parse_args(argv)

    if args.cmd == "corpus":
        size = int(args.size_mb * MB)
        if size <= 0:
            ap.error("--size-mb must be positive")
        corpus = Corpus(args.seed)
        write_atomic(args.out, lambda f: corpus.write(f, size))
    elif args.cmd == "watch":
        if args.terms < len(PRESENT_TERMS):
            ap.error("--terms must be at least %d" % len(PRESENT_TERMS))
        terms = gen_watch(args.terms, args.seed)

        def wr(f):
            f.write(("# bench/extract/gen.py watch --terms %d --seed %d\n"
                     "# %d terms; %d of them (PRESENT_TERMS in gen.py) occur "
                     "in the corpus\nwatchlist:\n"
                     % (args.terms, args.seed, len(terms),
                        len(PRESENT_TERMS))).encode())
            for k, v in terms:
                f.write(("  - kind: %s\n    value: %s\n" % (k, yaml_quote(v)))
                        .encode("utf-8"))
        write_atomic(args.out, wr)
    elif args.cmd == "adversarial":
        data = gen_adversarial(args.kind, args.seed)
        write_atomic(args.out, lambda f: f.write(data))
    else:
        stats(args.file, args.sample_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
