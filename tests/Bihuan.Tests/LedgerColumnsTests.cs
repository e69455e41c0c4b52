using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.Infrastructure;
using Bihuan.Tests.Builders;
using F = Bihuan.Features.Rectification.LedgerField;

namespace Bihuan.Tests;

public sealed class LedgerColumnsTests
{
    static readonly DateOnly Ref = new(2026, 3, 1);

    static readonly object?[] StandardHeader =
        ["序号", "问题来源", "问题描述", "整改目标", "整改措施", "责任领导", "牵头单位", "责任人", "整改时限", "整改进展"];

    static List<SheetRow> Read(XlsxBuilder b) => Sheets.Read(new MemoryStream(b.Build("整改台账")), "台账.xlsx");

    static LedgerHeader Header(List<SheetRow> rows) => LedgerColumns.FindHeader(rows) ?? throw new Xunit.Sdk.XunitException("no header");

    static SheetRow Row(int number, params object?[] cells) => new(number, cells);

    // ---- header detection ----

    [Fact]
    public void FindHeader_MergedTitleAndSubtitle_FindsHeaderAndReadsRows()
    {
        var rows = Read(new XlsxBuilder()
            .Row(1, "某某局主题教育整改台账").Merge("A1:J1")
            .Row(2, "填报单位（盖章）：某某局", null, null, null, null, null, null, "填报时间：2026年3月1日").Merge("A2:G2")
            .Row(3, StandardHeader)
            .Row(4, 1, "巡视反馈", "政策宣传不到位", "群众知晓率达90%", "开展专题宣讲", "张副局长", "办公室", "李四", "2026年6月30日", "已完成宣讲2场")
            .Row(5, 2, "自查自纠", "审批时限过长", "压缩至5个工作日", "优化流程", "王副局长", "审批科", "赵六", 46203d, "推进中"));

        var header = Header(rows);
        var read = LedgerColumns.ReadRows(rows, header, Ref);

        Assert.Equal(3, header.RowNumber);
        Assert.Equal(10, header.Map.Count);
        Assert.Equal(2, header.Map[F.Problem]);
        Assert.Equal(8, header.Map[F.Deadline]);
        Assert.Equal(6, header.Map[F.LeadUnit]);
        Assert.Empty(header.Unmapped);
        Assert.Empty(header.MissingRequired);
        Assert.True(read.Ok, string.Join("; ", read.Errors));
        Assert.Equal([4, 5], read.Rows.Select(r => r.Row));
        Assert.Equal("政策宣传不到位", read.Rows[0].Text(F.Problem));
        Assert.Equal("办公室", read.Rows[0].Text(F.LeadUnit));
        Assert.Equal(new DateOnly(2026, 6, 30), read.Rows[0].Deadline.Date);
        Assert.Equal(new DateOnly(2026, 6, 30), read.Rows[1].Deadline.Date); // a date serial cell
        Assert.Equal("1", read.Rows[0].Text(F.Seq));
        Assert.Empty(read.Skipped);
    }

    [Theory]
    [InlineData("问题", F.Problem)]
    [InlineData("问题描述", F.Problem)]
    [InlineData("存在问题", F.Problem)]
    [InlineData("问题内容", F.Problem)]
    [InlineData("问题表现", F.Problem)]
    [InlineData("* 问题描述：", F.Problem)]
    [InlineData("存在的主要问题", F.Problem)]
    [InlineData("问题来源", F.Source)]
    [InlineData("整改目标", F.Target)]
    [InlineData("整改措施", F.Measures)]
    [InlineData("具体整改措施（不少于两条）", F.Measures)]
    [InlineData("责任领导", F.Leader)]
    [InlineData("分管领导", F.Leader)]
    [InlineData("牵头单位", F.LeadUnit)]
    [InlineData("责任单位", F.LeadUnit)]
    [InlineData("责任部门", F.LeadUnit)]
    [InlineData("牵头单位\n（部门）", F.LeadUnit)]
    [InlineData("配合单位", F.CoUnits)]
    [InlineData("协同单位", F.CoUnits)]
    [InlineData("责任人", F.Handler)]
    [InlineData("具体责任人", F.Handler)]
    [InlineData("经办人", F.Handler)]
    [InlineData("整改时限", F.Deadline)]
    [InlineData("完成时限", F.Deadline)]
    [InlineData("时限要求", F.Deadline)]
    [InlineData("完成时间", F.Deadline)]
    [InlineData("整改时限\n（年月日）", F.Deadline)]
    [InlineData("计划完成时间", F.Deadline)]
    [InlineData("整改进展", F.Progress)]
    [InlineData("整改情况", F.Progress)]
    [InlineData("进展情况", F.Progress)]
    [InlineData("完成情况", F.Progress)]
    [InlineData("整改进展情况", F.Progress)]
    [InlineData("销号情况", F.Closure)]
    [InlineData("是否销号", F.Closure)]
    [InlineData("问题类别", F.Category)]
    [InlineData("问题类型", F.Category)]
    [InlineData("严重程度", F.Severity)]
    [InlineData("序号", F.Seq)]
    public void Recognise_HeaderVariant_MapsToField(string text, LedgerField field) =>
        Assert.Equal(field, LedgerColumns.Recognise(text)?.Field);

