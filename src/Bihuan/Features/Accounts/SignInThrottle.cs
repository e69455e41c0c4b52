using System.Collections.Concurrent;

namespace Bihuan.Features.Accounts;

/// Exponential back-off per key ("user:NAME", "addr:IP", "token:IP"). A key is keyed by what the caller typed, not
/// by whether the account exists, so a throttled unknown name answers exactly like a throttled real one.
public sealed class SignInThrottle(AuthOptions options, TimeProvider clock)
{
    sealed class Entry
    {
        public int Failures;
        public DateTimeOffset Last;
        public DateTimeOffset NotBefore;
    }

    readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    ThrottleOptions O => options.Throttle;

    public static string UserKey(string userName) =>
        "user:" + (userName.Length > 256 ? userName[..256] : userName).Trim().ToUpperInvariant();
    public static string AddressKey(string address) => "addr:" + address;
    public static string TokenKey(string address) => "token:" + address;

    /// How long the caller must still wait before any of these keys may try again (null: it may try now).
    public TimeSpan? RetryAfter(params string[] keys)
    {
        var now = clock.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var k in keys)
            if (_entries.TryGetValue(k, out var e))
                lock (e)
                    if (e.NotBefore > now && (wait is null || e.NotBefore - now > wait)) wait = e.NotBefore - now;
        return wait;
    }

    /// Counts a failure; answers the wait it starts (null while the failure was still free).
    public TimeSpan? Failed(string key, int free)
    {
        var now = clock.GetUtcNow();
        if (_entries.Count >= O.MaxKeys) Prune(now);
        var e = _entries.GetOrAdd(key, _ => new Entry());
        lock (e)
        {
            if (now - e.Last > TimeSpan.FromMinutes(O.ForgetAfterMinutes)) e.Failures = 0;
            e.Failures++;
            e.Last = now;
            if (e.Failures <= free) return null;
            var doublings = Math.Min(30, e.Failures - free - 1);
            var seconds = Math.Min(O.MaxDelaySeconds, O.BaseDelaySeconds * Math.Pow(2, doublings));
            e.NotBefore = now + TimeSpan.FromSeconds(seconds);
            return TimeSpan.FromSeconds(seconds);
        }
    }

    public void Succeeded(string key) => _entries.TryRemove(key, out _);

    void Prune(DateTimeOffset now)
    {
        var forget = TimeSpan.FromMinutes(O.ForgetAfterMinutes);
        foreach (var (k, e) in _entries)
            if (now - e.Last > forget && e.NotBefore < now) _entries.TryRemove(k, out _);
        // Still full of live keys: drop the quietest half rather than grow without bound (the address keys, few
        // and separate, keep throttling a flood of names).
        if (_entries.Count >= O.MaxKeys)
            foreach (var (k, _) in _entries.OrderBy(p => p.Value.Last).Take(_entries.Count / 2).ToList())
                _entries.TryRemove(k, out _);
    }
}
