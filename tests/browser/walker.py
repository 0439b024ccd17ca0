"""A walker's phone at 390x844 in a real headless Chromium, tapped as a
walker on a moving belt would: follow a course, start today's session,
tap a program card by mistake (and keep walking), replace the session on
purpose, try to follow another course (and keep the progress), stop,
read what was walked, rate, start the next session, and leave the
course. Every tap is checked against D-Bus. Saves screenshots.

Usage: walker.py BASE_URL BUS_ADDRESS TREADCUECTL SCREENSHOT_DIR
"""

import json
import os

from selenium.webdriver.common.by import By

from phone import base, ctl, phone, shots, wait


def dbus():
    return json.loads(ctl("status", "--json"))


driver = phone()
by_id = lambda i: driver.find_element(By.ID, i)
shown = lambda i: by_id(i).is_displayed()


def tap(element):
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def card(list_id, starting):
    buttons = driver.find_elements(By.CSS_SELECTOR, f"#{list_id} button")
    found = [b for b in buttons if b.text.startswith(starting)]
    assert found, f"no {starting!r} in #{list_id}: {[b.text for b in buttons]}"
    return found[0]


def api(method, path, body=None):
    """A call from the page itself (same origin, its cookie)."""
    return driver.execute_async_script("""
        const [method, path, body, done] = arguments;
        const options = {method, headers: {"Content-Type": "application/json"}};
        if (body !== null) options.body = JSON.stringify(body);
        fetch("/api/" + path, options).then(async (r) => done({status: r.status, body: await r.json()}));
    """, method, path, body)


def answer(keep, screenshot=None):
    """Waits for the question, returns its text, and answers it."""
    wait("the question", lambda: shown("ask"))
    question = by_id("question").text
    if screenshot:
        driver.save_screenshot(os.path.join(shots, screenshot))
    tap(by_id("keep" if keep else "goahead"))
    wait("the question to close", lambda: not shown("ask"))
    return question


