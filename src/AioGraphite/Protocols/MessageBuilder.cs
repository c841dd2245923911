using AioGraphite.Naming;

namespace AioGraphite.Protocols;

/// <summary>Implements <see cref="IGraphiteProtocol.GenerateMessage"/> on top of a <see cref="WireFormat"/>.</summary>
internal static class MessageBuilder
{
    public static byte[] Build(WireFormat format, TimeProvider time, IReadOnlyList<Datapoint> datapoints, bool emptyFrame)
    {
        ArgumentNullException.ThrowIfNull(datapoints);
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        int largest = 0;
        var lengths = new int[datapoints.Count];
        for (int i = 0; i < datapoints.Count; i++)
        {
            Datapoint p = datapoints[i];
            string? error = DatapointRules.Check(p.Metric, p.Value, Timestamp(p, now), 0, 0, MetricNameRules.MaxLineBytes, out lengths[i]);
            if (error is not null)
            {
                throw DatapointRules.Rejected(p.Metric, $"{error} (datapoint {i})", nameof(datapoints));
            }

            largest = Math.Max(largest, format.WorstCaseBytes(lengths[i]));
        }

        int segmentBytes = Math.Min(format.MaxSegmentBytes, Math.Max(GraphiteClientOptions.DefaultBatchSizeBytes, largest));
        var output = new List<byte[]>();
        var segment = new Segment(segmentBytes);
        format.BeginFrame(segment);
        for (int i = 0; i < datapoints.Count; i++)
        {
            Datapoint p = datapoints[i];
            var text = new PointText(default, p.Metric, lengths[i], default, p.Value, Timestamp(p, now));
            if (!format.TryAppend(segment, text))
            {
                format.EndFrame(segment);
                output.Add(segment.Written.ToArray());
                segment.Reset();
                format.BeginFrame(segment);
                format.TryAppend(segment, text);
            }
        }

        if (segment.Points > 0 || (emptyFrame && output.Count == 0))
        {
            format.EndFrame(segment);
            output.Add(segment.Written.ToArray());
        }

        if (output.Count == 1)
        {
            return output[0];
        }

        byte[] message = GC.AllocateUninitializedArray<byte>(output.Sum(frame => frame.Length));
        int offset = 0;
        foreach (byte[] frame in output)
        {
            frame.CopyTo(message, offset);
            offset += frame.Length;
        }

        return message;
    }

    private static long Timestamp(Datapoint p, long now) => p.Timestamp is long t && t != 0 ? t : now;
}
