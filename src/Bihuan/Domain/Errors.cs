namespace Bihuan.Domain;

/// A domain rule refused an action. One place (Infrastructure/ErrorMapping.cs) turns these into ProblemDetails:
/// the Kind decides the HTTP status, Field (when set) becomes a field-level message.
public abstract record Error(string Code, string Message, ErrorKind Kind = ErrorKind.Invalid, string? Field = null);

public enum ErrorKind { Invalid, Conflict, NotFound, Forbidden }

public sealed record Invalid(string Field, string Text) : Error("invalid", Text, ErrorKind.Invalid, Field);
public sealed record RecordNotFound(string What) : Error("not_found", $"{What}不存在或不在您的权限范围内", ErrorKind.NotFound);
public sealed record Forbidden(string Text) : Error("forbidden", Text, ErrorKind.Forbidden);
public sealed record MoveWouldCreateCycle(string Org, string Target)
    : Error("org_cycle", $"不能把“{Org}”移到其自身或其下级“{Target}”之下", ErrorKind.Conflict, "parentId");
public sealed record OrgHasLiveChildren(string Org, int Count)
    : Error("org_has_children", $"“{Org}”还有 {Count} 个未撤销的下级组织，请先撤销或移走下级组织", ErrorKind.Conflict);
public sealed record OrgHasRecords(string Org, string What)
    : Error("org_has_records", $"“{Org}”下还有{What}，不能删除；可改为撤销（归档）", ErrorKind.Conflict);
public sealed record DuplicateOrgCode(string Code)
    : Error("org_code_taken", $"组织编码“{Code}”已被使用", ErrorKind.Conflict, "code");
public sealed record RootAlreadyExists()
    : Error("org_root_exists", "已存在根组织，新组织必须指定上级组织", ErrorKind.Conflict, "parentId");

/// Thrown by use cases; mapped to ProblemDetails by one handler. Lets deep code refuse without threading results.
public sealed class DomainException(Error error) : Exception(error.Message)
{
    public Error Error { get; } = error;
}