try:
    driver.get(base + "/")
    wait("the pairing screen", lambda: shown("pairing"))
    by_id("code").send_keys(ctl("web", "pair"))
    tap(by_id("sendcode"))
    wait("the remote after pairing", lambda: shown("app"))

    # No course yet: one tap on a course follows it, with no question.
    wait("the courses", lambda: driver.find_elements(By.CSS_SELECTOR, "#courses button"))
    assert "6 weeks, 3 a week" in card("courses", "Backward walking from zero").text
    tap(card("courses", "Backward walking from zero"))
    wait("the course on D-Bus", lambda: dbus()["course"] == "from-zero")
    wait("the course's sessions", lambda: len(driver.find_elements(By.CSS_SELECTOR, "#sessions li")) == 18)
    first = driver.find_elements(By.CSS_SELECTOR, "#sessions li")[0].text
    assert "Session 1" in first and "next" in first, first
    assert "session 1 of 18" in by_id("course").text, by_id("course").text

    # Today's session, then the button is gone while it runs.
    tap(by_id("today"))
    wait("today's session on D-Bus", lambda: dbus()["state"] == "running")
    today = dbus()["program_name"]
    wait("no second start on screen", lambda: not shown("today"))
    wait("the live view", lambda: shown("toggle") and not shown("ended"))
    assert by_id("stepleft").text.endswith("left"), by_id("stepleft").text
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(os.path.join(shots, "remote-session.png"))

    # A thumb lands on a program card: the page asks, naming both, and
    # keeping is the first answer. The walk goes on untouched.
    tap(card("programs", "Seventy-second demo"))
    question = answer(keep=True, screenshot="remote-ask.png")
    assert today in question and "Seventy-second demo" in question, question
    assert dbus()["program_name"] == today and dbus()["state"] == "running"

    # The API refuses the same without `replace`, and today's session too.
    for path, body in (("start", {"program": "demo"}), ("today", None)):
        reply = api("POST", path, body)
        assert reply["status"] == 409 and reply["body"]["error"] == "SessionRunning", reply
    assert dbus()["program_name"] == today

    # Another course: asked first, naming both; kept, nothing changes.
    tap(card("courses", "Balance for older adults"))
    question = answer(keep=True)
    assert "Backward walking from zero" in question and "Balance for older adults" in question, question
    assert dbus()["course"] == "from-zero"
    reply = api("POST", "course/enrol", {"course": "balance-60-plus"})
    assert reply["status"] == 409 and reply["body"]["error"] == "CourseFollowed", reply
    assert dbus()["course"] == "from-zero"

    # On purpose: the demo replaces today's session.
    tap(card("programs", "Seventy-second demo"))
    answer(keep=False)
    wait("the demo on D-Bus", lambda: dbus()["program_name"] == "Seventy-second demo")

    # Stopped: the page says so, and what was walked; no Pause to tap.
    tap(by_id("stop"))
    assert "Seventy-second demo" in answer(keep=False)
    wait("stopped on D-Bus", lambda: dbus()["state"] == "stopped")
    wait("the ended view", lambda: shown("ended") and not shown("toggle"))
    assert by_id("stepname").text == "Stopped: Seventy-second demo", by_id("stepname").text
    wait("what was walked", lambda: by_id("walked").text.startswith("Walked "))

    # Today's course session was cut short: unrated, and the page asks.
    history = json.loads(ctl("history", "--json"))
    course_walk = [e for e in history if e["course"] == "from-zero"]
    assert course_walk and course_walk[-1]["rating"] == "unrated", history
    wait("the rating prompt", lambda: shown("rate"))
    upnext = by_id("upnext").text
    assert "Backward walking from zero session 1 of 18" in upnext and "due now" in upnext, upnext
    wait("the start button", lambda: shown("startnext"))
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(os.path.join(shots, "remote-ended.png"))
    tap(driver.find_element(By.CSS_SELECTOR, "[data-rating=too-hard]"))
    wait("the rating on D-Bus", lambda: dbus()["last_rating"] == "too-hard")
    wait("the prompt gone", lambda: not shown("rate"))

    # The week's minutes are written out, not only drawn: the session two
    # weeks ago (10 minutes, 3 backward), the empty week between as zero,
    # and this week.
    figures = [f.text for f in driver.find_elements(By.CSS_SELECTOR, "#weeks .figures")]
    assert len(figures) == 3, figures
    assert figures[0] == "3 back · 7 fwd" and figures[1] == "0 back · 0 fwd", figures
    assert "0.7 mph" in by_id("speeds").text, by_id("speeds").text

    # The next session, started from the ended view.
    tap(by_id("startnext"))
    wait("the next session on D-Bus", lambda: dbus()["state"] == "running")
    assert dbus()["course"] == "from-zero"
    ctl("stop")
    wait("stopped again", lambda: shown("ended"))
    # The demo, started within a second of a course walk, is no course's.
    entries = api("GET", "history")["body"]
    assert all(e["course"] is None for e in entries if e["program"] == "demo"), entries

    # Each session of the history links to its FIT file, which the
    # page's own cookie downloads.
    links = driver.find_elements(By.CSS_SELECTOR, "#history a.download")
    assert len(links) == min(10, len(entries)), (len(links), len(entries))
    newest = entries[-1]["session"]
    assert links[0].get_attribute("href").endswith("/api/sessions/%d/fit" % newest)
    got = driver.execute_async_script("""
        const [href, done] = arguments;
        fetch(href).then(async (r) => {
            const bytes = new Uint8Array(await r.arrayBuffer());
            done({status: r.status, disposition: r.headers.get("Content-Disposition"),
                  magic: String.fromCharCode(...bytes.slice(8, 12))});
        });
    """, links[0].get_attribute("href"))
    assert got["status"] == 200 and got["magic"] == ".FIT", got
    assert got["disposition"].startswith("attachment; filename=") and got["disposition"].endswith('.fit"'), got

    # Leaving asks first; then no course.
    tap(by_id("leave"))
    assert "Backward walking from zero" in answer(keep=False)
    wait("no course on D-Bus", lambda: dbus()["course"] == "")
    wait("the page to say so", lambda: "no course" in by_id("course").text)
    driver.execute_script("document.querySelector('#courses').scrollIntoView()")
    driver.save_screenshot(os.path.join(shots, "remote-courses.png"))
    driver.execute_script("document.querySelector('#histhead').scrollIntoView()")
    driver.save_screenshot(os.path.join(shots, "remote-history.png"))

    # A second walker: the page shows the walkers as big buttons as soon
    # as one is added, a tap makes them the walker (on D-Bus too) with
    # their own, empty history; "every walker" shows the first walker's
    # sessions, each naming them; the report is the chosen walker's.
    ctl("walker", "add", "Anna")
    wait("the walkers' buttons", lambda: shown("walkers") and len(driver.find_elements(By.CSS_SELECTOR, "#walkerlist button")) == 2)
    first = card("walkerlist", "Walker")
    assert first.get_attribute("aria-pressed") == "true"
    tap(card("walkerlist", "Anna"))
    wait("Anna on D-Bus", lambda: dbus()["walker"] == "Anna")
    wait("Anna's button pressed", lambda: card("walkerlist", "Anna").get_attribute("aria-pressed") == "true")
    wait("Anna's empty history", lambda: len(driver.find_elements(By.CSS_SELECTOR, "#history li")) == 0)
    assert "walker=Anna" in by_id("report").get_attribute("href")
    tap(by_id("allwalkers"))
    wait("every walker's sessions", lambda: len(driver.find_elements(By.CSS_SELECTOR, "#history li")) == min(10, len(entries)))
    first_line = driver.find_elements(By.CSS_SELECTOR, "#history li")[0].text
    assert first_line.startswith("Walker · "), first_line
    driver.save_screenshot(os.path.join(shots, "remote-walkers.png"))
    tap(by_id("allwalkers"))
    tap(card("walkerlist", "Walker"))
    wait("the first walker again", lambda: dbus()["walker"] == "Walker")
    wait("their history again", lambda: len(driver.find_elements(By.CSS_SELECTOR, "#history li")) == min(10, len(entries)))

    # The physiotherapist's report opens from the history, with the
    # session count of the history and its charts drawn.
    driver.get(by_id("report").get_attribute("href"))
    wait("the report", lambda: "Backward walking report" in driver.find_element(By.TAG_NAME, "h1").text)
    body = driver.find_element(By.TAG_NAME, "body").text
    assert ("Sessions: %d (" % len(entries)) in body, body[:600]
    charts = driver.find_elements(By.CSS_SELECTOR, "svg")
    assert len(charts) >= 2 and all(c.size["height"] > 50 for c in charts), [c.size for c in charts]
    driver.save_screenshot(os.path.join(shots, "remote-report.png"))
    print("ok")
finally:
    driver.quit()
