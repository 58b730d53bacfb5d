#!/usr/bin/env python3
"""Deterministic inputs for the extraction benchmark (bench/extract/run.sh).

    gen.py corpus --size-mb N [--seed S] OUT   N * 10^6 bytes of forum posts,
                                               pastes, combo lists, stealer
                                               logs, threat reports, card
                                               dumps, Unicode
    gen.py watch --terms N [--seed S] OUT      a drpwatch.yaml watchlist
    gen.py adversarial KIND [--seed S] OUT     KIND: base64 (1 MB, lines of
                                               76), dots (1 MB of '.'), at
                                               (1 MB of '@'), longline (one
                                               10 MB line, no newline),
                                               labels (1 MB of password
                                               labels, no blank)
    gen.py stats FILE [--sample-mb N]          token mix of a corpus (checks
                                               the ~3 % IoC-like share) and
                                               the cards, secrets, onion
                                               names, wallets and ATT&CK ids
                                               a scan should find

The same arguments always give the same bytes (random.Random(seed), no
clock, no environment, no hash-order dependence). Speed comes from building
pools of tokens and lines once and recombining them: 100 MB takes seconds.
Only the Python 3 standard library is used: card numbers, onion names and
wallet addresses are made with valid checksums here (Luhn, SHA3-256,
double SHA-256, bech32/bech32m, Keccak-256 in pure Python).
"""

import argparse
import base64
import hashlib
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

ATTACK_IDS = ("T1566.001 T1566.002 T1059.001 T1059.003 T1204.002 T1486 T1490 "
              "T1027 T1055 T1003.001 T1547.001 T1105 T1071.001 T1021.001 T1078 "
              "T1190 T1133 T1562.001 T1569.002 T1112 T1053.005 T1036.005 "
              "T1082 T1083 T1018 T1041 T1567.002 T1555.003 T1539 T1113").split()
CARD_BANKS = ("CHASE BANK", "WELLS FARGO BANK", "BANK OF AMERICA", "CITIBANK",
              "BARCLAYS BANK PLC", "HSBC BANK", "CAPITAL ONE", "SANTANDER",
              "SBERBANK", "DEUTSCHE BANK", "NORTHWIND BANK", "WOODGROVE BANK")
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Park Rd", "Elm St", "Cedar Ln",
           "Lake View Blvd", "Hauptstrasse", "Calle Mayor", "Rue de Rivoli")
CITIES = ("New York", "Chicago", "Houston", "Phoenix", "Dallas", "Miami",
          "Seattle", "Denver", "Berlin", "Madrid", "Paris", "London", "Toronto")


# --------------------------------------------------------------------------
# Checksummed identifiers (cards, onion names, wallets): built from their
# specifications with the standard library only, so that the engine's
# validators accept them; a few deliberately broken ones are negatives.

def luhn_ok(digits):
    s = 0
    for i, c in enumerate(reversed(digits)):
        v = ord(c) - 48
        if i % 2:
            v = v * 2 - 9 if v > 4 else v * 2
        s += v
    return s % 10 == 0


def luhn_complete(partial):
    """partial + the digit that makes it pass Luhn."""
    s = 0
    for i, c in enumerate(reversed(partial)):  # doubled: every other from
        v = ord(c) - 48                        # the right, check digit aside
        if i % 2 == 0:
            v = v * 2 - 9 if v > 4 else v * 2
        s += v
    return partial + str(-s % 10)


# Issuer prefixes and lengths as the engine knows them (extract/extract.c,
# iins[]): (low, high, prefix digits, min length, max length).
CARD_IINS = [(4, 4, 1, 13, 13), (4, 4, 1, 16, 16), (4, 4, 1, 19, 19),
             (51, 55, 2, 16, 16), (2221, 2720, 4, 16, 16), (34, 34, 2, 15, 15),
             (37, 37, 2, 15, 15), (6011, 6011, 4, 16, 19), (644, 649, 3, 16, 19),
             (65, 65, 2, 16, 19), (3528, 3589, 4, 16, 19), (300, 305, 3, 14, 19),
             (36, 36, 2, 14, 19), (38, 38, 2, 14, 19), (62, 62, 2, 16, 19)]


def is_card(digits):
    """What the engine reports as a card: a known issuer and length, Luhn."""
    n = len(digits)
    return 13 <= n <= 19 and luhn_ok(digits) and any(
        lo <= int(digits[:k]) <= hi and mn <= n <= mx
        for lo, hi, k, mn, mx in CARD_IINS)


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(b, width=None):
    """Bitcoin's base58 (leading zero bytes as '1'); width: Monero's fixed
    width per block instead."""
    n = int.from_bytes(b, "big")
    s = ""
    while n:
        n, m = divmod(n, 58)
        s = B58[m] + s
    if width is not None:
        return "1" * (width - len(s)) + s
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + s


