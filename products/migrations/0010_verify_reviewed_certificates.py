"""Certificates now count only once a Verifikator checked them. Those of approved
products that the owner has not changed since the approval were on the product the
staff member approved: they count as checked by that decision."""

from django.db import migrations


def verify_reviewed(apps, schema_editor):
    Certification = apps.get_model("products", "Certification")
    reviewed = Certification.objects.filter(
        product__status="approved", product__status_changed_at__isnull=False
    ).select_related("product")
    for certificate in reviewed:
        product = certificate.product
        if "certifications" in (product.changes_since_review or {}):
            continue
        certificate.verified_at = product.status_changed_at
        certificate.verified_by_id = product.status_changed_by_id
        certificate.save(update_fields=["verified_at", "verified_by"])


class Migration(migrations.Migration):
    dependencies = [("products", "0009_decisions")]

    operations = [migrations.RunPython(verify_reviewed, migrations.RunPython.noop)]
