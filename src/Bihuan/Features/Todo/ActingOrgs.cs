using System.Linq.Expressions;
using Bihuan.Data;
using Bihuan.Domain;

namespace Bihuan.Features.Todo;

/// The orgs over which the caller holds a permission, as Permissions.Table's extents say (Permissions.Holds, in SQL):
/// a grant's extent Granted covers its org (and, for a subtree role, every org below it), GrantedOrg its org only,
/// Below only the orgs strictly below it. An uncorrelated subquery over the org table (already cut to the caller's
/// scope by its query filter): the record queries then answer from their OrgId index.
public static class ActingOrgs
{
    public static IQueryable<int> Of(BihuanDb db, Permission p)
    {
        var s = db.Access;
        if (s.IsSystem) return db.Orgs.Select(o => o.Id);
        var ids = new List<int>();
        var prefixes = new List<string>();
        foreach (var g in s.Grants)
            foreach (var h in Permissions.Of(p).Holders.Where(h => h.Role == g.Role))
            {
                var subtree = g.Role.ReachOf() == Reach.Subtree;
                if (h.Extent != Extent.Below) ids.Add(g.OrgId);
                if (subtree && h.Extent != Extent.GrantedOrg) prefixes.Add(g.OrgSelfPath);
            }
        if (ids.Count == 0 && prefixes.Count == 0) return db.Orgs.Where(o => false).Select(o => o.Id);
        var idList = ids.Distinct().ToList();
        Expression<Func<Org, bool>> where = o => idList.Contains(o.Id);
        foreach (var prefix in prefixes.Distinct())
        {
            var box = new Prefix(prefix);   // a parameter, not a literal, in the SQL
            Expression<Func<Org, bool>> under = o => o.Path.StartsWith(box.Value);
            where = Expression.Lambda<Func<Org, bool>>(Expression.OrElse(where.Body,
                new Rebind(under.Parameters[0], where.Parameters[0]).Visit(under.Body)), where.Parameters);
        }
        return db.Orgs.Where(where).Select(o => o.Id);
    }

    sealed record Prefix(string Value);

    sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
