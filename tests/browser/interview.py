#!/usr/bin/env python3
"""End-to-end test of the web interview in a real headless Chromium.

Starts `regula serve` on a free loopback port, opens `/` in Chromium
(driven over the DevTools protocol through --remote-debugging-pipe, so
nothing but the standard library is needed), and for each case given
answers the questions the page asks from the case's facts ("不清楚" for a
fact the case does not state), with the mouse and the keyboard. When the
page says the interview is over, the outcomes it shows must equal
`regula eval --format json`'s on the same case, value and cites. One case
is started from an uploaded partial case; the case downloaded at the end
must hold the answers given. Screenshots go to the artifacts directory.

usage: interview.py REGULA CHROMIUM ARTIFACTS CASE.json...
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 20.0


class Browser:
    def __init__(self, chromium, profile):
        to_child = os.pipe()
        from_child = os.pipe()
        # Out of the way of 3 and 4, where the child expects them.
        r_hi, w_hi = fcntl_high(to_child[0]), fcntl_high(from_child[1])

        def child():
            os.dup2(r_hi, 3)
            os.dup2(w_hi, 4)

        args = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
            "--remote-debugging-pipe", "--window-size=1000,1250", "about:blank",
        ]
        self.proc = subprocess.Popen(args, preexec_fn=child, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (to_child[0], from_child[1], r_hi, w_hi):
            try:
                os.close(fd)
            except OSError:
                pass
        self.out = to_child[1]
        self.inp = from_child[0]
        self.buf = b""
        self.next_id = 0
        self.session = None
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.inp, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.out, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + TIMEOUT
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def attach(self):
        targets = self.send("Target.getTargets", session=False)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": page["targetId"], "flatten": True},
                                 session=False)["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def js(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait(self, expr, what):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            v = self.js(expr)
            if v:
                return v
            time.sleep(0.05)
        raise TimeoutError(f"waited in vain for {what}")

    def click(self, selector):
        """A real mouse click in the middle of the element."""
        self.js(f"document.querySelector({json.dumps(selector)}).scrollIntoView({{block:'center'}})")
        box = self.js(f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
                      ".getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left", "clickCount": 1})

    def key(self, key, code, text=None):
        down = {"type": "keyDown", "key": key, "code": code,
                "windowsVirtualKeyCode": {"Enter": 13, "Tab": 9, " ": 32}.get(key, 0)}
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", down)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": code})

    def screenshot(self, path, whole=True):
        import base64
        r = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": whole})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def fcntl_high(fd):
    """The same file at a descriptor of 10 or more, inheritable."""
    import fcntl
    hi = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.set_inheritable(hi, True)
    return hi


def get(case, name):
    at = case
    for part in name.split("."):
        if not isinstance(at, dict) or part not in at:
            return None
        at = at[part]
    return at


def start_server(regula):
    p = subprocess.Popen([regula, "serve", "--addr", "127.0.0.1:0", "--color", "never"],
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        line = p.stderr.readline()
        m = re.search(r"listening on (http://[0-9.:]+)", line)
        if m:
            return p, m.group(1)
    p.kill()
    raise RuntimeError("regula serve did not start")


def interview(b, base, case, name, artifacts, upload=None, download_dir=None):
    b.send("Page.navigate", {"url": base + "/"})
    b.wait("document.querySelectorAll('#outcome-list input').length > 0", "the outcomes")
    if upload:
        b.send("DOM.enable")
        doc = b.send("DOM.getDocument")
        node = b.send("DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": "#upload"})
        b.send("DOM.setFileInputFiles", {"files": [upload], "nodeId": node["nodeId"]})
    else:
        # Start from the keyboard: focus the button, press Enter.
        b.js("document.getElementById('start').focus()")
        b.key("Enter", "Enter", "\r")
    answered = []
    while len(answered) < 200:
        state = b.wait("(() => { const f = document.getElementById('question');"
                       " if (f.dataset.done) return {done: true};"
                       " if (!f.dataset.fact) return null;"
                       " return {fact: f.dataset.fact, type: f.dataset.type,"
                       " step: document.querySelectorAll('#answers li').length}; })()",
                       "a question or the end")
        if state.get("done"):
            break
        if state["step"] != len(answered):
            time.sleep(0.05)
            continue
        fact, kind = state["fact"], state["type"]
        value = get(case, fact)
        if len(answered) == 2:
            b.js("window.scrollTo(0, 0)")
            b.screenshot(os.path.join(artifacts, f"{name}-question.png"), whole=False)
        # The focus is on the question's first input: keyboard users start there.
        assert b.js("document.activeElement && document.activeElement.closest('#question') !== null"), \
            f"the focus is not on the question for {fact}"
        if kind in ("bool", "enum"):
            if value is None:
                target = "#a-unknown"
            elif kind == "bool":
                target = "#a-yes" if value else "#a-no"
            else:
                target = f"#question input[value={json.dumps(value)}]"
            b.click(target)
            b.key("Enter", "Enter", "\r")
        elif value is None:
            b.click("#skip-btn")
        else:
            b.js("(() => { const i = document.getElementById('a-input'); i.focus();"
                 f" i.value = {json.dumps(str(value))}; i.dispatchEvent(new Event('input')); }})()")
            b.key("Enter", "Enter", "\r")
        answered.append((fact, value))
    else:
        raise AssertionError("the interview did not end in 200 questions")
    shown = b.js("Object.fromEntries([...document.querySelectorAll('[data-outcome]')]"
                 ".map(e => [e.dataset.outcome, {value: JSON.parse(e.dataset.value),"
                 " cites: JSON.parse(e.dataset.cites)}]))")
    # Departures between documents (the Shanghai opinions from the national
    # rules they implement): the page shows the report's, and hides the
    # section when the list is empty.
    dep = b.js("(() => { const text = () => document.getElementById('departures').textContent;"
               " const r = JSON.parse(JSON.stringify(S.report));"
               " const real = (S.report.departures || []).map(d => d.outcome);"
               " renderResults(S.report); const listed = text();"
               " r.departures = []; renderResults(r); const empty = text();"
               " r.departures = [{outcome: 'injury.applicant', from: '4.1', to: '4.2'}];"
               " renderResults(r); const one = text();"
               " renderResults(S.report); return [listed, empty, one, real]; })()")
    listed, empty, one, real = dep
    if real:
        assert "文件之间的差异" in listed and all(o in listed for o in real), dep
    else:
        assert listed == "", dep
    assert empty == "", dep
    assert "文件之间的差异" in one and "injury.applicant" in one, dep
    b.js("document.querySelectorAll('details').forEach((d, i) => { if (i < 2) d.open = true; })")
    b.screenshot(os.path.join(artifacts, f"{name}-final.png"))
    downloaded = None
    if download_dir:
        b.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir},
               session=False)
        b.click("#download")
        path = os.path.join(download_dir, "case.json")
        deadline = time.time() + TIMEOUT
        while not os.path.exists(path) and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        with open(path, encoding="utf-8") as f:
            downloaded = json.load(f)
    return answered, shown, downloaded


def main():
    regula, chromium, artifacts, *cases = sys.argv[1:]
    os.makedirs(artifacts, exist_ok=True)
    server, base = start_server(regula)
    profile = tempfile.mkdtemp(prefix="regula-chromium-")
    b = Browser(chromium, profile)
    passed = failed = 0
    downloads = []
    try:
        b.attach()
        for i, path in enumerate(cases):
            name = os.path.splitext(os.path.basename(path))[0]
            with open(path, encoding="utf-8") as f:
                case = json.load(f)
            want = json.loads(subprocess.run(
                [regula, "eval", "--format", "json", "--derivations", "cites", path],
                capture_output=True, text=True).stdout)["outcomes"]
            upload = None
            download_dir = None
            if i == 1:
                # Start this one from an uploaded case holding only its date.
                upload = os.path.join(profile, f"{name}-partial.json")
                with open(upload, "w", encoding="utf-8") as f:
                    json.dump({"as_of": case["as_of"]}, f)
                download_dir = tempfile.mkdtemp(prefix="regula-download-")
                downloads.append(download_dir)
            answered, shown, downloaded = interview(b, base, case, name, artifacts, upload, download_dir)
            problems = []
            if set(shown) != set(want):
                problems.append(f"outcomes shown {sorted(shown)} != {sorted(want)}")
            for o, w in want.items():
                s = shown.get(o)
                if s is None:
                    continue
                if s["value"] != w["value"]:
                    problems.append(f"{o}: page {s['value']!r}, eval {w['value']!r}")
                if s["cites"] != w.get("cites", []):
                    problems.append(f"{o}: page cites {s['cites']}, eval {w.get('cites', [])}")
            if downloaded is not None:
                for fact, value in answered:
                    if value is not None and get(downloaded, fact) != value:
                        problems.append(f"downloaded case: {fact} = {get(downloaded, fact)!r}, answered {value!r}")
            asked = len(answered)
            if problems:
                failed += 1
                print(f"FAIL {name} after {asked} questions:")
                for p in problems:
                    print(f"  {p}")
            else:
                passed += 1
                print(f"ok   {name}: {asked} questions, {len(want)} outcomes equal `regula eval`'s")
    finally:
        b.close()
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
        for d in downloads:
            shutil.rmtree(d, ignore_errors=True)
    print(f"interview: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
