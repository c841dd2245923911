using System.CommandLine;
using AioGraphite.Cli.Input;
using AioGraphite.Cli.Output;

namespace AioGraphite.Cli.Commands;

/// <summary><c>aiographite decode TEXT...</c>: <see cref="GraphiteEncoder.Decode"/> of each text, one per line.</summary>
internal static class DecodeCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="console">The console.</param>
    /// <param name="examples">Where its help examples are registered.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console, HelpExamples examples)
    {
        var texts = new Argument<string[]>("TEXT")
        {
            Description = "Encoded metric path sections, as written by 'aiographite encode' or Python's aiographite",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("decode", "Decode metric path sections back to the original text (GraphiteEncoder.decode); one result per line. An invalid encoding is an error (exit code 2).")
        {
            texts,
        };
        examples.Add(
            command,
            "aiographite decode caf-dma                    # café",
            "aiographite decode abc%20%40edf%23- fiq228c   # abc @edf#, 中文",
            "aiographite decode -- -h- ---                 # after '--' a text may look like an option: -h, --");
        CommandRunner.SetAction(command, console, (result, _) => Task.FromResult(Run(result.GetValue(texts) ?? [], console)));
        return command;
    }

    /// <summary>Decodes every text, then prints the results (nothing is printed when one fails).</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="console">The console.</param>
    /// <returns>The exit code.</returns>
    public static int Run(IReadOnlyList<string> texts, CliConsole console)
    {
        var results = new string[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            try
            {
                results[i] = GraphiteEncoder.Decode(texts[i]);
            }
            catch (FormatException ex)
            {
                throw new CliException($"Cannot decode {CarbonLineParser.Quote(texts[i])}: {ErrorText.Of(ex)}");
            }
        }

        foreach (string line in results)
        {
            console.Out.WriteLine(line);
        }

        return ExitCodes.Success;
    }
}
