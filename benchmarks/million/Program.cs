using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using AssetServer.Data;
using Dapper;

// Issue 21: a library of a million files. Loads the library as it was before 010_query_indexes (rows cloned in SQL),
// times that migration on it (start-up's cheap part), starts the real server on it (start-up time), waits for its
// background index build (build time), then times each request of the issue against the default page, in
// alternation, as ratios of medians (the machine is shared: absolute figures drift, ratios less).
//   dotnet run -c Release --project benchmarks/million -- sqlite <folder> <rows>
//   dotnet run -c Release --project benchmarks/million -- postgres <folder> <rows> "<connection string>"

var provider = args[0];
var folder = Path.GetFullPath(args[1]);
var rows = int.Parse(args[2]);
var connectionString = provider == "postgres" ? args[3] : null;
Directory.CreateDirectory(folder);
using var database = connectionString is null ? new Database(Path.Combine(folder, "assetserver.db")) : Database.Postgres(connectionString);

var clock = Stopwatch.StartNew();
await database.MigrateAsync("010", CancellationToken.None);
Console.WriteLine($"schema before issue 21: {clock.Elapsed.TotalSeconds:F1} s");

clock.Restart();
var script = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, connectionString is null ? "seed.sqlite.sql" : "seed.postgres.sql"));
await using (var connection = await database.OpenAsync())
{
    // A library seeded by an earlier run is timed again as it is (MILLION_REUSE=1): comparing two builds on the same rows.
    var seeded = Environment.GetEnvironmentVariable("MILLION_REUSE") == "1"
                 && await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM files") >= rows;
    var next = await connection.ExecuteScalarAsync<long>("SELECT value FROM counters WHERE name = 'files'");
    if (!seeded) await connection.ExecuteAsync(new CommandDefinition(script, new { count = rows, @base = next }, commandTimeout: 0));
    Console.WriteLine(seeded ? "reusing the rows of an earlier run" : $"seeded {rows:N0} rows: {clock.Elapsed.TotalSeconds:F1} s");
}

clock.Restart();
await database.MigrateAsync();
Console.WriteLine($"010_query_indexes on them (start-up's migration): {clock.Elapsed.TotalSeconds:F1} s");

const string Token = "million-benchmark-admin-token";
var port = 20000 + Random.Shared.Next(20000);
// MILLION_DLL names another build of the server (a copy of main's, for a before/after on the same rows).
var dll = Environment.GetEnvironmentVariable("MILLION_DLL")
          ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/AssetServer/bin/Release/net10.0/AssetServer.dll"));
