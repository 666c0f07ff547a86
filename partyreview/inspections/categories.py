"""The standard categories (问题类别) seeded on every new install; administrators may edit them later."""

STANDARD_CATEGORIES: list[tuple[str, str, str, int | None]] = [
    ("two_skins", '党建与业务"两张皮"', "党建工作与中心工作分开谋划、分开部署、分开考核", 90),
    ("weak_leadership", "班子软弱、书记履职不到位", "兼职书记精力、能力不足，班子不健全，软弱涣散", 90),
    ("meeting_lapses", '"三会一课"落实不到位', "会议未按期召开、流于形式、记录缺失，党课质量不高", 30),
    ("dues_arrears", "党费收缴不规范、欠缴", "党费迟交、漏交，基数核定不准，无党费台账", 30),
    ("responsibility", "党建责任制落实不到位", "部署多落实少，一岗双责落实不到位", 60),
    ("theory_study", "理论学习抓而不实", "学习计划未落实，学用脱节", 60),
    ("election_overdue", "换届不及时", "任期届满未按期换届", 90),
    ("political_life", "党内政治生活不严肃", "组织生活会流于形式，批评与自我批评不开展", 60),
    ("member_management", "党员教育管理松懈", "教育管理宽松软，离退休及流动党员失管失联", 60),
    ("member_recruitment", "发展党员质量不高", "重数量轻质量，考察把关不严", 90),
    ("supervision", "党内监督机制不健全", "监督执纪机制未有效运转", 90),
    ("integrity", "党风廉政建设责任落实不到位", "廉政责任未压实", 60),
    ("work_style", "作风建设成效不明显", "形式主义、官僚主义问题", 60),
    ("vanguard_role", "党员先锋模范作用发挥不充分", "党员未能以身作则、带头示范", 60),
    ("carriers", "活动载体单一、阵地建设不足", "缺少活动场所，活动形式单一", 90),
    ("other", "其他", "", 60),
]


def ensure_standard_categories(category_model: type) -> int:
    """Create the standard categories that are missing; never touch ones an administrator edited.

    Takes the model class so the data migration can pass its historical model. Returns how many were made.
    """
    created = 0
    for order, (code, name, description, days) in enumerate(STANDARD_CATEGORIES, start=1):
        _, made = category_model.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "default_days": days, "sort_order": order}
        )
        created += made
    return created
