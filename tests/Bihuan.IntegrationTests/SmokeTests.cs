using System.Net;
using System.Net.Http.Json;
using Bihuan.Features.Organizations;

namespace Bihuan.IntegrationTests;

public sealed class SmokeTests(SqliteFixture app) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task HealthzReady_ReportsTheDatabaseWritable()
    {
        var res = await app.CreateClient().GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Contains("\"ready\"", await res.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Orgs_AsLiaison_SeesOwnUnitOnly()
    {
        var client = await app.ClientFor("yx.fgj.liaison");
        var res = await client.GetAsync("/api/v1/orgs");
        Assert.True(res.IsSuccessStatusCode, await res.Content.ReadAsStringAsync());
        var roots = await res.Content.ReadFromJsonAsync<List<OrgDto>>();
        Assert.Equal(["越秀区发展和改革局"], roots!.Select(r => r.Name));
    }
}