def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_polymod(values):
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            if top >> i & 1:
                chk ^= gen[i]
    return chk


def bech32_const(version):
    return 1 if version == 0 else 0x2BC830A3  # BIP-173, BIP-350 (bech32m)


HRP_BC = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]


def segwit_address(version, program):
    """bc1 + witness version + program in 5-bit groups + 6 checksum chars."""
    acc, bits, data = 0, 0, [version]
    for b in program:
        acc, bits = acc << 8 | b, bits + 8
        while bits >= 5:
            bits -= 5
            data.append(acc >> bits & 31)
    if bits:
        data.append(acc << (5 - bits) & 31)
    pm = bech32_polymod(HRP_BC + data + [0] * 6) ^ bech32_const(version)
    data += [pm >> 5 * (5 - i) & 31 for i in range(6)]
    return "bc1" + "".join(BECH32[d] for d in data)


def onion_v3(pubkey):
    chk = hashlib.sha3_256(b".onion checksum" + pubkey + b"\x03").digest()[:2]
    return base64.b32encode(pubkey + chk + b"\x03").decode().lower()


# Keccak-256 with the original padding (0x01), as Ethereum and Monero use
# it; hashlib's sha3_256 pads with 0x06 and gives other digests.
KECCAK_RC = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A,
    0x8000000080008000, 0x000000000000808B, 0x0000000080000001,
    0x8000000080008081, 0x8000000000008009, 0x000000000000008A,
    0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
    0x8000000000008003, 0x8000000000008002, 0x8000000000000080,
    0x000000000000800A, 0x800000008000000A, 0x8000000080008081,
    0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
KECCAK_ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39,
              41, 45, 15, 21, 8, 18, 2, 61, 56, 14]  # lane x + 5 y
M64 = (1 << 64) - 1


def keccak_f(a):
    for rc in KECCAK_RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[x - 1] ^ ((c[(x + 1) % 5] << 1 | c[(x + 1) % 5] >> 63) & M64)
             for x in range(5)]
        b = [0] * 25
        for i in range(25):  # theta, rho, pi
            x, y, r, v = i % 5, i // 5, KECCAK_ROT[i], a[i] ^ d[i % 5]
            b[y + 5 * ((2 * x + 3 * y) % 5)] = (v << r | v >> (64 - r)) & M64
        a = [b[i] ^ (~b[i - i % 5 + (i + 1) % 5] & b[i - i % 5 + (i + 2) % 5])
             for i in range(25)]  # chi
        a[0] ^= rc  # iota
    return a


