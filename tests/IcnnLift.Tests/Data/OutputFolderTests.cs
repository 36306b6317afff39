using System.Diagnostics;
using IcnnLift.Data;
using Xunit;

namespace IcnnLift.Tests.Data;

/// <summary>The output contract: what a command may write, and what it must refuse or leave alone.</summary>
public sealed class OutputFolderTests : TempFolderTest
{
    private string P(string name) => Path.Combine(Folder, name);

    /// <summary>A PID that no process has: a child that has exited and been reaped.</summary>
    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    [Fact]
    public void A_claimed_folder_appears_only_on_commit_and_carries_the_marker()
    {
        var target = P("out");
        using (var folder = OutputFolder.Claim(target))
        {
            File.WriteAllText(Path.Combine(folder.Staging, "a.txt"), "a");
            Assert.False(Directory.Exists(target));
            folder.Commit();
        }
        Assert.Equal("a", File.ReadAllText(Path.Combine(target, "a.txt")));
        Assert.True(OutputFolder.IsOurs(target));
        Assert.Equal([".icnn-lift", "a.txt"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName).Order());
        Assert.Equal([target], Directory.GetFileSystemEntries(Folder)); // no staging or lock left beside it
    }

    [Fact]
    public void A_folder_not_committed_leaves_nothing()
    {
        using (var folder = OutputFolder.Claim(P("out")))
            File.WriteAllText(Path.Combine(folder.Staging, "a.txt"), "a");
        Assert.Empty(Directory.GetFileSystemEntries(Folder));
    }

    [Fact]
    public void A_users_folder_is_never_replaced_even_with_overwrite()
    {
        var users = P("thesis");
        Directory.CreateDirectory(users);
        File.WriteAllText(Path.Combine(users, "thesis.tex"), "years of work");
        Assert.Contains("exists and is not empty", Assert.Throws<InputException>(() => OutputFolder.Claim(users)).Message);
        Assert.Contains("replaces only a folder icnn-lift wrote", Assert.Throws<InputException>(() => OutputFolder.Claim(users, overwrite: true)).Message);
        Assert.Equal("years of work", File.ReadAllText(Path.Combine(users, "thesis.tex")));
        Assert.Single(Directory.GetFileSystemEntries(Folder));
    }

    [Fact]
    public void Overwrite_replaces_a_folder_we_wrote_and_an_empty_folder_is_used()
    {
        var target = P("out");
        foreach (var content in new[] { "first", "second" })
        {
            using var folder = OutputFolder.Claim(target, overwrite: true);
            File.WriteAllText(Path.Combine(folder.Staging, "a.txt"), content);
            folder.Commit();
        }
        Assert.Equal("second", File.ReadAllText(Path.Combine(target, "a.txt")));

        var empty = P("empty");
        Directory.CreateDirectory(empty);
        using (var folder = OutputFolder.Claim(empty))
            folder.Commit();
        Assert.True(OutputFolder.IsOurs(empty));
    }

    [Fact]
    public void A_run_folder_of_the_first_format_counts_as_ours()
    {
        var legacy = P("legacy");
        Directory.CreateDirectory(legacy);
        File.WriteAllText(Path.Combine(legacy, "config.json"), "{\n  \"format\": \"icnn-lift-run/1\",\n  \"data\": \"gumbel\"\n}");
        Assert.True(OutputFolder.IsOurs(legacy));
        File.WriteAllText(Path.Combine(legacy, "config.json"), "{ \"format\": \"someone-else\" }");
        Assert.False(OutputFolder.IsOurs(legacy));
    }

    [Fact]
    public void The_root_the_home_folder_and_the_working_directory_with_its_ancestors_are_refused()
    {
        var cwd = Environment.CurrentDirectory;
        try
        {
            var inner = P("a/b");
            Directory.CreateDirectory(inner);
            Environment.CurrentDirectory = inner;
            foreach (var path in new[] { ".", "..", "../..", "./", Folder, "/", Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) })
                Assert.Contains("refusing to write into", Assert.Throws<InputException>(() => OutputFolder.Claim(path, overwrite: true)).Message);
            using (var fine = OutputFolder.Claim("c")) fine.Commit(); // a new folder inside the working directory is fine
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
        }
    }

    [Fact]
    public void Files_empty_paths_and_symbolic_links_are_refused()
    {
        File.WriteAllText(P("file"), "x");
        Assert.Contains("is a file", Assert.Throws<InputException>(() => OutputFolder.Claim(P("file"))).Message);
        Assert.Contains("is a file", Assert.Throws<InputException>(() => OutputFolder.Claim(P("file/sub"))).Message);
        Assert.Contains("the path is empty", Assert.Throws<InputException>(() => OutputFolder.Claim("")).Message);
        Directory.CreateDirectory(P("real"));
        Directory.CreateSymbolicLink(P("link"), P("real"));
        Assert.Contains("symbolic link", Assert.Throws<InputException>(() => OutputFolder.Claim(P("link"))).Message);
        Assert.Contains("the file exists", Assert.Throws<InputException>(() => OutputFolder.CheckFile(P("file"), overwrite: false)).Message);
        Assert.Contains("is a folder", Assert.Throws<InputException>(() => OutputFolder.CheckFile(P("real"), overwrite: true)).Message);
    }

    [Fact]
    public void A_second_writer_is_refused_by_name_while_the_first_holds_the_folder()
    {
        var target = P("out");
        using var first = OutputFolder.Claim(target);
        var busy = Assert.Throws<OutputBusyException>(() => OutputFolder.Claim(target));
        Assert.Contains($"process {Environment.ProcessId} is writing it now", busy.Message);
        first.Commit();
        Assert.Contains("exists and is not empty", Assert.Throws<InputException>(() => OutputFolder.Claim(target)).Message);
    }

    [Fact]
    public void What_a_killed_writer_left_is_taken_over_or_removed()
    {
        int dead = DeadPid();
        // A staging folder whose owner died, with a half-written file; temporary siblings of dead writers of this
        // version and an earlier one; one of a live process and one of another host (a shard sharing the folder), which stay.
        var staging = P(".out.partial");
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, ".owner"), $"{{\"Pid\":{dead},\"Host\":\"{Environment.MachineName}\",\"StartTicks\":1}}");
        File.WriteAllText(Path.Combine(staging, "half.csv"), "1,2");
        Directory.CreateDirectory(P($".out.tmp-{dead}-0123"));
        Directory.CreateDirectory(P($".out.tmp-{Environment.ProcessId}-4567"));
        File.WriteAllText(P($"report.md.tmp-{dead}-89ab"), "half");
        File.WriteAllText(P($"report.md.tmp-{dead}-{OutputFolder.TemporaryTag.Split('-')[1]}-cdef"), "half");
        File.WriteAllText(P($"report.md.tmp-{dead}-0badc0de-cdef"), "another host's");

        using (var folder = OutputFolder.Claim(P("out")))
        {
            Assert.Equal([".owner"], Directory.GetFileSystemEntries(folder.Staging).Select(Path.GetFileName));
            folder.Commit();
        }
        AtomicFile.Write(P("report.md"), w => w.Write("whole"));
        Assert.Equal([".out.tmp-" + Environment.ProcessId + "-4567", "out", "report.md", $"report.md.tmp-{dead}-0badc0de-cdef"],
            Directory.GetFileSystemEntries(Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
