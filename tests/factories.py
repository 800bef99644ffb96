import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from transfers.models import Department

TEST_PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with roles (``roles=["sewing"]``) and supervised departments (``supervises``)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))

    @factory.post_generation
    def supervises(self, create, extracted, **kwargs):
        if create and extracted:
            for code in extracted:
                assign_perm(
                    "transfers.supervise_department", self, Department.objects.get(code=code)
                )

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
