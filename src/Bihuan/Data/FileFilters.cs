using System.Linq.Expressions;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Data;

/// The query filters that make files records' children (ADR 0008), part of BihuanDb's one place for scope.
///
/// Each states the scope itself rather than leaning on the citing records' own filters: EF Core does not reliably
/// apply the filters of entity types a query filter reaches through Set<T>() (with four such roots in one filter,
/// it applied the first one's only — FileScopeMatrixTests caught it). So every record branch carries the same
/// org-scope subquery as OwnedByOrg, spliced in where the lambdas below say InScope(…) or Cited(…).
static class FileFilters
{
    /// A citation is visible when the record citing it is: a unit's record when its org is in the records' scope
    /// (grants holding ReadRecords), a work order when its current org is in the scope.
    public static Expression<Func<FileCitation, bool>> Citation(BihuanDb db) => Splice<FileCitation>(db, c =>
        db.Set<RectUpdate>().IgnoreQueryFilters().Any(x => x.Id == c.RectUpdateId && InRecordScope(x.OrgId))
        || db.Set<Meeting>().IgnoreQueryFilters().Any(x => x.Id == c.MeetingId && InRecordScope(x.OrgId))
        || db.Set<SupervisionEvent>().IgnoreQueryFilters()
            .Any(x => x.Id == c.SupervisionEventId && InRecordScope(x.OrgId))
        || db.Set<WorkOrder>().IgnoreQueryFilters().Any(x => x.Id == c.WorkOrderId && InScope(x.OrgId)));

    /// An upload is readable through a visible citation; its uploader reads it until it is attached to anything.
    public static Expression<Func<Upload, bool>> Upload(BihuanDb db) => Splice<Upload>(db, u => db.ScopeAll
        || db.Set<FileCitation>().IgnoreQueryFilters().Any(c => c.UploadId == u.Id && Cited(c))
        || (db.ScopeAccount != null && u.UploadedById == db.ScopeAccount
            && !db.Set<FileCitation>().IgnoreQueryFilters().Any(c => c.UploadId == u.Id)));

    // Markers, replaced before EF sees the filter.
    static bool InScope(int orgId) => throw new InvalidOperationException("a marker inside a query filter");
    static bool InRecordScope(int orgId) => throw new InvalidOperationException("a marker inside a query filter");
    static bool Cited(FileCitation c) => throw new InvalidOperationException("a marker inside a query filter");

    static Expression<Func<T, bool>> Splice<T>(BihuanDb db, Expression<Func<T, bool>> filter)
    {
        // The uncorrelated subqueries of BihuanDb.OwnedByOrg: the orgs in the caller's scope, for orders and for
        // the units' records.
        var (inScope, inRecordScope) = (db.OrgInScope(records: false), db.OrgInScope(records: true));
        var cited = typeof(T) == typeof(Upload) ? Citation(db) : null;
        return (Expression<Func<T, bool>>)new Markers(inScope, inRecordScope, cited).Visit(filter);
    }

    sealed class Markers(LambdaExpression inScope, LambdaExpression inRecordScope, LambdaExpression? cited)
        : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.DeclaringType != typeof(FileFilters)) return base.VisitMethodCall(node);
            var body = node.Method.Name switch
            {
                nameof(InScope) => inScope,
                nameof(InRecordScope) => inRecordScope,
                nameof(Cited) => cited ?? throw new InvalidOperationException("Cited(…) only in the upload filter"),
                _ => throw new InvalidOperationException(node.Method.Name),
            };
            return body.Apply(Visit(node.Arguments[0]));
        }
    }
}

static class Lambdas
{
    /// The body of a one-parameter lambda with the argument in the parameter's place (inlined, as SQL needs it).
    public static Expression Apply(this LambdaExpression lambda, Expression argument) =>
        new Substitute(lambda.Parameters[0], argument).Visit(lambda.Body);

    sealed class Substitute(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
