using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IcnnLift.Data;

/// <summary>
/// The output contract: results go only into a folder this program creates. <see cref="Claim"/> checks the path
/// (never the working directory, an ancestor of it, the home folder or the root; never a file; an existing folder
/// only if it is empty, or carries our <see cref="MarkerFile"/> and <c>overwrite</c> is set), then takes the
/// hidden sibling <c>.NAME.partial</c> as its staging folder and lock: it holds the owner's PID, so a second writer
/// to the same path is refused by name, and one left by a killed process is taken over. <see cref="Commit"/>
/// marks the staging folder as ours and renames it into place; disposing without committing removes it. A
/// folder is therefore either complete or absent.
/// </summary>
public sealed class OutputFolder : IDisposable
{
    /// <summary>The file that marks a folder as written by icnn-lift (what <c>--overwrite</c> may replace).</summary>
    public const string MarkerFile = ".icnn-lift";

    private const string OwnerFile = ".owner";
    private const string StagingSuffix = ".partial";

    private readonly bool _overwrite;
    private bool _committed;

    private OutputFolder(string path, string staging, bool overwrite)
    {
        FullPath = path;
        Staging = staging;
        _overwrite = overwrite;
    }

    /// <summary>The folder's final place.</summary>
    public string FullPath { get; }

    /// <summary>Where the contents are written until <see cref="Commit"/>.</summary>
    public string Staging { get; }

