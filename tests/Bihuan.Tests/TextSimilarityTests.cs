using Bihuan.Domain;

namespace Bihuan.Tests;

public sealed class TextSimilarityTests
{
    [Fact]
    public void Score_SameProblemReworded_IsAboveThreshold()
    {
        var a = "基层报表填报任务重，同一数据多头重复报送，过度留痕";
        var b = "同一数据多头重复报送，基层报表填报任务繁重，存在过度留痕现象";
        Assert.True(TextSimilarity.Score(a, b) >= TextSimilarity.DuplicateThreshold, TextSimilarity.Score(a, b).ToString());
    }

    [Fact]
    public void Score_DifferentProblems_IsBelowThreshold()
    {
        var a = "基层报表填报任务重，同一数据多头重复报送";
        var b = "老旧小区加装电梯审批慢，群众反映强烈";
        Assert.True(TextSimilarity.Score(a, b) < 0.2);
    }

    [Fact]
    public void Bigrams_IgnorePunctuationAndSpaces()
    {
        Assert.Equal(TextSimilarity.Bigrams("文山会海"), TextSimilarity.Bigrams("文山，会 海。"));
        Assert.Equal(1.0, TextSimilarity.Score("文山会海", "文山 会海"));
        Assert.Equal(0, TextSimilarity.Score("", "文山会海"));
    }
}
