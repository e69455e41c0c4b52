using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Bihuan.IntegrationTests;

/// Small HTTP assertions shared by the suites: every failure message carries the request and the response body.
public static class Http
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<string> Describe(this HttpResponseMessage r)
    {
        var body = r.Content is null ? "" : await r.Content.ReadAsStringAsync();
        if (body.Length > 2000) body = body[..2000] + "…";
        return $"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri?.PathAndQuery} → {(int)r.StatusCode}: {body}";
    }

    public static async Task Expect(this HttpResponseMessage r, HttpStatusCode status)
    {
        if (r.StatusCode != status) Assert.Fail($"expected {(int)status} {status}, got {await r.Describe()}");
    }

    public static async Task<T> Expect<T>(this HttpResponseMessage r, HttpStatusCode status)
    {
        await r.Expect(status);
        return (await r.Content.ReadFromJsonAsync<T>(Json))!;
    }

    /// Asserts an RFC 9457 problem with the status and, when given, a non-empty message list for the field.
    public static async Task<JsonElement> ExpectProblem(this HttpResponseMessage r, HttpStatusCode status, string? field = null)
    {
        await r.Expect(status);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var p = await r.Content.ReadFromJsonAsync<JsonElement>(Json);
        Assert.Equal((int)status, p.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("title").GetString()), "problem without a title");
        if (field is not null)
        {
            Assert.True(p.TryGetProperty("errors", out var errors), $"no errors in {p}");
            Assert.True(errors.TryGetProperty(field, out var msgs), $"no errors.{field} in {p}");
            Assert.Contains(msgs.EnumerateArray(), m => !string.IsNullOrWhiteSpace(m.GetString()));
        }
        return p;
    }

    public static Task<HttpResponseMessage> PatchJson(this HttpClient c, string url, object body) =>
        c.PatchAsync(url, JsonContent.Create(body, options: Json));

    public static Task<HttpResponseMessage> PostRaw(this HttpClient c, string url, string body, string contentType = "application/json") =>
        c.PostAsync(url, new StringContent(body, Encoding.UTF8, contentType));

    public static Task<HttpResponseMessage> PatchRaw(this HttpClient c, string url, string body, string contentType = "application/json") =>
        c.PatchAsync(url, new StringContent(body, Encoding.UTF8, contentType));

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)].ToUpperInvariant();
}
