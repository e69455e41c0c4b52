namespace Bihuan.Features.Todo;

/// The Todo feature's entry points — 待办 (what waits for the signed-in account), on 工作台 and /api/v1/me/todo.
/// BihuanHost calls AddTodo and Program.cs calls MapTodo; the list is TodoQuery, the buttons TodoActions.
public static class TodoModule
{
    public static IServiceCollection AddTodo(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(config.GetSection("Bihuan:Todo").Get<TodoOptions>() ?? new TodoOptions());
        services.AddScoped<TodoQuery>();
        services.AddScoped<TodoActions>();
        return services;
    }

    public static WebApplication MapTodo(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapGet("/me/todo", async (TodoQuery todo, TodoKind? kind, CancellationToken ct) =>
                TypedResults.Ok(await todo.ForMeAsync(kind, ct)))
            .WithTags("待办 Todo")
            .WithSummary("What the signed-in account can act on now, most urgent first: exact counts per kind, at most "
                + "Bihuan:Todo:TakePerKind entries per kind; ?kind= lists one kind (the counts stay complete)");
        return app;
    }
}
