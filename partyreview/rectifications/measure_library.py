"""整改措施库：the standard measures committees take for each kind of problem, seeded on a new install.

Written from the domain (what each standard category covers) in the words rectification ledgers use, so
that staff start from a sound measure and adjust it rather than draft every one. Administrators edit the
library in the admin (``StandardMeasure``); ``selectors.measure_suggestions`` puts the committee's own
most-used closed measures in front of these.
"""

STANDARD_MEASURES: dict[str, list[tuple[str, str]]] = {
    # category code: [(measure, kind)] — kind as RectificationKind's value
    "two_skins": [
        ("将党建工作与业务工作同谋划、同部署、同落实、同考核，年度工作要点中党建任务与业务任务一并列出。", "deadline"),
        ("建立党建与业务融合项目清单，每个支部围绕中心工作确定至少1个融合项目并跟踪推进。", "deadline"),
        ("将党建考核结果与部门绩效考核、评先评优挂钩，修订考核办法。", "deadline"),
        ("党组织前置研究讨论重大事项，完善议事规则并严格执行。", "long_term"),
    ],
    "weak_leadership": [
        ("按规定配齐配强支部委员会，空缺委员在1个月内补选到位。", "deadline"),
        ("组织支部书记参加专题培训，年内轮训全覆盖，提升抓党建能力。", "deadline"),
        ("制定软弱涣散党组织整顿方案，明确党委班子成员联系指导，逐项销号。", "deadline"),
        ("建立支部书记抓党建述职评议制度，每年述职评议一次。", "long_term"),
        ("对支部设置进行梳理，党员超过50人的支部按规定调整设置。", "deadline"),
    ],
    "meeting_lapses": [
        ("制定“三会一课”年度计划，按月召开支委会、按季度召开党员大会和讲授党课。", "long_term"),
        ("规范会议记录，统一使用组织生活记录本，会后及时整理归档。", "immediate"),
        ("书记每年至少讲一次党课，班子成员到所在支部讲党课，提高党课针对性。", "long_term"),
        ("创新主题党日活动形式，结合业务工作确定主题，杜绝以会代学。", "long_term"),
        ("党委每季度抽查各支部“三会一课”落实情况并通报。", "long_term"),
    ],
    "dues_arrears": [
        ("对欠缴党费的党员逐一谈话提醒，限期足额补交。", "immediate"),
        ("按规定重新核定全体党员党费交纳基数，每年调整一次并公示。", "deadline"),
        ("建立党费收缴台账，按月收缴、按时上缴，做到账目清楚。", "immediate"),
        ("对连续6个月不交纳党费的党员，按党章规定查明原因、教育处置。", "deadline"),
    ],
    "responsibility": [
        ("制定党建工作责任清单，明确书记第一责任人、班子成员“一岗双责”的具体任务。", "deadline"),
        ("党委会每季度专题研究党建工作，部署事项建立台账、跟踪问效。", "long_term"),
        ("完善基层党建工作考核办法，考核结果与干部评价、评先评优挂钩。", "deadline"),
        ("开展书记抓基层党建述职评议考核，对问题较多的约谈提醒。", "long_term"),
    ],
    "theory_study": [
        ("制定理论学习中心组年度学习计划，按计划开展专题学习和交流研讨。", "deadline"),
        ("严格落实“第一议题”制度，学后结合实际研究贯彻举措。", "long_term"),
        ("建立学习督查通报制度，每季度检查学习笔记和学习记录。", "long_term"),
        ("组织党员开展党章党规应知应会测试，对不合格的补学补考。", "deadline"),
    ],
    "election_overdue": [
        ("对任期届满的党组织，1个月内向上级党组织报告并启动换届选举。", "immediate"),
        ("严格按照选举工作程序开展换届，选举结果及时报批。", "deadline"),
        ("建立基层党组织任期台账和到期提醒机制，提前6个月提醒换届。", "long_term"),
    ],
    "political_life": [
        ("重新召开专题组织生活会，会前深入开展谈心谈话，会上严肃开展批评和自我批评。", "deadline"),
        ("对照检查材料由本人撰写，上级党组织派人列席指导并审核把关。", "long_term"),
        ("建立组织生活会整改清单，明确责任人和时限，下次会议通报整改情况。", "deadline"),
        ("规范开展民主评议党员，评议结果如实反映党员表现。", "long_term"),
    ],
    "member_management": [
        ("开展党员信息核查，逐一核实党员组织关系，完善党员档案和信息系统数据。", "deadline"),
        ("对流动党员、失联党员逐一排查，建立联系台账，落实管理责任人。", "deadline"),
        ("及时办理党员组织关系转接，杜绝“口袋党员”。", "immediate"),
        ("制定党员年度教育培训计划，确保每名党员完成规定学时。", "long_term"),
        ("对离退休、行动不便党员采取送学上门等方式，保障参加组织生活。", "long_term"),
    ],
    "member_recruitment": [
        ("制定发展党员工作计划，注重在一线职工、青年骨干中发展党员。", "deadline"),
        ("严格执行发展党员工作程序，对近三年发展党员档案材料逐一复核，缺项的按规定补正。", "deadline"),
        ("落实入党积极分子培养联系人制度，加强培养考察和政治审查。", "long_term"),
        ("发展对象和预备党员转正严格公示，召开支部党员大会讨论表决。", "long_term"),
    ],
    "supervision": [
        ("配齐支部纪检委员，明确监督职责，每季度开展一次监督检查。", "deadline"),
        ("完善党务公开目录，重大事项按规定及时公开，接受党员监督。", "deadline"),
        ("建立问题线索台账，对信访举报和问题线索限期核查、按期办结。", "long_term"),
        ("运用监督执纪“四种形态”，对苗头性问题及时提醒谈话。", "long_term"),
        ("严格执行“三重一大”集体决策制度和重大事项请示报告制度。", "long_term"),
    ],
    "integrity": [
        ("开展廉政风险点排查，重点岗位逐一制定防控措施并公示。", "deadline"),
        ("严格落实中央八项规定精神，规范公务接待、公务用车和财务报销，开展专项自查。", "immediate"),
        ("每年开展警示教育，以案促改，节假日前发送廉洁提醒。", "long_term"),
        ("签订党风廉政建设责任书，层层压实廉政责任，开展廉政谈话。", "deadline"),
        ("对违规发放、违规接待等问题清退款项，追究相关人员责任。", "immediate"),
    ],
    "work_style": [
        ("精简会议文件，控制督查检查考核数量，切实为基层减负。", "long_term"),
        ("班子成员每年深入基层调研不少于规定次数，形成调研报告并推动问题解决。", "long_term"),
        ("建立群众反映问题办理台账，明确办理时限，按期答复。", "long_term"),
        ("开展作风建设专项整治，对推诿扯皮、敷衍塞责的严肃问责。", "deadline"),
    ],
    "vanguard_role": [
        ("设立党员先锋岗、党员责任区，明确职责并定期评议。", "deadline"),
        ("组建党员突击队，在急难险重任务中亮身份、作表率。", "long_term"),
        ("开展党员承诺践诺活动，年底对照承诺逐一评议。", "long_term"),
        ("组织在职党员到社区报到，参加志愿服务。", "long_term"),
    ],
    "carriers": [
        ("落实党员活动室，按标准配置设施，专室专用。", "deadline"),
        ("创新组织生活形式，开展现场教学、联学共建等活动。", "long_term"),
        ("打造支部党建品牌，每个支部形成至少1项特色做法。", "deadline"),
        ("定期更新党建宣传栏和线上学习平台内容，提高使用率。", "long_term"),
    ],
}


def ensure_standard_measures(category_model: type, measure_model: type) -> int:
    """Seed the library's measures for the standard categories that exist and have none yet.

    Takes the model classes so the data migration can pass its historical models; never touches a
    category whose measures an administrator has already edited. Returns how many were made.
    """
    created = 0
    for code, measures in STANDARD_MEASURES.items():
        category = category_model.objects.filter(code=code).first()
        if category is None or measure_model.objects.filter(category=category).exists():
            continue
        for order, (text, kind) in enumerate(measures, start=1):
            measure_model.objects.create(category=category, text=text, kind=kind, sort_order=order)
            created += 1
    return created
