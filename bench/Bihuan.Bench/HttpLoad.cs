using System.Diagnostics;
using System.Net.Http.Headers;

namespace Bihuan.Bench;

/// A small closed-loop HTTP load driver: `concurrency` workers each send requests back to back until `count`
/// requests are done or `limit` passes (bounded in both), loopback only. Returns latency percentiles and throughput;
/// any non-success response is counted, never hidden.
static class HttpLoad
{
    public sealed record Result(int Requests, int Failures, double P50, double P95, double PerSecond);

    public static async Task<Result> RunAsync(Uri baseUrl, string path, string? token, int concurrency, int count, TimeSpan limit,
        Func<HttpClient, Task<HttpResponseMessage>>? send = null)
    {
        if (!baseUrl.IsLoopback) throw new InvalidOperationException("the load driver only targets loopback addresses");
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = baseUrl };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        send ??= c => c.GetAsync(path);
        for (var i = 0; i < Math.Min(5, count); i++) (await send(client)).Dispose();   // warm-up
        var times = new List<double>(count);
        var failures = 0;
        var issued = 0;
        var sw = Stopwatch.StartNew();
        async Task Worker()
        {
            while (sw.Elapsed < limit && Interlocked.Increment(ref issued) <= count)
            {
                var t = Stopwatch.StartNew();
                using var res = await send(client);
                await res.Content.LoadIntoBufferAsync();
                var ms = t.Elapsed.TotalMilliseconds;
                lock (times)
                {
                    times.Add(ms);
                    if (!res.IsSuccessStatusCode) failures++;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Worker()));
        var elapsed = sw.Elapsed.TotalSeconds;
        times.Sort();
        double P(double q) => times.Count == 0 ? double.NaN : times[Math.Min(times.Count - 1, (int)(q * times.Count))];
        return new Result(times.Count, failures, P(0.5), P(0.95), times.Count / elapsed);
    }
}
