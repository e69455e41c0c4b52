// The assembly is named "bihuan" (the CLI's name); resources are under the "Bihuan" namespace.
[assembly: Microsoft.Extensions.Localization.RootNamespace("Bihuan")]

namespace Bihuan;

/// Marker for UI text. Keys are the zh-CN text itself (the default language); Resources/Text.en.resx translates.
public sealed class Text;
