"""导入记录 (ImportBatch) moves from office to intake with the import itself.

Only Django's idea of which app owns the model changes: the table keeps its name (``office_importbatch``),
its rows and its constraint, so no SQL runs (office's 0003 drops the model from office's state).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import partyreview.intake.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("inspections", "0002_standard_categories"),
        ("office", "0002_import_in_worker"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportBatch",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("original_name", models.CharField(max_length=255, verbose_name="原文件名")),
                        (
                            "file",
                            models.FileField(
                                blank=True,
                                max_length=255,
                                upload_to=partyreview.intake.models.import_upload_to,
                                verbose_name="暂存文件",
                            ),
                        ),
                        ("size", models.PositiveBigIntegerField(verbose_name="大小（字节）")),
                        ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                        (
                            "status",
                            models.CharField(
                                choices=[("preview", "待确认"), ("importing", "导入中"), ("imported", "已导入")],
                                default="preview",
                                max_length=20,
                                verbose_name="状态",
                            ),
                        ),
                        ("findings_created", models.PositiveIntegerField(default=0, verbose_name="新建问题数")),
                        ("measures_created", models.PositiveIntegerField(default=0, verbose_name="新建整改措施数")),
                        ("findings_skipped", models.PositiveIntegerField(default=0, verbose_name="跳过问题数")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="上传时间")),
                        ("imported_at", models.DateTimeField(blank=True, null=True, verbose_name="导入时间")),
                        ("error", models.TextField(blank=True, verbose_name="上次导入失败的原因")),
                        (
                            "inspection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="import_batches",
                                to="inspections.inspection",
                                verbose_name="检查",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="导入人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "导入记录",
                        "verbose_name_plural": "导入记录",
                        "db_table": "office_importbatch",
                        "ordering": ["-created_at", "-id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("status__in", ["preview", "importing", "imported"])),
                                name="import_status_valid",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
