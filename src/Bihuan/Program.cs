using Bihuan;
using Bihuan.Features.Accounts;
using Bihuan.Features.Audit;
using Bihuan.Features.Calendar;
using Bihuan.Features.Demands;
using Bihuan.Features.Duties;
using Bihuan.Features.Files;
using Bihuan.Features.Organizations;
using Bihuan.Features.People;
using Bihuan.Features.Notifications;
using Bihuan.Features.Rectification;
using Bihuan.Features.Repair;
using Bihuan.Features.Rules;
using Bihuan.Features.Study;
using Bihuan.Features.Supervision;
using Bihuan.Features.Todo;
using Bihuan.Infrastructure;
using Scalar.AspNetCore;

// One executable: `bihuan` serves the web app; `bihuan <verb>` runs an admin command (see `--help`).
if (Cli.IsCommand(args)) return await Cli.RunAsync(args);

var app = BihuanHost.CreateBuilder(args).Build();
await app.PrepareDatabaseAsync();
app.UseBihuanPipeline();

// The features, one line each (Features/<Area>/<Area>Module.cs): their API under /api/v1, their other endpoints.
var api = app.MapGroup("/api/v1").RequireAuthorization().WithInputBounds().DeclareRefusals();
app.MapOrganizations(api);
app.MapPeople(api);
app.MapAccounts(api);
app.MapAudit(api);
app.MapCalendar(api);
app.MapFiles(api);
app.MapRectification(api);
app.MapStudy(api);
app.MapDuties(api);
app.MapRules(api);
app.MapSupervision(api);
app.MapNotifications(api);
app.MapDemands(api);
app.MapRepair(api);
app.MapTodo(api);

app.MapOpenApi("/openapi/{documentName}.json");
app.MapScalarApiReference("/api/docs");
app.MapHealth();
app.MapCulture();
app.MapStaffPages();

app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("闭环 Bihuan 已启动 started: {Urls} — 演示账号见 README.md (demo accounts in README.md)",
        string.Join(", ", app.Urls)));
await app.RunAsync();
return 0;

public partial class Program;
