using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Bihuan.IntegrationTests;

/// Bihuan:Database:ReadConnectionString: exports read the replica. The "replica" here is a snapshot copy of the
/// primary (CREATE DATABASE … TEMPLATE), so what was written after the copy is visible in the ledger (primary) but
/// not in the export (replica) — which proves where each read goes.
public sealed class ReadReplicaTests : IDisposable
{
    BihuanFactory? _primary;
    string? _replica;

    [SkippableFact]
    public async Task Export_ReadsTheReplica_LedgerReadsThePrimary()
    {
        Postgres.SkipIfUnavailable();
        _primary = new BihuanFactory(DatabaseEngine.Postgres);
        var office = await _primary.ClientFor("yx.office");
        var token = await _primary.TokenFor("yx.office");
        var before = await NewItem(office, "复制前登记的问题：审批材料层层加码");

        // Copy the primary as it is now (no other session may be connected to a template while it is copied).
        var server = Postgres.ServerConnectionString!;
        var primaryDb = new NpgsqlConnectionStringBuilder(_primary.ConnectionString).Database;
        _replica = $"{primaryDb}_replica";
        for (var attempt = 0; ; attempt++)
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                await using var c = new NpgsqlConnection(server);
                await c.OpenAsync();
                await using var cmd = c.CreateCommand();
                cmd.CommandText = $"CREATE DATABASE {_replica} TEMPLATE {primaryDb}";
                await cmd.ExecuteNonQueryAsync();
                break;
            }
            catch (PostgresException e) when (e.SqlState == "55006" && attempt < 20) { await Task.Delay(250); }
        }
        var replicaCs = new NpgsqlConnectionStringBuilder(server) { Database = _replica }.ToString();
        using var withReplica = _primary.WithWebHostBuilder(b => b.UseSetting("Bihuan:Database:ReadConnectionString", replicaCs));
        var client = withReplica.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var after = await NewItem(client, "复制后登记的问题：督查检查考核过多");

        var ledger = await (await client.GetAsync("/api/v1/rectifications?pageSize=500")).Expect<LedgerPage>(HttpStatusCode.OK);
        Assert.Contains(ledger.Rows, r => r.Id == after.Id);
        Assert.Contains(ledger.Rows, r => r.Id == before.Id);
        var export = await client.GetAsync("/api/v1/rectifications/export.xlsx");
        await export.Expect(HttpStatusCode.OK);
        var text = SheetText(await export.Content.ReadAsByteArrayAsync());
        Assert.Contains("复制前登记的问题", text);
        Assert.DoesNotContain("复制后登记的问题", text);
    }

    static async Task<LedgerEntry> NewItem(HttpClient c, string description)
    {
        var orgId = (await (await c.GetAsync("/api/v1/orgs?q=GZ-YX-FGJ")).Expect<List<Bihuan.Features.Organizations.OrgDto>>(HttpStatusCode.OK))
            .Single(o => o.Code == "GZ-YX-FGJ").Id;
        var p = await (await c.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId, description, source = SourceChannel.SelfInspection, aspect = Aspect.Duty, dimension = Dimension.RealWork, notDuplicate = true,
        })).Expect<ProblemDto>(HttpStatusCode.Created);
        return await (await c.PostAsJsonAsync($"/api/v1/problems/{p.Id}/items", new
        {
            measures = "精简审批材料清单", deadlineKind = DeadlineKind.Ongoing, reportEveryDays = 30,
        })).Expect<LedgerEntry>(HttpStatusCode.Created);
    }

    /// All text of the workbook's parts (shared strings and inline strings alike).
    static string SheetText(byte[] xlsx)
    {
        using var zip = new ZipArchive(new MemoryStream(xlsx));
        var sb = new StringBuilder();
        foreach (var e in zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.Ordinal)))
        {
            using var r = new StreamReader(e.Open());
            sb.Append(r.ReadToEnd());
        }
        return sb.ToString();
    }

    public void Dispose()
    {
        _primary?.Dispose();
        if (_replica is null || Postgres.ServerConnectionString is not { } server) return;
        NpgsqlConnection.ClearAllPools();
        using var c = new NpgsqlConnection(server);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"DROP DATABASE IF EXISTS {_replica} WITH (FORCE)";
        cmd.ExecuteNonQuery();
    }
}
