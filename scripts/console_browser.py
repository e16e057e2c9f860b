#!/usr/bin/env python3
"""The console in a real browser (headless Chromium from Debian, driven by Selenium with
Debian's chromedriver): logs in with a console account through the login form, loads
/console and finds the figures of the known traffic that scripts/console_checks.sh made,
checks that partner keys get 403, and writes screenshots under .local/ for a person to
look at.

    console_browser.py URL USERNAME PASSWORD EXPECTED_JSON SCREENSHOT_DIR
"""
import json
import sys
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

PARTNER_KEY = "ota_test_key_12345"


def status_with_partner_key(url, method="GET", body=None):
    request = urllib.request.Request(url, method=method, data=body, headers={"X-API-Key": PARTNER_KEY})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def browser(width, height):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", f"--window-size={width},{height}"):
        options.add_argument(arg)
    # Debian's driver, never one downloaded by Selenium Manager.
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def kpi(driver, name):
    found = driver.find_elements(By.CSS_SELECTOR, f'[data-kpi="{name}"]')
    return found[0].text.strip() if found else None


def full_page_screenshot(driver, width, path):
    height = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    driver.set_window_size(width, max(height, 600) + 120)
    driver.save_screenshot(path)


def main():
    base, username, password, expected_file, shots = sys.argv[1:6]
    expected = json.load(open(expected_file))
    failures = []

    for method, path in (("GET", "/console"), ("GET", "/api/admin/kpis"), ("GET", "/api/admin/kpis/series?metric=holds"),
                         ("POST", "/console/login")):
        got = status_with_partner_key(base + path, method, b"username=x&password=y" if method == "POST" else None)
        if got != 403:
            failures.append(f"{method} {path} with a partner key answered {got}, not 403")

    for name, (width, height) in (("laptop", (1366, 900)), ("phone", (390, 844))):
        driver = browser(width, height)
        try:
            driver.get(base + "/console")
            if "/console/login" not in driver.current_url:
                failures.append(f"{name}: /console without a session went to {driver.current_url}, not the login form")
            driver.find_element(By.ID, "username").send_keys(username)
            driver.find_element(By.ID, "password").send_keys(password)
            driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
            try:
                # The form's POST answers 303 to /console; wait for that page to load.
                WebDriverWait(driver, 20).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, '[data-kpi="as_of"]')))
            except TimeoutException:
                failures.append(f"{name}: no console page after logging in; the browser shows {driver.current_url}: "
                                f"{driver.find_element(By.TAG_NAME, 'body').text[:300]!r}")
                continue
            if not driver.current_url.endswith("/console"):
                failures.append(f"{name}: after the login the browser is at {driver.current_url}")
            cookie = driver.get_cookie("ota_console")
            if not cookie or not cookie.get("httpOnly") or cookie.get("sameSite") != "Strict":
                failures.append(f"{name}: the session cookie is not HttpOnly and SameSite=Strict: {cookie}")
            if name == "laptop":
                for key, want in expected.items():
                    got = kpi(driver, key)
                    if got != want:
                        failures.append(f"data-kpi={key}: expected {want!r}, the page shows {got!r}")
                external = driver.execute_script(
                    "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))")
                if external:
                    failures.append(f"resources from elsewhere: {external}")
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                failures.append(f"{name}: the page is {overflow}px wider than the screen")
            full_page_screenshot(driver, width, f"{shots}/console-{name}.png")
            print(f"browser: screenshot {shots}/console-{name}.png")
        finally:
            driver.quit()

    for f in failures:
        print("browser: " + f, file=sys.stderr)
    if failures:
        sys.exit(1)
    print(f"browser: {len(expected)} figures found on /console; partner keys refused with 403")


if __name__ == "__main__":
    main()
