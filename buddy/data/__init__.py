"""Files shipped inside the package and found through it, in a checkout and in a wheel.

``translations/``, ``migrations/`` and ``toolkit_content/`` stay at the top of the repository;
here they are symlinks to those folders, and a built wheel holds copies (see pyproject.toml's
package-data and setup.py, which also compiles the catalogs into the wheel).
"""

from pathlib import Path

DATA = Path(__file__).parent
TRANSLATIONS = DATA / "translations"
MIGRATIONS = DATA / "migrations"
TOOLKIT_CONTENT = DATA / "toolkit_content"
# The 30,000 most common leaked passwords (zxcvbn's list; licence in the .LICENSE.txt next to
# it) and our own Dutch ones.
LEAKED_PASSWORDS = DATA / "leaked_passwords.txt"
DUTCH_PASSWORDS = DATA / "common_passwords.txt"
