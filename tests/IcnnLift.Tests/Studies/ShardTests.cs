using IcnnLift.Data;
using IcnnLift.Studies.Reproduction;
using Xunit;

namespace IcnnLift.Tests.Studies;

public class ShardTests
{
    private static Shard Resolve(string? option, params (string Name, string Value)[] variables) =>
        Shard.Resolve(option, name => variables.FirstOrDefault(v => v.Name == name).Value);

    private static readonly (string, string)[] Slurm = [("SLURM_ARRAY_TASK_ID", "12"), ("SLURM_ARRAY_TASK_MIN", "10"), ("SLURM_ARRAY_TASK_COUNT", "4")];

    [Fact]
    public void Without_option_or_scheduler_the_whole_sweep() => Assert.Equal(new Shard(1, 1), Resolve(null));

    [Fact]
    public void The_option_wins_over_the_scheduler() => Assert.Equal(new Shard(2, 3), Resolve("2/3", Slurm));

    [Theory]
    [InlineData("12", "10", "4", null, 3)] // array 10-13
    [InlineData("14", "10", "3", "2", 3)] // array 10-14:2
    [InlineData("0", "0", "1", null, 1)]
    public void A_slurm_array_task_is_its_position_in_the_array(string id, string min, string count, string? step, int index)
    {
        var variables = new List<(string, string)> { ("SLURM_ARRAY_TASK_ID", id), ("SLURM_ARRAY_TASK_MIN", min), ("SLURM_ARRAY_TASK_COUNT", count) };
        if (step is not null) variables.Add(("SLURM_ARRAY_TASK_STEP", step));
        var shard = Resolve(null, [.. variables]);
        Assert.Equal((index, int.Parse(count)), (shard.Index, shard.Count));
        Assert.Equal("the Slurm job array", shard.From);
    }

    [Fact]
    public void A_kubernetes_completion_index_counts_from_zero()
    {
        var shard = Resolve(null, ("JOB_COMPLETION_INDEX", "2"), (Shard.CompletionsVariable, "5"));
        Assert.Equal((3, 5, "the Kubernetes Indexed Job"), (shard.Index, shard.Count, shard.From));
    }

    [Theory]
    [InlineData("SLURM_ARRAY_TASK_COUNT is not set beside SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_MIN", "0")]
    [InlineData("SLURM_ARRAY_TASK_ID 9 is not one of 4 array tasks from 0 in steps of 1", "SLURM_ARRAY_TASK_ID", "9", "SLURM_ARRAY_TASK_MIN", "0",
        "SLURM_ARRAY_TASK_COUNT", "4")]
    [InlineData("SLURM_ARRAY_TASK_ID 3 is not one of 4 array tasks from 0 in steps of 2", "SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_MIN", "0",
        "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_STEP", "2")]
    [InlineData("SLURM_ARRAY_TASK_ID: expected an integer, got 'x'", "SLURM_ARRAY_TASK_ID", "x")]
    [InlineData("JOB_COMPLETION_INDEX is set but ICNN_LIFT_SHARDS is not", "JOB_COMPLETION_INDEX", "0")]
    [InlineData("JOB_COMPLETION_INDEX 4 is not below ICNN_LIFT_SHARDS 4", "JOB_COMPLETION_INDEX", "4", "ICNN_LIFT_SHARDS", "4")]
    public void A_scheduler_environment_that_does_not_add_up_is_bad_input(string message, params string[] pairs)
    {
        var variables = pairs.Chunk(2).Select(p => (p[0], p[1])).ToArray();
        Assert.Contains(message, Assert.Throws<InputException>(() => Resolve(null, variables)).Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void The_shards_of_a_job_array_take_every_run_once(int count)
    {
        var shards = Enumerable.Range(0, count).Select(i => Resolve(null, ("JOB_COMPLETION_INDEX", $"{i}"), (Shard.CompletionsVariable, $"{count}")));
        var owners = Enumerable.Range(0, 50).Select(p => shards.Count(s => s.Owns(p)));
        Assert.All(owners, n => Assert.Equal(1, n));
    }
}
