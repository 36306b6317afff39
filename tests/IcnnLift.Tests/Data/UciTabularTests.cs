using System.Text;
using IcnnLift.Data;
using Xunit;

namespace IcnnLift.Tests.Data;

/// <summary>The UCI loaders on small files in the original formats, written here.</summary>
public sealed class UciTabularTests : TempFolderTest
{
    /// <summary>A .npy file as NumPy writes it (version 1, header padded to 64 bytes).</summary>
    internal static void WriteNpy(string path, double[][] rows, string descr = "<f8", bool fortran = false, int dropBytes = 0)
    {
        int r = rows.Length, c = rows[0].Length;
        var header = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': ({r}, {c}), }}";
        header = header.PadRight(64 - 10 - 1) + "\n";
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        writer.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        writer.Write((ushort)header.Length);
        writer.Write(Encoding.Latin1.GetBytes(header));
        var values = fortran ? Enumerable.Range(0, c).SelectMany(j => rows.Select(row => row[j])) : rows.SelectMany(row => row);
        var bytes = new List<byte>();
        foreach (var v in values) bytes.AddRange(descr == "<f4" ? BitConverter.GetBytes((float)v) : BitConverter.GetBytes(v));
        writer.Write(bytes.Take(bytes.Count - dropBytes).ToArray());
    }

    private static double[][] Rows(int n, int d, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 10).ToArray()).ToArray();
    }

    [Theory]
    [InlineData("<f8", false)]
    [InlineData("<f4", false)]
    [InlineData("<f8", true)]
    public void Npy_reader_reads_what_numpy_writes(string descr, bool fortran)
    {
        var rows = Rows(7, 3, 1);
        var path = Path.Combine(Folder, "a.npy");
        WriteNpy(path, rows, descr, fortran);
        var read = NpyReader.Read(path);
        for (int i = 0; i < 7; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(rows[i][j], read[i][j], descr == "<f4" ? 1e-5 : 0);
    }

    [Theory]
    [InlineData(">f8", 0, "big-endian dtype '>f8' is not supported")]
    [InlineData("<i8", 0, "unsupported dtype '<i8'")]
    [InlineData("<f8", 5, "truncated")]
    public void Npy_reader_refuses_what_it_cannot_read(string descr, int dropBytes, string expected)
    {
        var path = Path.Combine(Folder, "b.npy");
        WriteNpy(path, Rows(4, 2, 1), descr, dropBytes: dropBytes);
        Assert.Contains(expected, Assert.Throws<InputException>(() => NpyReader.Read(path)).Message);
    }

    [Fact]
    public void Npy_reader_refuses_a_file_that_is_not_npy()
    {
        var path = Path.Combine(Folder, "c.npy");
        File.WriteAllText(path, "hello, world");
        Assert.Contains("bad magic number", Assert.Throws<InputException>(() => NpyReader.Read(path)).Message);
    }

    [Fact]
    public void Power_is_six_dimensional_split_80_10_10_and_standardised_on_train_and_validation()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "power"));
        WriteNpy(Path.Combine(Folder, "power", "data.npy"), Rows(1000, 8, 2));
        var data = UciTabular.Load("power", Folder);
        Assert.Equal(6, data.Dimension);
        Assert.Equal(100, data.Test.Length);
        Assert.Equal(90, data.Validation.Length);
        Assert.Equal(810, data.Train.Length);
        var fit = data.Train.Concat(data.Validation).ToArray();
        for (int j = 0; j < 6; j++)
        {
            Assert.Equal(0, fit.Average(r => r[j]), 1e-9);
            Assert.Equal(1, Math.Sqrt(fit.Sum(r => r[j] * r[j]) / (fit.Length - 1)), 1e-9);
        }
        Assert.Equal(data.Test.Select(r => r[0]), UciTabular.Load("power", Path.Combine(Folder, "power")).Test.Select(r => r[0])); // same split every time
    }

    [Fact]
    public void Power_with_a_nan_or_the_wrong_width_is_refused()
    {
        var rows = Rows(50, 8, 3);
        rows[7][2] = double.NaN;
        WriteNpy(Path.Combine(Folder, "data.npy"), rows);
        Assert.Contains("row 7, column 3 is NaN", Assert.Throws<InputException>(() => UciTabular.Load("power", Folder)).Message);
        WriteNpy(Path.Combine(Folder, "data.npy"), Rows(50, 5, 3));
        Assert.Contains("POWER has 8 columns", Assert.Throws<InputException>(() => UciTabular.Load("power", Folder)).Message);
    }

    [Fact]
    public void Hepmass_keeps_signal_rows_drops_discrete_features_and_holds_out_validation()
    {
        var rng = new Random(4);
        string Row(int label, bool extra) =>
            string.Join(",", new[] { label.ToString() }
                .Concat(Enumerable.Range(0, 4).Select(_ => rng.NextDouble().ToString("R")))
                .Append(rng.Next(3).ToString()) // a discrete-valued feature
                .Concat(extra ? ["0"] : []));
        File.WriteAllText(Path.Combine(Folder, "1000_train.csv"), "# label,f0,f1,f2,f3,f4\n" + string.Join("\n", Enumerable.Range(0,
            300).Select(i => Row(i % 3 == 0 ? 0 : 1, false))));
        File.WriteAllText(Path.Combine(Folder, "1000_test.csv"), "# label,f0,f1,f2,f3,f4,mass\n" + string.Join("\n", Enumerable.Range(0,
            60).Select(i => Row(i % 3 == 0 ? 0 : 1, true))));
        var data = UciTabular.Load("hepmass", Folder);
        Assert.Equal(4, data.Dimension); // the discrete feature is gone
        Assert.Equal(200 - 20, data.Train.Length);
        Assert.Equal(20, data.Validation.Length);
        Assert.Equal(40, data.Test.Length);
    }

    [Fact]
    public void A_folder_without_the_files_is_named()
    {
        var e = Assert.Throws<InputException>(() => UciTabular.Load("hepmass", Folder));
        Assert.Contains("no 1000_train.csv", e.Message);
        Assert.Contains("folder not found", Assert.Throws<InputException>(() => UciTabular.Load("power", Path.Combine(Folder, "nope"))).Message);
    }
}