    [Theory]
    [InlineData("整改措施及完成时限")]   // names two fields
    [InlineData("实际完成时间")]         // when it was done, not the deadline
    [InlineData("备注")]
    [InlineData("")]
    [InlineData("（单位：万元）")]
    public void Recognise_AmbiguousOrUnknownHeader_IsNull(string text) => Assert.Null(LedgerColumns.Recognise(text));

    [Fact]
    public void FindHeader_TwoCandidateRows_PicksRowNamingMoreFields()
    {
        var rows = new List<SheetRow>
        {
            Row(1, "问题与整改措施清单"),
            Row(2, "问题", "整改措施"),                      // qualifies (问题 + 措施) but names only two fields
            Row(3, "序号", "存在问题", "整改措施", "责任单位", "完成时限", "备注"),
            Row(4, 1, "台账不全", "补齐台账", "办公室", "2026年6月底", ""),
        };

        var header = Header(rows);

        Assert.Equal(3, header.RowNumber);
        Assert.Equal(1, header.Map[F.Problem]);
        Assert.Equal(4, header.Map[F.Deadline]);
        Assert.Equal([(5, "备注")], header.Unmapped);
    }

    [Fact]
    public void FindHeader_TiedRows_TopmostWinsAndRepeatIsSkipped()
    {
        var rows = new List<SheetRow>
        {
            Row(1, "序号", "问题描述", "整改时限"),
            Row(2, 1, "台账不全", "2026年6月底"),
            Row(3, "序号", "问题描述", "整改时限"),          // the header again, as printed per page
            Row(4, 2, "制度缺失", "2026年9月底"),
        };

        var header = Header(rows);
        var read = LedgerColumns.ReadRows(rows, header, Ref);

        Assert.Equal(1, header.RowNumber);
        Assert.Equal([2, 4], read.Rows.Select(r => r.Row));
        Assert.Equal([new LedgerRowError(3, "重复的表头行，已跳过")], read.Skipped);
        Assert.True(read.Ok);
    }

