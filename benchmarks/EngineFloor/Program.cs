// The engine floor for the cold transform: what the server's render costs with no HTTP, no database and no file
// written, i.e. libvips's own thumbnail and WebP encode called from .NET.
//
//   EngineFloor server|defaults WARMUP_FILE FILE...
//
// Prints one line per FILE, the seconds its render took (read by benchmarks/load/run.sh), and the libvips
// version and settings on stderr. "server" applies the settings of src/AssetServer/Transforms/LibvipsSetup.cs
// (operation cache off, one libvips worker per render); "defaults" leaves libvips as it starts (a worker per
// core, operation cache on).
using System.Diagnostics;
using NetVips;

if (args.Length < 3 || args[0] is not ("server" or "defaults"))
{
    Console.Error.WriteLine("usage: EngineFloor server|defaults WARMUP_FILE FILE...");
    return 2;
}

if (args[0] == "server")
{
    Cache.Max = 0;
    Cache.MaxMem = 0;
    Cache.MaxFiles = 0;
    NetVips.NetVips.Concurrency = 1;
}

Console.Error.WriteLine(
    $"libvips {NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}.{NetVips.NetVips.Version(2)}, settings {args[0]}: " +
    $"concurrency {NetVips.NetVips.Concurrency}, operation cache max {Cache.Max} ops / {Cache.MaxMem} bytes / {Cache.MaxFiles} files");

// The first render loads the JPEG and WebP modules and JIT-compiles this loop: pay that on another file.
Render(args[1]);

for (var i = 2; i < args.Length; i++)
{
    var clock = Stopwatch.StartNew();
    var bytes = Render(args[i]);
    clock.Stop();
    if (bytes == 0)
    {
        Console.Error.WriteLine($"{args[i]}: empty WebP");
        return 1;
    }
    Console.WriteLine(clock.Elapsed.TotalSeconds.ToString("F6", System.Globalization.CultureInfo.InvariantCulture));
}
return 0;

// The same call the server's shrink-on-load step makes for a 200x200 cover (orientation applied by Thumbnail),
// and its WebP settings: quality 80, effort 4 (libvips's default), no metadata.
static int Render(string file)
{
    using var thumb = Image.Thumbnail(file, 200, height: 200, crop: Enums.Interesting.Centre);
    return thumb.WebpsaveBuffer(q: 80, keep: Enums.ForeignKeep.None).Length;
}
