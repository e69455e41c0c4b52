using System.CommandLine;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Infrastructure;

/// Admin verbs of the same executable. Each runs with the web app's services and a System scope.
public static class Cli
{
    static readonly string[] Verbs = ["migrate", "seed", "admin", "orgs", "audit", "repair", "backup", "restore", "calendar", "jobs", "bench"];

    public static bool IsCommand(string[] args) => args.Length > 0 &&
        (Verbs.Contains(args[0]) || args[0] is "-h" or "--help" or "-?" or "--version");

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("""
            闭环 Bihuan — 学查改一体推进 / study · inspect · rectify.
            Without a verb, bihuan serves the web app (http://127.0.0.1:5080; --urls to change).
            Configuration: Bihuan__Database__Provider=Sqlite|Postgres, Bihuan__Database__ConnectionString=…
            """);

        var migrate = new Command("migrate", "Apply database migrations (创建或升级数据库)");
        migrate.SetAction(async (_, ct) => await WithDb(async (sp, db) =>
        {
            await DatabaseSetup.MigrateAsync(db, ct);
            Console.WriteLine($"数据库已是最新 database up to date ({db.Engine})");
            return 0;
        }));

        var seed = new Command("seed", "Load data into an empty database");
        var seedDemo = new Command("demo", "The demo org tree, persona accounts and 2026 campaign template (demo only)");
        seedDemo.SetAction(async (_, ct) => await WithDb(async (sp, db) =>
        {
            await DatabaseSetup.MigrateAsync(db, ct);
            var loaded = await DemoSeed.RunAsync(sp, ct);
            Console.WriteLine(loaded ? $"演示数据已加载 demo loaded; password of every demo account: {DemoSeed.Password}"
                                     : "数据库不是空的，未加载演示数据 database not empty, nothing loaded");
            return loaded ? 0 : 1;
        }));
        seed.Subcommands.Add(seedDemo);

        var admin = new Command("admin", "Accounts");
        var adminCreate = new Command("create", "Create an administrator account on the root org (the first admin in production)");
        var user = new Option<string>("--user") { Description = "user name", Required = true };
        var name = new Option<string>("--name") { Description = "display name", DefaultValueFactory = _ => "系统管理员" };
        var password = new Option<string?>("--password")
        {
            Description = "password (or set BIHUAN_ADMIN_PASSWORD; at least 10 characters of three kinds — upper, "
                + "lower, digit, symbol — not a common one, not holding the user name)",
        };
        adminCreate.Options.Add(user);
        adminCreate.Options.Add(name);
        adminCreate.Options.Add(password);
        adminCreate.SetAction(async (pr, ct) => await WithDb(async (sp, db) =>
        {
            var pw = pr.GetValue(password) ?? Environment.GetEnvironmentVariable("BIHUAN_ADMIN_PASSWORD");
            if (string.IsNullOrEmpty(pw)) return Fail("请用 --password 或环境变量 BIHUAN_ADMIN_PASSWORD 提供密码");
            var rootOrg = await db.Orgs.FirstOrDefaultAsync(o => o.ParentId == null, ct);
            if (rootOrg is null) return Fail("还没有根组织：先用 `bihuan orgs import 文件.xlsx --commit` 导入组织架构");
            var clock = sp.GetRequiredService<TimeProvider>();
            var account = await AccountCommands.CreateAsync(db, sp.GetRequiredService<UserManager<Account>>(), clock,
                pr.GetValue(user), pr.GetValue(name), pw, null, ct);
            await PeopleApi.GrantAsync(db, clock, new GrantInput(account.Id, rootOrg.Id, Role.Admin), ct);
            Console.WriteLine($"已创建管理员 {account.UserName}（{rootOrg.Name}）");
            return 0;
        }));
        admin.Subcommands.Add(adminCreate);

        var orgs = new Command("orgs", "Organization tree");
        var orgsImport = new Command("import", "Import an org tree from .xlsx/.csv (组织名称, 上级组织, 组织类型, 组织编码); checks only unless --commit");
        var file = new Argument<FileInfo>("file") { Description = ".xlsx or .csv file" };
        var commit = new Option<bool>("--commit") { Description = "write the changes when the whole file is valid" };
        orgsImport.Arguments.Add(file);
        orgsImport.Options.Add(commit);
        orgsImport.SetAction(async (pr, ct) => await WithDb(async (sp, db) =>
        {
            var f = pr.GetValue(file)!;
            if (!f.Exists) return Fail($"找不到文件 {f.FullName}");
            await using var s = f.OpenRead();
            var r = await OrgImport.RunAsync(db, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ImportLimits>(), s, f.Name, f.Length, pr.GetValue(commit), ct);
            Console.WriteLine(r.Message);
            foreach (var e in r.Errors) Console.WriteLine(e.Row > 0 ? $"  第 {e.Row} 行：{e.Reason}" : $"  {e.Reason}");
            return r.Ok ? 0 : 2;
        }));
        orgs.Subcommands.Add(orgsImport);

