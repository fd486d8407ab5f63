using System.Globalization;
using System.Text;

namespace AssetServer.Tests.Support;

/// <summary>PDFs written by hand (a few objects and an xref table), so their page count and size are known exactly; shared with the benchmarks.</summary>
public static class PdfFiles
{
    /// <summary>
    /// A PDF of <paramref name="pages"/> pages of <paramref name="width"/>×<paramref name="height"/> points (A4 by
    /// default); page N is filled with the N-th of red, green, blue, so pages tell apart. <paramref name="claimedPages"/>
    /// writes another count into the page tree (a bomb claiming 100,000 pages).
    /// </summary>
    public static byte[] Build(int pages = 2, double width = 595.28, double height = 841.89, int? claimedPages = null)
    {
        string[] colours = ["1 0 0", "0 1 0", "0 0 1"];
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            $"<< /Type /Pages /Kids [{string.Join(" ", Enumerable.Range(0, pages).Select(i => $"{3 + 2 * i} 0 R"))}] /Count {claimedPages ?? pages} >>",
        };
        var box = $"[0 0 {Number(width)} {Number(height)}]";
        for (var i = 0; i < pages; i++)
        {
            var content = $"{colours[i % 3]} rg 0 0 {Number(width)} {Number(height)} re f";
            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox {box} /Contents {4 + 2 * i} 0 R >>");
            objects.Add($"<< /Length {content.Length} >>\nstream\n{content}\nendstream");
        }

        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
