using Bihuan.Domain;

namespace Bihuan.Data.Dataset;

/// Word pools for generated data: real kinds of Guangzhou units and plausible problem texts; people are made up from
/// common surnames and given-name characters (no real person).
static class Names
{
    public static readonly string[] Cities = ["广州", "深圳", "佛山", "东莞", "珠海", "汕头", "江门", "湛江", "惠州", "肇庆"];
    public static readonly string[] GuangzhouDistricts = ["越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区"];
    public static readonly string[] Departments =
    [
        "委办公室", "委组织部", "委宣传部", "委统战部", "委政法委员会", "委机构编制委员会办公室", "委巡察工作领导小组办公室",
        "人民政府办公室", "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安分局", "民政局", "司法局", "财政局",
        "人力资源和社会保障局", "规划和自然资源分局", "生态环境分局", "住房和城乡建设局", "交通运输局", "水务局", "农业农村局",
        "商务局", "文化广电旅游体育局", "卫生健康局", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局",
        "医疗保障局", "城市管理和综合执法局", "政务服务和数据管理局", "信访局", "林业和园林局", "国有资产监督管理局",
        "总工会", "团委", "妇女联合会", "科学技术协会", "工商业联合会", "残疾人联合会", "红十字会", "档案馆",
    ];
    public static readonly string[] Streets =
    [
        "北京", "人民", "东山", "农林", "梅花村", "华乐", "建设", "大塘", "珠光", "大东", "白云", "登峰", "矿泉", "流花", "洪桥",
        "六榕", "光塔", "诗书", "黄花岗", "赤岗", "新港", "昌岗", "江南中", "滨江", "素社", "海幢", "南华西", "龙凤", "沙园",
        "五眼桥", "天河南", "林和", "沙河", "石牌", "冼村", "猎德", "员村", "车陂", "棠下", "龙洞", "长兴", "新塘", "萝岗", "永和",
    ];
    public static readonly string[] Communities =
    [
        "东风", "文德", "仓边", "德政", "贤思", "越华", "府前", "中山", "解放", "朝阳", "东华", "和平", "新民", "幸福", "安居",
        "富民", "兴业", "长乐", "永安", "康乐", "花园", "锦绣", "明珠", "翠竹", "荔枝湾", "金沙", "青年", "晓港", "聚德", "乐意居",
    ];
    public static readonly string[] LeaderPositions = ["主要负责人", "副职", "副职", "纪检组长", "班子成员"];

    static readonly string[] Surnames = ["陈", "李", "黄", "张", "梁", "林", "刘", "吴", "罗", "何", "郑", "谢", "冯", "邓", "曾", "叶", "苏", "卢", "蔡", "潘", "彭", "钟", "许", "朱", "周", "王", "杨", "麦", "区", "关"];
    static readonly string[] Given = ["伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "文", "晓", "志", "思", "嘉", "俊", "颖", "家", "浩", "婷", "慧", "雪", "健", "斌", "蕾", "琳", "宇"];

    public static string Person(Random rng) =>
        Surnames[rng.Next(Surnames.Length)] + Given[rng.Next(Given.Length)] + (rng.Next(3) == 0 ? "" : Given[rng.Next(Given.Length)]);

    static readonly string[] Ordinals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    public static string Ordinal(int k) => k < 10 ? Ordinals[k] : k < 20 ? "十" + (k == 10 ? "" : Ordinals[k - 11]) : (k + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    static readonly (string Text, SourceChannel Source)[] ProblemTexts =
    [
        ("同一数据多头重复报送，基层报表负担重", SourceChannel.SelfInspection),
        ("老旧小区加装电梯协调推进慢，群众多次反映", SourceChannel.PublicOpinion),
        ("项目审批环节多、时限长，企业反映“跑多次”", SourceChannel.Hotline),
        ("督查检查考核过多，迎检材料层层加码", SourceChannel.InspectionFeedback),
        ("惠企资金兑现慢，政策落实“最后一公里”不畅", SourceChannel.AuditFinding),
        ("群众投诉处置不及时，答复敷衍", SourceChannel.Hotline),
        ("重大项目论证不充分，决策程序不规范", SourceChannel.SupervisionCheck),
        ("工作落实重部署轻督促，以会议落实会议", SourceChannel.LifeMeeting),
        ("新官不理旧账，历史遗留问题久拖不决", SourceChannel.InspectionFeedback),
        ("形象工程投入大、效益低", SourceChannel.AssignedByUpper),
        ("政务服务事项网上办理深度不够", SourceChannel.PublicOpinion),
        ("违规设置“门槛”排斥外地企业", SourceChannel.SupervisionCheck),
        ("城中村消防通道长期占用，整治反复", SourceChannel.Hotline),
        ("背街小巷环境卫生脏乱差，清扫保洁不到位", SourceChannel.PublicOpinion),
        ("学校周边交通拥堵，上下学时段秩序混乱", SourceChannel.Hotline),
        ("基层“微腐败”问题线索处置慢", SourceChannel.SupervisionCheck),
    ];

    public static (string Text, SourceChannel Source) Problem(Random rng, int n)
    {
        var (text, source) = ProblemTexts[rng.Next(ProblemTexts.Length)];
        // Most problems come from their typical channel; some from any.
        if (rng.Next(4) == 0) source = (SourceChannel)rng.Next(Enum.GetValues<SourceChannel>().Length);
        return ($"{text}（第{n}号）", source);
    }

    static readonly string[] Measures =
    [
        "梳理清单，明确责任分工和完成时限，每月调度", "建立“一件一策”台账，定期向群众通报进展", "压减审批环节，推行并联审批和容缺受理",
        "全面清理检查评比事项，统一纳入年度计划", "修订管理办法，建立健全长效机制", "开展专项督查，对问题线索逐一核查销号",
        "实行“街长制”巡查，落实日常管护责任", "推行“一表通”，同一数据只报一次",
    ];
    static readonly string[] Targets = ["年底前全面完成整改", "群众满意度明显提升", "办理时限压缩一半以上", "形成可复制的长效机制", "问题清零并防止反弹"];

    public static string Measure(Random rng) => Measures[rng.Next(Measures.Length)];
    public static string Target(Random rng) => Targets[rng.Next(Targets.Length)];

    static readonly string[] Demands =
    [
        "小区门口道路坑洼积水，雨天出行困难，希望尽快修补", "夜间施工噪音扰民，晚上十点后仍在作业", "楼下餐饮店油烟直排，影响居民生活",
        "咨询新生儿医保办理流程和所需材料", "公交站台候车亭损坏，老人候车不便", "老旧小区加装电梯审批进度如何查询",
        "建议在社区增设长者饭堂", "表扬街道工作人员热心帮助解决漏水问题", "希望学习教育少开会、多到群众中解决实际问题",
        "共享单车乱停放堵塞人行道", "城中村出租屋消防通道被占用", "学校周边上下学时段交通拥堵",
    ];
    static readonly string[] Places = ["越秀区北京路附近", "海珠区江南西路", "天河区石牌东", "白云区同和街", "黄埔区萝岗街", "番禺区市桥", "花都区新华街", "荔湾区芳村"];

    public static string Demand(Random rng, DemandType type) => Demands[rng.Next(Demands.Length)];
    public static string? Place(Random rng) => rng.Next(3) == 0 ? null : Places[rng.Next(Places.Length)];
}