        var audit = new Command("audit", "Audit trail");
        var verify = new Command("verify", """
            Check the keyed hash chain and every audited record against it; with --anchors, also every signed anchor in
            that directory (审计链与锚点校验): a chain shorter than an anchor was truncated at its tail, an anchored entry
            with another hash belongs to a rebuilt chain. Exit code 0 when intact, 3 when broken.
            """);
        var anchorsDir = new Option<DirectoryInfo?>("--anchors")
            { Description = "an anchor directory (Bihuan:Audit:AnchorDir, or a copy) to check the chain against" };
        var publicKeys = new Option<FileInfo[]>("--public-key")
        {
            Description = "a PEM public key the anchors may be signed with (default: the configured anchor key's own)",
            AllowMultipleArgumentsPerToken = true,
        };
        verify.Options.Add(anchorsDir);
        verify.Options.Add(publicKeys);
        verify.SetAction(async (pr, ct) => await WithDb(async (sp, db) =>
        {
            var report = await AuditTrail.VerifyAsync(db, ct);
            if (report.Intact && pr.GetValue(anchorsDir) is { } dir)
            {
                var anchors = sp.GetRequiredService<Features.Audit.AuditAnchors>();
                var pems = (pr.GetValue(publicKeys) ?? []).Select(f => File.ReadAllText(f.FullName));
                report = await Features.Audit.AuditAnchors.VerifyAsync(db, dir.FullName, anchors.VerificationKeys(pems),
                    report.Entries, ct);
            }
            Console.WriteLine(report.Message);
            return report.Intact ? 0 : 3;
        }));
        audit.Subcommands.Add(verify);
        var rotate = new Command("rotate-key", """
            Add a new chain key to Bihuan:Audit:KeyFile and record the rotation in the chain (审计链密钥轮换): links from
            the rotation entry on are keyed with the new key; the old keys stay in the file to verify the older links.
            Other nodes pick the new key up at their next write. With BIHUAN_AUDIT_KEY, append the new key there.
            """);
        rotate.SetAction(async (_, ct) => await WithDb(async (sp, db) =>
        {
            var keys = sp.GetRequiredService<Features.Audit.AuditKeys>();
            Domain.ChainKey key;
            try { key = keys.Rotate(); }
            catch (InvalidOperationException e) { return Fail(e.Message); }
            await AuditTrail.EnsureKeyedAsync(db, ct);
            Console.WriteLine($"已轮换审计链密钥 key rotated: {key.Name} ({key.Crypto.MacName}), {keys.KeyFile}");
            return 0;
        }));
        audit.Subcommands.Add(rotate);

        var repair = new Command("repair",
            "Stored values no read can use (dates outside the window, undefined choices, percents outside 0–100)");
        var repairScan = new Command("scan",
            "List them: type, id, field, value, why (tab-separated); exit code 0 when there are none, 4 otherwise");
        var take = new Option<int>("--take")
            { Description = "at most this many records per record type", DefaultValueFactory = _ => 1000 };
        repairScan.Options.Add(take);
        repairScan.SetAction(async (pr, ct) => await WithDb(async (sp, db) =>
        {
            var found = await UnusableValues.ScanAsync(db, Math.Max(1, pr.GetValue(take)), ct);
            Console.WriteLine("type\tid\tfield\tvalue\twhy");
            foreach (var v in found) Console.WriteLine($"{v.Type}\t{v.Id}\t{v.Field}\t{v.Value}\t{v.Why}");
            Console.WriteLine(found.Count == 0 ? "没有无法使用的数值 no unusable values"
                : $"共 {found.Count} 个无法使用的数值 unusable values; 修正 repair: bihuan repair set --type T --id N --field F --value V --reason …");
            return found.Count == 0 ? 0 : 4;
        }));
        var repairSet = new Command("set",
            "Set one unusable value right (audited, with a reason); the same rule as POST /api/v1/repairs");
        var rType = new Option<string>("--type") { Description = "record type as the scan shows it, e.g. RectItem", Required = true };
        var rId = new Option<int>("--id") { Description = "record id", Required = true };
        var rField = new Option<string>("--field") { Description = "field, e.g. Deadline", Required = true };
        var rValue = new Option<string>("--value") { Description = "new value: yyyy-MM-dd, a choice's name, or 0–100", Required = true };
        var rReason = new Option<string>("--reason") { Description = "why (kept in the audit trail)", Required = true };
        foreach (var o in new Option[] { rType, rId, rField, rValue, rReason }) repairSet.Options.Add(o);
        repairSet.SetAction(async (pr, ct) => await WithDb(async (sp, db) =>
        {
            var r = await Features.Repair.StoredValueRepair.RepairAsync(db, new Features.Repair.RepairInput(pr.GetValue(rType),
                pr.GetValue(rId), pr.GetValue(rField), pr.GetValue(rValue), pr.GetValue(rReason)), ct);
            Console.WriteLine($"已修正 repaired {r.Type} {r.Id} {r.Field}: {r.Before} → {r.After}");
            return 0;
        }));
        repair.Subcommands.Add(repairScan);
        repair.Subcommands.Add(repairSet);

