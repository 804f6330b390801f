"""Build hook: compile the translation catalogs into the wheel (the metadata is in pyproject.toml).

The repository keeps only the .po sources (``make catalogs`` compiles them in a checkout);
a built package gets a ``messages.mo`` next to every shipped ``messages.po``.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogs(build_py):
    """build_py, then compile buddy/data/translations/*/LC_MESSAGES/messages.po to .mo."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout, where `make catalogs` compiles
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        translations = Path(self.build_lib, "buddy", "data", "translations")
        for po in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalog)


setup(cmdclass={"build_py": BuildPyWithCatalogs})
