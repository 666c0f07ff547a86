"""党组织树（党委 → 党总支 → 党支部）与用户在组织中的角色（任职）。"""

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from simple_history.models import HistoricalRecords

from partyreview.accounts.models import Role


class OrganizationKind(models.TextChoices):
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"


class Organization(models.Model):
    """党组织：树上的一个节点。

    ``path`` is a materialised path ("000001/000004/") so a subtree is one indexed
    ``path__startswith`` filter, whatever its depth. It is an invariant of ``parent`` and kept by save().
    """

    name = models.CharField("名称", max_length=100)
    code = models.CharField("编码", max_length=50, unique=True)
    kind = models.CharField("类型", max_length=20, choices=OrganizationKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级党组织"
    )
    path = models.CharField("路径", max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField("层级", editable=False, default=0)
    sort_order = models.PositiveIntegerField("排序", default=0)
    formal_member_count = models.PositiveIntegerField("正式党员数", default=0)
    probationary_member_count = models.PositiveIntegerField("预备党员数", default=0)
    has_committee = models.BooleanField("设支委会", default=False)
    has_party_groups = models.BooleanField("设党小组", default=False)
    term_start = models.DateField("本届任期开始", null=True, blank=True)
    term_end = models.DateField("本届任期届满", null=True, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    is_active = models.BooleanField("在用", default=True)
    history = HistoricalRecords(excluded_fields=["path", "depth"])

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganizationKind.values), name="organization_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind == OrganizationKind.BRANCH

    def save(self, *args, **kwargs) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValueError("党组织不能以自身为上级")
        old_path = self.path
        # Every field first (a move changes ``parent`` too: saving only the path would lose it), then the
        # path, which needs the primary key.
        super().save(*args, **kwargs)
        new_path = self._computed_path()
        if new_path != old_path:
            self.path = new_path
            self.depth = new_path.count("/") - 1
            super().save(update_fields=["path", "depth"])
            if old_path:
                # Moving a node moves its subtree: rewrite descendants' prefixes in one UPDATE.
                Organization.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)),
                    depth=F("depth") + (self.depth - old_path.count("/") + 1),
                )

    def _computed_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.pk:06d}/"

    def is_within(self, other: "Organization") -> bool:
        """True when self is other or below it."""
        return self.path.startswith(other.path)


class Membership(models.Model):
    """任职：用户在某个党组织担任的角色，决定他能看见和操作的范围。"""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name="用户"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name="党组织"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    title = models.CharField("职务", max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"