        var backup = new Command("backup", """
            Back up the database and the evidence files it references into one new folder (备份数据库和佐证材料), while
            the app keeps running: SQLite via VACUUM INTO, PostgreSQL via pg_dump -Fc on an exported snapshot (pg_dump
            from Bihuan__Backup__PgBin, PATH or /usr/lib/postgresql/*/bin). The folder holds bihuan.db or bihuan.dump,
            files/, tickets/ (numbers given to citizens) and manifest.json (row counts per table, audit head, every file
            with SHA-256). Exit 0 done, 2 folder not empty, 4 pg_dump failed, 5 done but referenced files were missing.
            """);
        var dest = new Argument<DirectoryInfo>("folder") { Description = "a new or empty folder, e.g. /srv/backups/bihuan-20261127" };
        backup.Arguments.Add(dest);
        backup.SetAction(async (pr, ct) => await WithDb(async (sp, db) =>
        {
            var r = await Backup.CreateAsync(db, sp.GetRequiredService<DatabaseOptions>(), sp.GetRequiredService<FileStore>(),
                sp.GetRequiredService<IConfiguration>(), pr.GetValue(dest)!, Console.WriteLine, ct);
            if (r.Message.Length > 0) Console.Error.WriteLine(r.Message);
            return r.ExitCode;
        }));

        var restore = new Command("restore", """
            Restore a backup folder into an EMPTY target: the configured database (SQLite: a missing or empty file;
            PostgreSQL: an empty or missing database, created when missing, restored with pg_restore) and files root
            (恢复到空的数据库和文件目录). Checks the folder first (database copy and every file by SHA-256), then the result
            (row counts per table, files, audit head, `audit verify`), and moves the ticket counters past every number in
            the ticket journal so that no number a citizen holds is issued again. Stop every node first. Exit 0 done,
            2 refused (target not empty, wrong engine, incomplete folder), 3 verification failed, 4 pg_restore failed.
            """);
        var from = new Argument<DirectoryInfo>("folder") { Description = "a folder written by bihuan backup" };
        var ticketsFrom = new Option<DirectoryInfo[]>("--tickets-from")
        {
            Description = "the old files root (or its tickets/ folder), to know the numbers issued after the backup point",
            AllowMultipleArgumentsPerToken = true,
        };
        restore.Arguments.Add(from);
        restore.Options.Add(ticketsFrom);
        restore.SetAction(async (pr, ct) => await WithDb(async (sp, db) =>
        {
            var r = await Backup.RestoreAsync(db, sp.GetRequiredService<DatabaseOptions>(), sp.GetRequiredService<FileStore>(),
                sp.GetRequiredService<IConfiguration>(), pr.GetValue(from)!, pr.GetValue(ticketsFrom) ?? [], Console.WriteLine, ct);
            if (r.Message.Length > 0) Console.Error.WriteLine(r.Message);
            return r.ExitCode;
        }));

        var calendar = new Command("calendar", "Working-day calendar (Chinese public holidays and 调休)");
        var calImport = new Command("import", "Import one year's holiday file, e.g. 2027.txt with lines \"2027-10-01..2027-10-07 休 国庆节\"");
        var calFile = new Argument<FileInfo>("file") { Description = "text file, one line per holiday range or worked weekend day" };
        calImport.Arguments.Add(calFile);
        calImport.SetAction(async (pr, ct) => await WithDb(async (sp, db) =>
        {
            var f = pr.GetValue(calFile)!;
            if (!f.Exists) return Fail($"找不到文件 {f.FullName}");
            var y = await Features.Calendar.CalendarApi.ImportAsync(db, sp.GetRequiredService<WorkingCalendar>(),
                sp.GetRequiredService<TimeProvider>(), await File.ReadAllTextAsync(f.FullName, ct), ct);
            Console.WriteLine($"已导入 {y.Year} 年节假日安排 imported {y.Year}");
            return 0;
        }));
        calendar.Subcommands.Add(calImport);

