namespace Bihuan.Domain;

/// The bundled surname list the redaction uses to recognise names in context: the common single surnames (about
/// 400, covering nearly all of the population) and the compound ones (上官, 欧阳, 司马, …), with the few words in
/// which a surname character is no surname (保安师傅, 语文老师, 对方经理).
public static class Surnames
{
    public const string Single =
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔" +
        "钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛" +
        "樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉" +
        "骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗" +
        "瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储" +
        "原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云" +
        "容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利呼居" +
        "揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由蔚寿谯萧";

    public static readonly string[] Compound =
    [
        "欧阳", "上官", "司马", "诸葛", "东方", "皇甫", "尉迟", "公孙", "令狐", "慕容", "长孙", "宇文", "司徒", "夏侯", "西门",
        "轩辕", "端木", "独孤", "南宫", "百里", "呼延", "闻人", "万俟", "澹台", "公冶", "太史", "申屠", "赫连", "钟离", "司空",
    ];

    static readonly HashSet<char> SingleSet = [.. Single];

    /// Characters that are surnames but far more often a word of their own before a title (和老师说, 向师傅反映,
    /// 门卫大爷, 社区医生): a title after them is not taken as a name unless the submitter carries the surname.
    static readonly HashSet<char> TitleUnsafe = [.. "和于向由但师帅修区居门时成国明平计相来都普花海路南全应原位强干信展衣元利公战银那况印诸危富幸楼盘满闻乐封官池查麻商单阿母呼智衡班"];

    /// Two-character words whose second character is a surname (保安, 语文, 对方, 出租车): no name starts there.
    static readonly HashSet<string> Words =
    [
        "保安", "公安", "平安", "治安", "晚安", "对方", "双方", "校方", "警方", "院方", "甲方", "乙方", "地方", "官方", "厂方",
        "男方", "女方", "军方", "药方", "配方", "处方", "后方", "前方", "东方", "西方", "南方", "北方", "多方", "各方", "一方",
        "语文", "中文", "英文", "天文", "人文", "公文", "散文", "论文", "作文", "课文", "原文", "全文", "条文", "正文", "图文",
        "宿管", "物管", "城管", "主管", "监管", "托管", "水管", "血管", "网管", "租车", "开车", "班车", "客车", "货车", "火车",
        "汽车", "电车", "停车", "洗车", "修车", "专车", "列车", "单车", "私车", "校车", "叉车", "吊车", "救车", "门卫", "保卫",
        "护卫", "警卫", "自卫", "防卫", "环卫", "后卫", "中华", "繁华", "精华", "年华", "豪华", "才华", "浮华", "长江", "浙江",
        "珠江", "沿江", "过江", "内江", "中国", "全国", "爱国", "祖国", "外国", "各国", "文明", "说明", "证明", "声明", "透明",
        "上海", "沿海", "大海", "主任", "责任", "信任", "担任", "现任", "前任", "历任", "首任", "继任", "上任", "连任", "就任",
        "大陆", "着陆", "登陆", "内陆", "水路", "马路", "道路", "公路", "铁路", "带路", "电路", "线路", "退路", "出路", "网路",
        "工程", "过程", "课程", "流程", "日程", "规程", "章程", "行程", "路程", "全程", "议程", "里程", "疗程", "进程", "专程",
        "黄金", "现金", "资金", "基金", "租金", "押金", "奖金", "罚金", "定金", "订金", "薪金", "美金", "五金", "合金", "房东",
        "刚刚", "各位", "每位", "单位", "岗位", "座位", "床位", "车位", "学位", "部位", "首位", "地位", "职位", "本位", "到位",
        "站位", "高中", "初中", "已经", "正常", "经常", "日常", "非常", "异常", "往常", "反常", "照常", "寻常", "平常", "家常",
        "无常", "健康", "小康", "安康", "一周", "每周", "本周", "上周", "下周", "四周", "周周", "圆周", "两周", "三周", "几周",
        "整周", "一向", "方向", "走向", "去向", "导向", "动向", "转向", "面向", "志向", "倾向", "意向", "取向", "定向", "双向",
        "单向", "天津", "不管", "只管", "尽管", "掌管", "分管", "代管", "接管", "保管", "看管", "总管", "照管", "共管",
    ];

    /// Characters that usually follow a name rather than belong to it (王伟反映 → 王伟, 张华说 → 张华).
    public static readonly HashSet<char> AfterName =
        [.. "说讲称反投打的在是和与跟同家电手今昨已也都就要想向于被把给从到来去曾等经多不没很又还让请找帮住问带拿看叫喊对以及",
         .. "们先女老师阿姐哥叔婶伯爷奶婆妈爸、，。；：！？,.;:!? \n"];

    /// Characters that begin a word of their own after 居民/业主/… far more often than a name (居民都反映).
    public static readonly HashSet<char> NotANameStart = [.. "都也就还又再才要会能可被把给从在是有和与对向说了着过们这那哪每各全多些很太最更相所该本贵其"];

    /// Words that follow 已联系 / 业主 / … and start with a surname character, but are no name (已联系施工方, 相关部门).
    public static readonly HashSet<string> NotAName =
    [
        "施工", "相关", "有关", "商户", "商家", "单位", "司机", "车主", "管理", "安排", "安全", "文明", "华南", "江南", "海珠",
        "白云", "荔湾", "越秀", "明天", "包括", "房东", "物业", "居委", "街道", "派出", "城管", "交警", "燃气", "供电", "水务",
        "区住", "区城", "区政", "市政", "上级", "金融", "高层", "业委", "党员", "党支", "党委", "党组", "周边", "周围", "周末",
    ];

    /// Two-character words that follow a name (张美兰反映, 王强投诉): a given name never ends in their first character.
    public static readonly HashSet<string> AfterNamePairs =
        ["反映", "投诉", "表示", "称其", "电话", "手机", "同志", "先生", "女士", "小姐", "老师", "师傅", "阿姨", "家里", "一家", "夫妇"];

    /// Characters of places: a "name" followed by one is a place (我是王府井…, 业主黄埔大道…).
    public static readonly HashSet<char> PlaceChars = [.. "路街道区井村镇巷苑坊府埔涌滘市县省"];

    /// The surname at position i (a compound one first), or null.
    public static string? At(string s, int i)
    {
        if (i >= s.Length) return null;
        foreach (var c in Compound)
            if (string.CompareOrdinal(s, i, c, 0, c.Length) == 0) return c;
        return SingleSet.Contains(s[i]) ? s[i].ToString() : null;
    }

    public static bool NotASurnameAfter(char previous, string surname) =>
        surname.Length == 1 && Words.Contains(string.Concat(previous, surname));

    public static bool TitleSafe(string surname) => surname.Length > 1 || !TitleUnsafe.Contains(surname[0]);
}
