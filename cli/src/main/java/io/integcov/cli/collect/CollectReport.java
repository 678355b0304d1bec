package io.integcov.cli.collect;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.integcov.storage.Manifest;
import io.integcov.storage.UploadedRuns.Problem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code --json} report: everything a CI step or dashboard needs without parsing text. {@code totals} and
 * {@code packages} are null/empty when no coverage file was collected.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record CollectReport(
        String source,
        String capture,
        String captureUid,
        int captures,
        Totals totals,
        List<PackageRow> packages,
        List<RunRow> runs,
        List<ProblemRow> missing,
        List<ProblemRow> corrupt,
        List<String> errors,
        Double failUnder,
        boolean ok) {

    record Totals(long statements, long covered, double percent) {
        static Totals of(CoverageProfile.Totals totals) {
            return new Totals(totals.statements(), totals.covered(), round(totals.percent()));
        }
    }

    record PackageRow(String name, long statements, long covered, double percent) {
    }

    record RunRow(String dir, String namespace, String capture, String captureUid, String pod, String container,
            String runId, String mode, boolean committed, Integer exitCode, int files, long bytes) {

        static RunRow of(Downloader.RunResult result) {
            Manifest m = result.manifest();
            String[] segments = result.run().dir().split("/");
            int n = segments.length;
            return new RunRow(result.run().dir(),
                    m != null && m.namespace() != null ? m.namespace() : segment(segments, n - 6),
                    m != null && m.capture() != null ? m.capture() : segment(segments, n - 5),
                    m != null && m.captureUid() != null ? m.captureUid() : segment(segments, n - 4),
                    m != null && m.pod() != null ? m.pod() : segment(segments, n - 3),
                    m != null && m.container() != null ? m.container() : segment(segments, n - 2),
                    m != null && m.runId() != null ? m.runId() : segment(segments, n - 1),
                    m == null ? null : m.mode(),
                    result.run().committed(),
                    m == null ? null : m.exitCode(),
                    result.files(),
                    result.bytes());
        }

        private static String segment(String[] segments, int index) {
            return index >= 0 && index < segments.length ? segments[index] : null;
        }
    }

    record ProblemRow(String run, String file, String message) {
        static ProblemRow of(Problem problem) {
            return new ProblemRow(problem.runDir(), problem.file(), problem.message());
        }
    }

    static List<PackageRow> packages(CoverageProfile profile) {
        return profile.packages().stream().map(p -> new PackageRow(p.name(), p.totals().statements(),
                p.totals().covered(), round(p.totals().percent()))).toList();
    }

    static double round(double percent) {
        return Math.round(percent * 10) / 10.0;
    }

    void write(Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
    }
}