    [Fact]
    public void FindHeader_TwoRowHeaderUnderMergedGroup_CombinesRows()
    {
        var rows = Read(new XlsxBuilder()
            .Row(1, "整改台账").Merge("A1:G1")
            .Row(2, "序号", "问题", "整改措施", "责任主体", null, null, "整改时限").Merge("D2:F2").Merge("G2:G3")
                .Merge("A2:A3").Merge("B2:B3").Merge("C2:C3")
            .Row(3, null, null, null, "责任领导", "牵头单位", "责任人")
            .Row(4, 1, "会议过多", "精简会议", "张三", "办公室", "李四", "立行立改"));

        var header = Header(rows);
        var read = LedgerColumns.ReadRows(rows, header, Ref);

        Assert.Equal(3, header.RowNumber);
        Assert.Equal([F.Seq, F.Problem, F.Measures, F.Leader, F.LeadUnit, F.Handler, F.Deadline],
            header.Map.OrderBy(kv => kv.Value).Select(kv => kv.Key));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], header.Map.Values.Order());
        var row = Assert.Single(read.Rows);
        Assert.Equal(4, row.Row);
        Assert.Equal(DeadlineKind.Immediate, row.Deadline.Kind);
        Assert.Equal("牵头单位", header.Texts[4]);
    }

    [Fact]
    public void FindHeader_NoQualifyingRow_ReturnsNull()
    {
        Assert.Null(LedgerColumns.FindHeader([Row(1, "序号", "问题描述", "责任单位")]));        // no 时限 nor 措施
        Assert.Null(LedgerColumns.FindHeader([Row(1, "序号", "整改措施", "整改时限")]));        // no 问题
        Assert.Null(LedgerColumns.FindHeader([]));
    }

    [Fact]
    public void FindHeader_HeaderBelowScannedRows_ReturnsNull()
    {
        var rows = Enumerable.Range(1, 5).Select(n => Row(n, $"说明第{n}行"))
            .Append(Row(6, "问题描述", "整改时限")).ToList();

        Assert.Null(LedgerColumns.FindHeader(rows, scanRows: 5));
        Assert.Equal(6, LedgerColumns.FindHeader(rows, scanRows: 6)?.RowNumber);
    }

    [Fact]
    public void FindHeader_SameFieldTwice_ExactNameThenLeftmostWins()
    {
        var header = Header([Row(1, "问题摘要（简述）", "问题", "问题描述", "整改时限", "整改时限")]);

        Assert.Equal(1, header.Map[F.Problem]);
        Assert.Equal(3, header.Map[F.Deadline]);
        Assert.Equal([(0, "问题摘要（简述）"), (2, "问题描述"), (4, "整改时限")], header.Unmapped);
    }

    [Fact]
    public void FindHeader_MeasuresWithoutDeadline_QualifiesAndReportsMissingDeadline()
    {
        var rows = new List<SheetRow> { Row(1, "问题", "整改措施"), Row(2, "台账不全", "补齐") };

        var header = Header(rows);
        var read = LedgerColumns.ReadRows(rows, header, Ref);

        Assert.Equal([F.Deadline], header.MissingRequired);
        Assert.Equal([new LedgerRowError(1, "表头中找不到“整改时限”列，请在预览中指定对应的列")], read.Errors);
        Assert.Single(read.Rows);
    }

    // ---- override ----

    [Fact]
    public void WithOverride_UnmappedColumn_FeedsFieldAndOldColumnBecomesUnmapped()
    {
        var rows = new List<SheetRow>
        {
            Row(1, "问题", "整改时限", "整改进展", "最新进展（6月）"),
            Row(2, "台账不全", "2026年6月底", "旧", "新"),
        };
        var header = Header(rows);

        var fixedHeader = header.WithOverride(F.Progress, 3);
        var row = LedgerColumns.ReadRow(rows[1], fixedHeader, Ref);

        Assert.Equal(2, header.Map[F.Progress]);
        Assert.Equal(3, fixedHeader.Map[F.Progress]);
        Assert.Equal([(2, "整改进展")], fixedHeader.Unmapped);
        Assert.Equal("新", row.Text(F.Progress));
        Assert.Equal(1, fixedHeader.RowNumber);
    }

    [Fact]
    public void WithOverride_ColumnOfAnotherField_MovesIt()
    {
        var header = Header([Row(1, "问题", "整改时限", "完成情况")]);

        var moved = header.WithOverride(F.Closure, 2);

        Assert.Equal(2, moved.Map[F.Closure]);
        Assert.False(moved.Map.ContainsKey(F.Progress));
        Assert.Empty(moved.Unmapped);
    }

    [Fact]
    public void WithOverride_MissingDeadline_ClearsHeaderError()
    {
        var rows = new List<SheetRow> { Row(1, "问题", "整改措施", "何时完成"), Row(2, "台账不全", "补齐", "2026年6月底") };
        var header = Header(rows);

        var read = LedgerColumns.ReadRows(rows, header.WithOverride(F.Deadline, 2), Ref);

        Assert.True(read.Ok, string.Join("; ", read.Errors));
        Assert.Equal(new DateOnly(2026, 6, 30), Assert.Single(read.Rows).Deadline.Date);
    }

    [Fact]
    public void Without_Field_UnmapsItsColumn()
    {
        var header = Header([Row(1, "问题", "整改时限", "备注")]).Without(F.Deadline);

        Assert.Equal([F.Deadline], header.MissingRequired);
        Assert.Equal([(1, "整改时限"), (2, "备注")], header.Unmapped);
    }

    [Fact]
    public void WithOverride_ColumnOutOfRange_Throws()
    {
        var header = Header([Row(1, "问题", "整改时限")]);

        Assert.Throws<ArgumentOutOfRangeException>(() => header.WithOverride(F.Handler, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => header.WithOverride(F.Handler, Sheets.ExcelColumns));
    }

    // ---- rows ----

    [Fact]
    public void ReadRows_MergedSourceLeadUnitLeaderCategory_FilledDownFromPreviousDataRow()
    {
        // Columns: 序号 问题来源 问题类别 问题描述 责任领导 牵头单位 责任人 整改时限
        var rows = Read(new XlsxBuilder()
            .Row(1, "某某局整改台账").Merge("A1:H1")
            .Row(2, "序号", "问题来源", "问题类别", "问题描述", "责任领导", "牵头单位", "责任人", "整改时限")
            .Row(3, 1, null, null, "问题甲", null, null, null, "2026年6月底")              // nothing above to fill from
            .Row(4, 2, "巡视反馈", "作风", "问题乙", "张局", "办公室", "李四", "2026年6月底").Merge("B4:B6").Merge("C4:C5").Merge("E4:E6").Merge("F4:F5")
            .Row(5, 3, null, null, "问题丙", null, null, null, "2026年6月底")
            .Row(6, 4, null, null, "问题丁", null, "财务科", null, "2026年6月底")
            .Row(8, 5, null, null, "问题戊", null, null, null, "2026年6月底"));             // after a missing row 7

        var read = LedgerColumns.ReadRows(rows, Header(rows), Ref);

        Assert.True(read.Ok, string.Join("; ", read.Errors));
        var (r3, r5, r6, r8) = (read.Rows[0], read.Rows[2], read.Rows[3], read.Rows[4]);
        Assert.Equal("", r3.Text(F.Source));                 // the merged title is never filled into data
        Assert.Empty(r3.FilledDown);
        Assert.Equal(("巡视反馈", "作风", "张局", "办公室", ""), (r5.Text(F.Source), r5.Text(F.Category), r5.Text(F.Leader), r5.Text(F.LeadUnit), r5.Text(F.Handler)));
        Assert.Equal([F.Source, F.Leader, F.LeadUnit, F.Category], r5.FilledDown.Order());
        Assert.Equal(("巡视反馈", "作风", "张局", "财务科"), (r6.Text(F.Source), r6.Text(F.Category), r6.Text(F.Leader), r6.Text(F.LeadUnit)));
        Assert.Equal([F.Source, F.Leader, F.Category], r6.FilledDown.Order());
        Assert.Equal("", r6.Text(F.Handler));                // 责任人 is never filled
        Assert.Equal("", r8.Text(F.Source));                 // the chain breaks at a blank row
        Assert.Empty(r8.FilledDown);
    }

    [Fact]
    public void ReadRow_SingleRow_DoesNotFillDown()
    {
        var header = Header([Row(1, "问题来源", "问题", "整改时限")]);

        var row = LedgerColumns.ReadRow(Row(3, null, "问题甲", "年底"), header, Ref);

        Assert.Equal("", row.Text(F.Source));
        Assert.True(row.Ok);
        Assert.Equal(new DateOnly(2026, 12, 31), row.Deadline.Date);
    }

    [Fact]
    public void ReadRows_BadRows_EachErrorWithRowNumber()
    {
        var longText = new string('长', LedgerColumns.MaxTextLength + 1);
        var rows = Read(new XlsxBuilder()
            .Row(1, "序号", "问题描述", "整改措施", "整改时限")
            .Row(2, 1, "好的问题", "措施", "2026年6月30日")
            .Row(3, 2, null, "措施", "2026年6月30日")
            .Row(4, 3, "问题", "措施", "下个月吧")
            .Row(5, 4, "问题", longText, "2026年2月30日")
            .Row(6, 5, "问题", "措施", null)
            .Row(7, 6, "问题", "措施", new string('时', LedgerColumns.MaxTextLength)));

        var read = LedgerColumns.ReadRows(rows, Header(rows), Ref);

        Assert.False(read.Ok);
        Assert.Equal(
        [
            new LedgerRowError(3, "问题描述为空（如是合并单元格，请取消合并并逐行填写）"),
            new LedgerRowError(4, "无法识别的整改时限“下个月吧”"),
            new LedgerRowError(5, "整改时限“2026年2月30日”不是有效日期（2026年2月30日不存在）"),
            new LedgerRowError(5, $"“整改措施”超过 2000 字（2001 字）"),
            new LedgerRowError(6, "整改时限为空"),
            new LedgerRowError(7, $"无法识别的整改时限“{new string('时', 40)}…”"),
        ], read.Errors);
        Assert.Equal(6, read.Rows.Count);
        Assert.True(read.Rows[0].Ok);
        Assert.Equal(2, read.Rows[3].Errors.Count);
    }

    [Fact]
    public void ReadRows_ColumnNumbersGroupTitlesAndBlankRows_Skipped()
    {
        var rows = Read(new XlsxBuilder()
            .Row(1, "整改台账").Merge("A1:E1")
            .Row(2, "序号", "问题来源", "问题描述", "整改措施", "整改时限")
            .Row(3, 1, 2, 3, 4, 5)
            .Row(4, "一、巡视反馈问题（共2项）").Merge("A4:E4")
            .Row(5, 1, "巡视", "问题甲", "措施", "2026年6月底")
            .Row(6, new Inline(" "))
            .Row(7, "二、自查问题").Merge("A7:E7")
            .Row(8, 2, null, "问题乙", "措施", "长期坚持"));

        var read = LedgerColumns.ReadRows(rows, Header(rows), Ref);

        Assert.True(read.Ok, string.Join("; ", read.Errors));
        Assert.Equal([5, 8], read.Rows.Select(r => r.Row));
        Assert.Equal(
        [
            new LedgerRowError(3, "列序号行，已跳过"),
            new LedgerRowError(4, "分组标题“一、巡视反馈问题（共2项）”，已跳过"),
            new LedgerRowError(7, "分组标题“二、自查问题”，已跳过"),
        ], read.Skipped);
        Assert.Equal("", read.Rows[1].Text(F.Source));      // a group title breaks the fill-down chain
        Assert.Equal(DeadlineKind.Ongoing, read.Rows[1].Deadline.Kind);
    }

    [Fact]
    public void ReadRows_DeadlineCellTypes_ParsedFromTypedCells()
    {
        var rows = Read(new XlsxBuilder()
            .Row(1, "问题", "整改时限")
            .Row(2, "甲", 46203d)
            .Row(3, "乙", new Inline("２０２６年６月３０日"))
            .Row(4, "丙", 20260630)
            .Row(5, "丁", "立行立改")
            .Row(6, "戊", "第三季度"));

        var read = LedgerColumns.ReadRows(rows, Header(rows), Ref);

        Assert.True(read.Ok, string.Join("; ", read.Errors));
        Assert.Equal(
            [new DateOnly(2026, 6, 30), new DateOnly(2026, 6, 30), new DateOnly(2026, 6, 30), null, new DateOnly(2026, 9, 30)],
            read.Rows.Select(r => r.Deadline.Date));
        Assert.Equal(DeadlineKind.Immediate, read.Rows[3].Deadline.Kind);
        Assert.Equal("46203", read.Rows[0].Text(F.Deadline));
    }

    [Fact]
    public void ReadRows_NothingBelowHeader_ReportsNoData()
    {
        var rows = new List<SheetRow> { Row(1, "问题", "整改时限") };

        var read = LedgerColumns.ReadRows(rows, Header(rows), Ref);

        Assert.Equal([new LedgerRowError(1, "表头以下没有数据行")], read.Errors);
    }

    [Fact]
    public void Label_EveryField_HasChineseLabel() =>
        Assert.All(Enum.GetValues<LedgerField>(), f => Assert.NotEmpty(f.Label()));
}
