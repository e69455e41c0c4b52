using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Bihuan.Data;

/// One stored value no read can use: which record (the audit trail's type name and id), which field, the value.
public sealed record UnusableValue(string Type, string Id, string Field, string Value, string Why)
{
    /// The field in words ("整改时限").
    public string Label { get; init; } = Field;
}

/// The stored values reads cannot compute with, found from the EF model rather than listed by hand: every date and
/// time column of an audited record outside Bounds' window, every enum column holding a value that names no member,
/// every Percent outside 0–100. The same rule answers for one loaded record (Of), as SQL for a query (Where), and as
/// a scan over a database (ScanAsync, the CLI's `repair scan` and GET /api/v1/repairs); StoredValueRepair sets one
/// right. Audited records only: a repair must land in the audit chain.
public static class UnusableValues
{
    public enum Kind { Date, Time, Choice, Percent }

    public sealed record Field(IEntityType Entity, IProperty Property, Kind Kind)
    {
        public string Type => AuditTrail.TypeName(Entity);
        public string Name => Property.Name;
        /// What the field is called on the pages ("整改时限"); the property name where no page names it.
        public string Label => Labels.GetValueOrDefault((Type, Name)) ?? Labels.GetValueOrDefault(("", Name)) ?? Name;
        public object? ValueOf(object entity) => Property.GetGetter().GetClrValue(entity);
    }

    // The words for the fields shared reads compute with (the rest keep their property names).
    static readonly Dictionary<(string Type, string Field), string> Labels = new()
    {
        [("RectItem", "Deadline")] = "整改时限", [("RectItem", "StartOn")] = "交办日期", [("", "LastProgressOn")] = "最近报送日期",
        [("", "RecheckDue")] = "回头看日期", [("", "ExtensionRequestedTo")] = "申请延期至", [("", "Percent")] = "进度",
        [("", "Status")] = "状态", [("", "DeadlineKind")] = "时限类型", [("", "Severity")] = "严重程度", [("", "Source")] = "来源",
        [("", "Aspect")] = "查摆方面", [("", "Dimension")] = "总要求方面", [("", "CreatedAt")] = "登记时间",
        [("DutyTask", "DueOn")] = "完成时限", [("DutyTask", "DoneOn")] = "完成日期", [("MakeUpTask", "DueOn")] = "补学时限",
        [("SupervisionOrder", "DueOn")] = "回复时限", [("WorkOrder", "Deadline")] = "办理时限", [("WorkOrder", "SignDue")] = "签收时限",
        [("WorkOrder", "DispatchedOn")] = "派单日期", [("WorkOrder", "RepliedOn")] = "答复日期", [("", "Type")] = "类型",
    };

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IModel, List<Field>> Cache = new();

    /// Every checked field of the model (records with a single-column key).
    public static IReadOnlyList<Field> Fields(IModel model) => Cache.GetValue(model, m =>
        m.GetEntityTypes()
            .Where(t => typeof(IAudited).IsAssignableFrom(t.ClrType) && !t.IsOwned()
                && t.FindPrimaryKey()?.Properties.Count == 1)
            .SelectMany(t => t.GetProperties().Where(p => p.PropertyInfo is not null)
                .Select(p => KindOf(p) is { } k ? new Field(t, p, k) : null))
            .OfType<Field>().ToList());

    public static IEnumerable<Field> FieldsOf<T>(IModel model) => Fields(model).Where(f => f.Entity.ClrType == typeof(T));

    static Kind? KindOf(IProperty p)
    {
        var t = Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType;
        if (t == typeof(DateOnly)) return Kind.Date;
        if (t == typeof(DateTime)) return Kind.Time;
        if (t.IsEnum) return Kind.Choice;
        if (t == typeof(int) && p.Name == "Percent") return Kind.Percent;
        return null;
    }

    /// Why a value of this kind cannot be used, in words; null when it can (null itself is "no value", not a bad one).
    public static string? Why(Kind kind, object? value) => (kind, value) switch
    {
        (Kind.Date, DateOnly d) when !Bounds.InWindow(d) => Bounds.OutOfWindowText,
        (Kind.Time, DateTime t) when !Bounds.InWindow(t) => Bounds.OutOfWindowText,
        (Kind.Choice, Enum e) when !Enum.IsDefined(e.GetType(), e) => "不是可选的取值",
        (Kind.Percent, int n) when n is < 0 or > 100 => "进度须在 0 至 100 之间",
        _ => null,
    };