        var jobs = new Command("jobs", "Background jobs (the web app runs them itself; one node at a time)");
        var jobsRun = new Command("run", "Run the jobs whose current period has not run yet (e.g. today's light snapshot), then exit");
        jobsRun.SetAction(async (_, ct) => await WithDb(async (sp, db) =>
        {
            var ran = await sp.GetRequiredService<JobHost>().RunDueAsync(ct);
            Console.WriteLine(ran.Count == 0 ? "没有待运行的任务 nothing due (or another node is the leader)" : $"已运行 ran: {string.Join(", ", ran)}");
            return 0;
        }));
        var jobsList = new Command("list", "The latest runs: job, period, node, claimed, finished, outcome");
        jobsList.SetAction(async (_, ct) => await WithDb(async (sp, db) =>
        {
            foreach (var r in await db.JobRuns.OrderByDescending(r => r.Id).Take(30).ToListAsync(ct))
                Console.WriteLine($"{r.Name}\t{r.Period}\t{r.Node}\t{ChinaTime.Format(r.ClaimedAt)}\t{(r.FinishedAt is { } f ? ChinaTime.Format(f) : "未完成")}\t{r.Outcome}");
            return 0;
        }));
        jobs.Subcommands.Add(jobsRun);
        jobs.Subcommands.Add(jobsList);

        var bench = new Command("bench", "Benchmark datasets");
        var benchSeed = new Command("seed", "Fill an empty database with a synthetic Guangzhou-scale dataset (deterministic from --seed): " +
            "small | district (≈5,000 orgs) | city (≈53,700 orgs, 1,000,000 people, 300,000 problems, 500,000 items, 3,000,000 " +
            "work orders, 200,000 meetings, 10,000,000 study records; ≈4 min on SQLite, 2 cores) | province (5 cities). " +
            "Prints rows/s per table. On SQLite the load skips fsync and rebuilds the secondary indexes at the end: " +
            "an interrupted load leaves a database to delete, not to use.");
        var scaleOpt = new Option<string>("--scale") { Description = "small | district | city | province", DefaultValueFactory = _ => "small" };
        var seedOpt = new Option<int>("--seed") { Description = "random seed (same seed, same rows)", DefaultValueFactory = _ => 42 };
        benchSeed.Options.Add(scaleOpt);
        benchSeed.Options.Add(seedOpt);
        benchSeed.SetAction(async (pr, ct) => await WithDb(async (sp, db) =>
        {
            if (Data.Dataset.DatasetScale.Find(pr.GetValue(scaleOpt) ?? "") is not { } scale)
                return Fail($"未知的规模 {pr.GetValue(scaleOpt)}：可选 small、district、city、province");
            await DatabaseSetup.MigrateAsync(db, ct);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var tables = await new Data.Dataset.DatasetGenerator(db, scale, pr.GetValue(seedOpt), m => Console.WriteLine($"  {sw.Elapsed:mm\\:ss} {m}")).RunAsync(ct);
            Console.WriteLine($"规模 scale {scale.Name}, {db.Engine}:");
            foreach (var t in tables)
                Console.WriteLine($"  {t.Table,-24} {t.Rows,12:N0} 行 rows  {t.Seconds,8:0.0} s  {t.RowsPerSecond,10:N0} 行/秒 rows/s" +
                                  (t.IndexSeconds > 0 ? $"  (incl. indexes {t.IndexSeconds:0.0} s)" : ""));
            var rows = tables.Sum(t => t.Rows);
            Console.WriteLine($"  共 total {rows:N0} 行 rows in {sw.Elapsed.TotalSeconds:0.0} s = {rows / sw.Elapsed.TotalSeconds:N0} 行/秒 rows/s");
            return 0;
        }));
        bench.Subcommands.Add(benchSeed);

        foreach (var c in new[] { migrate, seed, admin, orgs, audit, repair, backup, restore, calendar, jobs, bench })
            root.Subcommands.Add(c);
        return await root.Parse(args).InvokeAsync();
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }

    static async Task<int> WithDb(Func<IServiceProvider, BihuanDb, Task<int>> action)
    {
        var builder = BihuanHost.CreateBuilder([]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();
        using var scope = app.Services.CreateScope();
        var holder = scope.ServiceProvider.GetRequiredService<ScopeHolder>();
        holder.Current = AccessScope.System;
        holder.Actor = $"cli:{Environment.UserName}";
        try
        {
            return await action(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<BihuanDb>());
        }
        catch (DomainException e)
        {
            Console.Error.WriteLine(e.Error is ValidationFailed v ? string.Join("\n", v.Errors.Select(x => x.Text)) : e.Message);
            return 1;
        }
    }
}
