"""The package installs as a wheel: translations, migrations and toolkit content come with it.

Builds a wheel from a copy of the checkout (tracked and new files; no compiled .mo files),
installs it into a fresh virtualenv outside the repository (no system site-packages, so a
file the wheel lacks cannot be found elsewhere), migrates a fresh SQLite database with the
installed ``flask db upgrade`` and serves pages in Dutch and Arabic from the installed copy.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from buddy import catalogs

pytestmark = [pytest.mark.slow, pytest.mark.no_database]

TOOLKIT_SLUG = "making-agreements"  # has an Arabic version

SERVE = """
import json, re, sys
import buddy
from buddy import create_app

app = create_app({"TESTING": True})
pages = {}
for url in sys.argv[1:]:
    response = app.test_client().get(url)  # a fresh client: no language cookie carried over
    html = response.get_data(as_text=True)
    tag = re.search(r"<html lang=\\"([^\\"]*)\\" dir=\\"([^\\"]*)\\"", html)
    title = re.search(r"<title>(.*?) · ", html)
    pages[url] = {"status": response.status_code, "lang": tag and tag[1], "dir": tag and tag[2],
                  "title": title and title[1]}
print(json.dumps({"package": buddy.__file__, "pages": pages}))
"""


def _copy_checkout(target: Path) -> None:
    """Copy the files git knows or would add (symlinks stay symlinks) to ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=catalogs.ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = catalogs.ROOT / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree, not yet committed
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name, follow_symlinks=False)


def _run(args, **kwargs) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _translation(locale: str, msgid: str) -> str:
    with catalogs.po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)[msgid].string


def _toolkit_title(locale: str, slug: str) -> str:
    text = (catalogs.ROOT / "toolkit_content" / locale / f"{slug}.md").read_text("utf-8")
    return re.search(r"^title: (.*)$", text, re.MULTILINE)[1].strip()


def test_the_wheel_installs_migrates_and_serves_in_a_fresh_virtualenv(tmp_path):
    source, dist, env_dir, run_dir = (tmp_path / d for d in ("src", "dist", "venv", "run"))
    for folder in (source, dist, run_dir):
        folder.mkdir()
    _copy_checkout(source)
    assert not list(source.glob("translations/*/LC_MESSAGES/*.mo"))
    # pip and the app's start-up run on the real clock, also in the moved-clock CI pass
    environ = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith(("LD_PRELOAD",
                                                                               "FAKETIME"))}
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
         env=environ, cwd=tmp_path)
    [wheel] = dist.glob("buddy-*.whl")

    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python, flask = env_dir / "bin" / "python", env_dir / "bin" / "flask"
    _run([str(python), "-m", "pip", "install", "-q", str(wheel)], env=environ, cwd=tmp_path)

    app_env = {**environ, "BUDDY_ENV": "development", "SECRET_KEY": "wheel-test-" + "k" * 40,
               "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    _run([str(flask), "--app", "buddy", "db", "upgrade"], env=app_env, cwd=run_dir)
    toolkit = f"/toolkit/{TOOLKIT_SLUG}"
    urls = ["/", "/?lang=ar", toolkit, f"{toolkit}?lang=ar"]
    served = json.loads(_run([str(python), "-c", SERVE, *urls], env=app_env, cwd=run_dir))

    assert Path(served["package"]).is_relative_to(env_dir)
    pages = served["pages"]
    assert {url: page["status"] for url, page in pages.items()} == dict.fromkeys(urls, 200)
    assert (pages["/"]["lang"], pages["/"]["dir"]) == ("nl", "ltr")
    assert (pages["/?lang=ar"]["lang"], pages["/?lang=ar"]["dir"]) == ("ar", "rtl")
    # Translated titles prove the compiled catalogs and the content travelled in the wheel.
    assert pages["/"]["title"] == _translation("nl", "Welcome")
    assert pages["/?lang=ar"]["title"] == _translation("ar", "Welcome")
    assert pages[toolkit]["title"] == _toolkit_title("nl", TOOLKIT_SLUG)
    assert pages[f"{toolkit}?lang=ar"]["title"] == _toolkit_title("ar", TOOLKIT_SLUG)
