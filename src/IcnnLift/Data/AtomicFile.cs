namespace IcnnLift.Data;

/// <summary>Writes a file through a temporary sibling and a rename, so a reader never sees half of it. Temporary
/// siblings left by a killed writer are removed by the next write of the same file.</summary>
public static class AtomicFile
{
    /// <summary>Writes the text <paramref name="write"/> produces to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, Action<TextWriter> write) => Write(path, (Stream stream) =>
    {
        using var writer = new StreamWriter(stream);
        write(writer);
    });

    /// <summary>The same for bytes.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        OutputFolder.RemoveStaleSiblings(parent, $"{Path.GetFileName(full)}.tmp-");
        var temp = full + $".tmp-{OutputFolder.TemporaryTag}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = File.Create(temp)) write(stream);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
