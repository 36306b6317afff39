using Xunit;

namespace IcnnLift.Tests.Cli;

/// <summary>The README's C# example is examples/Quickstart/Program.cs, which CI builds and runs against the packed
/// library: the two must not drift apart.</summary>
public class ReadmeTests
{
    [Fact]
    public void The_readmes_csharp_example_is_the_quickstart_that_ci_runs()
    {
        var readme = File.ReadAllText(Repository.Path("README.md")).ReplaceLineEndings("\n");
        var program = File.ReadAllText(Repository.Path("examples", "Quickstart", "Program.cs")).ReplaceLineEndings("\n");
        Assert.Contains("```csharp\n" + program + "```", readme);
    }
}
