"""Import businesses or products from the agency's register (CSV or XLSX) on the
server's command line, e.g. for scripted imports (the admin's Import button runs
big files in the background too, with a progress page).

    manage.py import_register businesses register.xlsx --user staf@serangkota.go.id
    manage.py import_register businesses register.xlsx --user … --commit

The same resources as the admin's Import button read the file (products/resources.py,
products/imports.py); the admin runs them in the background, this in the foreground.
The register may be as the agency keeps it (titles above a two-level header, section
and totals rows, the signature block; products/register.py reads it); --sheet names
the workbook's sheet to read (by default the one whose header fits).
Without --commit it is a dry run: it prints every row error and warning (with the
spreadsheet's own row numbers and column headers) and the counts, and writes
nothing. With --commit the file is written in one transaction, and only when no row
has an error; any error ends the command with a non-zero exit status. The staff
member needs the permission to add what is imported, as in the admin, and is
recorded as the one who registered the businesses.
"""

from pathlib import Path

from django.contrib.auth import get_permission_codename, get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from products.imports import (
    RESOURCES,
    FileUnreadable,
    read_register,
    row_errors,
    row_warnings,
)

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


class Command(BaseCommand):
    help = (
        "Import businesses or products from a CSV or XLSX file: a dry run listing "
        "row errors, or with --commit the whole file in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(RESOURCES))
        parser.add_argument("file", type=Path, help="A .csv (UTF-8) or .xlsx file.")
        parser.add_argument(
            "--user",
            required=True,
            help="Email address of the staff member importing the file.",
        )
        parser.add_argument(
            "--sheet", default="", help="The workbook's sheet to read (XLSX)."
        )
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Write the file (only when no row has an error).",
        )

    def handle(self, *args, kind, file, user, commit, sheet, **options):
        resource = RESOURCES[kind]()
        staff = self.staff_member(user, resource._meta.model)
        register = self.read(file, kind, sheet)
        for note in register.notes():
            self.stdout.write(str(note))
        result = resource.import_data(
            register.dataset,
            sheet=register,
            dry_run=not commit,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=staff,
            file_name=file.name,
        )
        for number, column, message in row_warnings(resource, register):
            self.stdout.write(
                _("Row %(row)d, %(column)s (note): %(message)s")
                % {"row": number, "column": column or "-", "message": message}
            )
        errors = row_errors(result, register)
        for number, column, message in errors:
            if number == 0:
                self.stdout.write(_("File: %(message)s") % {"message": message})
            elif column:
                self.stdout.write(
                    _("Row %(row)d, %(column)s: %(message)s")
                    % {"row": number, "column": column, "message": message}
                )
            else:
                self.stdout.write(
                    _("Row %(row)d: %(message)s") % {"row": number, "message": message}
                )
        totals = result.totals
        self.stdout.write(
            ngettext(
                "%(rows)d row: %(new)d new, %(updated)d updated, %(skipped)d "
                "unchanged, %(invalid)d with errors.",
                "%(rows)d rows: %(new)d new, %(updated)d updated, %(skipped)d "
                "unchanged, %(invalid)d with errors.",
                result.total_rows,
            )
            % {
                "rows": result.total_rows,
                "new": totals["new"],
                "updated": totals["update"],
                "skipped": totals["skip"],
                "invalid": totals["invalid"] + totals["error"],
            }
        )
        if errors:
            raise CommandError(
                ngettext(
                    "%(count)d error: nothing was written.",
                    "%(count)d errors: nothing was written.",
                    len(errors),
                )
                % {"count": len(errors)}
            )
        if commit:
            self.stdout.write(self.style.SUCCESS(_("Written.")))
        else:
            self.stdout.write(
                _("Dry run: nothing was written. Add --commit to write the file.")
            )

    def staff_member(self, email, model):
        """The active staff member with that email who may add model's objects."""
        user = get_user_model().objects.filter(email__iexact=email).first()
        codename = get_permission_codename("add", model._meta)
        if (
            user is None
            or not (user.is_active and user.is_staff)
            or not user.has_perm(f"{model._meta.app_label}.{codename}")
        ):
            raise CommandError(
                _("%(email)s is no active staff member allowed to add %(objects)s.")
                % {"email": email, "objects": model._meta.verbose_name_plural}
            )
        return user

    def read(self, file, kind, sheet):
        """The register in the file (products/register.py)."""
        file_format = FORMATS.get(file.suffix.lower())
        if file_format is None:
            raise CommandError(_("Give a .csv or .xlsx file."))
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        try:
            return read_register(data, file_format, kind, sheet)
        except FileUnreadable as error:
            raise CommandError(str(error)) from error
