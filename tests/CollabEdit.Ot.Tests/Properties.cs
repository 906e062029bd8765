namespace CollabEdit.Ot.Tests;

/// <summary>How many cases each property runs; set COLLABEDIT_PROPERTY_ITERATIONS to run more.</summary>
internal static class Properties
{
    public static long Iterations { get; } =
        long.TryParse(Environment.GetEnvironmentVariable("COLLABEDIT_PROPERTY_ITERATIONS"), out long n) ? n : 10_000;
}
