"""What the browser scripts share: their arguments, treadcuectl on the
test's bus, waiting on a condition, and a headless Chromium the size of
a phone (390x844)."""

import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

base, bus, treadcuectl, shots = sys.argv[1:5]


def ctl(*args):
    out = subprocess.run([treadcuectl, "--bus-address", bus, *args],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def wait(what, check, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {seconds} s")


def phone():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=390,844",
                "--disable-dev-shm-usage", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_window_size(390, 844)
    return driver
