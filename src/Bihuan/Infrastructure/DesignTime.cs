using Bihuan.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Bihuan.Infrastructure;

// Used only by `dotnet ef migrations add` to build each provider's model.
sealed class SqliteDesignFactory : IDesignTimeDbContextFactory<SqliteBihuanDb>
{
    public SqliteBihuanDb CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<SqliteBihuanDb>().UseSqlite("Data Source=design.db").Options, ScopeHolder.ForSystem());
}

sealed class PostgresDesignFactory : IDesignTimeDbContextFactory<PostgresBihuanDb>
{
    public PostgresBihuanDb CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<PostgresBihuanDb>().UseNpgsql("Host=localhost;Database=design").Options, ScopeHolder.ForSystem());
}
