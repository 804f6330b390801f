"""The certificate of hours as a PDF, made with fpdf2 (pure Python, no browser needed)."""

from pathlib import Path

from flask_babel import format_date, format_decimal, gettext
from fpdf import FPDF

from .services import Certificate

# A Unicode font when the system has one (Debian: fonts-dejavu-core); else the PDF core font,
# which covers Latin-1 only (other characters become "?").
FONT_FILES = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
              Path("/usr/share/fonts/TTF/DejaVuSans.ttf"))


def _font(pdf: FPDF) -> tuple[str, bool]:
    for path in FONT_FILES:
        if path.is_file():
            pdf.add_font("body", fname=str(path))
            return "body", True
    return "helvetica", False


def certificate_pdf(cert: Certificate) -> bytes:
    """Return the certificate as PDF bytes (A4, one page), in the current locale."""
    pdf = FPDF(format="A4")
    pdf.set_title(gettext("Certificate of hours"))
    pdf.set_creator("Inburgergids")
    pdf.add_page()
    family, unicode_font = _font(pdf)

    def text(value: str) -> str:
        return value if unicode_font else value.encode("latin-1", "replace").decode("latin-1")

    def line(value: str, size: int = 12, space: float = 4) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, size * 0.5, text(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(space)

    line(gettext("Certificate of hours"), 22, 10)
    line(gettext("%(organisation)s, %(city)s", organisation=cert.organisation, city=cert.city))
    line(gettext("%(name)s was a buddy for a newcomer as a community-service placement "
                 "(maatschappelijke stage) of %(school)s.", name=cert.pupil, school=cert.school))
    line(gettext("Hours given, from the meeting logs: %(hours)s",
                 hours=_hours(cert.hours)), 14, 6)
    if cert.placement_hours:
        line(gettext("Hours of the placement: %(hours)s", hours=cert.placement_hours))
    if cert.placement_end_on:
        line(gettext("Last day of the placement: %(date)s",
                     date=format_date(cert.placement_end_on, "long")))
    pdf.ln(10)
    line(gettext("Signed off by the coordinator of %(organisation)s on %(date)s.",
                 organisation=cert.organisation, date=format_date(cert.signed_on, "long")))
    return bytes(pdf.output())


def _hours(value: float) -> str:
    return format_decimal(value, "#,##0.#")
