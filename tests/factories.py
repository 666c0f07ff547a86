"""factory_boy factories for raw rows, and ``Builder`` helpers that go through the services.

Use the services (``build_*``) when a test needs real history and rules; use the factories when a test
needs many rows fast (query-count tests with 1,000 rows)."""

import datetime

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from partyreview.accounts.models import User
from partyreview.common.dates import local_today
from partyreview.inspections.models import Category, Finding, Inspection, InspectionKind
from partyreview.organizations.models import Organization, OrganizationKind
from partyreview.rectifications.models import Rectification, RectificationStatus
from partyreview.rectifications.services import compute_warn_from


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("Test-Password-2026")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"第{n}党支部")
    code = factory.Sequence(lambda n: f"ORG{n:05d}")
    kind = OrganizationKind.BRANCH


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    title = factory.Sequence(lambda n: f"测试巡察{n}")
    kind = InspectionKind.TOUR
    start_date = factory.LazyFunction(lambda: local_today() - datetime.timedelta(days=60))
    feedback_date = factory.LazyFunction(lambda: local_today() - datetime.timedelta(days=30))


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    sequence = factory.Sequence(lambda n: n + 1)
    category = factory.LazyFunction(lambda: Category.objects.order_by("?").first())
    description = factory.Sequence(lambda n: f"问题描述{n}")
    found_on = factory.LazyFunction(lambda: local_today() - datetime.timedelta(days=30))


class RectificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rectification

    number = 1
    measure = factory.Sequence(lambda n: f"整改措施{n}")
    status = RectificationStatus.IN_PROGRESS
    due_date = factory.LazyFunction(lambda: local_today() + datetime.timedelta(days=30))
    original_due_date = factory.LazyAttribute(lambda r: r.due_date)
    warn_from = factory.LazyAttribute(
        lambda r: compute_warn_from(local_today() - datetime.timedelta(days=30), r.due_date)
    )


def pdf_upload(name: str = "佐证.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_upload(name: str = "照片.png") -> SimpleUploadedFile:
    # The smallest valid PNG: signature, IHDR, IDAT, IEND.
    body = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    return SimpleUploadedFile(name, body, content_type="image/png")
