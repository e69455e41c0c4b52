namespace Bihuan;

/// Marker for UI text. Keys are the zh-CN text itself (the default language); Resources/Text.en.resx translates.
public sealed class Text;
