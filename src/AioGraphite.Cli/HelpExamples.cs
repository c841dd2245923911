using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace AioGraphite.Cli;

/// <summary>
/// The help action of every command: System.CommandLine's own help, followed by an "Examples:" section for the
/// commands that have examples (System.CommandLine 3 keeps its help builder internal, so the section is appended).
/// </summary>
internal sealed class HelpExamples : SynchronousCommandLineAction
{
    private readonly Dictionary<Command, string[]> _examples = [];
    private HelpAction _help = new();

    /// <inheritdoc/>
    public override bool ClearsParseErrors => true;

    /// <summary>Registers examples for <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    /// <param name="examples">Lines of the section: command lines, or empty lines and notes.</param>
    public void Add(Command command, params string[] examples) => _examples[command] = examples;

    /// <summary>Makes the help option of <paramref name="root"/> (it applies to every command) use this action.</summary>
    /// <param name="root">The root command.</param>
    /// <param name="width">The width at which help is wrapped.</param>
    public void Install(RootCommand root, int width)
    {
        foreach (Option option in root.Options)
        {
            if (option is HelpOption help)
            {
                _help = help.Action as HelpAction ?? new HelpAction();
                _help.MaxWidth = width;
                help.Action = this;
            }
        }
    }

    /// <inheritdoc/>
    public override int Invoke(ParseResult parseResult)
    {
        int exitCode = _help.Invoke(parseResult);
        if (_examples.TryGetValue(parseResult.CommandResult.Command, out string[]? examples))
        {
            TextWriter output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (string example in examples)
            {
                output.WriteLine(example.Length == 0 ? string.Empty : "  " + example);
            }

            output.WriteLine();
        }

        return exitCode;
    }
}
