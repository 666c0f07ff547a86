"""Forms of the tree pages. They validate only; organizations/services.py checks the rules and writes."""

from django import forms

from partyreview.common.forms import SpreadsheetField
from partyreview.organizations.models import Organization, OrganizationKind


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name}（{obj.get_kind_display()} · {obj.code}）"


class RenameForm(forms.Form):
    name = forms.CharField(label="新名称", max_length=100, error_messages={"required": "请填写党组织名称。"})


class MoveForm(forms.Form):
    parent = OrganizationChoiceField(
        label="调至上级党组织",
        queryset=Organization.objects.none(),
        error_messages={"required": "请选择上级党组织。", "invalid_choice": "请选择在用的上级党组织。"},
    )

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = (
            Organization.objects.filter(
                is_active=True, kind__in=[OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH]
            )
            .exclude(path__startswith=organization.path)
            .order_by("path")
        )


class MergeForm(forms.Form):
    survivor = OrganizationChoiceField(
        label="并入（保留的党组织）",
        queryset=Organization.objects.none(),
        error_messages={"required": "请选择合并后保留的党组织。", "invalid_choice": "请选择同类型、在用的党组织。"},
    )
    confirm = forms.BooleanField(
        label="我已确认：本组织的整改措施、问题、组织生活记录和人员将全部转入所选党组织，本组织标记为已撤销。",
        error_messages={"required": "请勾选确认。"},
    )

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = (
            Organization.objects.filter(is_active=True, kind=organization.kind)
            .exclude(pk=organization.pk)
            .order_by("path")
        )


class DeactivateForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=90, required=False)


class ImportForm(forms.Form):
    file = SpreadsheetField()
