using System.Text.Json.Nodes;
using Bihuan.Domain;

namespace Bihuan.Features.Audit;

/// What the audit trail shows of personal data (ADR 0018): staff and account phones and e-mail, a demand's text,
/// location and the hashes of its query code and source are masked in the snapshots the API returns, unless the
/// reader holds Permission.ViewAuditPersonalData and asks for them unmasked (a read that is itself audited).
public static class AuditMasking
{
    enum How { Phone, Text, Hidden }

    static readonly Dictionary<(string Type, string Field), How> Fields = new()
    {
        [("Person", "Phone")] = How.Phone,
        [("Account", "PhoneNumber")] = How.Phone,
        [("Account", "Email")] = How.Hidden,
        [("Account", "NormalizedEmail")] = How.Hidden,
        [("WorkOrder", "Content")] = How.Text,
        [("WorkOrder", "Location")] = How.Text,
        [("WorkOrder", "CodeHash")] = How.Hidden,
        [("WorkOrder", "SourceHash")] = How.Hidden,
    };

    public const string HiddenText = "（已隐藏）";

    /// The snapshot with its personal fields masked; a snapshot that does not parse is hidden whole.
    public static string? Mask(string entityType, string? snapshot)
    {
        if (snapshot is null || !Fields.Keys.Any(k => k.Type == entityType)) return snapshot;
        JsonObject values;
        try { values = JsonNode.Parse(snapshot)?.AsObject() ?? throw new FormatException(); }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return HiddenText;
        }
        foreach (var ((type, field), how) in Fields)
            if (type == entityType && values[field] is JsonValue v && v.TryGetValue<string>(out var text))
                values[field] = how switch
                {
                    How.Phone => Person.Mask(text),
                    How.Text => text.Length <= 4 ? "****" : $"{text[..4]}…（共 {text.Length} 字）",
                    How.Hidden => HiddenText,
                };
        return values.ToJsonString(new System.Text.Json.JsonSerializerOptions
            { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
