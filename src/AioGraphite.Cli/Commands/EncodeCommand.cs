using System.CommandLine;
using AioGraphite.Cli.Output;

namespace AioGraphite.Cli.Commands;

/// <summary><c>aiographite encode TEXT...</c>: <see cref="GraphiteEncoder.Encode"/> of each text, one per line.</summary>
internal static class EncodeCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="console">The console.</param>
    /// <param name="examples">Where its help examples are registered.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console, HelpExamples examples)
    {
        var texts = new Argument<string[]>("TEXT")
        {
            Description = "Any text; each becomes one safe metric path section (punycode, then URL quoting, '.' as %2E)",
            Arity = ArgumentArity.OneOrMore,
        };
        var join = new Option<bool>("--join", "-j")
        {
            Description = "Print one metric path: the encoded texts joined with '.' (clean_and_join_metric_parts)",
        };
        var command = new Command("encode", "Encode texts as metric path sections, byte for byte as Python's aiographite GraphiteEncoder.encode; one result per line.")
        {
            texts, join,
        };
        examples.Add(
            command,
            "aiographite encode 'abc @edf#'                 # abc%20%40edf%23-",
            "aiographite encode café 中文                   # caf-dma, fiq228c",
            "aiographite encode --join 'sproc performance' velo@zillow.com   # sproc%20performance-.velo%40zillow%2Ecom-",
            "aiographite encode -- -h --                   # after '--' a text may look like an option: -h-, ---",
            "aiographite send \"app.$(aiographite encode \"$USER\").logins\" 1");
        CommandRunner.SetAction(command, console, (result, _) => Task.FromResult(Run(result.GetValue(texts) ?? [], result.GetValue(join), console)));
        return command;
    }

    /// <summary>Encodes every text, then prints the results (nothing is printed when one fails).</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="join">Whether to print one joined path.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code.</returns>
    public static int Run(IReadOnlyList<string> texts, bool join, CliConsole console)
    {
        string[] results;
        try
        {
            results = join ? [GraphiteEncoder.CleanAndJoinMetricParts(texts)] : texts.Select(GraphiteEncoder.Encode).ToArray();
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ErrorText.Of(ex));
        }

        foreach (string line in results)
        {
            console.Out.WriteLine(line);
        }

        return ExitCodes.Success;
    }
}