    /// A stored value as the scan and the audit note show it.
    public static string Show(object? value) => value switch
    {
        null => "",
        DateOnly d => StoredValues.Iso(d),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        Enum e when !Enum.IsDefined(e.GetType(), e) => Convert.ToInt64(e, CultureInfo.InvariantCulture) == int.MinValue
            ? "（无法识别的文字）" : Convert.ToInt64(e, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// The unusable values of one record (tracked or not).
    /// The unusable values of one record (tracked or not, read through the model's getters).
    public static List<UnusableValue> Of(IModel model, object entity)
    {
        var type = model.FindEntityType(entity.GetType());
        if (type is null) return [];
        var key = type.FindPrimaryKey()!.Properties[0].GetGetter().GetClrValue(entity);
        var list = new List<UnusableValue>();
        foreach (var f in Fields(model).Where(f => f.Entity == type))
            if (f.ValueOf(entity) is var v && Why(f.Kind, v) is { } why)
                list.Add(new UnusableValue(f.Type, Show(key), f.Name, Show(v), why) { Label = f.Label });
        return list;
    }

    /// "整改时限无效（9999-12-31）；进度无效（900）" — the record's unusable values in words, for pages and rows; null when none.
    public static string? Describe(IModel model, object entity) => Of(model, entity) is { Count: > 0 } bad
        ? string.Join("；", bad.Select(v => StoredValues.Invalid(v.Label, v.Value))) : null;

    /// The SQL form of Why over the given fields of T (all checked fields when none are named): a record holding
    /// at least one unusable value.
    public static Expression<Func<T, bool>> Where<T>(IModel model, params string[] fields)
    {
        var e = Expression.Parameter(typeof(T), "e");
        Expression any = Expression.Constant(false);
        foreach (var f in FieldsOf<T>(model).Where(f => fields.Length == 0 || fields.Contains(f.Name)))
            any = Expression.OrElse(any, Unusable(Expression.Property(e, f.Property.PropertyInfo!), f.Kind));
        return Expression.Lambda<Func<T, bool>>(any, e);
    }

    static Expression Unusable(MemberExpression p, Kind kind)
    {
        var type = p.Type;
        var inner = Nullable.GetUnderlyingType(type) ?? type;
        Expression Outside(object min, object max) => Expression.OrElse(
            Expression.LessThan(p, Expression.Constant(min, type)), Expression.GreaterThan(p, Expression.Constant(max, type)));
        switch (kind)
        {
            case Kind.Date: return Outside(Bounds.MinDate, Bounds.MaxDate);
            case Kind.Time:
                return Outside(Bounds.MinDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                    Bounds.MaxDate.ToDateTime(TimeOnly.MaxValue, DateTimeKind.Utc));
            case Kind.Percent: return Outside(0, 100);
            case Kind.Choice:
                var defined = Array.CreateInstance(inner, Enum.GetValues(inner).Length);
                Enum.GetValues(inner).CopyTo(defined, 0);
                var contains = typeof(Enumerable).GetMethods()
                    .Single(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2).MakeGenericMethod(inner);
                var value = inner == type ? (Expression)p : Expression.Property(p, "Value");
                Expression notIn = Expression.Not(Expression.Call(contains, Expression.Constant(defined), value));
                return inner == type ? notIn : Expression.AndAlso(Expression.NotEqual(p, Expression.Constant(null, type)), notIn);
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// The unusable values the caller can see (the scope filters apply; records that belong to no org only for the
    /// System scope and administrators), from at most `take` records per type: one query per record type.
    public static async Task<List<UnusableValue>> ScanAsync(BihuanDb db, int take, CancellationToken ct)
    {
        var all = db.Access.IsSystem || db.Access.Has(Role.Admin);
        var list = new List<UnusableValue>();
        foreach (var type in Fields(db.Model).Select(f => f.Entity).Distinct())
        {
            if (!all && !typeof(IOrgOwned).IsAssignableFrom(type.ClrType)) continue;
            var scan = typeof(UnusableValues).GetMethod(nameof(ScanTypeAsync), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type.ClrType);
            list.AddRange(await (Task<List<UnusableValue>>)scan.Invoke(null, [db, take, ct])!);
        }
        return list;
    }

    static async Task<List<UnusableValue>> ScanTypeAsync<T>(BihuanDb db, int take, CancellationToken ct) where T : class
    {
        var rows = await db.Set<T>().AsNoTracking().Where(Where<T>(db.Model)).Take(take).ToListAsync(ct);
        return rows.SelectMany(r => Of(db.Model, r)).ToList();
    }
}