var start = new ProcessStartInfo("dotnet") { ArgumentList = { dll, "--urls", $"http://127.0.0.1:{port}" }, RedirectStandardOutput = true, RedirectStandardError = true };
start.Environment["ASSETSERVER_Data__Path"] = folder;
start.Environment["ASSETSERVER_Auth__AdminToken"] = Token;
start.Environment["ASSETSERVER_Logging__LogLevel__Default"] = "Warning";
if (connectionString is not null)
{
    start.Environment["ASSETSERVER_Database__Provider"] = "postgres";
    start.Environment["ASSETSERVER_Database__ConnectionString"] = connectionString;
}
using var server = Process.Start(start)!;
server.OutputDataReceived += (_, _) => { };
server.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
try
{
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    clock.Restart();
    while (true)
    {
        try { if ((await http.GetAsync("/server/ping")).IsSuccessStatusCode) break; }
        catch (HttpRequestException) { }
        await Task.Delay(200);
    }
    Console.WriteLine($"server ready (start-up on the upgraded library): {clock.Elapsed.TotalSeconds:F1} s");

    // The background build, while the server answers: a search asked now scans (the search table is not full yet).
    var steps = (connectionString is null ? AssetServer.Data.IndexBuilds.IndexBuildSteps.Sqlite : AssetServer.Data.IndexBuilds.IndexBuildSteps.Postgres).Count;
    var during = Stopwatch.StartNew();
    (await http.GetAsync("/files?limit=25&search=harbour&meta=filter_count")).EnsureSuccessStatusCode();
    Console.WriteLine($"a search during the build: {during.Elapsed.TotalMilliseconds:F0} ms");
    while (true)
    {
        await using var connection = await database.OpenAsync();
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM index_builds WHERE done_on IS NOT NULL") == steps) break;
        await Task.Delay(500);
    }
    Console.WriteLine($"background index build: {clock.Elapsed.TotalSeconds:F1} s after start");
    if (connectionString is not null)
    {
        var vacuum = Stopwatch.StartNew();
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE files", commandTimeout: 0));
        Console.WriteLine($"VACUUM ANALYZE (autovacuum's work after a bulk load): {vacuum.Elapsed.TotalSeconds:F1} s");
    }

    const string DefaultPage = "/files?limit=25";
    static string SearchBySize(string word) => $$"""POST files(limit: 25, sort: [\"-filesize\"], search: \"{{word}}\")""";
    (string Name, string Target, string Kind)[] requests =
    [
        ("search= a word no file has", "/files?limit=25&search=zzqxnomatch", "page"),
        ("search=harbour&meta=filter_count (1 in 1,000)", "/files?limit=25&search=harbour&meta=filter_count", "filter_count"),
        ("search=ha (2 characters: bounded scan)", "/files?limit=25&search=ha", "page"),
        ("filter[title][_icontains]= no match", "/files?limit=25&filter[title][_icontains]=zzqxnomatch", "page"),
        ("sort=title", "/files?limit=25&sort=title", "page"),
        ("sort=-filesize", "/files?limit=25&sort=-filesize", "page"),
        ("sort=-created_on&page=400", "/files?limit=25&sort=-created_on&page=400", "page"),
        ("filter[type][_eq]=video/mp4&page=400", "/files?limit=25&filter[type][_eq]=video/mp4&page=400", "page"),
        ("filter[type][_starts_with]=video/ (mime group)", "/files?limit=25&filter[type][_starts_with]=video/", "page"),
        ("filter[folder][_eq]=…", "/files?limit=25&filter[folder][_eq]=f0000000-0000-4000-8000-000000000001", "page"),
        ("filter[type][_eq]=image/png&meta=filter_count", "/files?limit=25&filter[type][_eq]=image/png&meta=filter_count", "filter_count"),
        ("meta=total_count", "/files?limit=25&meta=total_count", "filter_count"),
        // Strapi's flat list ignores pagination[…] and answers every file, as Strapi does; start/limit make it a page.
        ("Strapi /api/upload/files?limit=25", "/api/upload/files?limit=25", "page"),
        ("Strapi /api/upload/files/page?pagination[pageSize]=25", "/api/upload/files/page?pagination[pageSize]=25&pagination[withCount]=false", "page"),
        ("Strapi /api/upload/files/page with count", "/api/upload/files/page?pagination[pageSize]=25&pagination[withCount]=true", "filter_count"),
        ("GraphQL files(limit:25, sort:[\"-filesize\"], search:\"harbour\")", SearchBySize("harbour"), "page"),
        ("search=harbour&sort=-filesize (the same, REST)", "/files?limit=25&search=harbour&sort=-filesize&fields=id,title,filesize", "page"),
        ("GraphQL files(limit:25) (the default page)", "POST files(limit: 25)", "page"),
        ("search=lighthouse&sort=-filesize (1 file in 100)", "/files?limit=25&search=lighthouse&sort=-filesize", "page"),
        ("search=lighthouse&meta=filter_count (1 file in 100, newest first)", "/files?limit=25&search=lighthouse&meta=filter_count", "filter_count"),
        ("search=beach&sort=-filesize (a common word, 1 file in 13)", "/files?limit=25&search=beach&sort=-filesize", "page"),
        ("search=beach&meta=filter_count (a common word, newest first)", "/files?limit=25&search=beach&meta=filter_count", "filter_count"),
        ("GraphQL files(limit:25, sort:[\"-filesize\"], search:\"beach\")", SearchBySize("beach"), "page"),
        ("aggregate[count]=*&groupBy[]=type", "/files?aggregate[count]=*&groupBy[]=type", "group-by"),
    ];

    async Task<double> TimeAsync(string target)
    {
        var watch = Stopwatch.StartNew();
        using var response = target.StartsWith("POST ", StringComparison.Ordinal)
            ? await http.PostAsync("/graphql/system", new StringContent(
                $$"""{"query":"{ {{target[5..]}} { id title filesize } }"}""", Encoding.UTF8, "application/json"))
            : await http.GetAsync(target);
        var body = await response.Content.ReadAsStringAsync();
        var ms = watch.Elapsed.TotalMilliseconds;
        // GraphQL answers its errors with a 200.
        if (body.StartsWith("{\"errors\"", StringComparison.Ordinal)) throw new InvalidOperationException($"{target}: {body}");
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{target}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return ms;
    }

    static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    const int Rounds = 15;
    foreach (var (_, target, _) in requests) { await TimeAsync(target); await TimeAsync(target); }
    var defaults = new List<double>();
    var times = requests.Select(_ => new List<double>()).ToArray();
    for (var round = 0; round < Rounds; round++)
        for (var i = 0; i < requests.Length; i++)
        {
            defaults.Add(await TimeAsync(DefaultPage));
            times[i].Add(await TimeAsync(requests[i].Target));
        }
    var floor = Median(defaults);
    Console.WriteLine();
    Console.WriteLine($"| request ({provider}, {rows:N0} rows) | median ms | × default page | target |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine($"| `GET {DefaultPage}` (default page) | {floor:F1} | 1.0 | |");
    for (var i = 0; i < requests.Length; i++)
    {
        var (name, _, kind) = requests[i];
        var median = Median(times[i]);
        var target = kind switch { "filter_count" => 15, "group-by" => 40, _ => 10 };
        var ratio = median / floor;
        Console.WriteLine($"| {name} | {median:F1} | {ratio:F1} | ≤ {target}× {(ratio <= target ? "✓" : "✗")} |");
    }
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
}
