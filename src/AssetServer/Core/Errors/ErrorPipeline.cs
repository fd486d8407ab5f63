namespace AssetServer.Errors;

public static class ErrorPipeline
{
    /// <summary>
    /// Every failure leaves in the error shape: exceptions through <see cref="ApiExceptionHandler"/>,
    /// unmatched routes and methods as Directus's 404 <c>ROUTE_NOT_FOUND</c>.
    /// </summary>
    public static void UseApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var path = http.Request.Path.Value ?? "/";
            if (http.Response.StatusCode == 404) await ErrorWriter.WriteAsync(http, ApiErrors.RouteNotFound(path));
            else if (http.Response.StatusCode == 405) await ErrorWriter.WriteAsync(http, ApiErrors.MethodNotAllowed(path));
        });
    }
}
