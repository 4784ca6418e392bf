"""Import businesses or products from the agency's register (CSV or XLSX) on the
server's command line, e.g. for scripted imports (the admin's Import button runs
big files in the background too, with a progress page).

    manage.py import_register businesses register.xlsx --user staf@serangkota.go.id
    manage.py import_register businesses register.xlsx --user … --commit

The same resources as the admin's Import button read the file (products/resources.py,
products/imports.py); the admin runs them in the background, this in the foreground.
Without --commit it is a dry run: it prints every row error (row 1 is the first row
under the header) and the counts, and writes nothing. With --commit the file is
written in one transaction, and only when no row has an error; any error ends the
command with a non-zero exit status. The staff member needs the permission to add
what is imported, as in the admin, and is recorded as the one who registered the
businesses.
"""

from pathlib import Path

from django.contrib.auth import get_permission_codename, get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.formats.base_formats import CSV, XLSX

from products.imports import ENCODING, RESOURCES, row_errors

FORMATS = {".csv": CSV, ".xlsx": XLSX}


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
            "--commit",
            action="store_true",
            help="Write the file (only when no row has an error).",
        )

    def handle(self, *args, kind, file, user, commit, **options):
        resource = RESOURCES[kind]()
        staff = self.staff_member(user, resource._meta.model)
        dataset = self.read(file)
        result = resource.import_data(
            dataset,
            dry_run=not commit,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=staff,
            file_name=file.name,
        )
        errors = row_errors(result)
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

    def read(self, file):
        """The file's rows as a tablib Dataset (the first row holds the headers)."""
        file_format = FORMATS.get(file.suffix.lower())
        if file_format is None:
            raise CommandError(_("Give a .csv or .xlsx file."))
        try:
            return file_format(encoding=ENCODING).create_dataset(file.read_bytes())
        except Exception as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
