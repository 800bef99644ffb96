"""Reference data seeded by a data migration and again after every ``migrate`` and every test
flush (Django sends ``post_migrate`` after ``flush`` too, without the migration state)."""

from django.db.models.signals import post_migrate


def reseed_after_migrate(app_config, seed, dispatch_uid: str) -> None:
    """Connect ``seed(apps, using)`` to run when ``app_config`` has been migrated or flushed."""

    def receiver(sender, using, apps=None, **kwargs):
        if apps is None:  # sent by flush: use the real registry
            from django.apps import apps
        seed(apps, using=using)

    post_migrate.connect(receiver, sender=app_config, dispatch_uid=dispatch_uid, weak=False)
