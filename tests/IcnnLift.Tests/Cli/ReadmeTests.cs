using Xunit;

namespace IcnnLift.Tests.Cli;

/// <summary>The README's C# example is examples/Quickstart/Program.cs, which CI builds and runs against the packed
/// library: the two must not drift apart.</summary>
public class ReadmeTests
{
    [Fact]
    public void The_readmes_csharp_example_is_the_quickstart_that_ci_runs()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "README.md"))) folder = folder.Parent;
        Assert.NotNull(folder);
        var readme = File.ReadAllText(Path.Combine(folder.FullName, "README.md")).ReplaceLineEndings("\n");
        var program = File.ReadAllText(Path.Combine(folder.FullName, "examples", "Quickstart", "Program.cs")).ReplaceLineEndings("\n");
        Assert.Contains("```csharp\n" + program + "```", readme);
    }
}
