using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Hosting;

namespace Bihuan.IntegrationTests;

/// The per-address limit on public POSTs (ASP.NET rate limiter), with a limit small enough to reach. SQLite only: the
/// limiter does not touch the database.
public sealed class PortalRateLimitTests : IClassFixture<PortalRateLimitTests.LowLimitFactory>
{
    public sealed class LowLimitFactory() : BihuanFactory(Bihuan.Data.DatabaseEngine.Sqlite)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Bihuan:Portal:PostsPerMinutePerIp", "3");
        }
    }

    readonly LowLimitFactory _app;
    public PortalRateLimitTests(LowLimitFactory app) => _app = app;

    [Fact]
    public async Task PublicPosts_OverTheLimitPerMinute_429_StaffApiUnaffected()
    {
        var c = _app.Anonymous();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await c.PostAsync("/public/status", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "lookup", ["Lookup.Ticket"] = "GZ20261127000001", ["Lookup.Code"] = "AAAAAAAA",
            }))).StatusCode);
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(3));
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses.Skip(3));
        // pages (GET) and the staff API are not limited
        await (await c.GetAsync("/public/status")).Expect(HttpStatusCode.OK);
        var hotline = await _app.ClientFor("gz.hotline");
        for (var i = 0; i < 5; i++) await (await hotline.GetAsync("/api/v1/workorders")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Open311Posts_OverTheAddressLimit_429AsAnOpen311ErrorInTheRequestedFormat()
    {
        var c = _app.Anonymous();
        var form = () => new FormUrlEncodedContent(new Dictionary<string, string> { ["service_code"] = "consult" });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) statuses.Add((await c.PostAsync("/open311/v2/requests.json", form())).StatusCode);
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses);   // 403 (no api_key), counted all the same
        var json = await c.PostAsync("/open311/v2/requests.json", form());
        Assert.Equal(HttpStatusCode.TooManyRequests, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement[0].GetProperty("code").GetInt32());
        Assert.NotNull(json.Headers.RetryAfter);
        var xml = await c.PostAsync("/open311/v2/requests.xml", form());
        Assert.Equal(HttpStatusCode.TooManyRequests, xml.StatusCode);
        Assert.Equal("text/xml", xml.Content.Headers.ContentType?.MediaType);
        var root = XDocument.Parse(await xml.Content.ReadAsStringAsync()).Root!;
        Assert.Equal("errors", root.Name.LocalName);
        Assert.Equal("429", root.Element("error")!.Element("code")!.Value);
    }
}
