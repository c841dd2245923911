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
        var points = new PreparedPoint[datapoints.Count];
        for (int i = 0; i < datapoints.Count; i++)
        {
            Datapoint p = datapoints[i];
            long timestamp = p.TimestampOr(now);
            string? error = DatapointRules.Check(p.Metric, p.Value, timestamp, 0, 0, MetricNameRules.MaxLineBytes, out int metricBytes);
            if (error is not null)
            {
                throw DatapointRules.Rejected(p.Metric, $"{error} (datapoint {i})", nameof(datapoints));
            }

            points[i] = new PreparedPoint(format.Encode(default, p.Metric, metricBytes, default), p.Value, timestamp);
            largest = Math.Max(largest, format.WorstCaseBytes(metricBytes));
        }

        int segmentBytes = Math.Min(format.MaxSegmentBytes, Math.Max(GraphiteClientOptions.DefaultBatchSizeBytes, largest));
        var output = new List<byte[]>();
        var segment = new Segment(segmentBytes, pinned: false);
        format.BeginFrame(segment);
        for (int next = 0; next < points.Length;)
        {
            next += format.Write(segment, points.AsSpan(next));
            if (next < points.Length)
            {
                if (segment.Points == 0)
                {
                    throw new InvalidOperationException("A checked point does not fit an empty segment.");
                }

                format.EndFrame(segment);
                output.Add(segment.Written.ToArray());
                segment.Reset();
                format.BeginFrame(segment);
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

}