def keccak256(data):
    rate = 136
    buf = bytearray(data) + b"\x01" + bytes(-(len(data) + 1) % rate)
    buf[-1] |= 0x80
    a = [0] * 25
    for off in range(0, len(buf), rate):
        for i in range(rate // 8):
            a[i] ^= int.from_bytes(buf[off + 8 * i:off + 8 * i + 8], "little")
        a = keccak_f(a)
    return b"".join(a[i].to_bytes(8, "little") for i in range(4))


assert keccak256(b"").hex().startswith("c5d2460186f7233c927e7db2dcc703c0")


def eip55(hex40):
    """Mixed-case checksum: a letter is upper case when the nibble of
    Keccak-256 of the lowercase address at its place is 8 or more."""
    h = keccak256(hex40.encode()).hex()
    return "0x" + "".join(c.upper() if c > "9" and h[i] >= "8" else c
                          for i, c in enumerate(hex40))


def xmr_address(raw65):
    """Monero: network byte, spend and view keys, 4 bytes of Keccak-256;
    base58 in blocks of 8 bytes (11 characters), the last 5 in 7."""
    raw = raw65 + keccak256(raw65)[:4]
    return "".join(b58encode(raw[i:i + 8], 11 if i + 8 <= len(raw) else 7)
                   for i in range(0, len(raw), 8))


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
        # Tor names: v3 with a valid checksum; v2 (16 characters, obsolete,
        # still reported).
        self.onions = [onion_v3(r.randbytes(32)) + ".onion" for _ in range(300)]
        self.onions_v2 = [base64.b32encode(r.randbytes(10)).decode().lower()
                          + ".onion" for _ in range(60)]
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
        self._build_cards()
        self._build_wallets()
        self._build_secrets()
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
            y = r.random()
            if y < 0.75:
                host = r.choice(self.onions)
            elif y < 0.85:
                host = r.choice(self.onions_v2)
            else:
                host = self._bad_onion()
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

    def _bad_onion(self):
        """56 base32 characters that are no v3 name (a mistyped mirror)."""
        while True:
            name = "".join(self.rng.choices("abcdefghijklmnopqrstuvwxyz234567", k=56))
            raw = base64.b32decode(name.upper())
            if onion_v3(raw[:32]) != name:
                return name + ".onion"

    # ---- payment cards
    def _card(self):
        """A number that passes Luhn, with a real issuer prefix and length."""
        r = self.rng
        x = r.random()
        if x < 0.48:
            prefix, n = "4", r.choice((16,) * 24 + (13, 19))  # Visa
        elif x < 0.66:
            prefix, n = str(r.randrange(51, 56)), 16  # Mastercard
        elif x < 0.73:
            prefix, n = str(r.randrange(2221, 2721)), 16  # Mastercard 2-series
        elif x < 0.85:
            prefix, n = r.choice(("34", "37")), 15  # Amex
        elif x < 0.93:
            prefix, n = r.choice(("6011", "65")), r.choice((16,) * 9 + (19,))
        else:
            prefix, n = str(r.randrange(3528, 3590)), 16  # JCB
        num = luhn_complete(prefix + "".join(r.choices("0123456789",
                                                        k=n - 1 - len(prefix))))
        assert is_card(num)
        return num

    def card_fmt(self, num):
        """Plain, 4-4-4-4 or Amex 4-6-5, with spaces or dashes."""
        r = self.rng
        x = r.random()
        sep = r.choice("  -")
        if len(num) == 16 and x < 0.45:
            return sep.join(num[i:i + 4] for i in range(0, 16, 4))
        if len(num) == 15 and x < 0.4:
            return num[:4] + sep + num[4:10] + sep + num[10:]
        return num

    def card_exp_cvv(self, num):
        r = self.rng
        return (r.randrange(1, 13), r.randrange(25, 32),
                "%04d" % r.randrange(10000) if num[:2] in ("34", "37")
                else "%03d" % r.randrange(1000))

    @staticmethod
    def card_network(num):
        return ("VISA" if num[0] == "4" else "AMEX" if num[:2] in ("34", "37")
                else "DISCOVER" if num[:4] == "6011" or num[:2] == "65"
                else "JCB" if num[:2] == "35" else "MASTERCARD")

    def _card_line(self):
        """One line of a carding dump or shop list, as they are written."""
        r = self.rng
        num = r.choice(self.cards)
        f = self.card_fmt(num)
        mm, yy, cvv = self.card_exp_cvv(num)
        name = r.choice(FIRST).capitalize() + " " + r.choice(LAST).capitalize()
        x = r.random()
        if x < 0.3:
            return "%s|%02d/%02d|%s|%s|%d %s|%s|%05d|%s" % (
                num, mm, yy, cvv, name, r.randrange(1, 999), r.choice(STREETS),
                r.choice(CITIES), r.randrange(1000, 99999), r.choice(COUNTRIES))
        if x < 0.45:
            return "%s|%02d|20%02d|%s" % (num, mm, yy, cvv)
        if x < 0.6:
            return "CC: %s | EXP: %02d/%02d | CVV: %s | %s" % (f, mm, yy, cvv,
                                                                name.upper())
        if x < 0.7:
            return "Card number: %s  Exp: %02d/20%02d  CVV2: %s" % (f, mm, yy, cvv)
        if x < 0.82:
            return "[%s] %s | %02d/%02d | %s | %s | %s" % (
                self.card_network(num), f, mm, yy, cvv, r.choice(CARD_BANKS),
                r.choice(COUNTRIES))
        if x < 0.92:
            return "%s %02d%02d %s" % (f, mm, yy, cvv)  # no context word
        # Track 2: the part after '=' is 20 digits, no card.
        return "Track2: %s=%02d%02d101%013d" % (num, yy, mm,
                                               r.randrange(10 ** 13))

    def _card_negative(self):
        """Numbers that look like cards but are none: a dead card (one digit
        off, fails Luhn), order, IMEI, tracking numbers, ms timestamps."""
        r = self.rng
        x = r.random()
        if x < 0.4:
            num = r.choice(self.cards)
            num = num[:-1] + str((int(num[-1]) + r.randrange(1, 10)) % 10)
            mm, yy, cvv = self.card_exp_cvv(num)
            s, d = "%s|%02d/%02d|%s [DEAD]" % (self.card_fmt(num), mm, yy, cvv), num
        elif x < 0.6:
            d = "1" + "".join(r.choices("0123456789", k=15))
            s = "Order #%s shipped %s" % (d, r.choice(self.dates))
        elif x < 0.75:
            d = luhn_complete(r.choice(("35", "86")) + "".join(
                r.choices("0123456789", k=12)))
            s = "IMEI: %s" % d
        elif x < 0.88:
            d = "9400" + "".join(r.choices("0123456789", k=12))
            s = "Tracking number: %s %s %s %s" % (d[:4], d[4:8], d[8:12], d[12:])
        else:
            d = "17%011d" % r.randrange(10 ** 11)
            s = "ts=%s level=info msg=\"payment retried\"" % d
        assert not is_card(d)
        return s

    def _build_cards(self):
        self.cards = [self._card() for _ in range(1500)]
        self.card_lines = [self._card_line() for _ in range(2500)]
        self.card_negatives = [self._card_negative() for _ in range(600)]
        self.dead_cards = [s for s in self.card_negatives if s.endswith("[DEAD]")]

    # ---- wallets
    def _btc(self):
        r = self.rng
        x = r.random()
        if x < 0.45:
            payload = b"\x00" + r.randbytes(20)  # P2PKH, "1..."
        elif x < 0.65:
            payload = b"\x05" + r.randbytes(20)  # P2SH, "3..."
        elif x < 0.88:
            return segwit_address(0, r.randbytes(20))  # P2WPKH, bc1q (42)
        elif x < 0.92:
            return segwit_address(0, r.randbytes(32))  # P2WSH, bc1q (62)
        else:
            return segwit_address(1, r.randbytes(32))  # taproot, bc1p
        return b58encode(payload + sha256d(payload)[:4])

    def _build_wallets(self):
        r = self.rng
        self.btc = [self._btc() for _ in range(400)]
        eth = ["%040x" % r.getrandbits(160) for _ in range(300)]
        self.eth = (["0x" + a for a in eth[:210]]
                    + [eip55(a) for a in eth[210:270]]
                    + ["0x" + a.upper() for a in eth[270:]])
        self.xmr = [xmr_address(bytes([18 if i < 50 else 42]) + r.randbytes(64))
                    for i in range(60)]
        # Negatives: reposts with one character changed (bad checksum),
        # a mixed-case address that fails EIP-55, transaction hashes.
        self.bad_wallets = []
        for lst in (self.btc[:20], self.xmr[:5]):
            for a in lst:
                i = r.randrange(5, len(a) - 1)
                c = a[i]
                pool = BECH32 if a.startswith("bc1") else B58
                a = a[:i] + r.choice(pool.replace(c, "")) + a[i + 1:]
                self.bad_wallets.append(a)
        for a in eth[210:220]:
            m = eip55(a)
            i = next(k for k in range(2, 42) if m[k].isalpha())
            self.bad_wallets.append(m[:i] + m[i].swapcase() + m[i + 1:])
        self.eth_tx = ["0x%064x" % r.getrandbits(256) for _ in range(100)]

    # ---- secrets
    def _rand(self, alphabet, k):
        """k random characters, none of the words that mark a key as a
        documentation or test one."""
        while True:
            s = "".join(self.rng.choices(alphabet, k=k))
            low = s.lower()
            if not any(w in low for w in ("example", "test", "dummy", "xxxx",
                                          "sample", "fake")):
                return s

    def _jwt(self):
        r = self.rng

        def b64u(b):
            return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
        alg = r.choice(("HS256", "HS256", "RS256"))
        head = '{"alg":"%s","typ":"JWT"}' % alg
        if alg == "RS256":
            head = '{"alg":"RS256","kid":"%s","typ":"JWT"}' % self._rand(
                "0123456789abcdef", 16)
        iat = r.randrange(1600000000, 1730000000)
        body = '{"sub":"%d","name":"%s %s","role":"%s","iat":%d,"exp":%d}' % (
            r.randrange(1, 10 ** 7), r.choice(FIRST).capitalize(),
            r.choice(LAST).capitalize(), r.choice(("user", "admin", "support")),
            iat, iat + r.choice((900, 3600, 86400)))
        sig = r.randbytes(32 if alg == "HS256" else 256)
        return "%s.%s.%s" % (b64u(head.encode()), b64u(body.encode()), b64u(sig))

    def _secret_line(self):
        """A leaked secret (one) as configs, shell history and logs show it."""
        r = self.rng
        an = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        x = r.random()
        if x < 0.25:
            key = "AKIA" + self._rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
            sec = self._rand(an + "+/", 40)
            y = r.random()
            if y < 0.4:
                return ("[default]\naws_access_key_id = %s\n"
                        "aws_secret_access_key = %s\nregion = %s" % (
                            key, sec, r.choice(("us-east-1", "eu-west-1",
                                                "ap-southeast-2"))))
            if y < 0.7:
                return "AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s" % (key, sec)
            return '"accessKeyId": "%s",' % key
        if x < 0.40:
            tok = "ghp_" + self._rand(an, 36)
            return r.choice(("GITHUB_TOKEN=%s", "git clone https://%s@github.com/"
                             + self._label() + "/" + self._label() + ".git",
                             "export GH_TOKEN=%s", "token: %s")) % tok
        if x < 0.45:
            tok = ("github_pat_" + self._rand(an, 22) + "_" + self._rand(an, 59))
            return "GITHUB_PAT=%s" % tok
        if x < 0.53:
            tok = "glpat-" + self._rand(an + "_-", 20)
            return r.choice(("PRIVATE-TOKEN: %s", "GITLAB_TOKEN=%s")) % tok
        if x < 0.63:
            tok = "%s-%d-%d-%s" % (r.choice(("xoxb", "xoxb", "xoxp")),
                                   r.randrange(10 ** 11, 10 ** 12),
                                   r.randrange(10 ** 12, 10 ** 13),
                                   self._rand(an, 24))
            return r.choice(("SLACK_BOT_TOKEN=%s", 'slack_token: "%s"')) % tok
        if x < 0.73:
            tok = "sk_live_" + self._rand(an, r.choice((24, 99)))
            return r.choice(("STRIPE_SECRET_KEY=%s", "Stripe.api_key = '%s'")) % tok
        if x < 0.85:
            tok = "AIzaSy" + self._rand(an + "_-", 33)
            return r.choice(("GOOGLE_MAPS_API_KEY=%s", '"api_key": "%s",',
                             "https://maps.googleapis.com/maps/api/js?key=%s"
                             "&callback=initMap")) % tok
        tok = self._jwt()
        return r.choice(("Authorization: Bearer %s", '{"access_token":"%s",'
                         '"token_type":"bearer"}', "Cookie: session=%s; path=/")) % tok

    def _private_key(self):
        """A PEM or OpenSSH private key block, random body."""
        r = self.rng
        x = r.random()
        if x < 0.4:
            kind, der = "RSA ", b"\x30\x82\x04\xa4\x02\x01\x00\x02\x82\x01\x01\x00" \
                + r.randbytes(1180)
        elif x < 0.75:
            kind, der = "OPENSSH ", b"openssh-key-v1\x00\x00\x00\x00\x04none" \
                + b"\x00\x00\x00\x04none\x00\x00\x00\x00\x00\x00\x00\x01" \
                + r.randbytes(340)
        elif x < 0.85:
            kind, der = "EC ", b"\x30\x77\x02\x01\x01\x04\x20" + r.randbytes(114)
        else:
            kind, der = "", b"\x30\x82\x04\xbe\x02\x01\x00\x30\x0d" + r.randbytes(1209)
        b = base64.b64encode(der).decode()
        w = 70 if kind == "OPENSSH " else 64
        return "\n".join(["-----BEGIN %sPRIVATE KEY-----" % kind]
                         + [b[i:i + w] for i in range(0, len(b), w)]
                         + ["-----END %sPRIVATE KEY-----" % kind])

    def _build_secrets(self):
        self.secret_lines = [self._secret_line() for _ in range(800)]
        # Not secrets: publishable Stripe keys are meant to be public.
        self.secret_lines += ["STRIPE_PUBLISHABLE_KEY=pk_live_" + self._rand(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 24)
            for _ in range(30)]
        self.private_keys = [self._private_key() for _ in range(40)]

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
                   for ip in self.ipv4[:500]]
                + self.onions + self.onions_v2 + self.btc + self.eth + self.xmr
                + self.bad_wallets)
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
            x = r.random()
            if x < 0.025:
                lines.append(self.card_offer())
            elif x < 0.055:
                lines.append(self.payment_line())
            if r.random() < 0.15:
                lines.append("Quote from %s: %s" % (
                    r.choice(p.usernames), self.sentence(p.prose, 5, 12, 0.2)))
            if r.random() < 0.08:
                lines.append("Contact: tg @%s | jabber %s | %s%s" % (
                    r.choice(p.usernames), r.choice(p.emails),
                    "mirror %s | " % r.choice(p.onions) if r.random() < 0.4
                    else "", r.choice(EMOJI)))
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
            elif x < 0.655:
                lines.append(r.choice(p.secret_lines))
            elif x < 0.659:
                lines.append(r.choice(p.card_negatives))
            elif x < 0.661:
                lines.append(self.wallet_config())
            else:
                lines.append(self.sentence(p.prose, 3, 14, 0.25))
        if r.random() < 0.015:
            lines.insert(r.randrange(1, len(lines) + 1), r.choice(p.private_keys))
        return "\n".join(lines) + "\n\n"

    def card_offer(self):
        """A forum line selling or showing cards."""
        r = self.rng
        p = self.p
        x = r.random()
        if x < 0.5:
            return "%s %s cc, sample: %s" % (
                r.choice(("Selling fresh", "WTS", "Fresh", "Private base,")),
                r.choice(COUNTRIES), r.choice(p.card_lines))
        num = r.choice(p.cards)
        mm, yy, cvv = p.card_exp_cvv(num)
        if x < 0.8:
            return "%s %s exp %02d/%02d cvv %s %s" % (
                r.choice(("cc", "card", p.card_network(num).lower())),
                p.card_fmt(num), mm, yy, cvv, r.choice(EMOJI))
        return "checker LIVE %s %s %02d/%02d %s" % (r.choice(EMOJI), num, mm,
                                                     yy, cvv)

    def payment_line(self):
        """Where a seller wants to be paid."""
        r = self.rng
        p = self.p
        x = r.random()
        if x < 0.4:
            return "Escrow or direct, BTC only: %s" % r.choice(p.btc)
        if x < 0.6:
            return "BTC %s | XMR %s" % (r.choice(p.btc), r.choice(p.xmr))
        if x < 0.8:
            return "USDT (ERC-20) or ETH to %s" % r.choice(p.eth)
        return "XMR only: %s %s" % (r.choice(p.xmr), r.choice(EMOJI))

    def wallet_config(self):
        r = self.rng
        p = self.p
        x = r.random()
        if x < 0.4:
            return "xmrig -o pool.supportxmr.com:443 -u %s -k --tls" % r.choice(p.xmr)
        if x < 0.7:
            return "btc_address = %s" % r.choice(p.btc)
        return '"wallet": "%s",' % r.choice(p.eth)

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
        if r.random() < 0.15:  # autofill cards (CreditCards/*.txt)
            num = r.choice(p.cards)
            mm, yy, _ = p.card_exp_cvv(num)
            lines += ["Holder: %s %s" % (r.choice(FIRST).upper(),
                                         r.choice(LAST).upper()),
                      "CardType: " + p.card_network(num).capitalize(),
                      "Card: " + num,
                      "Expire: %02d/20%02d" % (mm, yy),
                      "==============="]
        return "\n".join(lines) + "\n"

    def card_dump(self):
        """A carding shop's list: cards with expiry and CVV, a few dead."""
        r = self.rng
        p = self.p
        lines = ["=== %s %s CC BASE | %s | valid %d%% ===" % (
            r.choice(("FRESH", "PRIVATE", "HQ", "MIXED", "NONVBV")),
            r.choice(COUNTRIES), r.choice(p.dates), r.randrange(60, 100))]
        if r.random() < 0.4:
            lines.append("format: cc|mm/yy|cvv|name|address|city|zip|country")
        for _ in range(r.randrange(5, 25)):
            lines.append(r.choice(p.dead_cards) if r.random() < 0.06
                         else r.choice(p.card_lines))
        lines.append("=== end ===")
        return "\n".join(lines) + "\n\n"

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
            elif x < 0.58:
                s = ("The %s leak site at %s lists %d victims; the ransom note "
                     "asks for %s sent to %s." % (
                         mal, r.choice(p.onions), r.randrange(3, 400),
                         *r.choice((("%.2f BTC" % (r.random() * 5),
                                     r.choice(p.btc)),
                                    ("%d XMR" % r.randrange(10, 900),
                                     r.choice(p.xmr))))))
            else:
                s = " ".join(self.sentence(ENGLISH, 8, 20, 0.3)
                             for _ in range(r.randrange(2, 5)))
            lines.append(s)
        if r.random() < 0.6:
            lines.append("MITRE ATT&CK: " + ", ".join(
                r.sample(ATTACK_IDS, r.randrange(1, 5))))
        lines.append("")
        lines.append("Indicators of compromise:")
        for _ in range(r.randrange(2, 9)):
            kind = r.randrange(8)
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
            elif kind == 6:
                y = r.random()
                lines.append("BTC: " + r.choice(p.btc) if y < 0.5 else
                             "ETH: " + r.choice(p.eth) if y < 0.75 else
                             "tx " + r.choice(p.eth_tx) if y < 0.85 else
                             "XMR: " + r.choice(p.xmr))
            elif kind == 7 and r.random() < 0.5:
                lines.append("Tor: " + r.choice(p.onions + p.onions_v2))
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
                "stealer_log", "threat_report", "prose", "card_dump")
    WEIGHTS = (36, 12, 20, 1.2, 1.6, 5, 24, 0.5)

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
    if kind == "labels":
        # Each label's password is looked for on its line: a label every
        # few bytes of a line with no end in sight.
        return (b"pwd:pass:password=" * (MB // 18 + 1))[:MB]
    raise SystemExit("gen.py: unknown adversarial kind %r "
                     "(expected base64, dots, at, longline, labels)" % kind)


# --------------------------------------------------------------------------
# Stats: an independent, rough classifier of whitespace-separated tokens.

B58C = "1-9A-HJ-NP-Za-km-z"
IOC_RES = [
    ("email/combo", re.compile(r"[\w.+-]+(@|\[@\]|\(at\)|\[at\]|&#64;)[\w-]+(\.|\[\.\])")),
    ("url", re.compile(r"(?i)^[\W]*(h..ps?|ftp)(://|\[:\]//)")),
    ("secret", re.compile(r"(AKIA|ASIA)[A-Z0-9]{16}|gh[pousr]_\w{36}|github_pat_|"
                          r"glpat-|xox[baprs]-|[sr]k_live_|AIza[\w-]{35}|"
                          r"eyJ[\w-]+\.[\w-]+\.")),
    ("card", re.compile(r"(?<!\d)(\d{13,19}|\d{4}-\d{4}-\d{4}-\d{4}|3[47]\d\d-\d{6}-\d{5})"
                        r"(?!\d)")),
    ("eth", re.compile(r"0x[0-9a-fA-F]{40}(?![0-9a-fA-F])")),
    ("xmr", re.compile(r"(?<!\w)[48][%s]{94}(?!\w)" % B58C)),
    ("btc", re.compile(r"(?<!\w)(bc1[02-9ac-hj-np-z]{8,87}|[13][%s]{24,33})(?!\w)" % B58C)),
    ("onion", re.compile(r"(?i)(?<![\w-])[a-z2-7]{16}([a-z2-7]{40})?\.onion")),
    ("ipv4", re.compile(r"(?<![\d.])\d{1,3}(\.|\[\.\]|\(\.\))\d{1,3}(\.|\[\.\]|\(\.\))"
                        r"\d{1,3}(\.|\[\.\]|\(\.\))\d{1,3}(?![\d.]*\d)")),
    ("ipv6", re.compile(r"(?i)^\[?(?=[0-9a-f:]*(::|[a-f]))([0-9a-f]{0,4}:){2,7}"
                        r"[0-9a-f]{0,4}\]?(:\d+)?[,.;)]*$")),
    ("hash", re.compile(r"(?i)(?<![0-9a-f])([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}"
                        r"|[0-9a-f]{128})(?![0-9a-f])")),
    ("cve", re.compile(r"CVE-\d{4}-\d{4,}")),
    ("attack", re.compile(r"(?<!\w)T1\d{3}(\.\d{3})?(?!\w)")),
    ("domain", re.compile(r"(?i)[\w-]+((\.|\[\.\]|\(\.\)|\[dot\])[\w-]+)*"
                          r"(\.|\[\.\]|\(\.\)|\[dot\])(com|net|org|ru|info|xyz|top|"
                          r"io|biz|cc|su|cn|de|uk|online|site|club|live|onion|рф|"
                          r"中国)\b")),
]

# The engine's own patterns (extract/extract.c) for the kinds it validates
# with a checksum or a fixed shape; checked() verifies the matches from the
# specifications, so its counts are what a scan should report. (Rewritten
# to start with a literal or a digit and look behind afterwards: Python's re
# is many times faster that way.)
NWA = r"(?![A-Za-z0-9_])"  # no word character after


def after(lit, width):
    """Lookbehind: no word character before the width characters just read."""
    return r"(?<![A-Za-z0-9_]%s)" % ("." * width if lit is None else lit)


CHECK_RES = {
    "card": re.compile(r"[0-9]" + after(None, 1) + r"(?<![0-9]-.)(?:[0-9]{12,18}"
                       r"|[0-9]{3}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{4}"
                       r"|(?<=3)[47][0-9]{2}([ -])[0-9]{6}\2[0-9]{5})"
                       + NWA + r"(?!-[0-9])"),
    "btc58": re.compile("[13]" + after(None, 1) + "[%s]{24,33}" % B58C + NWA),
    "bech32": re.compile("(?i)bc1" + after(None, 3) + "[02-9ac-hj-np-z]{8,87}" + NWA),
    "eth": re.compile("0x" + after("0x", 2) + "[0-9A-Fa-f]{40}" + NWA),
    "xmr": re.compile("[48]" + after(None, 1) + "[%s]{94}" % B58C + NWA),
    "attack_technique": re.compile(r"(?i)T1" + after(None, 2) + r"[0-9]{3}"
                                   r"(?:\.[0-9]{3})?" + NWA + r"(?!\.[0-9])"),
}
ONION_AT = re.compile(r"(?i)\.onion(?![A-Za-z0-9_-])(?!\.[A-Za-z0-9])")
ONION_NAME = re.compile(r"(?i)(?:^|[^A-Za-z0-9_-])([a-z2-7]{56}|[a-z2-7]{16})$")
SECRET_RES = [
    ("private_key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY"
                               r"(?: BLOCK)?-----")),
    ("aws_access_key", re.compile(r"(?:AKIA|ASIA)(?<![A-Za-z0-9]....)[A-Z0-9]{16}"
                                  r"(?![A-Za-z0-9])")),
    ("github_token", re.compile(r"(?:gh[pousr]_" + after(None, 4)
                                + r"[A-Za-z0-9]{36}|github_pat_" + after(None, 11)
                                + r"[A-Za-z0-9_]{82})" + NWA)),
    ("gitlab_token", re.compile(r"glpat-(?<![\w-]glpat-)[\w-]{20}(?![\w-])", re.A)),
    ("slack_token", re.compile(r"xox[baprs]-(?<![\w-]....-)[A-Za-z0-9-]{10,250}"
                               r"(?![\w-])", re.A)),
    ("stripe_key", re.compile(r"(?:sk|rk)_live_" + after(None, 8)
                              + r"[A-Za-z0-9]{24,99}" + NWA)),
    ("google_api_key", re.compile(r"AIza(?<![\w-]AIza)[\w-]{35}(?![\w-])", re.A)),
    ("jwt", re.compile(r"eyJ(?<![\w-]eyJ)[\w-]{8,1021}\.[\w-]{2,16384}\.[\w-]{0,1024}"
                       r"(?![\w-])(?!\.[\w-])", re.A)),
]


def b58_int(s):
    n = 0
    for c in s:
        n = n * 58 + B58.index(c)
    return n


def btc58_ok(s):
    n = b58_int(s)
    if len(s) - len(s.lstrip("1")) + (n.bit_length() + 7) // 8 != 25:
        return False
    raw = n.to_bytes(25, "big")
    return raw[0] in (0, 5) and sha256d(raw[:21])[:4] == raw[21:]


def bech32_ok(s):
    if s != s.lower() and s != s.upper():
        return False
    d = [BECH32.index(c) for c in s.lower()[3:]]
    if len(s) > 90 or len(d) < 7 or d[0] > 16 or \
            bech32_polymod(HRP_BC + d) != bech32_const(d[0]):
        return False
    bits = 5 * (len(d) - 7)  # the program, 5 bits a character
    prog, pad = divmod(bits, 8)
    return (pad < 5 and d[-7] & ((1 << pad) - 1) == 0
            and 2 <= prog <= 40 and (d[0] != 0 or prog in (20, 32)))


def xmr_ok(s):
    raw = b""
    for i in range(0, 95, 11):
        n, nb = b58_int(s[i:i + 11]), 8 if i + 11 <= 95 else 5
        if n >> 8 * nb:
            return False
        raw += n.to_bytes(nb, "big")
    return raw[0] in (18, 42) and keccak256(raw[:65])[:4] == raw[65:]


def jwt_ok(s):
    head = s.split(".")[0]
    try:
        head = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
    except ValueError:
        return False
    return head.startswith(b"{") and b'"alg"' in head


def checked(text):
    """Findings a scan should report for the validated kinds, with the
    matches that fail validation ("rejected") and sub-kinds."""
    out = {}
    digits = [re.sub(r"[ -]", "", m.group())
              for m in CHECK_RES["card"].finditer(text)]
    ok = sum(map(is_card, digits))
    out["card"] = (ok, "rejected (Luhn, issuer, length) %d" % (len(digits) - ok))
    kinds, sub = 0, []
    for name, rx in SECRET_RES:
        found = rx.findall(text)
        n = len(found) if name != "jwt" else sum(map(jwt_ok, found))
        kinds += n
        sub.append("%s %d" % (name, n))
    out["secret"] = (kinds, ", ".join(sub))
    names = []
    for m in ONION_AT.finditer(text):
        n = ONION_NAME.search(text, max(0, m.start() - 57), m.start())
        if n:
            names.append(n.group(1))
    v3 = sum(1 for n in names if len(n) == 56 and
             onion_v3(base64.b32decode(n.upper())[:32]) == n.lower())
    v2 = sum(1 for n in names if len(n) == 16)
    out["onion"] = (v3 + v2, "v3 %d, v2 %d, rejected (v3 checksum) %d" % (
        v3, v2, len(names) - v3 - v2))
    b58 = CHECK_RES["btc58"].findall(text)
    b32 = CHECK_RES["bech32"].findall(text)
    ok58, ok32 = sum(map(btc58_ok, b58)), sum(map(bech32_ok, b32))
    out["btc"] = (ok58 + ok32, "base58 %d, bech32 %d (bc1p %d), rejected %d" % (
        ok58, ok32, sum(1 for a in b32 if a.lower().startswith("bc1p") and
                        bech32_ok(a)), len(b58) + len(b32) - ok58 - ok32))
    eth = CHECK_RES["eth"].findall(text)
    mixed = [a for a in eth if a[2:] != a[2:].lower() and a[2:] != a[2:].upper()]
    good = sum(1 for a in mixed if eip55(a[2:].lower()) == a)
    out["eth"] = (len(eth) - len(mixed) + good,
                  "EIP-55 %d, rejected (EIP-55) %d" % (good, len(mixed) - good))
    xmr = CHECK_RES["xmr"].findall(text)
    ok = sum(map(xmr_ok, xmr))
    out["xmr"] = (ok, "rejected %d" % (len(xmr) - ok))
    out["attack_technique"] = (len(CHECK_RES["attack_technique"].findall(text)), "")
    return out


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
    print("validated kinds (the engine's patterns, checksums checked here; "
          "what a scan should find):")
    for name, (n, detail) in checked(text).items():
        print("  %-16s %7d   %s" % (name, n, detail))


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
    a = sub.add_parser("adversarial",
                       help="base64, dots, at, longline or labels")
    a.add_argument("kind", choices=("base64", "dots", "at", "longline",
                                    "labels"))
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
