"""marionette.py: a small client of Firefox's own remote protocol, Marionette,
for the Firefox browser tests of `hearth ui` (issue 14 item 3).

Why this file: Selenium drives Firefox only through geckodriver, and Debian
has no geckodriver package. Debian's one Marionette client is Perl
(libfirefox-marionette-perl); the browser tests are Python sharing uilib.py
(the real hearthd, profiles, `hearth ui`), so a Perl client would mean a
second harness. Marionette itself is small: this client speaks it with the
standard library alone.

The protocol (https://firefox-source-docs.mozilla.org/testing/marionette/Protocol.html):
Firefox started with --marionette listens on 127.0.0.1 at the port the
profile's user.js sets (marionette.port 0: a free one, which Firefox writes
to MarionetteActivePort in the profile directory). On connect it sends
{"applicationType": "gecko", "marionetteProtocol": 3}. Every message is
LEN:JSON, LEN the byte length of the JSON in decimal; a command is
[0, id, "Name", {params}] and its answer [1, id, error, result], error null
or {"error", "message", "stacktrace"}. The commands are WebDriver's, under
the names WebDriver:NewSession, WebDriver:Navigate, WebDriver:ExecuteScript,
WebDriver:Print … with WebDriver's parameters.

Every wait here is bounded (WAIT seconds, or the caller's); the Firefox
process started is stopped by its PID.
"""
import atexit
import base64
import json
import os
import socket
import subprocess
import tempfile
import time

# The W3C WebDriver key for an element in a result or an argument.
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class MarionetteError(Exception):
    """An error answer: e.error is WebDriver's error code ("no such element")."""

    def __init__(self, err):
        self.error = err.get("error", "")
        Exception.__init__(self, "%s: %s" % (self.error, err.get("message", "")))


