using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Bihuan.Data;

/// The last line for text: whatever path a value took in (a form, an import, the CLI), a row is never saved with
/// control characters (other than tab, line feed, carriage return), non-characters or lone surrogates
/// (Domain/InputText). A stored U+FFFF takes an XML feed down; a NUL is refused by PostgreSQL as a 500.
/// Runs before the audit snapshot, so the chain records exactly what is stored.
static class StoredText
{
    public static void Clean(ChangeTracker tracker)
    {
        foreach (var entry in tracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified) || entry.Entity is AuditEntry) continue;
            foreach (var p in entry.Properties)
            {
                switch (p.CurrentValue)
                {
                    case string s when !InputText.IsClean(s):
                        p.CurrentValue = InputText.Clean(s);
                        break;
                    case List<string> list when list.Any(x => x is not null && !InputText.IsClean(x)):
                        p.CurrentValue = list.ConvertAll(x => x is null ? x : InputText.Clean(x));
                        break;
                }
            }
        }
    }
}
