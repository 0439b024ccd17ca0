"""The web remote in a real headless Chromium at phone size, driven by
Selenium through chromedriver: pair, start a program, watch the step bar
move, pause from the page (and see it on D-Bus), pause from playerctl
(and see the page change). Saves screenshots, light and dark.

Usage: remote.py BASE_URL BUS_ADDRESS TREADCUECTL SCREENSHOT_DIR
"""

import json
import os
import subprocess
import time

from selenium.webdriver.common.by import By

from phone import base, bus, ctl, phone, shots, wait


def dbus_state():
    return json.loads(ctl("status", "--json"))["state"]


def playerctl(*args):
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus)
    subprocess.run(["playerctl", "--player", "treadcue", *args], env=env, check=True)


driver = phone()
try:
    driver.get(base + "/")
    by_id = lambda i: driver.find_element(By.ID, i)
    wait("the pairing screen", lambda: by_id("pairing").is_displayed())
    driver.save_screenshot(os.path.join(shots, "remote-pairing.png"))

    by_id("code").send_keys(ctl("web", "pair"))
    by_id("sendcode").click()
    wait("the remote after pairing", lambda: by_id("app").is_displayed())

    # Start the demo from the list of programs.
    wait("the programs", lambda: driver.find_elements(By.CSS_SELECTOR, "#programs button"))
    demo = [b for b in driver.find_elements(By.CSS_SELECTOR, "#programs button")
            if b.text.startswith("Seventy-second demo")][0]
    demo.click()
    wait("the session on D-Bus", lambda: dbus_state() == "running")
    wait("the step on the page", lambda: "1 of 3" in by_id("stepname").text)
    assert by_id("direction").text in ("FORWARD", "BACKWARD"), by_id("direction").text

    bar = lambda: float(by_id("stepbar").get_attribute("aria-valuenow") or 0)
    before = bar()
    wait("the step bar to move", lambda: bar() > before, seconds=15)

    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.3)
    driver.save_screenshot(os.path.join(shots, "remote-light.png"))
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    time.sleep(0.3)
    driver.save_screenshot(os.path.join(shots, "remote-dark.png"))

    # Paused from the page: D-Bus says so.
    by_id("toggle").click()
    wait("State paused on D-Bus", lambda: dbus_state() == "paused")
    wait("the page to offer Resume", lambda: by_id("toggle").text == "Resume")

    # Played from playerctl: the page follows.
    playerctl("play")
    wait("the page to follow playerctl", lambda: by_id("toggle").text == "Pause")
    playerctl("pause")
    wait("the page to follow playerctl's pause", lambda: by_id("toggle").text == "Resume")

    # Daemon text is never HTML: a program name is shown as written.
    names = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#programs button")]
    assert any("<b>" in n for n in names), names
    print("ok")
finally:
    driver.quit()
