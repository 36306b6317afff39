using System.Globalization;

namespace IcnnLift.Data;

/// <summary>
/// Reads samples from a CSV file: one sample a row, one coordinate a column, comma-separated, invariant
/// culture. An optional header is recognised when no cell of the first row is a number. Errors name the
/// file, line and column.
/// </summary>
public static class SampleCsv
{
    /// <summary>The samples of a CSV file, one row a sample; an optional header row is skipped.</summary>
    /// <param name="path">The file.</param>
    /// <param name="singlePrecision">Refuse values that are finite in double but overflow float32 (the run's precision).</param>
    public static double[][] Read(string path, bool singlePrecision = false)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: file not found");
        var rows = new List<double[]>();
        int columns = -1, lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (rows.Count == 0 && columns < 0 && cells.All(c => !double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                columns = cells.Length; // header
                continue;
            }
            if (columns < 0) columns = cells.Length;
            if (cells.Length != columns)
                throw new InputException($"{path}:{lineNumber}: expected {columns} columns, found {cells.Length}");
            var row = new double[columns];
            for (int j = 0; j < columns; j++)
            {
                var cell = cells[j].Trim();
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out row[j]))
                    throw new InputException($"{path}:{lineNumber}, column {j + 1}: '{cell}' is not a number");
                if (!double.IsFinite(row[j]))
                    throw new InputException($"{path}:{lineNumber}, column {j + 1}: value '{cell}' is not finite");
                if (singlePrecision && Math.Abs(row[j]) > float.MaxValue)
                    throw new InputException($"{path}:{lineNumber}, column {j + 1}: value '{cell}' overflows float32 (largest {float.MaxValue:G3}); rescale "
                        + "the data or use --precision float64");
            }
            rows.Add(row);
        }
        if (rows.Count == 0)
            throw new InputException(columns < 0 ? $"{path}: the file is empty" : $"{path}: no data rows after the header");
        return rows.ToArray();
    }

    /// <summary>A number as our CSV files write it: round-trip precision, invariant culture, empty when missing (null or NaN).</summary>
    public static string Cell(double? v) => v is double d && !double.IsNaN(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";

    /// <summary>Writes rows atomically (temporary file, then rename).</summary>
    public static void Write(string path, string[] header, IEnumerable<double[]> rows)
    {
        AtomicFile.Write(path, writer =>
        {
            writer.WriteLine(string.Join(",", header));
            foreach (var row in rows)
                writer.WriteLine(string.Join(",", row.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        });
    }
}
