using System.Text.RegularExpressions;
using IcnnLift.Studies.Reproduction;
using Xunit;

namespace IcnnLift.Tests.Studies;

/// <summary>deploy/'s job-array files agree with the program: they name a catalogued experiment, and the Kubernetes Job
/// tells each pod as many shards as it has completions.</summary>
public class DeployTests
{
    private static string Deploy(string file) => File.ReadAllText(Repository.Path("deploy", file));

    private static string Single(string text, string pattern) => Assert.Single(Regex.Matches(text, pattern, RegexOptions.Multiline)).Groups[1].Value;

    [Fact]
    public void The_slurm_script_runs_a_catalogued_experiment() =>
        Assert.NotNull(Catalog.Get(Single(Deploy("slurm-reproduce.sbatch"), @"^EXPERIMENT=\$\{EXPERIMENT:-([a-z0-9-]+)\}")));

    [Fact]
    public void The_kubernetes_job_gives_its_pods_the_completions_count()
    {
        var manifest = Deploy("kubernetes-reproduce.yaml");
        Assert.Equal(Single(manifest, @"^\s+completions: (\d+)$"),
            Single(manifest, $@"name: {Shard.CompletionsVariable}\s+value: ""(\d+)"""));
        Assert.Equal("Indexed", Single(manifest, @"^\s+completionMode: (\w+)$"));
        Assert.NotNull(Catalog.Get(Single(manifest, @"args: \[reproduce, ([a-z0-9-]+),")));
    }
}