class Firefox:
    """One headless Firefox with a fresh profile, and one session on it."""

    def __init__(self, binary, workdir, wait=15):
        self.wait = wait
        self.profile = tempfile.mkdtemp(prefix="firefox.", dir=workdir)
        with open(os.path.join(self.profile, "user.js"), "w") as f:
            for k, v in (("marionette.port", 0),
                         # Nothing from the network: no updates, telemetry or first-run pages.
                         ("app.update.disabledForTesting", True),
                         ("browser.shell.checkDefaultBrowser", False),
                         ("browser.startup.homepage_override.mstone", "ignore"),
                         ("datareporting.policy.dataSubmissionEnabled", False),
                         ("toolkit.telemetry.reportingpolicy.firstRun", False),
                         ("browser.aboutwelcome.enabled", False),
                         ("intl.accept_languages", "zh-CN"),
                         ("print.always_print_silent", True)):
                f.write("user_pref(%s, %s);\n" % (json.dumps(k), json.dumps(v)))
        self.log = open(os.path.join(self.profile, "firefox.log"), "w")
        env = dict(os.environ, MOZ_HEADLESS="1", MOZ_CRASHREPORTER_DISABLE="1")
        self.proc = subprocess.Popen([binary, "--headless", "--marionette", "--no-remote",
                                      "-profile", self.profile, "about:blank"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.sock = None
        self.next_id = 0
        # A test that stops early (a failed wait raises SystemExit) still
        # leaves no Firefox behind: this one is stopped by its PID at exit.
        atexit.register(self._kill)
        port = self._port()
        deadline = time.time() + wait
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=wait)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        self.buf = b""
        hello = self._read()
        if hello.get("marionetteProtocol") != 3:
            raise RuntimeError("not Marionette protocol 3: %r" % hello)
        self.caps = self.call("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {
            "acceptInsecureCerts": False, "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": wait * 1000, "script": wait * 1000, "implicit": 0}}}})

    def _port(self):
        path = os.path.join(self.profile, "MarionetteActivePort")
        deadline = time.time() + self.wait * 2   # a cold start of Firefox is slower than a page
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("firefox exited %s; see %s" % (self.proc.returncode, self.log.name))
            try:
                text = open(path).read().strip()
                if text:
                    return int(text)
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError("firefox wrote no MarionetteActivePort within %ds" % (self.wait * 2))

    def _kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    # ---- the wire
    def _read(self):
        while True:
            colon = self.buf.find(b":")
            if colon > 0:
                n = int(self.buf[:colon])
                if len(self.buf) >= colon + 1 + n:
                    msg = self.buf[colon + 1:colon + 1 + n]
                    self.buf = self.buf[colon + 1 + n:]
                    return json.loads(msg.decode("utf-8"))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("Marionette closed the connection")
            self.buf += chunk

    def call(self, name, params=None):
        """Sends one command and returns its result; raises MarionetteError."""
        self.next_id += 1
        body = json.dumps([0, self.next_id, name, params or {}]).encode("utf-8")
        self.sock.sendall(str(len(body)).encode() + b":" + body)
        while True:
            msg = self._read()
            if msg[0] == 1 and msg[1] == self.next_id:
                break
        if msg[2]:
            raise MarionetteError(msg[2])
        res = msg[3]
        # Commands answering one value wrap it as {"value": v}.
        return res["value"] if isinstance(res, dict) and set(res) == {"value"} else res

    # ---- what the tests use
    def get(self, url):
        self.call("WebDriver:Navigate", {"url": url})

    def js(self, script, *args):
        """Runs script (a function body: `return …`) in the page; elements
        come back and go in as Element objects."""
        return self._unwrap(self.call("WebDriver:ExecuteScript",
                                      {"script": script, "args": [self._wrap(a) for a in args]}))

    def js_async(self, script, *args):
        """Runs script with a callback as its last argument (arguments[arguments.length-1])."""
        return self._unwrap(self.call("WebDriver:ExecuteAsyncScript",
                                      {"script": script, "args": [self._wrap(a) for a in args]}))

    def css(self, sel):
        found = self.call("WebDriver:FindElements", {"using": "css selector", "value": sel})
        return [Element(self, e[ELEMENT]) for e in found]

    def print_pdf(self, **opts):
        """WebDriver:Print; returns the PDF's bytes (A4 portrait unless opts say)."""
        p = {"page": {"width": 21.0, "height": 29.7}, "orientation": "portrait",
             "background": True, "shrinkToFit": True}
        p.update(opts)
        return base64.b64decode(self.call("WebDriver:Print", p))

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.call("WebDriver:TakeScreenshot", {"full": False})))

    def _wrap(self, a):
        return {ELEMENT: a.id} if isinstance(a, Element) else a

    def _unwrap(self, v):
        if isinstance(v, dict) and ELEMENT in v:
            return Element(self, v[ELEMENT])
        if isinstance(v, list):
            return [self._unwrap(x) for x in v]
        return v

    def quit(self):
        """Ends the session and stops this Firefox (by its PID) within the wait."""
        try:
            if self.sock:
                self.call("Marionette:Quit", {"flags": ["eForceQuit"]})
        except Exception:
            pass
        try:
            self.proc.wait(timeout=self.wait)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.sock:
            self.sock.close()
        self.log.close()


class Element:
    """A page element by its WebDriver reference."""

    def __init__(self, ff, id_):
        self.ff = ff
        self.id = id_

    def click(self):
        self.ff.call("WebDriver:ElementClick", {"id": self.id})

    def send_keys(self, text):
        self.ff.call("WebDriver:ElementSendKeys", {"id": self.id, "text": text})

    def clear(self):
        self.ff.call("WebDriver:ElementClear", {"id": self.id})

    @property
    def text(self):
        return self.ff.call("WebDriver:GetElementText", {"id": self.id})

    def get_attribute(self, name):
        return self.ff.call("WebDriver:GetElementAttribute", {"id": self.id, "name": name})

    def prop(self, name):
        """The DOM property (an input's current value), where get_attribute
        is the markup's attribute, unlike Selenium's get_attribute."""
        return self.ff.call("WebDriver:GetElementProperty", {"id": self.id, "name": name})

    def css(self, sel):
        found = self.ff.call("WebDriver:FindElements", {"using": "css selector", "value": sel,
                                                         "element": self.id})
        return [Element(self.ff, e[ELEMENT]) for e in found]
