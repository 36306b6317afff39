using System.Diagnostics;
using IcnnLift.Studies;
using Xunit;

namespace IcnnLift.Tests.Studies;

public sealed class ProcessLifetimeTests
{
    private static Process Shell(string script)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        var process = ProcessLifetime.StartChild(start);
        Assert.Equal("ready", process.StandardOutput.ReadLine()); // its trap is set
        return process;
    }

    [Fact]
    public void Stop_asks_with_SIGTERM_and_returns_at_once()
    {
        using var process = Shell("trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done");
        var clock = Stopwatch.StartNew();
        using (ProcessLifetime.Stop(process, TimeSpan.FromSeconds(30)))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)));
        }
        Assert.Equal(7, process.ExitCode); // its own handler ended it, not the kill
    }

    [Fact]
    public void Stop_kills_a_process_that_ignores_SIGTERM_after_the_grace_period()
    {
        using var process = Shell("trap '' TERM; echo ready; while :; do sleep 0.05; done");
        using var killLater = ProcessLifetime.Stop(process, TimeSpan.FromMilliseconds(300));
        Assert.False(process.WaitForExit(TimeSpan.FromMilliseconds(200)));
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Equal(137, process.ExitCode); // SIGKILL
    }
}
