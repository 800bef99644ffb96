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

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        # get_or_create may return an existing user: keep its hash (and its sessions valid)
        if not self.password or extracted:
            self.set_password(extracted or TEST_PASSWORD)

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


# --- planning and warehouse ------------------------------------------------------------------
from decimal import Decimal  # noqa: E402

from ppic.models import Article, BomLine, Destination, Material  # noqa: E402


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"MAT-{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Material {o.code}")
    uom = "m"
    kind = "fabric"


class DestinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Destination
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"DC-{n:02d}")
    name = factory.LazyAttribute(lambda o: f"IKEA {o.code}")
    country = "DE"


class ArticleFactory(factory.django.DjangoModelFactory):
    """An article with a BOM: plush fabric 0.25 m (+4 % waste) and filling 0.12 kg (+2 %)."""

    class Meta:
        model = Article
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"ART-{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Bear {o.code}")
    default_route = "DIRECT"
    fill_weight_g = Decimal("250.00")
    fill_tolerance_g = Decimal("10.00")
    units_per_carton = 24

    @factory.post_generation
    def bom(self, create, extracted, **kwargs):
        if not create or self.bom.exists():  # get_or_create found an existing article
            return
        lines = extracted
        if lines is None:
            lines = [
                (MaterialFactory(code="PLUSH-BRN", kind="fabric", uom="m"), "0.2500", "4"),
                (MaterialFactory(code="FIBER-7D", kind="filling", uom="kg"), "0.1200", "2"),
            ]
        for material, per_unit, waste in lines:
            BomLine.objects.create(
                article=self,
                material=material,
                quantity_per_unit=Decimal(per_unit),
                waste_pct=Decimal(waste),
            )
