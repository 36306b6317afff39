using IcnnLift.Data;
using Xunit;

namespace IcnnLift.Tests.Data;

public sealed class SampleCsvTests : TempFolderTest
{
    private string File(string text)
    {
        var path = Path.Combine(Folder, $"{Guid.NewGuid():N}.csv");
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Reads_rows_with_or_without_a_header()
    {
        Assert.Equal([[1.0, 2.0], [3.0, -4.5e-1]], SampleCsv.Read(File("x,y\n1,2\n3,-4.5e-1\n")));
        Assert.Equal([[1.0], [2.0]], SampleCsv.Read(File("1\n\n2\n")));
    }

    [Theory]
    [InlineData("x,y\n", "no data rows after the header")]
    [InlineData("", "the file is empty")]
    [InlineData("x,y\n1,2\n3,4,5\n", ":3: expected 2 columns, found 3")]
    [InlineData("1,2\n3,abc\n", ":2, column 2: 'abc' is not a number")]
    [InlineData("1,2\nNaN,4\n", ":2, column 1: value 'NaN' is not finite")]
    [InlineData("1,2\n3,Infinity\n", ":2, column 2: value 'Infinity' is not finite")]
    public void Bad_files_name_the_problem_and_where(string text, string expected)
    {
        var path = File(text);
        var e = Assert.Throws<InputException>(() => SampleCsv.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Missing_file_is_named() =>
        Assert.Contains("file not found", Assert.Throws<InputException>(() => SampleCsv.Read(Path.Combine(Folder, "nope.csv"))).Message);
}
