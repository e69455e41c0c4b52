using System.Globalization;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Repair;

/// Type and Field as the scan names them (RectItem / Deadline); Value in the field's form: yyyy-MM-dd for a date,
/// yyyy-MM-dd or yyyy-MM-dd HH:mm (China time) for a time, a member's name for a choice, 0–100 for a percent.
public sealed record RepairInput(string? Type, int? Id, string? Field, string? Value, string? Reason);

/// What was set, and what the record still holds that no read can use.
public sealed record RepairResult(string Type, int Id, string Field, string Before, string After, List<UnusableValue> Remaining);

public sealed record NothingToRepair(string Field)
    : Error("nothing_to_repair", $"“{Field}”的值可以正常使用，无需修正；请通过正常的业务办理修改", ErrorKind.Conflict, "field");

/// The repair path for a stored value no read can use (UnusableValues): a deadline of 9999-12-31 that got in before
/// the input bounds, a percent of 900, a status text no version wrote. Only a value that is unusable now can be set
/// this way (everything else goes through the record's own actions and lifecycle), only by the campaign office over
/// the record's org or an administrator (records that belong to no org: administrators), always with a reason. The
/// change is audited like any other (before/after) and the reason is a chained audit event of its own.
public static class StoredValueRepair
{
    public const int ReasonMax = 500;

