from django.contrib.auth.management import create_permissions
from django.db import migrations

TAXONOMY_PERMISSIONS = ("view_topic", "add_topic", "change_topic")


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    app_config = apps.get_app_config("partners")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="coordinators")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="partners", codename__in=TAXONOMY_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_listings_taxonomy_imports"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