    /// <summary>Checks <paramref name="path"/> against the contract without writing anything; <paramref name="option"/>
    /// names it in messages. Returns the full path.</summary>
    public static string Check(string? path, bool overwrite, string option = "--out")
    {
        var full = CheckPlace(path, option);
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            if (!overwrite)
                throw new InputException($"{option} {path}: the folder exists and is not empty; choose another {option}, or add --overwrite to replace a "
                    + "folder icnn-lift wrote");
            if (!IsOurs(full))
                throw new InputException($"{option} {path}: --overwrite replaces only a folder icnn-lift wrote (it has a {MarkerFile} file); this one has "
                    + "none, so it is left alone");
        }
        return full;
    }

    /// <summary>The rules that hold whatever is in the folder: a path, not protected (<see cref="IsProtected"/>), not a
    /// file or a symbolic link, under folders rather than files. Returns the full path.</summary>
    public static string CheckPlace(string? path, string option = "--out")
    {
        var full = Path.TrimEndingDirectorySeparator(Resolve(path, option));
        if (IsProtected(full))
            throw new InputException($"{option} {path}: refusing to write into the root, the home folder, the working directory or a folder that contains it");
        if (File.Exists(full)) throw new InputException($"{option} {path}: is a file, not a folder");
        if (new DirectoryInfo(full) is { Exists: true, LinkTarget: not null })
            throw new InputException($"{option} {path}: is a symbolic link; give the folder it points to");
        return full;
    }

    /// <summary>The rules for a file a command writes (density's and sample's --out): a path, not a folder, and an
    /// existing file only with <paramref name="overwrite"/>. Returns the full path.</summary>
    public static string CheckFile(string? path, bool overwrite, string option = "--out")
    {
        var full = Resolve(path, option);
        if (Directory.Exists(full)) throw new InputException($"{option} {path}: is a folder; give a file name");
        if (File.Exists(full) && !overwrite)
            throw new InputException($"{option} {path}: the file exists; choose another name, or add --overwrite to replace it");
        return full;
    }

    /// <summary>The full path of a non-empty <paramref name="path"/> none of whose parents is a file.</summary>
    private static string Resolve(string? path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new InputException($"{option}: the path is empty");
        var full = Path.GetFullPath(path);
        for (var parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
            if (File.Exists(parent)) throw new InputException($"{option} {path}: {parent} is a file, not a folder");
        return full;
    }

    /// <summary>Marks <paramref name="folder"/> as written by icnn-lift.</summary>
    public static void Mark(string folder) => File.WriteAllText(Path.Combine(folder, MarkerFile), "{\"written_by\": \"icnn-lift\"}\n");

    /// <summary><paramref name="path"/>, or the first of PATH-2, PATH-3, ... that does not exist (default output folders).</summary>
    public static string NextFree(string path)
    {
        bool Taken(string p) => Directory.Exists(p) || File.Exists(p);
        if (!Taken(path)) return path;
        for (int i = 2; ; i++)
            if (!Taken($"{path}-{i}")) return $"{path}-{i}";
    }

    /// <summary>Checks <paramref name="path"/> and takes its staging folder (creating the parent folders).</summary>
    public static OutputFolder Claim(string? path, bool overwrite = false, string option = "--out")
    {
        var full = Check(path, overwrite, option);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        RemoveStaleSiblings(parent, $".{Path.GetFileName(full)}.tmp-");
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}{StagingSuffix}");
        for (int attempt = 0; ; attempt++)
        {
            Directory.CreateDirectory(staging);
            var stamp = Path.Combine(staging, $"{OwnerFile}-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllText(stamp, JsonSerializer.Serialize(ProcessStamp.Current));
            try
            {
                // Moving the written stamp to the owner file without replacing is the atomic step: of two writers, exactly
                // one succeeds, and a reader never sees a half-written owner.
                File.Move(stamp, Path.Combine(staging, OwnerFile), overwrite: false);
                break;
            }
            catch (IOException) when (File.Exists(Path.Combine(staging, OwnerFile)) && attempt < 3)
            {
                File.Delete(stamp);
                var holder = ProcessStamp.Read(Path.Combine(staging, OwnerFile));
                if (holder is not null && holder.MayBeAlive())
                    throw new OutputBusyException($"{option} {path}: {holder.Describe()} is writing it now ({staging}); wait for it, or stop it first");
                TakeAway(staging); // left by a process that died: move it aside at once (one taker wins), then delete it
            }
        }
        // A staging folder left without its owner file (a crash between the two creations) is ours now: empty it.
        foreach (var entry in new DirectoryInfo(staging).EnumerateFileSystemInfos().Where(e => e.Name != OwnerFile))
            if (entry is DirectoryInfo d) d.Delete(recursive: true); else entry.Delete();
        return new OutputFolder(full, staging, overwrite);
    }

    /// <summary>Marks the staging folder as ours and renames it into place (replacing the old folder when overwriting).</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        Mark(Staging);
        if (Directory.Exists(FullPath))
        {
            if (Directory.EnumerateFileSystemEntries(FullPath).Any())
            {
                if (!_overwrite || !IsOurs(FullPath))
                    throw new IOException($"{FullPath} was filled by another process while this one ran; it was left as it is");
                var old = $"{Staging}.old-{Environment.ProcessId}";
                Directory.Move(FullPath, old);
                Directory.Move(Staging, FullPath);
                Directory.Delete(old, recursive: true);
            }
            else
            {
                Directory.Delete(FullPath); // empty: fails if something appeared meanwhile
                Directory.Move(Staging, FullPath);
            }
        }
        else Directory.Move(Staging, FullPath);
        // The owner file goes last: until the rename, a second writer must still see the staging folder as held.
        File.Delete(Path.Combine(FullPath, OwnerFile));
        _committed = true;
    }

    /// <summary>Removes the staging folder unless <see cref="Commit"/> ran.</summary>
    public void Dispose()
    {
        if (_committed) return;
        _committed = true;
        if (Directory.Exists(Staging)) Directory.Delete(Staging, recursive: true);
    }

    /// <summary>Whether icnn-lift wrote the folder: it carries the marker, or it is a run folder of the first format,
    /// from before the marker.</summary>
    public static bool IsOurs(string folder)
    {
        if (File.Exists(Path.Combine(folder, MarkerFile))) return true;
        var config = Path.Combine(folder, "config.json");
        return File.Exists(config) && File.ReadLines(config).Take(3).Any(l => l.Contains("\"icnn-lift-run/1\"", StringComparison.Ordinal));
    }

    /// <summary>The root, the home folder, the working directory and every folder that contains it.</summary>
    public static bool IsProtected(string fullPath)
    {
        var target = Path.TrimEndingDirectorySeparator(fullPath);
        if (Path.GetPathRoot(target) is { } root && Path.TrimEndingDirectorySeparator(root) == target) return true;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0 && Path.TrimEndingDirectorySeparator(home) == target) return true;
        var cwd = Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory);
        return cwd == target || cwd.StartsWith(target + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>What a temporary file's name carries after ".tmp-": the writer's pid and a tag of its host, so that a process
    /// on another machine (shards sharing a results folder) never takes it for one left by a dead local process.</summary>
    public static string TemporaryTag { get; } = $"{Environment.ProcessId}-{HostTag(Environment.MachineName)}";

    private static string HostTag(string host) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(host)))[..8];

    /// <summary>Removes the temporary siblings <c>PREFIX&lt;pid&gt;-&lt;host tag&gt;-…</c> in <paramref name="parent"/> whose writing
    /// process is gone (left by a kill; the atomic file writer names them so). Those of other hosts stay: their writers cannot be seen
    /// from here. Names without a host tag come from an earlier version on this host.</summary>
    public static void RemoveStaleSiblings(string parent, string prefix)
    {
        if (!Directory.Exists(parent)) return;
        var host = TemporaryTag.Split('-')[1];
        foreach (var entry in new DirectoryInfo(parent).EnumerateFileSystemInfos(prefix + "*"))
        {
            var parts = entry.Name[prefix.Length..].Split('-', '.');
            bool local = parts.Length < 3 || parts[1] == host;
            if (!local || !int.TryParse(parts[0], out int id) || ProcessStamp.IsRunning(id)) continue;
            try
            {
                if (entry is DirectoryInfo d) d.Delete(recursive: true); else entry.Delete();
            }
            catch (IOException)
            {
                // Another process cleaned it first.
            }
        }
    }

    private static void TakeAway(string folder)
    {
        var aside = $"{folder}.stale-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            Directory.Move(folder, aside);
        }
        catch (Exception e) when (e is IOException or DirectoryNotFoundException)
        {
            return; // another process took it first
        }
        Directory.Delete(aside, recursive: true);
    }

    /// <summary>Who holds a staging folder: enough to tell whether that process still runs (PID reuse included).</summary>
    private sealed record ProcessStamp(int Pid, string Host, long StartTicks)
    {
        public static ProcessStamp Current => new(Environment.ProcessId, Environment.MachineName, StartOf(Environment.ProcessId) ?? 0);

        public static ProcessStamp? Read(string path)
        {
            try
            {
                return JsonSerializer.Deserialize<ProcessStamp>(File.ReadAllText(path));
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                return null; // damaged (the owner file is moved into place whole): treated as gone
            }
        }

        /// <summary>On another host we cannot tell, so the holder counts as alive.</summary>
        public bool MayBeAlive() => Host != Environment.MachineName || StartOf(Pid) == StartTicks;

        public string Describe() => Host == Environment.MachineName ? $"process {Pid}" : $"process {Pid} on {Host}";

        public static bool IsRunning(int pid) => StartOf(pid) is not null;

        /// <summary>When the process started, in the kernel's clock ticks since boot (/proc/PID/stat, field 22): exact, so
        /// a reused PID is told apart. Elsewhere, the runtime's start time to the second. Null if no such process runs.</summary>
        private static long? StartOf(int pid)
        {
            if (OperatingSystem.IsLinux())
            {
                try
                {
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    return fields[0] == "Z" ? null : long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
                {
                    return null;
                }
            }
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                return p.HasExited ? null : p.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }
    }
}

/// <summary>Another live process is writing the same output folder.</summary>
public sealed class OutputBusyException(string message) : InputException(message);