    public static async Task<RepairResult> RepairAsync(BihuanDb db, RepairInput input, CancellationToken ct)
    {
        var errors = new List<Invalid>();
        if (string.IsNullOrWhiteSpace(input.Type)) errors.Add(new("type", "请指明记录类型（如 RectItem）"));
        if (input.Id is null) errors.Add(new("id", "请指明记录编号"));
        if (string.IsNullOrWhiteSpace(input.Field)) errors.Add(new("field", "请指明要修正的字段（如 Deadline）"));
        if (string.IsNullOrWhiteSpace(input.Value)) errors.Add(new("value", "请填写修正后的值"));
        if (string.IsNullOrWhiteSpace(input.Reason)) errors.Add(new("reason", "请说明修正理由"));
        else if (input.Reason.Trim().Length > ReasonMax) errors.Add(new("reason", $"修正理由不能超过 {ReasonMax} 字"));
        Infrastructure.ErrorMapping.ThrowIfAny(errors);

        var field = UnusableValues.Fields(db.Model).FirstOrDefault(f =>
                string.Equals(f.Type, input.Type!.Trim(), StringComparison.OrdinalIgnoreCase)
                && string.Equals(f.Name, input.Field!.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new DomainException(new Invalid("field", $"“{input.Type}.{input.Field}”不是可修正的字段"));
        var load = typeof(StoredValueRepair)
            .GetMethod(nameof(LoadAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(field.Entity.ClrType);
        var entity = await (Task<object?>)load.Invoke(null, [db, field, input.Id!.Value, ct])!
            ?? throw new DomainException(new RecordNotFound("记录"));

        var orgPath = await AuthorizeAsync(db, entity, ct);
        var property = db.Entry(entity).Property(field.Name);
        var before = property.CurrentValue;
        if (UnusableValues.Why(field.Kind, before) is null) throw new DomainException(new NothingToRepair(field.Name));
        var after = Parse(field, input.Value!.Trim());
        property.CurrentValue = after;
        var reason = input.Reason!.Trim();
        db.RecordEvent(field.Type, input.Id.Value.ToString(CultureInfo.InvariantCulture),
            $"修正无效值 {field.Name}：{UnusableValues.Show(before)} → {UnusableValues.Show(after)}；理由：{reason}", orgPath);
        await db.SaveChangesAsync(ct);
        return new RepairResult(field.Type, input.Id.Value, field.Name, UnusableValues.Show(before), UnusableValues.Show(after),
            UnusableValues.Of(db.Model, entity));
    }

    static async Task<object?> LoadAsync<T>(BihuanDb db, UnusableValues.Field field, int id, CancellationToken ct) where T : class
    {
        var key = field.Entity.FindPrimaryKey()!.Properties[0].Name;
        // Through the filtered set: a record outside the caller's scope does not exist for them.
        return await db.Set<T>().FirstOrDefaultAsync(e => EF.Property<int>(e, key) == id, ct);
    }

    /// The campaign office over the record's org, or an administrator; records of no org: administrators. Returns the
    /// org path the audit event is filed under.
    static async Task<string?> AuthorizeAsync(BihuanDb db, object entity, CancellationToken ct)
    {
        if (entity is IOrgOwned owned)
        {
            var org = await db.OrgDirectory().AsNoTracking().FirstOrDefaultAsync(o => o.Id == owned.OrgId, ct)
                ?? throw new DomainException(new RecordNotFound("组织"));
            if (!db.Access.Can(Permission.RepairValues, org))
                throw new DomainException(new Forbidden("只有该单位上级的学习教育办公室或系统管理员可以修正无效数据"));
            return org.SelfPath;
        }
        if (!db.Access.IsSystem && !db.Access.Has(Role.Admin))
            throw new DomainException(new Forbidden("不属于任何单位的记录只能由系统管理员修正"));
        return null;
    }

    static object Parse(UnusableValues.Field f, string text)
    {
        var type = Nullable.GetUnderlyingType(f.Property.ClrType) ?? f.Property.ClrType;
        object? value = f.Kind switch
        {
            UnusableValues.Kind.Date =>
                DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null,
            UnusableValues.Kind.Time => DateTime.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm"],
                    CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
                ? DateTime.SpecifyKind(t - ChinaTime.Offset, DateTimeKind.Utc) : null,
            UnusableValues.Kind.Choice => !text.Any(char.IsAsciiDigit) && Enum.TryParse(type, text, ignoreCase: true, out var e)
                && Enum.IsDefined(type, e!) ? e : null,
            UnusableValues.Kind.Percent => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
            _ => null,
        };
        if (value is null)
            throw new DomainException(new Invalid("value", f.Kind switch
            {
                UnusableValues.Kind.Date => "日期格式应为 yyyy-MM-dd",
                UnusableValues.Kind.Time => "时间格式应为 yyyy-MM-dd 或 yyyy-MM-dd HH:mm（北京时间）",
                UnusableValues.Kind.Choice => $"可选的取值：{string.Join("、", Enum.GetNames(type))}",
                _ => "进度应为 0 至 100 的整数",
            }));
        if (UnusableValues.Why(f.Kind, value) is { } why) throw new DomainException(new Invalid("value", why));
        return value;
    }
}

/// GET /api/v1/repairs: the unusable values in the caller's scope; POST: set one right (see StoredValueRepair).
public static class RepairApi
{
    public const int ScanTake = 200;   // records per type

    public static RouteGroupBuilder MapRepairApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/repairs").WithTags("数据修正 Repairs");
        g.MapGet("/", Scan).WithSummary("Stored values no read can use (type, id, field, value), in your scope: "
            + "dates outside the window, undefined choices, percents outside 0–100");
        g.MapPost("/", Repair).WithSummary("Set one unusable stored value right (campaign office over the record's org, or admin); "
            + "reason required, audited");
        return api;
    }

    static async Task<Ok<List<UnusableValue>>> Scan(BihuanDb db, CancellationToken ct)
    {
        if (!db.Access.CanAnywhere(Permission.RepairValues))
            throw new DomainException(new Forbidden("只有学习教育办公室或系统管理员可以查看无效数据"));
        return TypedResults.Ok(await UnusableValues.ScanAsync(db, ScanTake, ct));
    }

    static async Task<Ok<RepairResult>> Repair(BihuanDb db, RepairInput input, CancellationToken ct) =>
        TypedResults.Ok(await StoredValueRepair.RepairAsync(db, input, ct));
}
