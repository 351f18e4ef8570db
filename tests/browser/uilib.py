"""uilib.py: what every browser test of `hearth ui` shares (issue 14 item 6).

It starts real processes as tests/integration/lib.sh does: hearthd on
127.0.0.1 port 0 with the dev certificates, `hearth init` profiles, and
`hearth ui --no-open --port 0`; then headless Chromium through Debian's
python3-selenium and chromium-driver opens the URL `hearth ui` printed.
Every wait is bounded; only the processes started here are stopped, by PID
(SIGTERM first, and `hearth ui` must then exit 0: under ASan that is also
the leak check).

Without Chromium, its driver or selenium the test is skipped (exit 77),
unless HEARTH_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
REQUIRE = os.environ.get("HEARTH_REQUIRE_BROWSER") == "1"


def need(cond, what):
    if cond:
        return
    if REQUIRE:
        print("FAIL: %s, and HEARTH_REQUIRE_BROWSER=1 says the browser tests must run" % what)
        sys.exit(1)
    print("SKIP: %s (apt install chromium chromium-driver python3-selenium)" % what)
    sys.exit(SKIP)


# Which browser this test drives: Chromium through Selenium, or Firefox
# through Marionette (marionette.py; tests/CMakeLists.txt sets
# HEARTH_BROWSER=firefox for the test_firefox_* scripts).
BROWSER = os.environ.get("HEARTH_BROWSER", "chromium")
FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
if BROWSER == "firefox":
    need(FIREFOX, "firefox-esr is not installed")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import marionette  # noqa: E402
else:
    CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
    DRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    need(CHROMIUM, "chromium is not installed")
    need(DRIVER, "chromedriver is not installed")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select, WebDriverWait
        from selenium.common.exceptions import TimeoutException, StaleElementReferenceException
    except ImportError:
        need(False, "python3-selenium is not installed")

HEARTHD = os.environ["HEARTHD"]
HEARTH = os.environ["HEARTH"]
CERTS = os.environ["HEARTH_CERTS"]
TMP = os.environ.get("HEARTH_TEST_TMP", "/tmp")
WAIT = 15  # seconds, for any one thing the page must show
# The page is Chinese whatever the locale; the server's messages the tests
# check are the English msgids, so the programs run without a catalog.
ENV = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
# The words the pages take from the catalog (/api/text) are Chinese under
# zh_CN, as a secretary's machine runs it.
ZH = dict(os.environ, LC_ALL="zh_CN.UTF-8", LANGUAGE="")


class Run:
    """One test's processes, files and results."""

    def __init__(self, name):
        os.makedirs(TMP, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix=name + ".", dir=TMP)
        self.procs = []
        self.drivers = []
        self.passes = 0
        self.fails = 0
        self.skip_reason = None     # set: exit 77 (skipped) when nothing failed

    # ---- results, as lib.sh prints them
    def ok(self, what, cond, detail=""):
        if cond:
            self.passes += 1
            print("ok: " + what)
        else:
            self.fails += 1
            print("FAIL: %s%s" % (what, (": " + detail) if detail else ""))
        return cond

    def eq(self, what, want, got):
        return self.ok(what, want == got, "expected [%s] got [%s]" % (want, got))

    def contains(self, what, needle, hay):
        return self.ok(what, needle in hay, "expected [%s] in [%s]" % (needle, hay))

    # ---- processes
    def server(self):
        log = os.path.join(self.dir, "hearthd.log")
        f = open(log, "w")
        p = subprocess.Popen([HEARTHD, "--listen", "127.0.0.1:0", "--data", os.path.join(self.dir, "data"),
                              "--cert", CERTS + "/server.pem", "--key", CERTS + "/server.key",
                              "--ca", CERTS + "/ca.pem", "--audit-key", CERTS + "/audit-ed25519.key",
                              "--org", "demo", "--dev", "--branch", "b001=第一党支部",
                              "--branch", "b002=第二党支部"], stderr=f, stdout=subprocess.DEVNULL, env=ENV)
        self.procs.append(p)
        deadline = time.time() + WAIT
        while time.time() < deadline:
            m = re.search(r"event=listening.*port=(\d+)", open(log).read())
            if m:
                self.server_proc = p
                return int(m.group(1))
            if p.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit("hearthd did not start:\n" + open(log).read())

    def home(self, name):
        return os.path.join(self.dir, "home." + name)

    def client(self, name, cert, port):
        subprocess.run([HEARTH, "--home", self.home(name), "init", "--server", "127.0.0.1:%d" % port,
                        "--cert", "%s/%s.pem" % (CERTS, cert), "--key", "%s/%s.key" % (CERTS, cert),
                        "--ca", CERTS + "/ca.pem"], check=True, stdout=subprocess.DEVNULL, env=ENV)

    def h(self, name, *args):
        """Runs the CLI for client name; returns (exit code, stdout + stderr)."""
        r = subprocess.run([HEARTH, "--home", self.home(name)] + list(args), capture_output=True, text=True,
                           timeout=60, env=ENV)
        return r.returncode, r.stdout + r.stderr

    def ui(self, name, env=None):
        """Starts `hearth ui` for client name (env: the environment, ENV by
        default; ZH for the catalog's Chinese); returns the URL it printed."""
        out = os.path.join(self.dir, "ui.%s.out" % name)
        p = subprocess.Popen([HEARTH, "--home", self.home(name), "ui", "--no-open", "--port", "0"],
                             stdout=open(out, "w"), stderr=open(out + ".err", "w"), env=env or ENV)
        self.procs.append(p)
        deadline = time.time() + WAIT
        while time.time() < deadline:
            m = re.search(r"http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{64}", open(out).read())
            if m:
                return m.group(0), p
            if p.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit("hearth ui did not start:\n" + open(out).read() + open(out + ".err").read())

    def browser(self, url):
        o = webdriver.ChromeOptions()
        o.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1280,900", "--lang=zh-CN", "--no-first-run",
                  "--user-data-dir=" + tempfile.mkdtemp(prefix="chrome.", dir=self.dir)):
            o.add_argument(a)
        d = webdriver.Chrome(service=Service(DRIVER), options=o)
        d.set_page_load_timeout(WAIT)
        self.drivers.append(d)
        d.get(url)
        return Page(d, self)

    def firefox(self, url):
        """Headless Firefox (a fresh profile) on url, through Marionette."""
        ff = marionette.Firefox(FIREFOX, self.dir, wait=WAIT)
        self.drivers.append(ff)
        ff.get(url)
        return FirefoxPage(ff, self)

    def stop_ui(self, p):
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = "killed"
        self.eq("hearth ui stops cleanly on SIGTERM", 0, rc)

    def finish(self):
        for d in self.drivers:
            try:
                d.quit()
            except Exception:
                pass
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        print("%d passed, %d failed" % (self.passes, self.fails))
        if self.fails:
            print("(test files kept in %s)" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if not self.fails and self.skip_reason:
            print("SKIP: " + self.skip_reason)
            sys.exit(SKIP)
        sys.exit(1 if self.fails else 0)


class Steps:
    """What a person does on the page, over the primitives each browser's
    class gives (wait, css, go, type, choose, check, screenshot): one copy
    of the steps for Chromium (Page) and Firefox (FirefoxPage)."""

    def one(self, sel):
        return self.wait(lambda: (self.css(sel) or [None])[0], sel)

    def text(self, sel):
        return self.one(sel).text

    def nav(self, label):
        self.wait(lambda: [a for a in self.css("#nav a") if a.text == label], "nav " + label)[0].click()

    def has_text(self, sel, needle):
        return self.wait(lambda: any(needle in e.text for e in self.css(sel)), "%s showing %s" % (sel, needle))

    def pick_member(self, field, name):
        s = self.one("#f-%s-search" % field)
        s.send_keys(name)
        btn = self.wait(lambda: [b for b in self.css('#f-%s .results[data-q="%s"] .pick' % (field, name))
                                 if b.text.startswith(name)],
                        "member %s in the picker" % name)[0]
        btn.click()
        self.wait(lambda: [c for c in self.css("#f-%s .chip" % field) if name in c.text], "chip " + name)

    def save(self):
        self.one("#save").click()

    def list_page(self, label):
        """Goes to a kind's list by its nav link and waits for that list."""
        self.nav(label)
        return self.one('#list-page[data-label="%s"]' % label)

    def new_record(self, label):
        self.list_page(label)
        self.one('#list-page[data-label="%s"] #new' % label).click()
        return self.one("#record-form")

    def sync(self):
        """Clicks 同步 on 首页 and returns the summary of the home page drawn after it."""
        self.go("#/")
        home = self.one("#home[data-loaded]")
        n = int(home.get_attribute("data-syncs"))
        self.one("#home[data-loaded] #sync").click()
        return self.text('#home[data-loaded][data-syncs="%d"] #sync-summary' % (n + 1))


class Page(Steps):
    """The page of one browser, with bounded waits."""

    def __init__(self, d, run):
        self.d = d
        self.run = run

    def wait(self, fn, what):
        try:
            return WebDriverWait(self.d, WAIT, poll_frequency=0.1,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: fn())
        except TimeoutException:
            shot = os.path.join(self.run.dir, "timeout-%d.png" % int(time.time() * 1000))
            self.d.save_screenshot(shot)
            raise SystemExit("timed out waiting for %s (screenshot %s); page text:\n%s"
                             % (what, shot, self.d.find_element(By.TAG_NAME, "body").text))

    def css(self, sel):
        return self.d.find_elements(By.CSS_SELECTOR, sel)

    def go(self, hash_):
        self.d.execute_script("location.hash = arguments[0]", hash_)

    def type(self, field, value):
        e = self.one("#f-" + field)
        if e.get_attribute("type") in ("date", "month"):
            # Date pickers take the value as set by script, as a person's pick sets it.
            self.d.execute_script("arguments[0].value = arguments[1]", e, value)
        else:
            e.clear()
            e.send_keys(value)

    def choose(self, field, label):
        Select(self.one("#f-" + field)).select_by_visible_text(label)

    def check(self, field, label):
        for lab in self.css("#f-%s label" % field):
            if lab.text == label:
                lab.find_element(By.TAG_NAME, "input").click()
                return
        raise SystemExit("no choice %s for %s" % (label, field))

    def screenshot(self, path):
        self.d.save_screenshot(path)


class FirefoxPage(Steps):
    """The page of one Firefox (marionette.Firefox), with Page's steps and
    bounded waits. A person's acts are Marionette's element clicks and
    keys; only a date picker's value is set by script, as with Chromium."""

    def __init__(self, ff, run):
        self.ff = ff
        self.run = run

    def wait(self, fn, what):
        deadline = time.time() + WAIT
        while True:
            try:
                v = fn()
            except marionette.MarionetteError as e:
                if e.error not in ("stale element reference", "no such element"):
                    raise
                v = None
            if v:
                return v
            if time.time() > deadline:
                shot = os.path.join(self.run.dir, "timeout-%d.png" % int(time.time() * 1000))
                self.ff.screenshot(shot)
                raise SystemExit("timed out waiting for %s (screenshot %s); page text:\n%s"
                                 % (what, shot, self.ff.js("return document.body.innerText")))
            time.sleep(0.1)

    def url(self):
        return self.ff.call("WebDriver:GetCurrentURL")

    def errors(self):
        """The page's script errors so far (app.js counts them on <html>)."""
        return self.ff.js("var h = document.documentElement;"
                          "return [Number(h.getAttribute('data-errors') || '0'), h.getAttribute('data-error') || ''];")

    def css(self, sel):
        return self.ff.css(sel)

    def go(self, hash_):
        self.ff.js("location.hash = arguments[0]", hash_)

    def type(self, field, value):
        e = self.one("#f-" + field)
        # The type the browser made of it: Firefox's month field is a text
        # box (typed like one); a date picker's value is set by script.
        if e.prop("type") in ("date", "month"):
            self.ff.js("arguments[0].value = arguments[1];"
                       "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                       "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", e, value)
        else:
            e.clear()
            e.send_keys(value)

    def choose(self, field, label):
        sel = self.one("#f-" + field)
        opts = [o for o in sel.css("option") if o.text == label]
        if not opts:
            raise SystemExit("no option %s for %s" % (label, field))
        opts[0].click()

    def check(self, field, label):
        for lab in self.css("#f-%s label" % field):
            if lab.text == label:
                lab.css("input")[0].click()
                return
        raise SystemExit("no choice %s for %s" % (label, field))

    def screenshot(self, path):
        self.ff.screenshot(path)
